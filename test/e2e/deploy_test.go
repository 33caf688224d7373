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
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployManifestsAreAccepted renders artifacts/deploy with kubectl's kustomize and has the
// real kube-apiserver validate every object (server-side dry run), so the manifests a user
// applies to a cluster are at least well-formed for this Kubernetes version.
func TestDeployManifestsAreAccepted(t *testing.T) {
	rendered := stack.MustKubectl(t, "kustomize", filepath.Join(stack.Root, "artifacts", "deploy"))
	// Namespaced objects are only dry-run created in a namespace that exists.
	stack.MustKubectl(t, "apply", "-f", filepath.Join(stack.Root, "artifacts", "deploy", "namespace.yaml"))
	out, err := stack.KubectlWithInput([]byte(rendered), "apply", "--dry-run=server", "-f", "-")
	if err != nil {
		stack.Fatalf(t, "kube-apiserver refused artifacts/deploy: %v\n%s", err, out)
	}
	for _, kind := range []string{"deployment.apps/example-apiserver", "apiservice.apiregistration.k8s.io/v1.example.com", "service/etcd-svc"} {
		if !strings.Contains(out, kind) {
			t.Errorf("the dry run did not cover %s:\n%s", kind, out)
		}
	}
}
