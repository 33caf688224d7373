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

package kubectlplugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "config")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443"}
- name: other
  cluster: {server: "https://127.0.0.1:7443"}
users:
- name: admin
  user: {token: secret}
contexts:
- name: local
  context: {cluster: local, user: admin, namespace: team-a}
- name: other
  context: {cluster: other, user: admin}
current-context: local
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{args: []string{"config", "--kubeconfig", kubeconfig}, want: []string{"(--kubeconfig)", "Current context:  local", "Server:           https://127.0.0.1:6443", "Namespace:        team-a"}},
		{args: []string{"config", "--kubeconfig", kubeconfig, "--context", "other", "-n", "x"}, want: []string{"Current context:  other", "Server:           https://127.0.0.1:7443", "User:             admin", "Namespace:        x"}},
	}
	for _, tc := range tests {
		out := &bytes.Buffer{}
		flags := genericclioptions.NewConfigFlags(false)
		cmd := NewCmdExampleWith(flags, NewFactory(flags), genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: out})
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
		if strings.Contains(out.String(), "secret") {
			t.Errorf("config printed a credential:\n%s", out)
		}
	}
}
