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

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

// containerd is a private containerd (its own root, state and socket under a test directory)
// driven with ctr in the k8s.io namespace, the kubelet's.
type containerd struct {
	t   *testing.T
	dir string
	log bytes.Buffer
}

// startContainerd starts containerd and stops it, with every task it runs, when t ends.
func startContainerd(t *testing.T) *containerd {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("containerd needs root (snapshot mounts, runc)")
	}
	for _, program := range []string{"containerd", "ctr", "runc"} {
		if _, err := exec.LookPath(program); err != nil {
			t.Skipf("%s is not installed (hack/prereqs.sh test installs Debian's containerd)", program)
		}
	}
	c := &containerd{t: t, dir: t.TempDir()}
	// No CRI plugin: this containerd only imports and runs images for ctr.
	config := fmt.Sprintf(`version = 2
root = "%[1]s/root"
state = "%[1]s/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "%[1]s/containerd.sock"
[ttrpc]
  address = "%[1]s/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "%[1]s/opt"
`, c.dir)
	if err := os.WriteFile(filepath.Join(c.dir, "config.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("containerd", "--config", filepath.Join(c.dir, "config.toml"))
	cmd.Stdout, cmd.Stderr = &c.log, &c.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if ids, err := c.ctr("tasks", "ls", "-q"); err == nil {
			for _, id := range strings.Fields(ids) {
				_, _ = c.ctr("tasks", "kill", "-s", "SIGKILL", id)
				_, _ = c.ctr("tasks", "delete", "-f", id)
				_, _ = c.ctr("containers", "delete", id)
			}
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("containerd's log:\n%s", c.log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := c.ctr("version")
		if err == nil {
			return c
		}
		select {
		case err := <-exited:
			t.Fatalf("containerd exited: %v\n%s", err, c.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("containerd not serving after 60s: %v\n%s", err, c.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ctr runs ctr against c in the k8s.io namespace and returns its combined output.
func (c *containerd) ctr(args ...string) (string, error) {
	out, err := c.ctrCommand(args...).CombinedOutput()
	return string(out), err
}

func (c *containerd) ctrCommand(args ...string) *exec.Cmd {
	return exec.Command("ctr", append([]string{"--address", filepath.Join(c.dir, "containerd.sock"), "--namespace", "k8s.io"}, args...)...)
}

// mustCtr is ctr that fails the test with the command's output.
func (c *containerd) mustCtr(args ...string) string {
	c.t.Helper()
	out, err := c.ctr(args...)
	if err != nil {
		c.t.Fatalf("ctr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// run runs image's entrypoint with args as ctr run --rm --read-only would for a pod with
// readOnlyRootFilesystem, and returns its output and exit code.
func (c *containerd) run(id string, ref name.Tag, args ...string) (string, int) {
	c.t.Helper()
	cmd := c.runCommand(id, ref, args...)
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.Exited() {
		return string(out), exitErr.ExitCode()
	}
	if err != nil {
		c.t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	return string(out), 0
}

// runCommand is ctr run of image as container id, with runc's state and the IO FIFOs under c's
// directory too.
func (c *containerd) runCommand(id string, ref name.Tag, args ...string) *exec.Cmd {
	return c.ctrCommand(append([]string{"run", "--rm", "--read-only",
		"--runc-root", filepath.Join(c.dir, "runc"), "--fifo-dir", filepath.Join(c.dir, "fifo"),
		ref.String(), id}, args...)...)
}

// buildProgram builds one of test/images' programs static, as make image does.
func buildProgram(t *testing.T, program string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), program)
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "../../test/images/"+program)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", program, err, b)
	}
	return out
}

// The test images as a real node gets them: imported into containerd under their names and
// digests, then run as containers with a read-only root filesystem as the image's user.
func TestContainerdImportsAndRunsTheImages(t *testing.T) {
	c := startContainerd(t)
	images := map[string]name.Tag{}
	for _, program := range []string{"pause", "testworkload"} {
		ref, err := name.NewTag("example.com/"+program+":v0.1.0-test", name.StrictValidation)
		if err != nil {
			t.Fatal(err)
		}
		img, err := buildImage(spec{ref: ref, binary: buildProgram(t, program), created: commitTime, arch: runtime.GOARCH})
		if err != nil {
			t.Fatal(err)
		}
		archive := filepath.Join(t.TempDir(), program+".tar")
		if err := writeArchive(archive, ref, img, commitTime); err != nil {
			t.Fatal(err)
		}
		digest, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		c.mustCtr("images", "import", archive)
		if ls := c.mustCtr("images", "ls"); !strings.Contains(ls, ref.String()) || !strings.Contains(ls, digest.String()) {
			t.Fatalf("ctr images ls lacks %s %s:\n%s", ref, digest, ls)
		}
		images[program] = ref
	}

	t.Run("testworkload", func(t *testing.T) {
		out, code := c.run("testworkload-ok", images["testworkload"], "/usr/local/bin/testworkload", "hello")
		for _, want := range []string{"testworkload: args [\"hello\"]", "testworkload: uid 65532 gid 65532", "testworkload: env HOME=/home/nonroot"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if code != 0 {
			t.Errorf("exit code %d, want 0:\n%s", code, out)
		}
		if out, code := c.run("testworkload-fails", images["testworkload"], "/usr/local/bin/testworkload", "--exit-code=3"); code != 3 {
			t.Errorf("exit code %d, want 3:\n%s", code, out)
		}
	})

	t.Run("pause", func(t *testing.T) {
		cmd := c.runCommand("pause", images["pause"])
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(c.mustCtr("tasks", "ls"), "RUNNING") {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("pause not running after 60s:\n%s", out.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
		c.mustCtr("tasks", "kill", "--signal", "SIGTERM", "pause")
		if err := cmd.Wait(); err != nil {
			t.Fatalf("pause after SIGTERM: %v, want exit 0:\n%s", err, out.String())
		}
	})
}
