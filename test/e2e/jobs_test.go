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
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"example.com/example-apiserver/test/utils"
)

// jobDeadline bounds scheduling, the 1-2 s "run" of a pod on the fake Node and
// the Job controller's bookkeeping, with room for a loaded CI machine.
const jobDeadline = time.Minute

// jobManifest is a batch/v1 Job of one pod running image, never retried, owned by owners.
func jobManifest(t *testing.T, ns, name, image string, owners ...metav1.OwnerReference) []byte {
	t.Helper()
	return mustYAML(t, &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, OwnerReferences: owners},
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr.To[int32](0),
			Template:     corev1.PodTemplateSpec{Spec: podSpec(image)},
		},
	})
}

// podManifest is a bare pod running image once.
func podManifest(t *testing.T, ns, name, image string) []byte {
	t.Helper()
	return mustYAML(t, &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       podSpec(image),
	})
}

// podSpec runs image once; on the fake node the image decides how it ends.
func podSpec(image string) corev1.PodSpec {
	return corev1.PodSpec{
		RestartPolicy: corev1.RestartPolicyNever,
		Containers:    []corev1.Container{{Name: "main", Image: image, Command: []string{"sh", "-c", "echo hello"}}},
	}
}

func mustYAML(t *testing.T, obj any) []byte {
	t.Helper()
	out, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitForJobCondition waits until the Job has condition (Complete or Failed) True.
func waitForJobCondition(t *testing.T, ns, name, condition string) {
	t.Helper()
	stack.Eventually(t, jobDeadline, fmt.Sprintf("Job %s/%s %s", ns, name, condition), func() (bool, string) {
		out, err := stack.Kubectl("get", "job", name, "-n", ns, "-o",
			`jsonpath={range .status.conditions[*]}{.type}={.status} {end}`)
		return err == nil && strings.Contains(" "+out, " "+condition+"=True "), out
	})
}

// podPhase returns the phase and node of a pod.
func podPhase(ns, name string) (string, error) {
	return stack.Kubectl("get", "pod", name, "-n", ns, "-o", "jsonpath={.status.phase} {.spec.nodeName}")
}

func TestNodesReady(t *testing.T) {
	stack.RequireLocal(t, "checks the stack's KWOK Node")
	node := stack.Env["KWOK_NODE"]
	out := stack.MustKubectl(t, "get", "node", node, "-o",
		`jsonpath={.status.conditions[?(@.type=="Ready")].status} taints:{.spec.taints[*].key}`)
	if out != "True taints:" {
		stack.Fatalf(t, "Node %s: want Ready without taints, got %q\n%s", node, out, stack.MustKubectl(t, "get", "node", node, "-o", "yaml"))
	}
}

func TestJobs(t *testing.T) {
	stack.RequireLocal(t, kwokImages)
	ns := stack.Namespace(t, "e2e-jobs")
	node := stack.Env["KWOK_NODE"]

	t.Run("completes on the fake node", func(t *testing.T) {
		t.Parallel()
		stack.MustKubectlWithInput(t, jobManifest(t, ns, "succeeds", "busybox:1.36"), "apply", "-f", "-")
		waitForJobCondition(t, ns, "succeeds", "Complete")
		out := stack.MustKubectl(t, "get", "pods", "-n", ns, "-l", "job-name=succeeds", "-o",
			"jsonpath={range .items[*]}{.status.phase} {.spec.nodeName}{end}")
		if want := "Succeeded " + node; out != want {
			stack.Fatalf(t, "pod of Job succeeds: want %q, got %q", want, out)
		}
	})

	t.Run("fails with the fail image", func(t *testing.T) {
		t.Parallel()
		stack.MustKubectlWithInput(t, jobManifest(t, ns, "fails", utils.FailImage), "apply", "-f", "-")
		waitForJobCondition(t, ns, "fails", "Failed")
		if reason := stack.MustKubectl(t, "get", "job", "fails", "-n", ns, "-o",
			`jsonpath={.status.conditions[?(@.type=="Failed")].reason}`); reason != "BackoffLimitExceeded" {
			stack.Fatalf(t, "Job fails: want reason BackoffLimitExceeded, got %q", reason)
		}
	})

	t.Run("runs until deleted with the hang image", func(t *testing.T) {
		t.Parallel()
		stack.MustKubectlWithInput(t, podManifest(t, ns, "hangs", utils.HangImage), "apply", "-f", "-")
		stack.Eventually(t, jobDeadline, "pod hangs Running", func() (bool, string) {
			out, err := podPhase(ns, "hangs")
			return err == nil && out == "Running "+node, out
		})
		// A pod started after it has had its 1-2 s run and finished: the hanging
		// one, older, must still be running.
		stack.MustKubectlWithInput(t, podManifest(t, ns, "finishes", "busybox:1.36"), "apply", "-f", "-")
		stack.Eventually(t, jobDeadline, "pod finishes Succeeded", func() (bool, string) {
			out, err := podPhase(ns, "finishes")
			return err == nil && out == "Succeeded "+node, out
		})
		if out, err := podPhase(ns, "hangs"); err != nil || out != "Running "+node {
			stack.Fatalf(t, "pod hangs: want Running on %s, got %q (%v)", node, out, err)
		}
		stack.MustKubectl(t, "delete", "pod", "hangs", "-n", ns, "--wait=true", "--timeout=60s")
	})
	t.Run("collected with its deleted CronTab", func(t *testing.T) {
		t.Parallel()
		stack.MustKubectlWithInput(t, cronTabManifest(ns, "owner", "@hourly"), "apply", "-f", "-")
		uid := stack.MustKubectl(t, "get", "crontab", "owner", "-n", ns, "-o", "jsonpath={.metadata.uid}")
		stack.MustKubectlWithInput(t, jobManifest(t, ns, "owned", utils.HangImage, metav1.OwnerReference{
			APIVersion: "example.com/v1", Kind: "CronTab", Name: "owner", UID: types.UID(uid),
			Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
		}), "apply", "-f", "-")
		stack.MustKubectl(t, "delete", "crontab", "owner", "-n", ns, "--wait=false")
		stack.Eventually(t, jobDeadline, "Job owned collected by the garbage collector", func() (bool, string) {
			out, err := stack.Kubectl("get", "job", "owned", "-n", ns, "--ignore-not-found", "-o", "name")
			return err == nil && out == "", out
		})
	})
}
