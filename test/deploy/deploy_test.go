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

// Package deploy_test deploys artifacts/deploy onto the local stack's real node
// (LOCAL_UP_NODE=real) as a user would: the images of make image, the certificates of
// hack/deploy-certs.sh, kubectl apply -k; then the walk-through through the Service.
package deploy_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/example-apiserver/test/e2e/framework"
)

func TestDeploy(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the real node needs root (containerd, runc, a bridge, iptables)")
	}
	// The stack without its own example-apiserver: the deployed one registers the APIServices.
	stack, err := framework.Up(filepath.Join("_output", "deploy-e2e"), "LOCAL_UP_NODE=real", "LOCAL_UP_LDAP=0", "LOCAL_UP_SKIP_EXAMPLE=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stack.Down(); err != nil {
			t.Error(err)
		} else if !t.Failed() {
			_ = stack.Remove()
		}
	})
	start := time.Now()

	// etcd's claims: one PersistentVolume a member, a directory of the node's.
	for i := range 3 {
		dir := filepath.Join(stack.Dir, "node", "volumes", fmt.Sprintf("etcd-%d", i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, 65532, 65532); err != nil {
			t.Fatal(err)
		}
		stack.MustKubectlWithInput(t, []byte(fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: etcd-%d}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: %s, type: Directory}
`, i, dir)), "apply", "-f", "-")
	}

	// artifacts/deploy as it is, but for etcd's image, which is built here.
	overlay := filepath.Join(stack.Dir, "deploy")
	if err := os.MkdirAll(overlay, 0o755); err != nil {
		t.Fatal(err)
	}
	base, err := filepath.Rel(overlay, filepath.Join(stack.Root, "artifacts", "deploy"))
	if err != nil {
		t.Fatal(err)
	}
	etcdImage := strings.SplitN(stack.Env["NODE_ETCD_IMAGE"], ":", 2)
	kustomization := fmt.Sprintf("resources: [%s]\nimages:\n- {name: registry.k8s.io/etcd, newName: %s, newTag: %s}\n", base, etcdImage[0], etcdImage[1])
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte(kustomization), 0o644); err != nil {
		t.Fatal(err)
	}
	stack.MustKubectl(t, "apply", "-k", overlay)
	certs := exec.Command(filepath.Join(stack.Root, "hack", "deploy-certs.sh"), filepath.Join(stack.Dir, "deploy-certs"))
	certs.Env = append(os.Environ(), "KUBECONFIG="+stack.Kubeconfig, "KUBECTL="+filepath.Join(stack.Root, "_output", "bin", "kubectl"))
	if out, err := certs.CombinedOutput(); err != nil {
		stack.Fatalf(t, "hack/deploy-certs.sh: %v\n%s", err, out)
	}

	ready := func(kind, name, field string, want int) {
		t.Helper()
		stack.Eventually(t, 5*time.Minute, fmt.Sprintf("%s %s: %d ready", kind, name, want), func() (bool, string) {
			out, _ := stack.Kubectl("-n", "example-system", "get", kind, name, "-o", "jsonpath={.status."+field+"}")
			if out == fmt.Sprint(want) {
				return true, out
			}
			pods, _ := stack.Kubectl("-n", "example-system", "get", "pods", "-o", "wide")
			return false, out + "\n" + pods
		})
	}
	ready("statefulset", "etcd", "readyReplicas", 3)
	ready("deployment", "example-apiserver", "availableReplicas", 2)
	ready("deployment", "example-controller-manager", "availableReplicas", 2)
	for _, apiservice := range []string{"v1.example.com", "v1beta1.external.metrics.k8s.io"} {
		stack.Eventually(t, 2*time.Minute, "APIService "+apiservice+" Available", func() (bool, string) {
			out, _ := stack.Kubectl("get", "apiservice", apiservice, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].message}`)
			return strings.HasPrefix(out, "True"), out
		})
	}
	t.Logf("deployed and Available in %s", time.Since(start).Round(time.Second))

	// The walk-through, through kube-apiserver, the Service and the pods.
	if out := stack.MustKubectl(t, "get", "--raw", "/apis/example.com/v1"); !strings.Contains(out, `"crontabs"`) {
		t.Errorf("/apis/example.com/v1 lacks crontabs:\n%s", out)
	}
	stack.MustKubectl(t, "apply", "-f", filepath.Join(stack.Root, "artifacts", "examples", "hello-customresource.yaml"))
	stack.MustKubectl(t, "get", "--raw", "/apis/example.com/v1/customresources/hello")
	stack.MustKubectlWithInput(t, []byte(`apiVersion: example.com/v1
kind: CronTab
metadata: {name: hello-real, namespace: default}
spec:
  cronSpec: "* * * * *"
  image: `+stack.Env["NODE_TESTWORKLOAD_IMAGE"]+`
`), "apply", "-f", "-")
	stack.MustKubectl(t, "get", "crontabs")

	// A run of it: a Job whose pod is a real container on the real node, its output in kubectl logs.
	var pod string
	stack.Eventually(t, 3*time.Minute, "a run of CronTab hello-real Succeeded", func() (bool, string) {
		out, _ := stack.Kubectl("get", "pods", "-o", `jsonpath={range .items[?(@.status.phase=="Succeeded")]}{.metadata.name}{"\n"}{end}`)
		pod = strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
		all, _ := stack.Kubectl("get", "jobs,pods", "-o", "wide")
		return pod != "", all
	})
	if out := stack.MustKubectl(t, "logs", pod); !strings.Contains(out, "testworkload: done, exit code 0") {
		t.Errorf("kubectl logs %s:\n%s", pod, out)
	}
	t.Logf("whole deploy e2e: %s", time.Since(start).Round(time.Second))
}
