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
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.com/example-apiserver/test/utils"
)

// TestExistingKubeconfigPath: a relative E2E_KUBECONFIG is the repository root's, where make
// runs (make up && E2E_KUBECONFIG=_output/local/kubeconfig make test-e2e), not the package
// directory go test runs the suite in.
func TestExistingKubeconfigPath(t *testing.T) {
	root, err := utils.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "_output"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(filepath.Join(root, "_output"), "framework-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	relative, err := filepath.Rel(root, kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want, wantErr string
	}{
		{name: "relative to the repository root", path: relative, want: kubeconfig},
		{name: "absolute", path: kubeconfig, want: kubeconfig},
		{name: "missing", path: filepath.Join(relative, "nothing"), wantErr: "the existing cluster's kubeconfig"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Existing(tc.path)
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Existing(%q): %v, want an error with %q", tc.path, err, tc.wantErr)
				}
			case err != nil:
				t.Fatalf("Existing(%q): %v", tc.path, err)
			case s.Kubeconfig != tc.want || s.Local():
				t.Errorf("Existing(%q): kubeconfig %q, local %v; want %q, not local", tc.path, s.Kubeconfig, s.Local(), tc.want)
			}
		})
	}
}
