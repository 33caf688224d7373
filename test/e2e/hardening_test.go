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
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/util/cert"

	"example.com/example-apiserver/test/utils"
)

// auditEvent is the part of an audit log line the tests look at.
type auditEvent struct {
	Stage      string `json:"stage"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string   `json:"username"`
		Groups   []string `json:"groups"`
	} `json:"user"`
	ResponseStatus struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
}

// TestAuthenticationHardening sends requests with credentials that must not work, straight
// to example-apiserver and through kube-apiserver: identity headers without the front-proxy
// certificate, a front-proxy-CA certificate with a name the aggregator does not use, a
// garbage bearer token, a correctly signed but expired service-account token, and a client
// certificate from a CA nobody trusts. Each must be refused (401, or 403 for a real but
// unprivileged identity) and example-apiserver's audit log must record it. Positive
// controls (the real front-proxy certificate, the same token unexpired) prove that the
// refusals come from the credential and not from a broken test.
func TestAuthenticationHardening(t *testing.T) {
	stack.RequireLocal(t, "signs credentials with the stack's CAs and reads example-apiserver's audit log")
	// Nothing in ns is readable by the identities used, so any 200 is a hole.
	ns := stack.Namespace(t, "e2e-hardening")
	stack.MustKubectl(t, "create", "serviceaccount", "e2e-robot", "-n", ns)
	saUID := stack.MustKubectl(t, "get", "serviceaccount", "e2e-robot", "-n", ns, "-o", "jsonpath={.metadata.uid}")

	pkiDir := filepath.Join(stack.Dir, "pki")
	clusterCA := stackCA(t, pkiDir, "ca")
	frontProxyCA := stackCA(t, pkiDir, "front-proxy-ca")
	strangerCA := utils.NewCA(t, "e2e-stranger-ca")
	saKey := utils.LoadKey(t, filepath.Join(pkiDir, "sa.key"))

	// A real identity of the cluster CA without any RBAC: authentication works, nothing is
	// allowed, so a 200 can only come from a forged identity being believed.
	nobody := clientCert(t, clusterCA, "e2e-nobody")
	frontProxy, err := tls.LoadX509KeyPair(filepath.Join(pkiDir, "front-proxy-client.crt"), filepath.Join(pkiDir, "front-proxy-client.key"))
	if err != nil {
		t.Fatal(err)
	}
	wrongProxyName := clientCert(t, frontProxyCA, "not-the-front-proxy")
	strangerAdmin := clientCert(t, strangerCA, "admin", "system:masters")

	claims := func(exp time.Time) map[string]any {
		return map[string]any{
			"iss": "https://kubernetes.default.svc",
			"aud": []string{"https://kubernetes.default.svc"},
			"sub": "system:serviceaccount:" + ns + ":e2e-robot",
			"iat": exp.Add(-time.Hour).Unix(),
			"nbf": exp.Add(-time.Hour).Unix(),
			"exp": exp.Unix(),
			"kubernetes.io": map[string]any{
				"namespace":      ns,
				"serviceaccount": map[string]any{"name": "e2e-robot", "uid": saUID},
			},
		}
	}
	expiredToken := signJWT(t, saKey, claims(time.Now().Add(-10*time.Minute)))
	validToken := signJWT(t, saKey, claims(time.Now().Add(10*time.Minute)))

	exampleURL := stack.Env["EXAMPLE_APISERVER_URL"]
	kubeURL := stack.Env["KUBE_APISERVER_URL"]

	type request struct {
		name    string
		direct  bool // to example-apiserver's port; else through kube-apiserver's aggregator
		cert    *tls.Certificate
		headers map[string]string
		// wantStatus is the answer; wantAuditUser, when set, is the user example-apiserver
		// must have audited (empty: the request must be audited as unauthenticated).
		wantStatus    int
		wantAuditUser string
		// notAudited: kube-apiserver refuses it before it reaches example-apiserver.
		notAudited bool
	}
	forged := map[string]string{"X-Remote-User": "e2e-mallory", "X-Remote-Group": "system:masters"}
	requests := []request{
		{name: "forged-headers-no-cert", direct: true, headers: forged,
			wantStatus: http.StatusForbidden, wantAuditUser: "system:anonymous"},
		{name: "forged-headers-cluster-cert", direct: true, cert: &nobody, headers: forged,
			wantStatus: http.StatusForbidden, wantAuditUser: "e2e-nobody"},
		{name: "forged-headers-wrong-proxy-name", direct: true, cert: &wrongProxyName, headers: forged,
			wantStatus: http.StatusUnauthorized},
		{name: "control-front-proxy", direct: true, cert: &frontProxy, headers: map[string]string{"X-Remote-User": "e2e-proxied"},
			wantStatus: http.StatusForbidden, wantAuditUser: "e2e-proxied"},
		{name: "garbage-token", direct: true, headers: map[string]string{"Authorization": "Bearer garbage.not.ajwt"},
			wantStatus: http.StatusUnauthorized},
		{name: "expired-token", direct: true, headers: map[string]string{"Authorization": "Bearer " + expiredToken},
			wantStatus: http.StatusUnauthorized},
		{name: "control-valid-token", direct: true, headers: map[string]string{"Authorization": "Bearer " + validToken},
			wantStatus: http.StatusForbidden, wantAuditUser: "system:serviceaccount:" + ns + ":e2e-robot"},
		{name: "stranger-ca-cert", direct: true, cert: &strangerAdmin,
			wantStatus: http.StatusUnauthorized},
		{name: "agg-garbage-token", headers: map[string]string{"Authorization": "Bearer garbage.not.ajwt"},
			wantStatus: http.StatusUnauthorized, notAudited: true},
		{name: "agg-expired-token", headers: map[string]string{"Authorization": "Bearer " + expiredToken},
			wantStatus: http.StatusUnauthorized, notAudited: true},
		{name: "agg-stranger-ca-cert", cert: &strangerAdmin,
			wantStatus: http.StatusUnauthorized, notAudited: true},
		{name: "agg-forged-headers-cluster-cert", cert: &nobody, headers: forged,
			wantStatus: http.StatusForbidden, notAudited: true},
	}
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			base, client := kubeURL, stack.HTTPSClient(t, "ca", r.cert)
			if r.direct {
				base, client = exampleURL, stack.ExampleAPIServerHTTPClient(t, r.cert)
			}
			// The label selector only marks the request so its audit line can be found.
			url := fmt.Sprintf("%s/apis/example.com/v1/namespaces/%s/crontabs?labelSelector=case%%3D%s", base, ns, r.name)
			status, body := get(t, client, url, r.headers)
			if status != r.wantStatus {
				t.Fatalf("GET %s: %d, want %d\n%s", url, status, r.wantStatus, body)
			}
			if strings.Contains(body, `"kind":"CronTabList"`) {
				t.Fatalf("GET %s was served:\n%s", url, body)
			}
			if r.notAudited {
				return
			}
			marker := "case%3D" + r.name
			var ev auditEvent
			stack.Eventually(t, 30*time.Second, "example-apiserver audits "+r.name, func() (bool, string) {
				var ok bool
				ev, ok = findAudit(t, marker)
				return ok, "no ResponseComplete/ResponseStarted line for " + marker
			})
			if ev.ResponseStatus.Code != r.wantStatus {
				t.Errorf("audited with code %d, want %d: %+v", ev.ResponseStatus.Code, r.wantStatus, ev)
			}
			if ev.User.Username != r.wantAuditUser {
				t.Errorf("audited as %q, want %q: %+v", ev.User.Username, r.wantAuditUser, ev)
			}
			for _, g := range ev.User.Groups {
				if g == "system:masters" {
					t.Errorf("audited with the forged group system:masters: %+v", ev)
				}
			}
		})
	}
}

// TestAggregatorReplacesForgedHeaders: a user kube-apiserver lets through sends its own
// X-Remote-* headers. The aggregator must replace them with the user it authenticated, so
// example-apiserver sees that user and not the forged one.
func TestAggregatorReplacesForgedHeaders(t *testing.T) {
	stack.RequireLocal(t, "signs a client certificate with the stack's CA and reads example-apiserver's audit log")
	ns := stack.Namespace(t, "e2e-hardening-agg")
	stack.MustKubectl(t, "create", "role", "crontab-reader", "-n", ns, "--verb=list", "--resource=crontabs.example.com")
	stack.MustKubectl(t, "create", "rolebinding", "reader", "-n", ns, "--role=crontab-reader", "--user=e2e-reader")
	pkiDir := filepath.Join(stack.Dir, "pki")
	reader := clientCert(t, stackCA(t, pkiDir, "ca"), "e2e-reader")
	client := stack.HTTPSClient(t, "ca", &reader)
	headers := map[string]string{"X-Remote-User": "e2e-mallory", "X-Remote-Group": "system:masters", "X-Remote-Extra-Scopes": "all"}

	url := fmt.Sprintf("%s/apis/example.com/v1/namespaces/%s/crontabs?labelSelector=case%%3Dagg-forged-allowed", stack.Env["KUBE_APISERVER_URL"], ns)
	var status int
	var body string
	stack.Eventually(t, 30*time.Second, "e2e-reader may list crontabs through the aggregator", func() (bool, string) {
		status, body = get(t, client, url, headers)
		return status == http.StatusOK, fmt.Sprintf("%d %s", status, body)
	})
	var ev auditEvent
	stack.Eventually(t, 30*time.Second, "example-apiserver audits the proxied request", func() (bool, string) {
		var ok bool
		ev, ok = findAudit(t, "case%3Dagg-forged-allowed")
		return ok, "no audit line"
	})
	if ev.User.Username != "e2e-reader" {
		t.Errorf("example-apiserver saw user %q, want e2e-reader (the forged X-Remote-User must be replaced): %+v", ev.User.Username, ev)
	}
	for _, g := range ev.User.Groups {
		if g == "system:masters" {
			t.Errorf("example-apiserver saw the forged group system:masters: %+v", ev)
		}
	}
}

// findAudit returns the last completed audit event whose requestURI contains marker.
func findAudit(t *testing.T, marker string) (auditEvent, bool) {
	t.Helper()
	data, err := os.ReadFile(stack.LogPath("example-apiserver-audit"))
	if err != nil {
		t.Fatal(err)
	}
	var found auditEvent
	ok := false
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, marker) {
			continue
		}
		var ev auditEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("audit line is not JSON: %v\n%s", err, line)
		}
		if ev.Stage == "ResponseComplete" || ev.Stage == "ResponseStarted" || ev.ResponseStatus.Code != 0 {
			found, ok = ev, true
		}
	}
	return found, ok
}

// get sends a GET with the given headers and returns the answer.
func get(t *testing.T, client *http.Client, url string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// stackCA is a certificate authority of the stack's PKI, e.g. "ca" or "front-proxy-ca".
func stackCA(t *testing.T, pkiDir, name string) *utils.KeyPair {
	t.Helper()
	return utils.Load(t, filepath.Join(pkiDir, name+".crt"), filepath.Join(pkiDir, name+".key"))
}

// clientCert returns a client certificate for user, in groups, signed by ca.
func clientCert(t *testing.T, ca *utils.KeyPair, user string, groups ...string) tls.Certificate {
	t.Helper()
	return ca.Issue(t, utils.Leaf{Config: cert.Config{
		CommonName: user, Organization: groups, Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}}).TLSCertificate()
}

// signJWT signs claims with RS256, as kube-apiserver's service-account token issuer does.
func signJWT(t *testing.T, key crypto.Signer, claims map[string]any) string {
	t.Helper()
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("service-account key is %T, want RSA", key)
	}
	enc := func(v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(data)
	}
	signed := enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}
