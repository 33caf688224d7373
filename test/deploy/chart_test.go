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

package deploy_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"example.com/example-apiserver/test/e2e/framework"
	"example.com/example-apiserver/test/helmchart"
)

// TestHelmChart installs charts/example-apiserver on the real node with Helm as a user would
// (the certificates of hack/deploy-certs.sh), upgrades it to more replicas and an image policy
// and sees both take effect, then uninstalls it and checks that nothing of the release is left.
// It runs before TestDeploy (file order), which deploys artifacts/deploy onto what it left.
func TestHelmChart(t *testing.T) {
	stack := realNode(t)
	start := time.Now()
	h := helmchart.Helm{Root: stack.Root, Home: t.TempDir(), Kubeconfig: stack.Kubeconfig}
	pvs := volumes(t, stack, "helm")
	ns := helmchart.Namespace
	// The release namespace is the user's, with the Pod Security level artifacts/deploy gives it
	// (the local stack has made it already, for its own RBAC).
	stack.MustKubectlWithInput(t, []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n"), "apply", "-f", "-")
	stack.MustKubectl(t, "label", "--overwrite", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted")
	installed := false
	t.Cleanup(func() {
		if installed {
			_, _ = h.Run("uninstall", helmchart.Release, "--namespace", ns, "--cascade=foreground", "--wait", "--timeout=3m")
		}
		// What the uninstall leaves, so that TestDeploy starts from the stack as it came up.
		if out, err := stack.Kubectl(append([]string{"delete", "--namespace", ns, "--ignore-not-found", "--wait=false"}, notTheReleases()...)...); err != nil {
			t.Errorf("deleting what the uninstall left: %v\n%s", err, out)
		}
		// TestDeploy's StatefulSet makes claims of the same names: these must be gone first.
		stack.Eventually(t, 3*time.Minute, "etcd's claims and pods gone", func() (bool, string) {
			out, err := stack.Kubectl("get", "pods,persistentvolumeclaims", "--namespace", ns, "-o", "name")
			return err == nil && strings.TrimSpace(out) == "", out
		})
		if out, err := stack.Kubectl(append([]string{"delete", "pv", "--ignore-not-found", "--wait=false"}, pvs...)...); err != nil {
			t.Errorf("deleting the PersistentVolumes: %v\n%s", err, out)
		}
	})

	helm := func(args ...string) string {
		t.Helper()
		out, err := h.Run(args...)
		if err != nil {
			pods, _ := stack.Kubectl("-n", ns, "get", "pods", "-o", "wide")
			stack.Fatalf(t, "%v\n%s\npods:\n%s", err, out, pods)
		}
		return out
	}
	values := []string{"--namespace", ns, "--set", "etcd.bundled.image=" + stack.Env["NODE_ETCD_IMAGE"]}
	// The local stack applied its own copies of some of our RBAC (hack/lib/kubernetes.sh), which
	// Helm would refuse to take over: a cluster that never had example-apiserver has none.
	rendered := helm(append([]string{"template", helmchart.Release, h.Chart()}, values...)...)
	for _, o := range releaseObjects(t, rendered) {
		args := []string{"delete", o.kind, o.name, "--ignore-not-found", "-o", "name"}
		if o.namespace != "" {
			args = append(args, "--namespace", o.namespace)
		}
		if out := stack.MustKubectl(t, args...); strings.TrimSpace(out) != "" {
			t.Logf("deleted the local stack's %s", strings.TrimSpace(out))
		}
	}
	before, err := inNamespace(stack, ns)
	if err != nil {
		stack.Fatalf(t, "before the install: %v", err)
	}
	helm(append([]string{"install", helmchart.Release, h.Chart()}, values...)...)
	installed = true
	deployCerts(t, stack)
	waitDeployed(t, stack, 2)
	t.Logf("helm install: deployed and Available in %s", time.Since(start).Round(time.Second))

	// Any registry's image is allowed before the upgrade and only example.com's after it.
	crontab := func(image string) (string, error) {
		return stack.KubectlWithInput([]byte(`apiVersion: example.com/v1
kind: CronTab
metadata: {name: policy-probe, namespace: default}
spec: {cronSpec: "0 0 1 1 *", image: `+image+`}
`), "create", "--dry-run=server", "-f", "-")
	}
	if out, err := crontab("docker.io/library/busybox:1.36"); err != nil {
		t.Fatalf("before the upgrade, a CronTab of busybox: %v\n%s", err, out)
	}
	upgradeStart := time.Now()
	helm("upgrade", helmchart.Release, h.Chart(), "--namespace", ns, "--reuse-values", "--set", "apiserver.replicas=3",
		"--set-json", `apiserver.config={"cronTabPolicy":{"imagePolicy":{"allowedPrefixes":["example.com"]}}}`)
	stack.MustKubectl(t, "-n", ns, "rollout", "status", "deployment/example-apiserver", "--timeout=3m")
	waitDeployed(t, stack, 3)
	if args := stack.MustKubectl(t, "-n", ns, "get", "deployment", "example-apiserver", "-o", "jsonpath={.spec.template.spec.containers[0].args}"); !strings.Contains(args, "--config=") {
		t.Errorf("after the upgrade example-apiserver runs without --config: %s", args)
	}
	stack.Eventually(t, time.Minute, "busybox refused by the upgraded image policy", func() (bool, string) {
		out, err := crontab("docker.io/library/busybox:1.36")
		return err != nil && strings.Contains(out, "allowed"), out
	})
	if out, err := crontab(stack.Env["NODE_TESTWORKLOAD_IMAGE"]); err != nil {
		t.Errorf("after the upgrade, a CronTab of %s: %v\n%s", stack.Env["NODE_TESTWORKLOAD_IMAGE"], err, out)
	}
	t.Logf("helm upgrade: 3 replicas and the image policy in %s", time.Since(upgradeStart).Round(time.Second))

	// Uninstalled: every object of the release's manifest is gone, and the namespace holds
	// only what was never the release's.
	manifest := helm("get", "manifest", helmchart.Release, "--namespace", ns)
	uninstallStart := time.Now()
	// Foreground: --wait then also waits for the pods, which the workloads' deletion removes.
	helm("uninstall", helmchart.Release, "--namespace", ns, "--cascade=foreground", "--wait", "--timeout=3m")
	installed = false
	objects := releaseObjects(t, manifest)
	stack.Eventually(t, 2*time.Minute, fmt.Sprintf("the release's %d objects gone", len(objects)), func() (bool, string) {
		var left []string
		for _, o := range objects {
			args := []string{"get", o.kind, o.name, "--ignore-not-found", "-o", "name"}
			if o.namespace != "" {
				args = append(args, "--namespace", o.namespace)
			}
			if out, err := stack.Kubectl(args...); err != nil || strings.TrimSpace(out) != "" {
				left = append(left, fmt.Sprintf("%s %s/%s: %s %v", o.kind, o.namespace, o.name, out, err))
			}
		}
		return len(left) == 0, strings.Join(left, "\n")
	})
	// Helm keeps its record of a release in the namespace's Secrets, which the check below sees.
	if out, err := h.Run("status", helmchart.Release, "--namespace", ns); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("helm status after the uninstall: %v\n%s", err, out)
	}
	// What the namespace holds now, but for what it held before the install and what was never
	// the release's.
	kept := append(notTheReleases(), before...)
	stack.Eventually(t, 2*time.Minute, "namespace "+ns+" holds nothing of the release", func() (bool, string) {
		names, err := inNamespace(stack, ns)
		if err != nil {
			return false, err.Error()
		}
		var left []string
		for _, name := range names {
			if !slices.Contains(kept, name) {
				left = append(left, name)
			}
		}
		return len(left) == 0, strings.Join(left, "\n")
	})
	t.Logf("helm uninstall: %d objects gone in %s; whole Helm test %s", len(objects), time.Since(uninstallStart).Round(time.Second), time.Since(start).Round(time.Second))
}

// notTheReleases are the objects of the namespace that come with the release but are not its
// own: the Secrets of hack/deploy-certs.sh, the Lease the controller took, and etcd's claims,
// which a StatefulSet's deletion keeps (its default retention) so that an uninstall loses no data.
func notTheReleases() []string {
	names := []string{"lease.coordination.k8s.io/example-controller-manager"}
	for _, s := range certSecrets {
		names = append(names, "secret/"+s)
	}
	for i := range 3 {
		names = append(names, fmt.Sprintf("persistentvolumeclaim/data-etcd-%d", i))
	}
	return names
}

type object struct{ kind, namespace, name string }

// releaseObjects are the objects of a release's manifest (helm get manifest).
func releaseObjects(t *testing.T, manifest string) []object {
	t.Helper()
	var objects []object
	reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(manifest)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objects
		}
		if err != nil {
			t.Fatal(err)
		}
		var o metav1.PartialObjectMetadata
		if err := yaml.Unmarshal(doc, &o); err != nil {
			t.Fatal(err)
		}
		if o.Kind == "" {
			continue
		}
		group := strings.SplitN(o.APIVersion, "/", 2)
		kind := o.Kind
		if len(group) == 2 {
			kind += "." + group[0]
		}
		objects = append(objects, object{kind: kind, namespace: o.Namespace, name: o.Name})
	}
}

// inNamespace lists the objects namespace holds, of every kind that can be listed but events,
// as kubectl's -o name does (kind.group/name). While a release's APIServices go, discovery may
// fail for a moment: that is an error to retry, not a verdict.
func inNamespace(stack *framework.Stack, namespace string) ([]string, error) {
	kinds, err := stack.Kubectl("api-resources", "--namespaced", "--verbs=list", "-o", "name")
	if err != nil {
		return nil, fmt.Errorf("kubectl api-resources: %v\n%s", err, kinds)
	}
	var listed []string
	for _, kind := range objectNames(kinds) {
		if !strings.HasPrefix(kind, "events") {
			listed = append(listed, kind)
		}
	}
	out, err := stack.Kubectl("get", strings.Join(listed, ","), "--namespace", namespace, "-o", "name")
	if err != nil {
		return nil, fmt.Errorf("kubectl get: %v\n%s", err, out)
	}
	return objectNames(out), nil
}

// objectNames are the lines of kubectl's output but its warnings (for example of a deprecated
// kind listed), which it writes among them on the combined output.
func objectNames(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "Warning:") {
			names = append(names, line)
		}
	}
	return names
}
