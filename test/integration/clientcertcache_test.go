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

package integration

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/cert"

	"example.com/example-apiserver/test/integration/framework"
	"example.com/example-apiserver/test/utils"
)

// TestClientCertificateCache runs a server that trusts a client CA and a front proxy's CA
// from files: a client keeps its connection, its certificate is verified once, and rotating
// the CA file away refuses its next request on that same connection. Expiry is the unit
// test's (pkg/clientcertcache, with a clock): here it would mean waiting for a certificate to
// expire.
func TestClientCertificateCache(t *testing.T) {
	dir := t.TempDir()
	clientCA, frontProxyCA := utils.NewCA(t, "client-ca"), utils.NewCA(t, "front-proxy-ca")
	clientCAFile, frontProxyCAFile := filepath.Join(dir, "client-ca.crt"), filepath.Join(dir, "front-proxy-ca.crt")
	for file, ca := range map[string]*utils.KeyPair{clientCAFile: clientCA, frontProxyCAFile: frontProxyCA} {
		if err := os.WriteFile(file, ca.CertPEM, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := framework.StartServer("--client-ca-file="+clientCAFile,
		"--requestheader-client-ca-file="+frontProxyCAFile, "--requestheader-allowed-names=front-proxy")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	alice := connection(t, srv, clientCA.Issue(t, utils.Leaf{Config: cert.Config{CommonName: "alice",
		Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}}))
	frontProxy := connection(t, srv, frontProxyCA.Issue(t, utils.Leaf{Config: cert.Config{CommonName: "front-proxy",
		Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}}))
	const path = "/apis/example.com/v1/namespaces/default/crontabs"

	before := cacheLookups(ctx, t, srv)
	for i := range 3 {
		if code := alice.get(ctx, t, path, nil); code != http.StatusOK {
			t.Fatalf("request %d with alice's certificate: %d, want 200", i, code)
		}
	}
	if got := cacheLookups(ctx, t, srv).since(before); got.verified != 1 || got.cached != 2 {
		t.Errorf("three requests on one connection: %v verified, %v from the cache; want 1 and 2", got.verified, got.cached)
	}

	// The front proxy's headers are read on every request: without a user it is no one.
	if code := frontProxy.get(ctx, t, path, map[string]string{"X-Remote-User": "carol"}); code != http.StatusOK {
		t.Errorf("front proxy for carol: %d, want 200", code)
	}
	if code := frontProxy.get(ctx, t, path, nil); code != http.StatusUnauthorized {
		t.Errorf("front proxy naming no user on the same connection: %d, want 401", code)
	}

	// The server watches the file: once it has reloaded, alice's kept connection is refused.
	if err := os.WriteFile(clientCAFile, utils.NewCA(t, "next-client-ca").CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		return alice.get(ctx, t, path, nil) == http.StatusUnauthorized, nil
	}); err != nil {
		t.Errorf("alice's certificate still accepted after its CA was rotated away: %v", err)
	}
}

type clientConnection struct {
	client *http.Client
	host   string
	used   bool
}

// connection is a client presenting leaf on one kept-alive connection.
func connection(t *testing.T, srv *framework.TestServer, leaf *utils.KeyPair) *clientConnection {
	config := rest.AnonymousClientConfig(srv.ClientConfig)
	config.CertData, config.KeyData = leaf.CertPEM, leaf.KeyPEM
	client, err := rest.HTTPClientFor(config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	return &clientConnection{client: client, host: config.Host}
}

// get returns the status code of a GET; every request after the first must reuse the
// connection, or the cache would have nothing to remember.
func (c *clientConnection) get(ctx context.Context, t *testing.T, path string, header map[string]string) int {
	t.Helper()
	first := true
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { first = !info.Reused }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, c.host+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if first && c.used {
		t.Errorf("GET %s opened a new connection", path)
	}
	c.used = true
	return resp.StatusCode
}

type lookupCounts struct{ verified, cached float64 }

func (c lookupCounts) since(before lookupCounts) lookupCounts {
	return lookupCounts{verified: c.verified - before.verified, cached: c.cached - before.cached}
}

// cacheLookups reads the cache's counters of the client CA from /metrics.
func cacheLookups(ctx context.Context, t *testing.T, srv *framework.TestServer) lookupCounts {
	t.Helper()
	data, err := srv.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count := func(result string) float64 {
		return utils.Counter(t, data, "client_certificate_cache_lookups_total", map[string]string{"ca": "client_ca", "result": result})
	}
	return lookupCounts{verified: count("verified"), cached: count("cached")}
}
