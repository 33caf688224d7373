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

package server

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apiserver/pkg/server/dynamiccertificates"

	"example.com/example-apiserver/test/utils"
)

// TestShareClientCAProvider checks that the client CA provider is made from the same source
// the delegated authentication would use, and handed to it.
func TestShareClientCAProvider(t *testing.T) {
	dir := t.TempDir()
	caFile := filepath.Join(dir, "client-ca.crt")
	if err := os.WriteFile(caFile, utils.NewCA(t, "client-ca").CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		// want is the provider's type; empty: none.
		want string
	}{
		{name: "--client-ca-file", args: []string{"--client-ca-file=" + caFile, "--authentication-kubeconfig=" + kubeconfig},
			want: fmt.Sprintf("%T", &dynamiccertificates.DynamicFileCAContent{})},
		{name: "the cluster's ConfigMap", args: []string{"--authentication-kubeconfig=" + kubeconfig},
			want: fmt.Sprintf("%T", &dynamiccertificates.ConfigMapCAController{})},
		{name: "lookup skipped", args: []string{"--authentication-kubeconfig=" + kubeconfig, "--authentication-skip-lookup"}},
		{name: "standalone without a client CA", args: []string{"--standalone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := completed(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			authn := *o.RecommendedOptions.Authentication
			provider, err := shareClientCAProvider(&authn)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if provider != nil || authn.ClientCert.CAContentProvider != nil {
					t.Errorf("got %T, want no client CA", provider)
				}
				return
			}
			if got := fmt.Sprintf("%T", provider); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if authn.ClientCert.CAContentProvider != provider {
				t.Error("the delegated authentication was not given the same provider")
			}
		})
	}
}
