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

package credentialplugin_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestExecPlugin runs the real binary the way client-go does (like client-go's own exec
// plugin tests): a rest.Config whose ExecProvider is the plugin, and an httptest server that
// records the Authorization header each request carries.
func TestExecPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "example-credential-plugin")
	build := exec.Command("go", "build", "-o", bin, "example.com/example-apiserver/cmd/example-credential-plugin")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	var mu sync.Mutex
	var seen []string
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[]}`))
	}))
	defer server.Close()

	tokenFile := filepath.Join(dir, "token")
	tests := []struct {
		name       string
		apiVersion string
		args       []string
		env        []clientcmdapi.ExecEnvVar
		token      string
		wantAuth   string
		wantErr    string
	}{
		{name: "v1 from a token file", apiVersion: "client.authentication.k8s.io/v1", args: []string{"get-token", "--token-file", tokenFile}, token: "file-token-v1", wantAuth: "Bearer file-token-v1"},
		{name: "v1beta1 from a token file", apiVersion: "client.authentication.k8s.io/v1beta1", args: []string{"get-token", "--token-file", tokenFile}, token: "file-token-v1beta1", wantAuth: "Bearer file-token-v1beta1"},
		{name: "static token from the environment", apiVersion: "client.authentication.k8s.io/v1", args: []string{"get-token"},
			env: []clientcmdapi.ExecEnvVar{{Name: "EXAMPLE_CREDENTIAL_PLUGIN_TOKEN", Value: "env-token"}}, wantAuth: "Bearer env-token"},
		{name: "a failing plugin fails the request", apiVersion: "client.authentication.k8s.io/v1", args: []string{"get-token", "--token-file", filepath.Join(dir, "missing")},
			wantErr: "failed with exit code 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.token != "" {
				if err := os.WriteFile(tokenFile, []byte(tc.token), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			mu.Lock()
			seen = nil
			mu.Unlock()
			config := &rest.Config{
				Host:            server.URL,
				TLSClientConfig: rest.TLSClientConfig{CAData: caPEM(server)},
				ExecProvider: &clientcmdapi.ExecConfig{
					Command:         bin,
					Args:            tc.args,
					Env:             append(tc.env, clientcmdapi.ExecEnvVar{Name: "KUBECACHEDIR", Value: filepath.Join(dir, "cache")}),
					APIVersion:      tc.apiVersion,
					InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
				},
			}
			client, err := kubernetes.NewForConfig(config)
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 || seen[0] != tc.wantAuth {
				t.Errorf("Authorization headers %q, want [%q]", seen, tc.wantAuth)
			}
		})
	}
}

func caPEM(s *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
}
