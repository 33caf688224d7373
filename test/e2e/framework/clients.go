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

package framework

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Namespace creates a namespace named base plus a generated suffix, deletes it when the test
// ends, and returns its name. Generated names let the suite run again at once, on an existing
// cluster too, while the last run's namespaces are still terminating.
func (s *Stack) Namespace(t testing.TB, base string) string {
	t.Helper()
	return s.AnnotatedNamespace(t, base, nil)
}

// AnnotatedNamespace is Namespace with annotations, there from its creation on: for what reads
// them from the namespace, as admission plugins do.
func (s *Stack) AnnotatedNamespace(t testing.TB, base string, annotations map[string]string) string {
	t.Helper()
	manifest, err := json.Marshal(map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"generateName": base + "-", "annotations": annotations},
	})
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSpace(s.MustKubectlWithInput(t, manifest, "create", "-f", "-", "-o", "jsonpath={.metadata.name}"))
	t.Cleanup(func() { _, _ = s.Kubectl("delete", "namespace", name, "--wait=false") })
	return name
}

// HTTPSClient returns a client that trusts the local stack's CA pki/<ca>.crt (e.g. "ca",
// kube-apiserver's) and, when cert is not nil, presents it: always, because with
// tls.Config.Certificates Go's client would hold back a certificate the server's list of
// acceptable CAs does not cover, and the server would see none.
func (s *Stack) HTTPSClient(t testing.TB, ca string, cert *tls.Certificate) *http.Client {
	t.Helper()
	path := filepath.Join(s.Env["LOCAL_UP_PKI_DIR"], ca+".crt")
	caPEM, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatalf("no certificate in %s", path)
	}
	config := &tls.Config{RootCAs: roots}
	if cert != nil {
		config.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: config}}
	t.Cleanup(client.CloseIdleConnections)
	return client
}

// ExampleAPIServerHTTPClient is HTTPSClient for example-apiserver's own port (the stack's
// EXAMPLE_APISERVER_URL, or a replica's): it trusts example-apiserver's serving CA.
func (s *Stack) ExampleAPIServerHTTPClient(t testing.TB, cert *tls.Certificate) *http.Client {
	t.Helper()
	return s.HTTPSClient(t, "example-serving-ca", cert)
}
