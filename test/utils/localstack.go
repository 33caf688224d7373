/*
Copyright The example-apiserver Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package utils is what every test of this project shares, with the local stack or without it,
// unit tests in pkg/ included (as kubernetes' test/utils): certificates, polling with a
// deadline, processes a test starts, free loopback ports, hack/local-up.sh and its env file,
// log tails, metrics and objects as an API server stored them. test/e2e/framework builds the
// local stack's suites on it.
package utils

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/runtime"
)

// Run runs `hack/local-up.sh command` of the repository at root with its state in dir, the
// binaries already built, and extraEnv (KEY=value) added; it returns the combined output.
func Run(root, dir, command string, extraEnv ...string) (string, error) {
	cmd := exec.Command(filepath.Join(root, "hack", "local-up.sh"), command)
	cmd.Env = append(append(os.Environ(), "LOCAL_UP_DIR="+dir, "LOCAL_UP_SKIP_BUILD=1"), extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ReadEnv parses the sourceable env file hack/local-up.sh writes (ports, PIDs, paths).
func ReadEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(scanner.Text()), "export ")
		if key, value, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[key] = strings.Trim(value, `"'`)
		}
	}
	return env, scanner.Err()
}

// RepoRoot is the directory of the main module, found with the go command from anywhere inside it.
func RepoRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("finding the repository root (run inside the example-apiserver module): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// FreePort returns a port of 127.0.0.1 nothing listened on a moment ago, or fails the test.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := GetFreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// GetFreePort returns a port of 127.0.0.1 nothing listened on a moment ago; FreePort is the
// same for a test.
func GetFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Tail returns the last n lines of a file, or why it could not be read.
func Tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// StoredObject returns the etcd key and value an API server stored the object
// resource namespace/name under, below prefix (e.g. /registry/example.com).
func StoredObject(ctx context.Context, etcd *clientv3.Client, prefix, resource, namespace, name string) (key string, value []byte, err error) {
	// Keys first: the prefix may hold many objects, and only one value is wanted.
	keys, err := etcd.Get(ctx, strings.TrimSuffix(prefix, "/")+"/", clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return "", nil, err
	}
	suffix := "/" + resource + "/" + namespace + "/" + name
	for _, kv := range keys.Kvs {
		if !strings.HasSuffix(string(kv.Key), suffix) {
			continue
		}
		got, err := etcd.Get(ctx, string(kv.Key))
		if err != nil {
			return "", nil, err
		}
		if len(got.Kvs) == 1 {
			return string(kv.Key), got.Kvs[0].Value, nil
		}
	}
	return "", nil, fmt.Errorf("%s %s/%s is not under %s in etcd", resource, namespace, name, prefix)
}

// protobufPrefix opens every object an API server stores as protobuf (k8s.io/apimachinery's
// protobuf serializer): the magic bytes, then a runtime.Unknown envelope naming the version.
var protobufPrefix = []byte("k8s\x00")

// StoredAPIVersion returns the apiVersion (e.g. example.com/v1) an object is encoded in, as
// etcd holds it: protobuf or JSON.
func StoredAPIVersion(value []byte) (string, error) {
	var typeMeta runtime.TypeMeta
	if rest, ok := bytes.CutPrefix(value, protobufPrefix); ok {
		var envelope runtime.Unknown
		if err := envelope.Unmarshal(rest); err != nil {
			return "", fmt.Errorf("not a protobuf envelope: %w", err)
		}
		typeMeta = envelope.TypeMeta
	} else if err := json.Unmarshal(value, &typeMeta); err != nil {
		return "", fmt.Errorf("neither protobuf nor JSON: %w", err)
	}
	if typeMeta.APIVersion == "" {
		return "", fmt.Errorf("no apiVersion in %q", value)
	}
	return typeMeta.APIVersion, nil
}
