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

// Package reliability runs the built example-apiserver and etcd binaries as separate
// processes, so tests can do to them what happens in production: two replicas on one etcd,
// etcd dying under load, SIGTERM during load.
package reliability

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/cert"

	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"

	"example.com/example-apiserver/test/utils"
)

// binDir holds the binaries `make build tools` puts in _output/bin; TestMain sets it.
var binDir string

// etcdPrefix is where example-apiserver keeps its objects (its --etcd-prefix default).
const etcdPrefix = "/registry/example.com/"

func TestMain(m *testing.M) {
	root, err := utils.RepoRoot()
	if err == nil {
		binDir = filepath.Join(root, "_output", "bin")
		for _, bin := range []string{"etcd", "example-apiserver"} {
			if _, statErr := os.Stat(filepath.Join(binDir, bin)); statErr != nil {
				err = fmt.Errorf("%s missing: run `make build tools` (or `make test-reliability`)", filepath.Join(binDir, bin))
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// etcdServer is an etcd process that can be killed and started again on the same data.
type etcdServer struct {
	*utils.Process
	args []string
	URL  string
}

func startEtcd(t *testing.T) *etcdServer {
	t.Helper()
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", utils.FreePort(t))
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", utils.FreePort(t))
	e := &etcdServer{URL: clientURL, args: []string{
		"--name=reliability",
		"--data-dir=" + filepath.Join(t.TempDir(), "etcd"),
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=reliability=" + peerURL,
		// A killed process loses nothing the kernel has; only a machine crash would.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}}
	e.start(t)
	return e
}

// start starts (or restarts) etcd and waits for /health.
func (e *etcdServer) start(t *testing.T) {
	t.Helper()
	e.Process = utils.StartProcess(t, "etcd", filepath.Join(binDir, "etcd"), e.args...)
	client := &http.Client{Timeout: 2 * time.Second}
	utils.Eventually(t, 60*time.Second, "etcd /health", func() (bool, string) {
		if e.Exited() {
			t.Fatalf("etcd exited: %v\n%s", e.WaitExit(0), e.Tail(30))
		}
		resp, err := client.Get(e.URL + "/health")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
}

// client returns an etcd client to read what example-apiserver stored, bypassing it.
func (e *etcdServer) client(t *testing.T) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{e.URL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// storedNames returns the names of the CronTabs of namespace ns that are in etcd.
func (e *etcdServer) storedNames(t *testing.T, ns string) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := e.client(t).Get(ctx, etcdPrefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatalf("reading etcd: %v", err)
	}
	names := map[string]bool{}
	for _, kv := range resp.Kvs {
		// .../crontabs/<namespace>/<name>
		parts := strings.Split(string(kv.Key), "/")
		if len(parts) >= 3 && parts[len(parts)-3] == "crontabs" && parts[len(parts)-2] == ns {
			names[parts[len(parts)-1]] = true
		}
	}
	return names
}

// pki is a throwaway CA with a serving certificate for 127.0.0.1 and an admin client
// certificate, made in Go so the tests need no openssl.
type pki struct {
	caCert, serverCert, server string
	clientCertPEM, clientKey   []byte
	caPEM                      []byte
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	dir := t.TempDir()
	ca := utils.NewCA(t, "reliability-ca")
	server := ca.Issue(t, utils.Leaf{Config: cert.Config{
		CommonName: "example-apiserver",
		AltNames:   cert.AltNames{IPs: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}},
		Usages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}})
	admin := ca.Issue(t, utils.Leaf{Config: cert.Config{
		CommonName: "reliability-admin", Organization: []string{"system:masters"},
		Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}})
	p := &pki{caPEM: ca.CertPEM, clientCertPEM: admin.CertPEM, clientKey: admin.KeyPEM}
	p.caCert, p.serverCert, p.server = filepath.Join(dir, "ca.crt"), filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	for path, data := range map[string][]byte{p.caCert: p.caPEM, p.serverCert: server.CertPEM, p.server: server.KeyPEM} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// apiServer is an example-apiserver process in standalone mode on an external etcd.
type apiServer struct {
	*utils.Process
	URL    string
	Config *rest.Config
	Client clientset.Interface
}

// startAPIServer starts example-apiserver on etcdURL and waits until /readyz says ok.
func startAPIServer(t *testing.T, name string, certs *pki, etcdURL string, extraFlags ...string) *apiServer {
	t.Helper()
	return startAPIServerBinary(t, filepath.Join(binDir, "example-apiserver"), name, certs, etcdURL, extraFlags...)
}

// startAPIServerBinary is startAPIServer with another build of example-apiserver, e.g. a
// previous release's.
func startAPIServerBinary(t *testing.T, bin, name string, certs *pki, etcdURL string, extraFlags ...string) *apiServer {
	t.Helper()
	port := utils.FreePort(t)
	args := append([]string{
		"--standalone",
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + certs.serverCert,
		"--tls-private-key-file=" + certs.server,
		"--client-ca-file=" + certs.caCert,
		"--etcd-servers=" + etcdURL,
	}, extraFlags...)
	s := &apiServer{Process: utils.StartProcess(t, name, bin, args...)}
	s.URL = fmt.Sprintf("https://127.0.0.1:%d", port)
	s.Config = &rest.Config{
		Host: s.URL,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   certs.caPEM,
			CertData: certs.clientCertPEM,
			KeyData:  certs.clientKey,
		},
		QPS:   -1, // no client-side throttling: the load is the point
		Burst: -1,
		// No Timeout: client-go would send it as ?timeout= and impose it on the server; the
		// load generators bound each request with their own context instead.
		WarningHandler: rest.NoWarnings{},
	}
	var err error
	if s.Client, err = clientset.NewForConfig(s.Config); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, 90*time.Second, name+" /readyz", func() (bool, string) {
		if s.Exited() {
			t.Fatalf("%s exited: %v\n%s", name, s.WaitExit(0), s.Tail(40))
		}
		code, body := s.readyz()
		return code == http.StatusOK, fmt.Sprintf("%d %s", code, body)
	})
	return s
}

// readyz returns /readyz's status code and body; 0 and the error when there is no answer.
func (s *apiServer) readyz() (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var code int
	body, err := s.Client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).StatusCode(&code).Raw()
	if code == 0 && err != nil {
		return 0, err.Error()
	}
	return code, strings.TrimSpace(string(body))
}
