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
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	loginv1alpha1 "example.com/example-apiserver/pkg/apis/login/v1alpha1"
)

const loginPath = "/apis/login.example.com/v1alpha1/loginrequests"

// fakeLoginAPI answers LoginRequests for alice/right-password with tokens valid for lifetime.
type fakeLoginAPI struct {
	*httptest.Server
	caFile   string
	logins   atomic.Int32
	lifetime time.Duration
}

func newFakeLoginAPI(t *testing.T, clock func() time.Time) *fakeLoginAPI {
	api := &fakeLoginAPI{lifetime: 15 * time.Minute}
	api.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != loginPath || r.Header.Get("Authorization") != "" {
			http.NotFound(w, r)
			return
		}
		var req loginv1alpha1.LoginRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if req.Spec.Username != "alice" || req.Spec.Password != "right-password" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"invalid username or password","reason":"Unauthorized","code":401}`))
			return
		}
		n := api.logins.Add(1)
		req.Spec.Password = ""
		req.Status = loginv1alpha1.LoginRequestStatus{
			Token:               fmt.Sprintf("login-token-%d", n),
			ExpirationTimestamp: metav1.NewTime(clock().Add(api.lifetime)),
		}
		req.APIVersion, req.Kind = "login.example.com/v1alpha1", "LoginRequest"
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(req)
	}))
	t.Cleanup(api.Close)
	api.caFile = writeFile(t, filepath.Join(t.TempDir(), "ca.crt"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw})))
	return api
}

func TestGetTokenLogin(t *testing.T) {
	h := newHarness(t)
	api := newFakeLoginAPI(t, h.clock.Now)
	api.lifetime = 2 * time.Minute
	passwordFile := writeFile(t, filepath.Join(t.TempDir(), "password"), "right-password\n")
	args := []string{"get-token", "--login", api.URL, "--login-certificate-authority", api.caFile, "--username", "alice", "--password-file", passwordFile, "--verbose"}
	token := func() string {
		t.Helper()
		out, stderr, err := h.run(args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if strings.Contains(stderr, "right-password") {
			t.Errorf("stderr holds the password: %s", stderr)
		}
		return decode(t, out, APIVersionV1).Token
	}
	first := token()
	if first != "login-token-1" || token() != first || api.logins.Load() != 1 {
		t.Fatalf("got %q, then the cache should answer: %d logins", first, api.logins.Load())
	}
	// A 2m token is refreshed a quarter of its life (30s) before it expires, not 2m before
	// (--refresh-margin), which would log in on every run.
	h.clock.Step(89 * time.Second)
	if got := token(); got != first {
		t.Fatalf("logged in again 31s before expiry")
	}
	h.clock.Step(2 * time.Second)
	if got := token(); got != "login-token-2" {
		t.Fatalf("not logged in again 29s before expiry: %q", got)
	}
	data, err := os.ReadDir(h.cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range data {
		content, _ := os.ReadFile(filepath.Join(h.cache, e.Name()))
		if strings.Contains(string(content), "right-password") {
			t.Errorf("the cache file %s holds the password", e.Name())
		}
	}
}

func TestGetTokenLoginPassword(t *testing.T) {
	interactive := `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`
	batch := `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`
	tests := []struct {
		name, execInfo, envPassword, typed, wantErr string
		wantPrompt                                  bool
	}{
		{name: "typed on the terminal", execInfo: interactive, typed: "right-password", wantPrompt: true},
		{name: "run by hand", typed: "right-password", wantPrompt: true},
		{name: "from the environment", execInfo: batch, envPassword: "right-password"},
		{name: "no terminal, no password", execInfo: batch, wantErr: "no password for alice: kubectl gave the plugin no terminal; give --password-file or set $" + passwordEnv},
		{name: "wrong password", execInfo: interactive, typed: "wrong", wantPrompt: true, wantErr: "login as alice at https://127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			api := newFakeLoginAPI(t, h.clock.Now)
			h.env[execInfoEnv] = tt.execInfo
			h.env[passwordEnv] = tt.envPassword
			prompted := false
			h.readPassword = func(prompt string) (string, error) {
				prompted = true
				if !strings.Contains(prompt, "Password for alice at "+api.URL) {
					t.Errorf("prompt %q", prompt)
				}
				return tt.typed, nil
			}
			out, _, err := h.run("get-token", "--login", api.URL, "--login-certificate-authority", api.caFile, "--username", "alice")
			if prompted != tt.wantPrompt {
				t.Errorf("prompted: %v, want %v", prompted, tt.wantPrompt)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				if strings.HasPrefix(tt.name, "wrong") && !strings.Contains(err.Error(), "refused: invalid username or password") {
					t.Errorf("the refusal does not say why: %v", err)
				}
				if files, _ := filepath.Glob(filepath.Join(h.cache, "*.json")); len(files) > 0 {
					t.Errorf("a failed login cached %v", files)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := decode(t, out, APIVersionV1).Token; got != "login-token-1" {
				t.Errorf("token %q", got)
			}
		})
	}
}

func TestGetTokenLoginFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--login", "https://k8s.example.com"}, "--login needs --username"},
		{[]string{"--login", "http://k8s.example.com", "--username", "alice"}, "--login must be the https:// URL"},
		{[]string{"--token-file", "/t", "--username", "alice"}, "--username, --password-file and --login-certificate-authority go with --login"},
		{[]string{"--login", "https://k8s.example.com", "--username", "alice", "--token", "x"}, "choose one credential source"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newHarness(t)
			_, _, err := h.run(append([]string{"get-token"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSetupLogin(t *testing.T) {
	h := newHarness(t)
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := h.run("setup", "--user", "ldap-alice", "--login", "https://127.0.0.1:6443", "--login-certificate-authority", ca, "--username", "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := "kubectl config set-credentials ldap-alice --exec-command=example-credential-plugin --exec-api-version=client.authentication.k8s.io/v1 --exec-interactive-mode=IfAvailable " +
		"--exec-arg=get-token --exec-arg=--login=https://127.0.0.1:6443 --exec-arg=--login-certificate-authority=" + ca + " --exec-arg=--username=alice\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("got:\n%s\nwant it to start with:\n%s", out, want)
	}
}
