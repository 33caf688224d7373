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

package credentialplugin

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/util/cert"
	clienttesting "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/test/utils"
)

var start = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	clock *clienttesting.FakeClock
	env   map[string]string
	// cache is passed as --cache-dir to get-token; "" leaves the default.
	cache string
	// readPassword is the terminal; nil fails the test if asked.
	readPassword func(prompt string) (string, error)
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, clock: clienttesting.NewFakeClock(start), env: map[string]string{}, cache: filepath.Join(t.TempDir(), "cache")}
}

// run executes the plugin in-process with buffers, as client-go would execute it.
func (h *harness) run(args ...string) (stdout, stderr string, err error) {
	h.t.Helper()
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	readPassword := h.readPassword
	if readPassword == nil {
		readPassword = func(string) (string, error) {
			h.t.Error("the plugin asked for a password")
			return "", fmt.Errorf("no terminal in this test")
		}
	}
	env := Env{Getenv: func(k string) string { return h.env[k] }, Clock: h.clock, Executable: "/usr/local/bin/" + programName, ReadPassword: readPassword}
	cmd := NewCommand(genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}, env)
	if len(args) > 0 && args[0] == "get-token" && h.cache != "" {
		args = append(args, "--cache-dir", h.cache)
	}
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// decode checks that stdout is exactly one ExecCredential and returns it.
func decode(t *testing.T, stdout, apiVersion string) *credentialStatus {
	t.Helper()
	var ec struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Status     *credentialStatus `json:"status"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&ec); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one object:\n%s", stdout)
	}
	if ec.APIVersion != apiVersion || ec.Kind != "ExecCredential" || ec.Status == nil {
		t.Fatalf("not an ExecCredential of %s:\n%s", apiVersion, stdout)
	}
	return ec.Status
}

func jwt(claims map[string]any) string {
	enc := func(v any) string {
		data, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(data)
	}
	return enc(map[string]string{"alg": "RS256"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResponseAPIVersion(t *testing.T) {
	tests := []struct {
		info, want, wantErr string
	}{
		{info: "", want: APIVersionV1},
		{info: `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`, want: APIVersionV1},
		{info: `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{}}`, want: APIVersionV1beta1},
		{info: `{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential"}`, wantErr: "supported: client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1"},
		{info: `not json`, wantErr: "is not a JSON ExecCredential"},
	}
	for _, tc := range tests {
		got, err := responseAPIVersion(tc.info)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.info, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.info, got, err, tc.want)
		}
	}
}

func TestJWTExpiry(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		want    time.Time
		wantOK  bool
		wantErr bool
	}{
		{name: "exp", token: jwt(map[string]any{"exp": 1772362800, "sub": "x"}), want: time.Unix(1772362800, 0), wantOK: true},
		{name: "no exp", token: jwt(map[string]any{"sub": "x"})},
		{name: "opaque", token: "abcdef.0123456789abcdef"},
		{name: "dots but not base64", token: "a.!!!.c"},
		{name: "exp not a number", token: jwt(map[string]any{"exp": "soon"}), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := jwtExpiry(tc.token)
			if (err != nil) != tc.wantErr || ok != tc.wantOK || !got.Equal(tc.want) {
				t.Fatalf("got %v %v %v", got, ok, err)
			}
			if err != nil && strings.Contains(err.Error(), tc.token) {
				t.Errorf("the error quotes the token: %v", err)
			}
		})
	}
}

func TestGetTokenFromFile(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	exp := start.Add(time.Hour)
	valid := jwt(map[string]any{"exp": exp.Unix()})
	expired := jwt(map[string]any{"exp": start.Add(-time.Minute).Unix()})
	tests := []struct {
		name     string
		content  string
		execInfo string
		apiVer   string
		wantExp  *time.Time
		wantErr  string
	}{
		{name: "JWT: expiry from exp", content: valid + "\n", apiVer: APIVersionV1, wantExp: &exp},
		{name: "opaque token: no expiry", content: "opaque-token", apiVer: APIVersionV1},
		{name: "v1beta1 when client-go asks for it", content: "opaque-token", apiVer: APIVersionV1beta1,
			execInfo: `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false}}`},
		{name: "expired JWT", content: expired, wantErr: "expired at 2026-03-01T09:59:00Z"},
		{name: "empty file", content: " \n", wantErr: "is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, "token"), tc.content)
			h.env[execInfoEnv] = tc.execInfo
			out, stderr, err := h.run("get-token", "--token-file", path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if secret := strings.TrimSpace(tc.content); secret != "" && strings.Contains(ErrorLine(err), secret) {
					t.Errorf("the error line holds the token: %s", ErrorLine(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cred := decode(t, out, tc.apiVer)
			if cred.Token != strings.TrimSpace(tc.content) {
				t.Errorf("token %q", cred.Token)
			}
			if (cred.ExpirationTimestamp == nil) != (tc.wantExp == nil) || (tc.wantExp != nil && !cred.ExpirationTimestamp.Time.Equal(*tc.wantExp)) {
				t.Errorf("expiry %v, want %v", cred.ExpirationTimestamp, tc.wantExp)
			}
			if stderr != "" {
				t.Errorf("stderr: %q", stderr)
			}
		})
	}

	// The file is re-read on every run: a rotated token is used at once.
	path := writeFile(t, filepath.Join(dir, "rotating"), "first")
	out, _, _ := h.run("get-token", "--token-file", path)
	writeFile(t, path, "second")
	out2, _, _ := h.run("get-token", "--token-file", path)
	if decode(t, out, APIVersionV1).Token != "first" || decode(t, out2, APIVersionV1).Token != "second" {
		t.Errorf("the token file was not re-read:\n%s%s", out, out2)
	}
}

func TestGetTokenFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr string
	}{
		{name: "static token", args: []string{"--token", "dev-token"}, want: "dev-token"},
		{name: "static token from the environment", env: map[string]string{staticTokenEnv: "env-token"}, want: "env-token"},
		{name: "no source", wantErr: "no credential source"},
		{name: "two sources", args: []string{"--token", "a", "--token-file", "f"}, wantErr: "choose one credential source, not --token-file and --token"},
		{name: "service account needs a bootstrap kubeconfig", args: []string{"--service-account", "ns/sa"}, wantErr: "needs --bootstrap-kubeconfig"},
		{name: "service account format", args: []string{"--service-account", "sa", "--bootstrap-kubeconfig", "k"}, wantErr: "NAMESPACE/NAME"},
		{name: "expiration of at least 10m", args: []string{"--service-account", "ns/sa", "--bootstrap-kubeconfig", "k", "--expiration", "5m"}, wantErr: "at least 10m0s"},
		{name: "margin below expiration", args: []string{"--service-account", "ns/sa", "--bootstrap-kubeconfig", "k", "--expiration", "10m", "--refresh-margin", "10m"}, wantErr: "must be shorter than --expiration"},
		{name: "audience without service account", args: []string{"--token", "a", "--audience", "x"}, wantErr: "go with --service-account"},
		{name: "certificate without key", args: []string{"--client-certificate", "c"}, wantErr: "go together"},
		{name: "unsupported exec info", args: []string{"--token", "a"}, env: map[string]string{execInfoEnv: `{"apiVersion":"client.authentication.k8s.io/v1alpha1"}`}, wantErr: "supported:"},
		{name: "nested inside itself", args: []string{"--token", "a"}, env: map[string]string{nestedEnv: "1"}, wantErr: "refusing to run inside itself"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.env = tc.env
			out, _, err := h.run(append([]string{"get-token"}, tc.args...)...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if out != "" {
					t.Errorf("stdout on error: %q", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := decode(t, out, APIVersionV1).Token; got != tc.want {
				t.Errorf("token %q, want %q", got, tc.want)
			}
		})
	}
}

func TestGetTokenClientCertificate(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	notAfter := start.Add(24 * time.Hour).Truncate(time.Second)
	certPEM, keyPEM := clientCertificate(t, notAfter)
	certFile := writeFile(t, filepath.Join(dir, "tls.crt"), string(certPEM))
	keyFile := writeFile(t, filepath.Join(dir, "tls.key"), string(keyPEM))

	out, _, err := h.run("get-token", "--client-certificate", certFile, "--client-key", keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cred := decode(t, out, APIVersionV1)
	if cred.ClientCertificateData != string(certPEM) || cred.ClientKeyData != string(keyPEM) || cred.Token != "" {
		t.Errorf("wrong certificate data: %+v", cred)
	}
	if cred.ExpirationTimestamp == nil || !cred.ExpirationTimestamp.Time.Equal(notAfter) {
		t.Errorf("expiry %v, want NotAfter %v", cred.ExpirationTimestamp, notAfter)
	}

	otherCert, _ := clientCertificate(t, notAfter)
	writeFile(t, certFile, string(otherCert))
	_, _, err = h.run("get-token", "--client-certificate", certFile, "--client-key", keyFile)
	if err == nil || !strings.Contains(err.Error(), "are not a certificate and its key") || strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Errorf("mismatched pair: %v", err)
	}

	h.clock.SetTime(notAfter.Add(time.Second))
	writeFile(t, certFile, string(certPEM))
	if _, _, err = h.run("get-token", "--client-certificate", certFile, "--client-key", keyFile); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v", err)
	}
}

// clientCertificate returns a client certificate valid from before the fake clock's start
// until notAfter, and its key.
func clientCertificate(t *testing.T, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	pair := utils.NewCA(t, "e2e-ca").Issue(t, utils.Leaf{
		Config: cert.Config{
			CommonName: "e2e-user", Organization: []string{"e2e"},
			Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, NotBefore: start.Add(-time.Hour),
		},
		NotAfter: notAfter,
	})
	return pair.CertPEM, pair.KeyPEM
}

// fakeTokenAPI answers TokenRequests for ServiceAccounts as kube-apiserver would, accepting
// only the bootstrap token, and counts them.
type fakeTokenAPI struct {
	*httptest.Server
	requests atomic.Int32
	clock    func() time.Time
}

const bootstrapToken = "bootstrap-token"

func newFakeTokenAPI(t *testing.T, clock func() time.Time) *fakeTokenAPI {
	api := &fakeTokenAPI{clock: clock}
	api.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+bootstrapToken {
			http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}`, http.StatusUnauthorized)
			return
		}
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		// api/v1/namespaces/NS/serviceaccounts/NAME/token
		if r.Method != http.MethodPost || len(parts) != 7 || parts[4] != "serviceaccounts" || parts[6] != "token" {
			http.NotFound(w, r)
			return
		}
		var tr authenticationv1.TokenRequest
		if err := json.NewDecoder(r.Body).Decode(&tr); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n := api.requests.Add(1)
		exp := api.clock().Add(time.Duration(*tr.Spec.ExpirationSeconds) * time.Second)
		tr.Status = authenticationv1.TokenRequestStatus{
			Token:               fmt.Sprintf("sa-token-%s-%s-%d-aud=%s", parts[3], parts[5], n, strings.Join(tr.Spec.Audiences, ",")),
			ExpirationTimestamp: metav1.NewTime(exp),
		}
		tr.APIVersion, tr.Kind = "authentication.k8s.io/v1", "TokenRequest"
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(tr)
	}))
	t.Cleanup(api.Close)
	return api
}

// bootstrapKubeconfig points at api (TLS: clientcmd hands credentials only to https servers).
func bootstrapKubeconfig(t *testing.T, api *httptest.Server, user string) string {
	t.Helper()
	ca := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw}))
	return writeFile(t, filepath.Join(t.TempDir(), "bootstrap.kubeconfig"), fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: %q, certificate-authority-data: %s}
users:
- name: u
  user:
%s
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`, api.URL, ca, user))
}

func TestGetTokenServiceAccountCache(t *testing.T) {
	h := newHarness(t)
	api := newFakeTokenAPI(t, h.clock.Now)
	kubeconfig := bootstrapKubeconfig(t, api.Server, "    token: "+bootstrapToken)
	args := []string{"get-token", "--service-account", "team-a/reader", "--audience", "example", "--expiration", "10m", "--bootstrap-kubeconfig", kubeconfig, "--verbose"}

	token := func(extra ...string) (string, string) {
		t.Helper()
		out, stderr, err := h.run(append(append([]string{}, args...), extra...)...)
		if err != nil {
			t.Fatal(err)
		}
		cred := decode(t, out, APIVersionV1)
		if cred.ExpirationTimestamp == nil {
			t.Fatal("no expiry")
		}
		if strings.Contains(stderr, cred.Token) {
			t.Errorf("stderr holds the token: %s", stderr)
		}
		return cred.Token, stderr
	}

	first, stderr := token()
	if first != "sa-token-team-a-reader-1-aud=example" || !strings.Contains(stderr, "running the source: TokenRequest for ServiceAccount team-a/reader") {
		t.Fatalf("first run: %q, stderr %q", first, stderr)
	}
	// Several kubectl calls: one TokenRequest.
	for range 3 {
		if got, stderr := token(); got != first || !strings.Contains(stderr, "using the cached credential") {
			t.Fatalf("cached run got %q, stderr %q", got, stderr)
		}
	}
	if n := api.requests.Load(); n != 1 {
		t.Fatalf("%d TokenRequests, want 1", n)
	}
	// --force-refresh runs the source and caches the new token.
	forced, _ := token("--force-refresh")
	if again, _ := token(); forced == first || again != forced || api.requests.Load() != 2 {
		t.Fatalf("force refresh: %q then %q after %d requests", forced, again, api.requests.Load())
	}
	// Within --refresh-margin (2m) of the 10m expiry, the token is refreshed.
	h.clock.Step(7 * time.Minute)
	if got, _ := token(); got != forced {
		t.Fatalf("refreshed 3m before expiry")
	}
	h.clock.Step(90 * time.Second)
	if got, _ := token(); got == forced || api.requests.Load() != 3 {
		t.Fatalf("not refreshed 90s before expiry: %q after %d requests", got, api.requests.Load())
	}

	// The cache is private: 0700 directory, 0600 files, no temporary files left.
	info, err := os.Stat(h.cache)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("cache dir: %v %v", info.Mode(), err)
	}
	files, _ := filepath.Glob(filepath.Join(h.cache, "*"))
	var jsons int
	for _, f := range files {
		info, _ := os.Stat(f)
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", f, info.Mode())
		}
		switch filepath.Ext(f) {
		case ".json":
			jsons++
		case ".lock":
		default:
			t.Errorf("unexpected file in the cache: %s", f)
		}
	}
	if jsons != 1 {
		t.Errorf("%d cache files, want 1: %v", jsons, files)
	}

	// Another ServiceAccount or audience is another cache entry.
	out, _, err := h.run("get-token", "--service-account", "team-a/writer", "--expiration", "10m", "--bootstrap-kubeconfig", kubeconfig)
	if err != nil || !strings.HasPrefix(decode(t, out, APIVersionV1).Token, "sa-token-team-a-writer-") {
		t.Fatalf("writer: %v %s", err, out)
	}

	// clean removes them all.
	out, _, err = h.run("clean", "--cache-dir", h.cache)
	if err != nil || !strings.Contains(out, "removed 2 cached credential(s)") {
		t.Fatalf("clean: %v %q", err, out)
	}
}

func TestGetTokenServiceAccountParallel(t *testing.T) {
	h := newHarness(t)
	api := newFakeTokenAPI(t, h.clock.Now)
	kubeconfig := bootstrapKubeconfig(t, api.Server, "    token: "+bootstrapToken)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, _, err := h.run("get-token", "--service-account", "ns/sa", "--bootstrap-kubeconfig", kubeconfig)
			if err != nil {
				t.Error(err)
				return
			}
			var ec struct{ Status credentialStatus }
			_ = json.Unmarshal([]byte(out), &ec)
			tokens[i] = ec.Status.Token
		}()
	}
	wg.Wait()
	if n := api.requests.Load(); n != 1 {
		t.Errorf("%d parallel runs made %d TokenRequests, want 1", len(tokens), n)
	}
	for _, tok := range tokens[1:] {
		if tok != tokens[0] {
			t.Errorf("different tokens: %v", tokens)
		}
	}
}

func TestGetTokenServiceAccountErrors(t *testing.T) {
	api := newFakeTokenAPI(t, time.Now)
	tests := []struct {
		name    string
		user    string
		wantErr string
	}{
		{name: "bootstrap user is this plugin", user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: example-credential-plugin\n      args: [get-token, --token, x]\n      interactiveMode: Never",
			wantErr: "authenticates user \"u\" with example-credential-plugin itself: that would recurse"},
		{name: "bootstrap user by absolute path", user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /opt/bin/example-credential-plugin\n      interactiveMode: Never",
			wantErr: "that would recurse"},
		{name: "rejected bootstrap credentials", user: "    token: wrong-secret-value", wantErr: "requesting a token for ServiceAccount ns/sa: the server has asked for the client to provide credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			kubeconfig := bootstrapKubeconfig(t, api.Server, tc.user)
			_, stderr, err := h.run("get-token", "--service-account", "ns/sa", "--bootstrap-kubeconfig", kubeconfig, "--timeout", "10s")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			line := ErrorLine(err)
			if strings.Contains(line, "\n") || strings.Contains(line, "wrong-secret-value") || stderr != "" {
				t.Errorf("error line %q, stderr %q", line, stderr)
			}
		})
	}
}

func TestSetup(t *testing.T) {
	h := newHarness(t)
	bootstrap := filepath.Join(t.TempDir(), "my kube")
	if err := os.WriteFile(bootstrap, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := h.run("setup", "--user", "ci", "--cluster", "local", "--service-account", "team-a/ci", "--audience", "example", "--bootstrap-kubeconfig", bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	want := "kubectl config set-credentials ci --exec-command=example-credential-plugin --exec-api-version=client.authentication.k8s.io/v1 --exec-interactive-mode=Never " +
		"--exec-arg=get-token --exec-arg=--service-account=team-a/ci --exec-arg=--audience=example --exec-arg=--expiration=1h0m0s '--exec-arg=--bootstrap-kubeconfig=" + bootstrap + "'\n" +
		"kubectl config set-context ci --cluster=local --user=ci\n"
	if !strings.HasPrefix(out, want) || !strings.Contains(out, "#   installHint: |\n#     example-credential-plugin is required") {
		t.Errorf("got:\n%s\nwant it to start with:\n%s", out, want)
	}
	if _, _, err := h.run("setup", "--user", "x"); err == nil {
		t.Error("setup without a source succeeded")
	}
}

// TestSetupFiles: the files a kubeconfig's get-token will read are checked when setup writes
// it, not at the first kubectl command, and written as absolute paths, since kubectl runs the
// plugin from whatever directory it is run in.
func TestSetupFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"kubeconfig", "ca.crt", "password"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	tests := []struct {
		name    string
		args    []string
		wantArg string
		wantErr string
	}{
		{name: "relative bootstrap kubeconfig made absolute", args: []string{"--service-account", "a/b", "--bootstrap-kubeconfig", "kubeconfig"}, wantArg: "--exec-arg=--bootstrap-kubeconfig=" + filepath.Join(dir, "kubeconfig")},
		{name: "missing bootstrap kubeconfig", args: []string{"--service-account", "a/b", "--bootstrap-kubeconfig", "nope"}, wantErr: `--bootstrap-kubeconfig "nope": `},
		{name: "a directory is no kubeconfig", args: []string{"--service-account", "a/b", "--bootstrap-kubeconfig", dir}, wantErr: "--bootstrap-kubeconfig " + strconv.Quote(dir) + ": not a file"},
		{name: "missing login CA", args: []string{"--login", "https://127.0.0.1:6443", "--username", "u", "--login-certificate-authority", "ca.pem"}, wantErr: `--login-certificate-authority "ca.pem": `},
		{name: "missing password file", args: []string{"--login", "https://127.0.0.1:6443", "--username", "u", "--password-file", "pw"}, wantErr: `--password-file "pw": `},
		{name: "login files made absolute", args: []string{"--login", "https://127.0.0.1:6443", "--username", "u", "--login-certificate-authority", "ca.crt", "--password-file", "password"}, wantArg: "--exec-arg=--password-file=" + filepath.Join(dir, "password")},
		{name: "missing client key", args: []string{"--client-certificate", "ca.crt", "--client-key", "key.pem"}, wantErr: `--client-key "key.pem": `},
		// A token file is read on every run and may appear only where the kubeconfig is used
		// (a projected ServiceAccount token), so only its path is made absolute.
		{name: "token file need not exist yet", args: []string{"--token-file", "token"}, wantArg: "--exec-arg=--token-file=" + filepath.Join(dir, "token")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := newHarness(t).run(append([]string{"setup"}, tc.args...)...)
			checkSetupError(t, err, tc.wantErr)
			if tc.wantArg != "" && !strings.Contains(out, tc.wantArg) {
				t.Errorf("output lacks %q:\n%s", tc.wantArg, out)
			}
		})
	}
}

func checkSetupError(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}

func TestErrorLine(t *testing.T) {
	got := ErrorLine(fmt.Errorf("first line\nsecond   line"))
	if got != "example-credential-plugin: first line; second line" {
		t.Errorf("got %q", got)
	}
}
