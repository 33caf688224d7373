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
	"regexp"
	"strings"
	"testing"
)

// TestKubectlExampleRunAndHistory starts a run of a CronTab by hand with the real plugin,
// lets it complete on the fake Node, and reads it back: history shows it Succeeded and
// manual, and example-controller-manager tracked it without taking it for a scheduled run.
func TestKubectlExampleRunAndHistory(t *testing.T) {
	ns := stack.Namespace(t, "e2e-plugin-runs")
	e := newPluginEnv(t, buildPlugins(t))

	// January 1st, 03:00: the schedule does not fire while the test runs, so anything the
	// controller records as scheduled would come from the manual run.
	e.mustKubectl(t, "example", "create", "crontab", "report", "-n", ns, "--schedule", "0 3 1 1 *", "--image", "busybox:1.36")
	// The controller's first sync sets the cursor; the status compared below is the synced one.
	var before string
	stack.Eventually(t, jobDeadline, "CronTab report synced by the controller", func() (bool, string) {
		out, err := stack.Kubectl("get", "ct", "report", "-n", ns, "-o", "jsonpath={.status.nextScheduleTime}")
		before = out
		return err == nil && out != "", out
	})

	if out, err := e.kubectl("example", "run", "nope", "-n", ns); err == nil || !strings.Contains(out, `CronTab "nope" not found in namespace "`+ns+`"`) {
		t.Errorf("run of a missing CronTab: err=%v\n%s", err, out)
	}
	out := e.mustKubectl(t, "example", "run", "report", "-n", ns, "--name", "report-dry", "--dry-run=server")
	wantContains(t, "run --dry-run=server", out, "job.batch/report-dry created (server dry run)")
	if out, err := stack.Kubectl("get", "job", "report-dry", "-n", ns); err == nil || !strings.Contains(out, "NotFound") {
		t.Errorf("a server dry run stored the Job: %v\n%s", err, out)
	}

	out = e.mustKubectl(t, "example", "run", "report", "-n", ns)
	created := regexp.MustCompile(`^job\.batch/(report-manual-[a-z0-9]+) created\n$`).FindStringSubmatch(out)
	if created == nil {
		stack.Fatalf(t, "kubectl example run: want \"job.batch/report-manual-<suffix> created\", got %q", out)
	}
	job := created[1]
	waitForJobCondition(t, ns, job, "Complete")

	// The Job is the manual run pkg/crontabrun builds, owned by the CronTab.
	meta := stack.MustKubectl(t, "get", "job", job, "-n", ns, "-o",
		`jsonpath={.metadata.annotations.example\.com/run} {.metadata.labels.example\.com/crontab} {.metadata.ownerReferences[?(@.controller==true)].kind}/{.metadata.ownerReferences[?(@.controller==true)].name}`)
	if meta != "manual report CronTab/report" {
		t.Errorf("Job %s: annotation, label, controller = %q, want \"manual report CronTab/report\"", job, meta)
	}

	out = e.mustKubectl(t, "example", "history", "report", "-n", ns)
	t.Logf("kubectl example history report:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "SCHEDULED JOB RESULT DURATION AGE" {
		stack.Fatalf(t, "kubectl example history: want a header and one run, got:\n%s", out)
	}
	if f := strings.Fields(lines[1]); len(f) != 5 || f[0] != "manual" || f[1] != job || f[2] != "Succeeded" {
		t.Errorf("kubectl example history: want \"manual %s Succeeded <duration> <age>\", got %q", job, lines[1])
	}
	out = e.mustKubectl(t, "example", "history", "report", "-n", ns, "-o", "name")
	if strings.TrimSpace(out) != "job.batch/"+job {
		t.Errorf("kubectl example history -o name: %q", out)
	}
	out = e.mustKubectl(t, "__complete", "example", "history", "-n", ns, "")
	wantContains(t, "kubectl __complete example history", out, "report\n")

	// The controller saw the run end (it leaves status.active and sets lastSuccessfulTime), and
	// took it for no scheduled run: no lastScheduleTime, the same cursor, nothing missed and
	// no UnexpectedJob.
	var status string
	stack.Eventually(t, jobDeadline, "the controller sees the manual run succeed", func() (bool, string) {
		out, err := stack.Kubectl("get", "ct", "report", "-n", ns, "-o", "jsonpath={.status.lastSuccessfulTime}|{.status.active}")
		status = out
		return err == nil && strings.HasSuffix(out, "|") && !strings.HasPrefix(out, "|"), out
	})
	out = stack.MustKubectl(t, "get", "ct", "report", "-n", ns, "-o", "jsonpath=last={.status.lastScheduleTime} next={.status.nextScheduleTime} missed={.status.missedRuns}")
	t.Logf("CronTab status after the manual run: %s (lastSuccessfulTime|active: %s)", out, status)
	if want := "last= next=" + before + " missed="; out != want && out != want+"0" {
		t.Errorf("CronTab status after a manual run: %q, want %q (after %s)", out, want, status)
	}
	if out := stack.MustKubectl(t, "get", "events", "-n", ns, "--field-selector", "reason=UnexpectedJob", "-o", "name"); out != "" {
		t.Errorf("the controller took the manual run for an unexpected Job: %s", out)
	}
}
