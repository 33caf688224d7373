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
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"example.com/example-apiserver/pkg/apis/example"
)

// restrictedManifest is a v2 CronTab whose pods the restricted Pod Security level admits,
// with what a platform team's job needs: a password from a Secret, a ConfigMap as files,
// requests and its own ServiceAccount.
const restrictedManifest = `apiVersion: example.com/v2
kind: CronTab
metadata:
  name: report
spec:
  cronSpec: "* * * * *"
  jobTemplate:
    metadata:
      labels: {job: report}
    spec:
      template:
        metadata:
          labels: {app: report}
        spec:
          serviceAccountName: report
          restartPolicy: Never
          securityContext:
            runAsNonRoot: true
            runAsUser: 65534
            seccompProfile: {type: RuntimeDefault}
          volumes:
          - name: config
            configMap: {name: report}
          containers:
          - name: report
            image: ` + succeedingImage + `
            env:
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
            resources: {requests: {cpu: 100m, memory: 32Mi}}
            volumeMounts:
            - {name: config, mountPath: /etc/report, readOnly: true}
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
`

// TestV2CronTabRunsInARestrictedNamespace is issue 22's "done when" on the stack: in a namespace
// that enforces the restricted level, a v2 CronTab that complies is created without a warning,
// runs on schedule, and its pod carries the whole template; written back through v1 it keeps
// every field; the seed's v1 YAML still applies there, with the Pod Security warning; an
// invalid template is a 422 naming the field, and an image the policy refuses in a second
// container a 403.
func TestV2CronTabRunsInARestrictedNamespace(t *testing.T) {
	t.Parallel()
	const name = "report"
	ns := stack.Namespace(t, "e2e-v2-restricted")
	stack.MustKubectl(t, "label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted")
	stack.MustKubectl(t, "create", "secret", "generic", "db", "-n", ns, "--from-literal=password=s3cret")
	stack.MustKubectl(t, "create", "configmap", "report", "-n", ns, "--from-literal=report.conf=nightly")
	stack.MustKubectl(t, "create", "serviceaccount", "report", "-n", ns)

	// The Pod Security plugin reads namespaces from an informer: wait until it warns about the
	// v1 shape here, so that no warning below means compliance, not a stale cache.
	const psaWarning = "the pods of this CronTab's runs would be refused"
	stack.Eventually(t, time.Minute, "a Pod Security warning about the v1 shape (dry run)", func() (bool, string) {
		out, err := createCronTab(ns, "probe", succeedingImage, 1, "--dry-run=server")
		return err == nil && strings.Contains(out, psaWarning), out
	})
	if out := stack.MustKubectlWithInput(t, []byte(restrictedManifest), "apply", "-n", ns, "-f", "-"); strings.Contains(out, "Warning") {
		stack.Fatalf(t, "the restricted-compliant CronTab was warned about:\n%s", out)
	}

	// The first run's pod, as kube-apiserver admitted it under the restricted level.
	var pod corev1.Pod
	stack.Eventually(t, firstRunDeadline+tickDeadline, "a pod of the first run", func() (bool, string) {
		out, err := stack.Kubectl("get", "pods", "-n", ns, "-l", example.CronTabSelectorLabel+"="+name, "-o", "json")
		var pods corev1.PodList
		if err != nil || json.Unmarshal([]byte(out), &pods) != nil || len(pods.Items) == 0 {
			return false, out
		}
		pod = pods.Items[0]
		return pod.Spec.NodeName != "", out
	})
	if stack.Local() && pod.Spec.NodeName != stack.Env["KWOK_NODE"] {
		t.Errorf("pod %s on node %q, want the KWOK node %q", pod.Name, pod.Spec.NodeName, stack.Env["KWOK_NODE"])
	}
	checkRestrictedPod(t, &pod)

	// A v1 client's read-modify-write keeps what v1 has no field for. The controller writes
	// status as runs come and go, so a replace may meet a newer resourceVersion: read again.
	stack.Eventually(t, time.Minute, "a v1 read-modify-write of the running CronTab", func() (bool, string) {
		v1, err := stack.Kubectl("get", "crontabs.v1.example.com", name, "-n", ns, "-o", "yaml")
		if err != nil {
			return false, v1
		}
		edited := strings.Replace(v1, "cronSpec: '* * * * *'", "cronSpec: '*/2 * * * *'", 1)
		if edited == v1 {
			return false, "the v1 view has no cronSpec to edit:\n" + v1
		}
		out, err := stack.KubectlWithInput([]byte(edited), "replace", "-f", "-")
		return err == nil, out
	})
	v2 := stack.MustKubectl(t, "get", "crontabs.v2.example.com", name, "-n", ns, "-o", "json")
	var ct struct {
		Spec struct {
			CronSpec    string `json:"cronSpec"`
			JobTemplate struct {
				Metadata metav1.ObjectMeta `json:"metadata"`
				Spec     struct {
					Template corev1.PodTemplateSpec `json:"template"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(v2), &ct); err != nil {
		t.Fatalf("decoding the v2 CronTab: %v\n%s", err, v2)
	}
	if ct.Spec.CronSpec != "*/2 * * * *" || ct.Spec.JobTemplate.Metadata.Labels["job"] != "report" {
		t.Errorf("after the v1 replace: cronSpec %q, job labels %v:\n%s", ct.Spec.CronSpec, ct.Spec.JobTemplate.Metadata.Labels, v2)
	}
	checkRestrictedPod(t, &corev1.Pod{ObjectMeta: ct.Spec.JobTemplate.Spec.Template.ObjectMeta, Spec: ct.Spec.JobTemplate.Spec.Template.Spec})

	// The seed's manifest, as written: applied, with the warning a v1 CronTab gets here.
	seed, err := os.ReadFile(filepath.Join(stack.Root, "artifacts", "examples", "my-crontab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := stack.MustKubectlWithInput(t, seed, "apply", "-n", ns, "-f", "-")
	wantContains(t, "applying artifacts/examples/my-crontab.yaml in a restricted namespace", out,
		"crontab.example.com/my-new-cron-object created", psaWarning, `violates PodSecurity "restricted:latest"`)

	invalid := strings.Replace(restrictedManifest, "  name: report\n", "  name: invalid\n", 1)
	invalid = strings.Replace(invalid, "image: "+succeedingImage, `image: ""`, 1)
	out, err = stack.KubectlWithInput([]byte(invalid), "apply", "-n", ns, "-f", "-")
	wantDenied(t, "a template whose container has no image", out, err,
		`The CronTab "invalid" is invalid`, "spec.jobTemplate.spec.template.spec.containers[0].image: Required value")
	if strings.Contains(out, "spec.image") {
		t.Errorf("a v2 client is told about v1's spec.image:\n%s", out)
	}

	// A refused image hidden in a second container.
	miner := strings.Replace(restrictedManifest, "  name: report\n", "  name: miner\n", 1)
	miner += `          - name: miner
            image: evil.example.org/miner:1
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
`
	out, err = stack.KubectlWithInput([]byte(miner), "apply", "-n", ns, "-f", "-")
	wantDenied(t, "a second container from a registry outside the allow list", out, err,
		"Forbidden", `container "miner" (spec.jobTemplate.spec.template.spec.containers[1].image)`, "evil.example.org/miner:1")
}

// checkRestrictedPod fails unless pod carries restrictedManifest's pod template.
func checkRestrictedPod(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	spec := &pod.Spec
	var problems []string
	if pod.Labels["app"] != "report" {
		problems = append(problems, fmt.Sprintf("labels %v lack app=report", pod.Labels))
	}
	if spec.ServiceAccountName != "report" {
		problems = append(problems, "serviceAccountName "+spec.ServiceAccountName)
	}
	if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		problems = append(problems, fmt.Sprintf("pod securityContext %+v", sc))
	}
	if !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.ConfigMap != nil && v.ConfigMap.Name == "report" }) {
		problems = append(problems, fmt.Sprintf("no ConfigMap volume report in %+v", spec.Volumes))
	}
	if len(spec.Containers) != 1 {
		problems = append(problems, fmt.Sprintf("%d containers, want 1", len(spec.Containers)))
	} else {
		c := &spec.Containers[0]
		if len(c.Env) != 1 || c.Env[0].ValueFrom == nil || c.Env[0].ValueFrom.SecretKeyRef == nil || c.Env[0].ValueFrom.SecretKeyRef.Name != "db" {
			problems = append(problems, fmt.Sprintf("env %+v, want PASSWORD from Secret db", c.Env))
		}
		if cpu := c.Resources.Requests[corev1.ResourceCPU]; cpu.String() != "100m" {
			problems = append(problems, "cpu request "+cpu.String())
		}
		// The pod also mounts its ServiceAccount's token.
		if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "config" && m.MountPath == "/etc/report" }) {
			problems = append(problems, fmt.Sprintf("volumeMounts %+v", c.VolumeMounts))
		}
		if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			problems = append(problems, fmt.Sprintf("container securityContext %+v", sc))
		}
	}
	if len(problems) > 0 {
		out, _ := json.MarshalIndent(pod, "", "  ")
		t.Errorf("pod %s lacks the template's fields: %s\n%s", pod.Name, strings.Join(problems, "; "), out)
	}
}

var _ rest.WarningHandler = &warningRecorder{}

// warningRecorder keeps the warnings of a client's responses.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (r *warningRecorder) HandleWarningHeader(_ int, _ string, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, text)
}

func (r *warningRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.warnings
	r.warnings = nil
	return w
}

// TestV2UnknownFieldsAsForADeployment sends the same merge patch with an unknown field to a
// Deployment and to a v2 CronTab under each fieldValidation: both answer alike.
func TestV2UnknownFieldsAsForADeployment(t *testing.T) {
	t.Parallel()
	ns := stack.Namespace(t, "e2e-v2-unknown-fields")
	stack.MustKubectl(t, "create", "deployment", "web", "-n", ns, "--image="+succeedingImage, "--replicas=0")
	stack.MustKubectlWithInput(t, []byte(strings.Replace(restrictedManifest, "cronSpec: \"* * * * *\"", "cronSpec: \"0 3 * * *\"", 1)), "apply", "-n", ns, "-f", "-")

	config, err := stack.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	recorder := &warningRecorder{}
	config.WarningHandler = recorder
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	patch := func(path, mode string) (int, []string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req := client.AppsV1().RESTClient().Patch(types.MergePatchType).AbsPath(path).
			Body([]byte(`{"spec":{"image":"busybox:1.37"}}`))
		if mode != "" {
			req = req.Param("fieldValidation", mode)
		}
		var code int
		err := req.Do(ctx).StatusCode(&code).Error()
		// The error quotes the whole patched object; its end says why.
		message := ""
		if err != nil {
			message = err.Error()
			if len(message) > 120 {
				message = "..." + message[len(message)-120:]
			}
		}
		return code, recorder.take(), message
	}
	paths := map[string]string{
		"Deployment": "/apis/apps/v1/namespaces/" + ns + "/deployments/web",
		"CronTab":    "/apis/example.com/v2/namespaces/" + ns + "/crontabs/report",
	}
	for _, mode := range []string{"Strict", "Warn", "", "Ignore"} {
		deployCode, deployWarnings, deployErr := patch(paths["Deployment"], mode)
		ctCode, ctWarnings, ctErr := patch(paths["CronTab"], mode)
		t.Logf("fieldValidation=%q: Deployment %d %q %q; CronTab %d %q %q", mode, deployCode, deployWarnings, deployErr, ctCode, ctWarnings, ctErr)
		if deployCode != ctCode || len(deployWarnings) != len(ctWarnings) || (deployErr == "") != (ctErr == "") {
			t.Errorf("fieldValidation=%q: the CronTab answers %d with warnings %q (%s), the Deployment %d with %q (%s)",
				mode, ctCode, ctWarnings, ctErr, deployCode, deployWarnings, deployErr)
		}
		if mode == "Strict" && (ctCode != http.StatusUnprocessableEntity || !strings.Contains(ctErr, `unknown field "spec.image"`)) {
			t.Errorf("fieldValidation=Strict: the CronTab answers %d %s, want 422 naming spec.image", ctCode, ctErr)
		}
	}
}

// TestCreateCronTabFromFlagsAndCronJobs: kubectl example create crontab writes what its flags
// say, and turns a CronJob, as kube-apiserver defaulted it, into a CronTab the server takes;
// kubectl get ct -o wide shows its containers and images.
func TestCreateCronTabFromFlagsAndCronJobs(t *testing.T) {
	t.Parallel()
	ns := stack.Namespace(t, "e2e-v2-create")
	e := newPluginEnv(t, buildPlugins(t))

	out := e.mustKubectl(t, "example", "create", "crontab", "report", "-n", ns, "--schedule", "@daily", "--image", succeedingImage,
		"--env", "MODE=nightly", "--env-from-secret", "db", "--requests", "cpu=100m,memory=32Mi", "--service-account", "report", "--replicas", "2",
		"--dry-run=server", "-o", "yaml")
	wantContains(t, "create crontab with flags (server dry run)", out, "apiVersion: example.com/v2",
		"name: MODE\n", "value: nightly\n", "secretRef:\n", "name: db\n", "cpu: 100m\n", "memory: 32Mi\n",
		"serviceAccountName: report\n", "parallelism: 2\n", "completions: 2\n")

	stack.MustKubectl(t, "create", "cronjob", "nightly", "-n", ns, "--image="+succeedingImage, "--schedule=0 3 * * *", "--", "/bin/sh", "-c", "date")
	out = e.mustKubectl(t, "example", "create", "crontab", "nightly", "-n", ns, "--from-cronjob", "nightly")
	wantContains(t, "create crontab --from-cronjob", out, "crontab.example.com/nightly created")
	got := stack.MustKubectl(t, "get", "crontabs.v2.example.com", "nightly", "-n", ns, "-o",
		"jsonpath={.spec.cronSpec}|{.spec.jobTemplate.spec.template.spec.containers[0].name}|{.spec.jobTemplate.spec.template.spec.containers[0].command}|{.spec.jobTemplate.spec.template.spec.restartPolicy}")
	if want := `0 3 * * *|nightly|["/bin/sh","-c","date"]|OnFailure`; got != want {
		t.Errorf("the CronTab made from CronJob nightly: %q, want %q", got, want)
	}
	out = stack.MustKubectl(t, "get", "ct", "nightly", "-n", ns, "-o", "wide")
	wantContains(t, "kubectl get ct -o wide", out, "CONTAINERS", "IMAGES", " nightly ", " "+succeedingImage+" ")
}
