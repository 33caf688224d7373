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
// hack/deploy-certs.sh, kubectl apply -k; then the walk-through through the Service, the HPA,
// disruptions, the e2e suite against it, and make down leaving nothing behind.
package deploy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/generated/clientset/versioned"
	"example.com/example-apiserver/test/e2e/framework"
	"example.com/example-apiserver/test/utils"
)

func TestDeploy(t *testing.T) {
	stack := realNode(t)
	start := time.Now()
	volumes(t, stack, "kustomize")

	overlay := writeOverlay(t, stack)
	stack.MustKubectl(t, "apply", "-k", overlay)
	deployCerts(t, stack)
	waitDeployed(t, stack, 2)
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
	// The plugin shows the run, as kubectl's plugin (kubectl-example on PATH; kubectl takes no
	// flags before a plugin's name, so the kubeconfig comes from the environment).
	job := stack.MustKubectl(t, "get", "pod", pod, "-o", "jsonpath={.metadata.labels.job-name}")
	bin := filepath.Join(stack.Root, "_output", "bin")
	history := exec.Command(filepath.Join(bin, "kubectl"), "example", "history", "hello-real")
	history.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+stack.Kubeconfig, "KUBECACHEDIR="+t.TempDir())
	if out, err := history.CombinedOutput(); err != nil || !strings.Contains(string(out), job) {
		t.Errorf("kubectl example history hello-real: %v, want the run %s:\n%s", err, job, out)
	}

	checkHPAScalesDeployment(t, stack)

	config, err := stack.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	config.QPS, config.Burst = 200, 400
	client, err := versioned.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}

	// A rolling restart under steady reads and writes: the PDB, readiness, the shutdown delay
	// and the Service hand every request to a replica that serves it.
	l := startLoad(client, "default", "restart")
	stack.MustKubectl(t, "-n", "example-system", "rollout", "restart", "deployment/example-apiserver")
	stack.MustKubectl(t, "-n", "example-system", "rollout", "status", "deployment/example-apiserver", "--timeout=3m")
	r := l.stop()
	t.Logf("rollout restart of example-apiserver under load: %d writes, %d reads, %d failed", r.writes, r.reads, len(r.failures))
	if len(r.failures) > 0 {
		t.Errorf("%d requests failed during the rollout, want 0; first: %v", len(r.failures), r.failures[:min(5, len(r.failures))])
	}

	// One etcd member deleted under writes: every acknowledged write is still there.
	uid := stack.MustKubectl(t, "-n", "example-system", "get", "pod", "etcd-0", "-o", "jsonpath={.metadata.uid}")
	l = startLoad(client, "default", "etcd")
	stack.MustKubectl(t, "-n", "example-system", "delete", "pod", "etcd-0", "--wait=false")
	stack.Eventually(t, 3*time.Minute, "etcd-0 back and Ready", func() (bool, string) {
		out, _ := stack.Kubectl("-n", "example-system", "get", "pod", "etcd-0", "-o", `jsonpath={.metadata.uid} {.status.conditions[?(@.type=="Ready")].status}`)
		return out != "" && !strings.HasPrefix(out, uid) && strings.HasSuffix(out, " True"), out
	})
	r = l.stop()
	t.Logf("etcd-0 deleted under load: %d writes acknowledged, %d reads, %d failed", r.writes, r.reads, len(r.failures))
	stored, err := client.ExampleV1().CronTabs("default").List(context.Background(), metav1.ListOptions{LabelSelector: "load=etcd"})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, ct := range stored.Items {
		have[ct.Name] = true
	}
	for _, name := range r.acked {
		if !have[name] {
			t.Errorf("acknowledged write %s lost after etcd-0 was deleted", name)
		}
	}
	t.Logf("deploy e2e before the e2e suite: %s", time.Since(start).Round(time.Second))

	runE2ESuite(t, stack)
	t.Logf("whole deploy e2e: %s", time.Since(start).Round(time.Second))
}

// writeOverlay writes the kustomization the test applies: artifacts/deploy as it is, but for
// etcd's image, which is built here, and the server's configuration, artifacts/config's (the
// e2e suite's admission tests rely on it) allowing the images the real node has.
func writeOverlay(t *testing.T, stack *framework.Stack) string {
	t.Helper()
	overlay := filepath.Join(stack.Dir, "deploy")
	if err := os.MkdirAll(overlay, 0o755); err != nil {
		t.Fatal(err)
	}
	base, err := filepath.Rel(overlay, filepath.Join(stack.Root, "artifacts", "deploy"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := utils.ExampleServerConfig(stack.Root, strings.Split(stack.Env["NODE_TESTWORKLOAD_IMAGE"], "/")[0])
	if err != nil {
		t.Fatal(err)
	}
	config, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(overlay, "example-apiserver.yaml"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	etcdImage := strings.SplitN(stack.Env["NODE_ETCD_IMAGE"], ":", 2)
	kustomization := fmt.Sprintf(`resources: [%s]
images:
- {name: registry.k8s.io/etcd, newName: %s, newTag: %s}
configMapGenerator:
- {name: example-apiserver-config, namespace: example-system, files: [example-apiserver.yaml]}
patches:
- target: {kind: Deployment, name: example-apiserver}
  patch: |-
    - {op: add, path: /spec/template/spec/containers/0/args/-, value: --config=/etc/example-apiserver/config/example-apiserver.yaml}
    - {op: add, path: /spec/template/spec/containers/0/volumeMounts/-, value: {name: config, mountPath: /etc/example-apiserver/config, readOnly: true}}
    - {op: add, path: /spec/template/spec/volumes/-, value: {name: config, configMap: {name: example-apiserver-config}}}
`, base, etcdImage[0], etcdImage[1])
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte(kustomization), 0o644); err != nil {
		t.Fatal(err)
	}
	return overlay
}

// checkHPAScalesDeployment applies the seed's HPA (artifacts/examples/hpa-http-requests.yaml:
// type External, target AverageValue 100, on its Deployment) in a namespace of its own and
// has kube-controller-manager scale the Deployment, whose pods run the node's pause image, up
// and down; the HPA's describe and events show on failure. The deployed server has no
// Prometheus behind http_requests, so the HPA reads crontab_replicas, the sum of the
// namespace's CronTabs' spec.replicas, which the test sets.
func checkHPAScalesDeployment(t *testing.T, stack *framework.Stack) {
	t.Helper()
	const ns = "hpa-real"
	dir := filepath.Join(stack.Dir, "hpa")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join(stack.Root, "artifacts", "examples", "hpa-http-requests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hpa-http-requests.yaml"), example, 0o644); err != nil {
		t.Fatal(err)
	}
	pause := strings.SplitN(stack.Env["NODE_PAUSE_IMAGE"], ":", 2)
	kustomization := fmt.Sprintf(`namespace: %s
resources: [hpa-http-requests.yaml]
images:
- {name: registry.k8s.io/pause, newName: %s, newTag: %s}
patches:
- target: {kind: HorizontalPodAutoscaler, name: my-app-hpa}
  patch: |-
    - {op: replace, path: /spec/metrics/0/external/metric/name, value: crontab_replicas}
`, ns, pause[0], pause[1])
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kustomization), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			describe, _ := stack.Kubectl("-n", ns, "describe", "hpa", "my-app-hpa")
			events, _ := stack.Kubectl("-n", ns, "get", "events", "--sort-by=.lastTimestamp")
			t.Logf("kubectl describe hpa my-app-hpa:\n%s\nkubectl get events -n %s:\n%s", describe, ns, events)
		}
	}()
	stack.MustKubectl(t, "create", "namespace", ns)
	stack.MustKubectlWithInput(t, []byte(`apiVersion: example.com/v1
kind: CronTab
metadata: {name: demand}
spec:
  cronSpec: "0 0 1 1 *"
  image: `+stack.Env["NODE_TESTWORKLOAD_IMAGE"]+`
  replicas: 300
`), "apply", "-n", ns, "-f", "-")
	stack.MustKubectl(t, "apply", "-k", dir)

	scaled := func(want int) {
		t.Helper()
		stack.Eventually(t, 3*time.Minute, fmt.Sprintf("Deployment my-app scaled to %d pods running on %s", want, stack.Env["NODE_NAME"]), func() (bool, string) {
			out, _ := stack.Kubectl("-n", ns, "get", "pods", "-l", "app=my-app", "-o",
				`jsonpath={range .items[?(@.status.phase=="Running")]}{.spec.nodeName} {.status.containerStatuses[0].ready}{"\n"}{end}`)
			running := 0
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line == stack.Env["NODE_NAME"]+" true" {
					running++
				}
			}
			replicas, _ := stack.Kubectl("-n", ns, "get", "deployment", "my-app", "-o", "jsonpath={.spec.replicas}")
			hpa, _ := stack.Kubectl("-n", ns, "get", "hpa,pods", "-o", "wide")
			return replicas == fmt.Sprint(want) && running == want, hpa
		})
	}
	scaled(3) // ceil(300 / 100)
	stack.MustKubectl(t, "-n", ns, "patch", "crontabs.v1.example.com", "demand", "--type=merge", "-p", `{"spec":{"replicas":150}}`)
	scaled(2) // ceil(150 / 100)
	stack.MustKubectl(t, "delete", "namespace", ns, "--wait=false")
}

// The stack with the real node, brought up by the first test that needs it; TestMain stops it.
var (
	upOnce    sync.Once
	realStack *framework.Stack
	upErr     error
	// What the machine held before the stack came up: make down must leave nothing more.
	machineBefore map[string]string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if realStack != nil {
		if err := realStack.Down(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		} else if left := realStack.NodeLeftovers(machineBefore); len(left) > 0 {
			// Whatever the deployments made of the node (volumes, a StatefulSet's pods) goes too.
			for _, l := range left {
				fmt.Fprintf(os.Stderr, "make down left %s\n", l)
			}
			code = 1
		} else if code == 0 {
			_ = realStack.Remove()
		}
	}
	os.Exit(code)
}

// realNode returns the local stack with a real node and without its own example-apiserver: the
// deployed one registers the APIServices. The tests share it, one deployment after another.
func realNode(t *testing.T) *framework.Stack {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the real node needs root (containerd, runc, a bridge, iptables)")
	}
	upOnce.Do(func() {
		machineBefore = framework.MachineState()
		realStack, upErr = framework.Up(filepath.Join("_output", "deploy-e2e"), "LOCAL_UP_NODE=real", "LOCAL_UP_LDAP=0", "LOCAL_UP_SKIP_EXAMPLE=1",
			"KUBE_CONTROLLER_MANAGER_EXTRA_FLAGS="+utils.HPAControllerFlags)
	})
	if upErr != nil {
		t.Fatal(upErr)
	}
	return realStack
}

// volumes creates etcd's PersistentVolumes, NAME-etcd-0..2, each a directory of the node's, and
// returns their names.
func volumes(t *testing.T, stack *framework.Stack, name string) []string {
	t.Helper()
	var names []string
	for i := range 3 {
		pv := fmt.Sprintf("%s-etcd-%d", name, i)
		dir := filepath.Join(stack.Dir, "node", "volumes", pv)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, 65532, 65532); err != nil {
			t.Fatal(err)
		}
		stack.MustKubectlWithInput(t, []byte(fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: %s}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: %s, type: Directory}
`, pv, dir)), "apply", "-f", "-")
		names = append(names, pv)
	}
	return names
}

// deployCerts runs hack/deploy-certs.sh against the stack: the Secrets and the caBundles.
func deployCerts(t *testing.T, stack *framework.Stack) {
	t.Helper()
	certs := exec.Command(filepath.Join(stack.Root, "hack", "deploy-certs.sh"), filepath.Join(stack.Dir, "deploy-certs"))
	certs.Env = append(os.Environ(), "KUBECONFIG="+stack.Kubeconfig, "KUBECTL="+filepath.Join(stack.Root, "_output", "bin", "kubectl"))
	if out, err := certs.CombinedOutput(); err != nil {
		stack.Fatalf(t, "hack/deploy-certs.sh: %v\n%s", err, out)
	}
}

// certSecrets are the Secrets hack/deploy-certs.sh writes.
var certSecrets = []string{"example-apiserver-serving-cert", "etcd-server-tls", "etcd-peer-tls", "etcd-client-tls"}

// waitDeployed waits for etcd's three members Ready, apiservers replicas of example-apiserver
// and two of the controller available, and the APIServices Available through the Service.
func waitDeployed(t *testing.T, stack *framework.Stack, apiservers int) {
	t.Helper()
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
	ready("deployment", "example-apiserver", "availableReplicas", apiservers)
	ready("deployment", "example-controller-manager", "availableReplicas", 2)
	for _, apiservice := range []string{"v2.example.com", "v1.example.com", "v1beta1.external.metrics.k8s.io"} {
		stack.Eventually(t, 2*time.Minute, "APIService "+apiservice+" Available", func() (bool, string) {
			out, _ := stack.Kubectl("get", "apiservice", apiservice, "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].message}`)
			return strings.HasPrefix(out, "True"), out
		})
	}
}

// load creates CronTabs and reads them back through kube-apiserver, two workers, until stop.
type load struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
	mu     sync.Mutex
	result loadResult
}

type loadResult struct {
	writes, reads int
	acked         []string
	failures      []string
}

func startLoad(client versioned.Interface, namespace, label string) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel}
	for w := range 2 {
		l.done.Add(1)
		go func() {
			defer l.done.Done()
			crontabs := client.ExampleV1().CronTabs(namespace)
			for i := 0; ctx.Err() == nil; i++ {
				ct := &examplev1.CronTab{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("load-%s-%d-%d", label, w, i), Labels: map[string]string{"load": label}},
					// Once a year: the load writes objects, not runs.
					Spec: examplev1.CronTabSpec{CronSpec: "0 0 1 1 *", Image: "example.com/testworkload:v0.1.0-local"},
				}
				_, err := crontabs.Create(ctx, ct, metav1.CreateOptions{})
				l.record(ctx, "create "+ct.Name, err, func(r *loadResult) { r.writes++; r.acked = append(r.acked, ct.Name) })
				if err != nil {
					continue
				}
				_, err = crontabs.Get(ctx, ct.Name, metav1.GetOptions{})
				l.record(ctx, "get "+ct.Name, err, func(r *loadResult) { r.reads++ })
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	return l
}

// record counts a request's outcome; one cut short by stop is neither.
func (l *load) record(ctx context.Context, what string, err error, ok func(*loadResult)) {
	if ctx.Err() != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.result.failures = append(l.result.failures, fmt.Sprintf("%s at %s: %v", what, time.Now().Format(time.TimeOnly), err))
		return
	}
	ok(&l.result)
}

func (l *load) stop() loadResult {
	l.cancel()
	l.done.Wait()
	return l.result
}

// runE2ESuite runs test/e2e against the deployed cluster in its E2E_KUBECONFIG mode, as against
// a user's cluster: the tests that need the local stack's processes, files or fake Node skip,
// each saying why. It logs each test's result as it ends, every skip's reason and every
// failure's output, and on failure the stack's and the deployed pods' logs. The node pulls
// nothing, so the busybox:1.36 that the suite's CronTabs run (and artifacts/config allows) is
// the test workload under that name: a real container that runs to completion.
func runE2ESuite(t *testing.T, stack *framework.Stack) {
	t.Helper()
	tag := exec.Command("ctr", "--address", stack.Env["CONTAINERD_SOCK"], "--namespace", "k8s.io",
		"images", "tag", "--force", stack.Env["NODE_TESTWORKLOAD_IMAGE"], "docker.io/library/busybox:1.36")
	if out, err := tag.CombinedOutput(); err != nil {
		t.Fatalf("ctr images tag: %v\n%s", err, out)
	}
	start := time.Now()
	suite := exec.Command("go", "test", "-count=1", "-json", "-timeout=20m", "./test/e2e")
	suite.Dir = stack.Root
	suite.Env = append(os.Environ(), "E2E_KUBECONFIG="+stack.Kubeconfig)
	var stderr strings.Builder
	suite.Stderr = &stderr
	stdout, err := suite.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := suite.Start(); err != nil {
		t.Fatal(err)
	}
	// Output per test; the package's own (TestMain, a build failure) under "".
	output := map[string]*strings.Builder{"": {}}
	counts := map[string]int{}
	events := bufio.NewScanner(stdout)
	events.Buffer(nil, 1<<20)
	for events.Scan() {
		var e struct {
			Action, Test, Output string
			Elapsed              float64
		}
		if json.Unmarshal(events.Bytes(), &e) != nil {
			continue
		}
		if output[e.Test] == nil {
			output[e.Test] = &strings.Builder{}
		}
		top := e.Test != "" && !strings.Contains(e.Test, "/")
		switch {
		case e.Action == "output":
			output[e.Test].WriteString(e.Output)
		case e.Action == "fail" && e.Test != "":
			t.Errorf("e2e %s failed:\n%s", e.Test, output[e.Test])
		case e.Action == "skip" && top:
			t.Logf("e2e %s skipped: %s", e.Test, skipReason(output[e.Test].String()))
		case e.Action == "pass" && top:
			t.Logf("e2e %s passed (%.1fs)", e.Test, e.Elapsed)
		}
		if top && (e.Action == "pass" || e.Action == "skip" || e.Action == "fail") {
			counts[e.Action]++
		}
	}
	err = suite.Wait()
	t.Logf("e2e suite on the deployed cluster: %d passed, %d skipped, %d failed in %s",
		counts["pass"], counts["skip"], counts["fail"], time.Since(start).Round(time.Second))
	if err != nil && counts["fail"] == 0 {
		t.Errorf("go test ./test/e2e: %v\n%s%s", err, stderr.String(), output[""])
	}
	if t.Failed() {
		stack.DumpLogs(t)
		for _, name := range []string{"example-apiserver", "example-controller-manager"} {
			out, _ := stack.Kubectl("-n", "example-system", "logs", "-l", "app.kubernetes.io/name="+name, "--prefix", "--tail=40")
			t.Logf("==> kubectl logs of the %s pods (last lines) <==\n%s", name, out)
		}
	}
}

// skipReason is the message of a skipped test's output: its lines but go test's own.
func skipReason(output string) string {
	var reason []string
	for _, line := range strings.Split(output, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "=== ") && !strings.HasPrefix(line, "--- ") {
			reason = append(reason, line)
		}
	}
	return strings.Join(reason, " ")
}
