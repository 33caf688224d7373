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

	"example.com/example-apiserver/test/localstack"
)

// jobDeadline bounds scheduling, the 1-2 s "run" of a pod on the fake Node and
// the Job controller's bookkeeping, with room for a loaded CI machine.
const jobDeadline = time.Minute

// jobManifest is a batch/v1 Job of one pod running image, never retried.
func jobManifest(ns, name, image string) []byte {
	return fmt.Appendf(nil, `apiVersion: batch/v1
kind: Job
metadata:
  name: %s
  namespace: %s
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: %q
        command: ["sh", "-c", "echo hello"]
`, name, ns, image)
}

// podManifest is a bare pod running image once.
func podManifest(ns, name, image string) []byte {
	return fmt.Appendf(nil, `apiVersion: v1
kind: Pod
metadata:
  name: %s
  namespace: %s
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: %q
`, name, ns, image)
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
	node := stack.Env["KWOK_NODE"]
	out := stack.MustKubectl(t, "get", "node", node, "-o",
		`jsonpath={.status.conditions[?(@.type=="Ready")].status} taints:{.spec.taints[*].key}`)
	if out != "True taints:" {
		stack.Fatalf(t, "Node %s: want Ready without taints, got %q\n%s", node, out, stack.MustKubectl(t, "get", "node", node, "-o", "yaml"))
	}
}

func TestJobs(t *testing.T) {
	const ns = "e2e-jobs"
	createNamespace(t, ns)
	node := stack.Env["KWOK_NODE"]

	t.Run("completes on the fake node", func(t *testing.T) {
		t.Parallel()
		stack.MustKubectlWithInput(t, jobManifest(ns, "succeeds", "busybox:1.36"), "apply", "-f", "-")
		waitForJobCondition(t, ns, "succeeds", "Complete")
		out := stack.MustKubectl(t, "get", "pods", "-n", ns, "-l", "job-name=succeeds", "-o",
			"jsonpath={range .items[*]}{.status.phase} {.spec.nodeName}{end}")
		if want := "Succeeded " + node; out != want {
			stack.Fatalf(t, "pod of Job succeeds: want %q, got %q", want, out)
		}
	})

	t.Run("fails with the fail image", func(t *testing.T) {
		t.Parallel()
		stack.MustKubectlWithInput(t, jobManifest(ns, "fails", localstack.FailImage), "apply", "-f", "-")
		waitForJobCondition(t, ns, "fails", "Failed")
		if reason := stack.MustKubectl(t, "get", "job", "fails", "-n", ns, "-o",
			`jsonpath={.status.conditions[?(@.type=="Failed")].reason}`); reason != "BackoffLimitExceeded" {
			stack.Fatalf(t, "Job fails: want reason BackoffLimitExceeded, got %q", reason)
		}
	})

	t.Run("runs until deleted with the hang image", func(t *testing.T) {
		t.Parallel()
		stack.MustKubectlWithInput(t, podManifest(ns, "hangs", localstack.HangImage), "apply", "-f", "-")
		stack.Eventually(t, jobDeadline, "pod hangs Running", func() (bool, string) {
			out, err := podPhase(ns, "hangs")
			return err == nil && out == "Running "+node, out
		})
		// A pod started after it has had its 1-2 s run and finished: the hanging
		// one, older, must still be running.
		stack.MustKubectlWithInput(t, podManifest(ns, "finishes", "busybox:1.36"), "apply", "-f", "-")
		stack.Eventually(t, jobDeadline, "pod finishes Succeeded", func() (bool, string) {
			out, err := podPhase(ns, "finishes")
			return err == nil && out == "Succeeded "+node, out
		})
		if out, err := podPhase(ns, "hangs"); err != nil || out != "Running "+node {
			stack.Fatalf(t, "pod hangs: want Running on %s, got %q (%v)", node, out, err)
		}
		stack.MustKubectl(t, "delete", "pod", "hangs", "-n", ns, "--wait=true", "--timeout=60s")
	})
}
