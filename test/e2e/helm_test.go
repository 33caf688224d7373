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

	"example.com/example-apiserver/test/helmchart"
)

// TestHelmChartIsAccepted renders charts/example-apiserver with each value set it offers and has
// the real kube-apiserver validate every object (server-side dry run), cert-manager's and the
// Prometheus operator's objects against their CRDs, applied here from their Go modules. Every
// rendering with NetworkPolicies gets TestDeployManifestsAreAccepted's isolation check, the one
// that matches artifacts/deploy its checks of the shape too.
func TestHelmChartIsAccepted(t *testing.T) {
	stack.RequireLocal(t, "adds the CRDs of cert-manager and the Prometheus operator")
	h := helmchart.Helm{Root: stack.Root, Home: t.TempDir()}
	sets, err := h.ValueSets()
	if err != nil {
		t.Fatal(err)
	}
	crds, err := helmchart.CRDs()
	if err != nil {
		t.Fatal(err)
	}
	var crdArgs []string
	for _, f := range crds {
		crdArgs = append(crdArgs, "-f", f)
	}
	// Server-side: the Prometheus operator's CRDs are too large for kubectl's last-applied annotation.
	stack.MustKubectl(t, append([]string{"apply", "--server-side"}, crdArgs...)...)
	t.Cleanup(func() {
		if out, err := stack.Kubectl(append([]string{"delete", "--ignore-not-found"}, crdArgs...)...); err != nil {
			t.Errorf("deleting the CRDs: %v\n%s", err, out)
		}
	})
	stack.MustKubectl(t, append([]string{"wait", "--for=condition=Established", "--timeout=1m"}, crdArgs...)...)
	stack.MustKubectl(t, "apply", "-f", filepath.Join(stack.Root, "artifacts", "deploy", "namespace.yaml"))

	for _, name := range helmchart.Names(sets) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rendered, err := h.Template(sets[name]...)
			if err != nil {
				t.Fatalf("%v\n%s", err, rendered)
			}
			out, err := stack.KubectlWithInput([]byte(rendered), "apply", "--dry-run=server", "-f", "-")
			if err != nil {
				stack.Fatalf(t, "kube-apiserver refused the chart with value set %s: %v\n%s", name, err, out)
			}
			if strings.Contains(out, "PodSecurity") {
				t.Errorf("Pod Security admission warned about value set %s:\n%s", name, out)
			}
			objects := decodeManifests(t, rendered)
			if len(objects.networkPolicies) > 0 {
				checkIngressIsolated(t, objects)
			}
			if name != "reference" {
				return
			}
			for _, workload := range []string{"example-apiserver", "example-controller-manager"} {
				d := objects.deployment(t, workload)
				checkHighlyAvailable(t, "Deployment "+workload, *d.Spec.Replicas, &d.Spec.Template, objects.pdbs)
			}
			checkEtcdClientTLS(t, objects.deployment(t, "example-apiserver"))
		})
	}
}
