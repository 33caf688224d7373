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
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
	"example.com/example-apiserver/test/utils"
)

// The tests of example-controller-manager run CronTabs every minute, so most of their time is
// spent waiting for minute boundaries: they run in parallel, each in its own namespace, for
// the waits to overlap. The one that stops and kills controllers runs alone, before them.

const (
	// firstRunDeadline bounds the wait for a new CronTab's first Job: at most a minute to the
	// next minute boundary, then the controller's reaction.
	firstRunDeadline = 70 * time.Second
	// tickDeadline bounds the wait for something the next minute boundary brings, with room
	// for a loaded CI machine.
	tickDeadline = 90 * time.Second
	// succeedingImage is any image but the kwok ones: its pods succeed 1-2 s after they start.
	succeedingImage = "busybox:1.36"
	// kwokImages is why tests that run utils.FailImage or HangImage skip on an existing
	// cluster: only the stack's KWOK Node knows them, and only the suite's server config allows them.
	kwokImages = "runs the KWOK fail/hang images, which only the stack's fake Node plays and the suite's config allows"
)

// everyMinute returns a CronTab that runs image at every minute boundary, changed by edits.
func everyMinute(ns, name, image string, edits ...func(*examplev1.CronTabSpec)) *examplev1.CronTab {
	ct := &examplev1.CronTab{
		TypeMeta:   metav1.TypeMeta{APIVersion: examplev1.SchemeGroupVersion.String(), Kind: "CronTab"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       examplev1.CronTabSpec{CronSpec: "* * * * *", Image: image},
	}
	for _, edit := range edits {
		edit(&ct.Spec)
	}
	return ct
}

// storeCronTab creates ct and returns it as the server stored it (UID, creation time).
func storeCronTab(t *testing.T, ct *examplev1.CronTab) *examplev1.CronTab {
	t.Helper()
	stack.MustKubectlWithInput(t, mustYAML(t, ct), "create", "-f", "-")
	stored, out, err := getCronTab(ct.Namespace, ct.Name)
	if err != nil {
		stack.Fatalf(t, "reading CronTab %s/%s: %v\n%s", ct.Namespace, ct.Name, err, out)
	}
	return stored
}

// getCronTab reads a CronTab; on failure it returns kubectl's output to explain.
func getCronTab(ns, name string) (*examplev1.CronTab, string, error) {
	out, err := stack.Kubectl("get", "crontabs.v1.example.com", name, "-n", ns, "-o", "json")
	if err != nil {
		return nil, out, err
	}
	var ct examplev1.CronTab
	if err := json.Unmarshal([]byte(out), &ct); err != nil {
		return nil, out, err
	}
	return &ct, out, nil
}

// runJobs lists the Jobs labelled as runs of the CronTab, as users find them.
func runJobs(ns, cronTab string) ([]batchv1.Job, string, error) {
	out, err := stack.Kubectl("get", "jobs", "-n", ns, "-l", example.CronTabSelectorLabel+"="+cronTab, "-o", "json")
	if err != nil {
		return nil, out, err
	}
	var list batchv1.JobList
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, out, err
	}
	return list.Items, out, nil
}

// runState is a CronTab and its runs' Jobs, read together.
type runState struct {
	ct   *examplev1.CronTab
	jobs []batchv1.Job
}

// String shows what a failed wait last saw.
func (s runState) String() string {
	status, _ := json.Marshal(s.ct.Status)
	var jobs []string
	for _, job := range s.jobs {
		outcome := "running"
		if o := crontabrun.OutcomeOf(&job); o.Finished {
			outcome = outcomeName(o)
		}
		if job.DeletionTimestamp != nil {
			outcome += ",deleting"
		}
		jobs = append(jobs, job.Name+"("+outcome+")")
	}
	return fmt.Sprintf("status %s; jobs [%s]", status, strings.Join(jobs, " "))
}

func outcomeName(o crontabrun.Outcome) string {
	if o.Succeeded {
		return "Complete"
	}
	return "Failed"
}

// waitForRuns polls the CronTab and its Jobs until done says so, and returns what it saw last.
func waitForRuns(t *testing.T, ns, name, what string, timeout time.Duration, done func(runState) bool) runState {
	t.Helper()
	var state runState
	stack.Eventually(t, timeout, fmt.Sprintf("CronTab %s/%s: %s", ns, name, what), func() (bool, string) {
		ct, out, err := getCronTab(ns, name)
		if err != nil {
			return false, out
		}
		jobs, out, err := runJobs(ns, name)
		if err != nil {
			return false, out
		}
		state = runState{ct, jobs}
		return done(state), state.String()
	})
	return state
}

// scheduledTime reads the scheduled time a run's Job carries, failing the test without it.
func scheduledTime(t *testing.T, job *batchv1.Job) time.Time {
	t.Helper()
	scheduled, ok := crontabrun.ScheduledTime(job)
	if !ok {
		stack.Fatalf(t, "Job %s lacks a readable %s annotation: %v", job.Name, crontabrun.ScheduledTimeAnnotation, job.Annotations)
	}
	return scheduled
}

// nextMinute is the first minute boundary after at.
func nextMinute(at time.Time) time.Time {
	return at.Truncate(time.Minute).Add(time.Minute)
}

func TestCronTabRunsOnSchedule(t *testing.T) {
	t.Parallel()
	ns, name := stack.Namespace(t, "e2e-ct-runs"), "every-minute"
	ct := storeCronTab(t, everyMinute(ns, name, succeedingImage))

	state := waitForRuns(t, ns, name, "a Job for the first run", firstRunDeadline, func(s runState) bool { return len(s.jobs) > 0 })
	job := state.jobs[0]
	scheduled := scheduledTime(t, &job)
	if want := nextMinute(ct.CreationTimestamp.Time); !scheduled.Equal(want) {
		t.Errorf("first run scheduled at %s, want the first minute after the CronTab's creation, %s", scheduled, want)
	}
	// The name carries the scheduled minute, so a retried create finds the same Job.
	if want := fmt.Sprintf("%s-%d", name, scheduled.Unix()/60); job.Name != want {
		t.Errorf("Job name %s, want %s", job.Name, want)
	}
	owner := metav1.GetControllerOf(&job)
	if owner == nil || owner.APIVersion != "example.com/v1" || owner.Kind != "CronTab" || owner.Name != name ||
		owner.UID != ct.UID || !ptr.Deref(owner.BlockOwnerDeletion, false) {
		t.Errorf("Job %s: want a blocking controller reference to CronTab %s (uid %s), got %+v", job.Name, name, ct.UID, job.OwnerReferences)
	}
	for what, labels := range map[string]map[string]string{"Job": job.Labels, "pod template": job.Spec.Template.Labels} {
		if labels[example.CronTabSelectorLabel] != name {
			t.Errorf("%s of Job %s: want label %s=%s, got %v", what, job.Name, example.CronTabSelectorLabel, name, labels)
		}
	}

	state = waitForRuns(t, ns, name, "status.lastScheduleTime records the run", tickDeadline, func(s runState) bool {
		return s.ct.Status.LastScheduleTime != nil
	})
	last := state.ct.Status.LastScheduleTime.Time
	if !last.Equal(scheduled) || !last.Equal(last.Truncate(time.Minute)) {
		t.Errorf("status.lastScheduleTime %s: want the run's scheduled time %s, on the minute", last, scheduled)
	}

	waitForJobCondition(t, ns, job.Name, "Complete")
	waitForRuns(t, ns, name, "the finished run leaves status.active and sets lastSuccessfulTime", tickDeadline, func(s runState) bool {
		return s.ct.Status.LastSuccessfulTime != nil && !slices.ContainsFunc(s.ct.Status.Active, func(ref corev1.ObjectReference) bool {
			return ref.Name == job.Name
		})
	})

	// What a user types to find a CronTab's runs.
	listed := stack.MustKubectl(t, "get", "jobs,pods", "-n", ns, "-l", example.CronTabSelectorLabel+"="+name, "-o", "name")
	for _, want := range []string{"job.batch/" + job.Name + "\n", "pod/" + job.Name + "-"} {
		if !strings.Contains(listed, want) {
			t.Errorf("kubectl get jobs,pods -l %s=%s lacks %q:\n%s", example.CronTabSelectorLabel, name, want, listed)
		}
	}

	// The garbage collector takes the controller's Jobs, and their pods, with the CronTab.
	stack.MustKubectl(t, "delete", "crontab", name, "-n", ns, "--wait=false")
	stack.Eventually(t, tickDeadline, "the deleted CronTab's Jobs and pods collected", func() (bool, string) {
		out, err := stack.Kubectl("get", "jobs,pods", "-n", ns, "-l", example.CronTabSelectorLabel+"="+name, "-o", "name")
		// With nothing to list kubectl says "No resources found" instead of names.
		return err == nil && !strings.Contains(out, "job.batch/") && !strings.Contains(out, "pod/"), out
	})
}

func TestCronTabForbidSkipsWhileARunIsActive(t *testing.T) {
	stack.RequireLocal(t, kwokImages)
	t.Parallel()
	ns, name := stack.Namespace(t, "e2e-ct-forbid"), "forbid"
	storeCronTab(t, everyMinute(ns, name, utils.HangImage, func(spec *examplev1.CronTabSpec) {
		spec.ConcurrencyPolicy = examplev1.ForbidConcurrent
	}))

	onlyRun := func(s runState) {
		if len(s.jobs) > 1 {
			stack.Fatalf(t, "Forbid started a run beside the active one: %s", s)
		}
	}
	state := waitForRuns(t, ns, name, "the first run, which never finishes", firstRunDeadline, func(s runState) bool {
		onlyRun(s)
		return len(s.jobs) == 1
	})
	first := state.jobs[0].Name
	state = waitForRuns(t, ns, name, "the next run time missed", tickDeadline, func(s runState) bool {
		onlyRun(s)
		return s.ct.Status.MissedRuns == 1
	})
	firstMiss := state.ct.Status.LastMissedTime
	state = waitForRuns(t, ns, name, "the run time after that missed too", tickDeadline, func(s runState) bool {
		onlyRun(s)
		return s.ct.Status.MissedRuns == 2
	})
	if firstMiss == nil || state.ct.Status.LastMissedTime == nil || !state.ct.Status.LastMissedTime.Equal(ptr.To(metav1.NewTime(firstMiss.Add(time.Minute)))) {
		t.Errorf("status.lastMissedTime after the second miss = %v, want a minute after the first miss %v", state.ct.Status.LastMissedTime, firstMiss)
	}
	if len(state.ct.Status.Active) != 1 || state.ct.Status.Active[0].Name != first || state.jobs[0].Name != first {
		t.Errorf("want the first run %s alone, active: %s", first, state)
	}
}

func TestCronTabReplaceDeletesTheActiveRun(t *testing.T) {
	stack.RequireLocal(t, kwokImages)
	t.Parallel()
	ns, name := stack.Namespace(t, "e2e-ct-replace"), "replace"
	storeCronTab(t, everyMinute(ns, name, utils.HangImage, func(spec *examplev1.CronTabSpec) {
		spec.ConcurrencyPolicy = examplev1.ReplaceConcurrent
	}))

	state := waitForRuns(t, ns, name, "the first run, which never finishes", firstRunDeadline, func(s runState) bool { return len(s.jobs) > 0 })
	first := state.jobs[0]
	replacement := crontabrun.JobName(name, scheduledTime(t, &first).Add(time.Minute))
	waitForRuns(t, ns, name, "the next run "+replacement+" replaces "+first.Name+", in the Jobs and in status.active", tickDeadline, func(s runState) bool {
		var jobs, active []string
		for _, job := range s.jobs {
			if job.DeletionTimestamp == nil {
				jobs = append(jobs, job.Name)
			}
		}
		for _, ref := range s.ct.Status.Active {
			active = append(active, ref.Name)
		}
		return slices.Equal(jobs, []string{replacement}) && slices.Equal(active, []string{replacement})
	})
}

func TestCronTabHistoryLimitsPruneFinishedRuns(t *testing.T) {
	t.Parallel()
	ns := stack.Namespace(t, "e2e-ct-history")
	for _, run := range []struct {
		name, image, outcome string
	}{
		{"succeeds", succeedingImage, "Complete"},
		{"fails", utils.FailImage, "Failed"},
	} {
		t.Run(run.outcome, func(t *testing.T) {
			if run.image == utils.FailImage {
				stack.RequireLocal(t, kwokImages)
			}
			t.Parallel()
			storeCronTab(t, everyMinute(ns, run.name, run.image, func(spec *examplev1.CronTabSpec) {
				spec.SuccessfulJobsHistoryLimit = ptr.To[int32](1)
				spec.FailedJobsHistoryLimit = ptr.To[int32](1)
				// Fail at the first failed pod, not after retries with back-off.
				spec.BackoffLimit = ptr.To[int32](0)
			}))
			finished := func(job *batchv1.Job) bool {
				o := crontabrun.OutcomeOf(job)
				return o.Finished && outcomeName(o) == run.outcome
			}
			state := waitForRuns(t, ns, run.name, "the first run "+run.outcome, firstRunDeadline+jobDeadline, func(s runState) bool {
				return len(s.jobs) == 1 && finished(&s.jobs[0])
			})
			first := state.jobs[0].Name
			waitForRuns(t, ns, run.name, "the second run "+run.outcome+" and the first pruned", tickDeadline+jobDeadline, func(s runState) bool {
				return len(s.jobs) == 1 && s.jobs[0].Name != first && finished(&s.jobs[0])
			})
		})
	}
}

func TestCronTabSuspendStopsRunsAndResumeStartsNoCatchUp(t *testing.T) {
	t.Parallel()
	ns, name := stack.Namespace(t, "e2e-ct-suspend"), "suspended"
	storeCronTab(t, everyMinute(ns, name, succeedingImage, func(spec *examplev1.CronTabSpec) {
		spec.Suspend = ptr.To(true)
	}))

	noRuns := func(s runState) {
		if len(s.jobs) > 0 {
			stack.Fatalf(t, "a suspended CronTab ran: %s", s)
		}
	}
	waitForRuns(t, ns, name, "status says Suspended, with no next run time", tickDeadline, func(s runState) bool {
		noRuns(s)
		suspended := meta.FindStatusCondition(s.ct.Status.Conditions, examplev1.ConditionSuspended)
		return suspended != nil && suspended.Status == metav1.ConditionTrue && s.ct.Status.NextScheduleTime == nil
	})
	// Proving that nothing runs takes a run time passing: wait for one, and a few seconds for
	// the controller to have acted on it.
	passed := nextMinute(time.Now()).Add(5 * time.Second)
	waitForRuns(t, ns, name, "a run time passes without a run", tickDeadline, func(s runState) bool {
		noRuns(s)
		return time.Now().After(passed)
	})

	resumed := time.Now()
	stack.MustKubectl(t, "patch", "crontab", name, "-n", ns, "--type=merge", "-p", `{"spec":{"suspend":false}}`)
	state := waitForRuns(t, ns, name, "the first run after the resume", firstRunDeadline, func(s runState) bool { return len(s.jobs) > 0 })
	if scheduled := scheduledTime(t, &state.jobs[0]); len(state.jobs) != 1 || !scheduled.After(resumed) {
		t.Errorf("after resuming at %s: want one run, scheduled after the resume, got %s", resumed.UTC().Format(time.RFC3339), state)
	}
	if state.ct.Status.MissedRuns != 0 {
		t.Errorf("time suspended counted as missed runs: %s", state)
	}
}

func TestCronTabAdoptsItsRunsExistingJob(t *testing.T) {
	t.Parallel()
	ns, name := stack.Namespace(t, "e2e-ct-adopt"), "adopter"
	ct := storeCronTab(t, everyMinute(ns, name, succeedingImage))

	// The Job a controller that crashed right after creating it would leave, for a run time
	// far enough ahead that the controller cannot create it first.
	scheduled := nextMinute(time.Now())
	if time.Until(scheduled) < 15*time.Second {
		scheduled = scheduled.Add(time.Minute)
	}
	internal, err := crontabrun.FromV1(ct)
	if err != nil {
		t.Fatal(err)
	}
	job := crontabrun.NewJob(internal, scheduled)
	job.TypeMeta = metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}
	stack.MustKubectlWithInput(t, mustYAML(t, job), "create", "-f", "-")
	uid := stack.MustKubectl(t, "get", "job", job.Name, "-n", ns, "-o", "jsonpath={.metadata.uid}")

	state := waitForRuns(t, ns, name, "the existing Job recorded as the run at "+scheduled.UTC().Format(time.RFC3339), tickDeadline+time.Minute, func(s runState) bool {
		return s.ct.Status.LastScheduleTime != nil && !s.ct.Status.LastScheduleTime.Time.Before(scheduled)
	})
	var forScheduled []string
	for _, j := range state.jobs {
		if at, ok := crontabrun.ScheduledTime(&j); ok && at.Equal(scheduled) {
			forScheduled = append(forScheduled, fmt.Sprintf("%s(uid %s)", j.Name, j.UID))
		}
	}
	if want := fmt.Sprintf("%s(uid %s)", job.Name, uid); !slices.Equal(forScheduled, []string{want}) {
		t.Errorf("Jobs of the run at %s: want only the existing %s, got %v", scheduled, want, forScheduled)
	}
	if state.ct.Status.MissedRuns != 0 {
		t.Errorf("the adopted run counted as missed: %s", state)
	}
	if out := stack.MustKubectl(t, "get", "events", "-n", ns, "--field-selector", "reason=UnexpectedJob", "-o", "name"); strings.Contains(out, "event/") {
		t.Errorf("the CronTab's own Job was reported as unexpected:\n%s", stack.MustKubectl(t, "get", "events", "-n", ns))
	}
}
