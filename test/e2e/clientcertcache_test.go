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

package e2e

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"example.com/example-apiserver/test/utils"
)

// TestClientCertificateCache checks the cache where it is deployed: example-apiserver learns
// its client CA from the cluster's extension-apiserver-authentication ConfigMap, and
// kube-apiserver proxies with its front-proxy certificate over a kept connection. Requests on
// a kept connection are served from the cache for both CAs.
func TestClientCertificateCache(t *testing.T) {
	stack.RequireLocal(t, "talks to example-apiserver's own port with the stack's admin certificate")
	config, err := stack.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	// The admin's client certificate, straight to example-apiserver, on one connection.
	config.Host = stack.Env["EXAMPLE_APISERVER_URL"]
	config.CAData, config.CAFile = nil, filepath.Join(stack.Dir, "pki", "example-serving-ca.crt")
	direct, err := rest.HTTPClientFor(config)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	get := func(path string) []byte {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, config.Host+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := direct.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v\n%s", path, resp.StatusCode, err, body)
		}
		return body
	}
	cached := func(metrics []byte, ca string) float64 {
		return utils.Counter(t, metrics, "client_certificate_cache_lookups_total", map[string]string{"ca": ca, "result": "cached"})
	}

	before := get("/metrics")
	const requests = 5
	for range requests {
		get("/apis/example.com/v1/namespaces/default/crontabs")
		stack.MustKubectl(t, "get", "--raw", "/apis/example.com/v1/namespaces/default/crontabs")
	}
	after := get("/metrics")
	if got := cached(after, "client_ca") - cached(before, "client_ca"); got < requests {
		t.Errorf("%d requests with the admin certificate on one connection: %v served from the cache, want at least %d", requests, got, requests)
	}
	// kube-apiserver may open more than one connection; each is verified once.
	if got := cached(after, "request_header") - cached(before, "request_header"); got < requests-2 {
		t.Errorf("%d requests through the aggregator: %v of the front proxy's served from the cache, want at least %d", requests, got, requests-2)
	}
}
