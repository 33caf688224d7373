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

package crontab

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
	examplefake "example.com/example-apiserver/pkg/generated/clientset/versioned/fake"
	exampleinformers "example.com/example-apiserver/pkg/generated/informers/externalversions"
	"example.com/example-apiserver/pkg/schedule"
)

// at is a time on 2026-01-01 UTC: "12:05" or "12:05:30.5".
func at(t *testing.T, clock string) time.Time {
	t.Helper()
	if strings.Count(clock, ":") == 1 {
		clock += ":00"
	}
	parsed, err := time.Parse("2006-01-02 15:04:05.999999999", "2026-01-01 "+clock)
	if err != nil {
		t.Fatalf("bad test time %q: %v", clock, err)
	}
	return parsed
}

func mtime(t time.Time) *metav1.Time { return ptr.To(metav1.NewTime(t)) }

// cronTab is a CronTab on "*/5 * * * *" that last ran at 12:00 and was synced since.
func cronTab(t *testing.T) *examplev1.CronTab {
	return &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "team", Name: "report", UID: "ct-uid", Generation: 1,
			CreationTimestamp: metav1.NewTime(at(t, "00:00")),
		},
		Spec: examplev1.CronTabSpec{
			CronSpec:                   "*/5 * * * *",
			Image:                      "busybox:1.36",
			Replicas:                   ptr.To[int32](1),
			Suspend:                    ptr.To(false),
			ConcurrencyPolicy:          examplev1.AllowConcurrent,
			SuccessfulJobsHistoryLimit: ptr.To(examplev1.DefaultSuccessfulJobsHistoryLimit),
			FailedJobsHistoryLimit:     ptr.To(examplev1.DefaultFailedJobsHistoryLimit),
		},
		Status: examplev1.CronTabStatus{
			Replicas:           1,
			ObservedGeneration: 1,
			LastScheduleTime:   mtime(at(t, "12:00")),
			NextScheduleTime:   mtime(at(t, "12:05")),
			Conditions: []metav1.Condition{{
				Type: examplev1.ConditionSuspended, Status: metav1.ConditionFalse, Reason: examplev1.ReasonScheduled, Message: "New runs start on schedule.",
				ObservedGeneration: 1, LastTransitionTime: metav1.NewTime(at(t, "00:00")),
			}},
		},
	}
}

type jobOption func(*batchv1.Job)

func succeededAt(end time.Time) jobOption {
	return func(job *batchv1.Job) {
		job.Status.CompletionTime = mtime(end)
		job.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(end)}}
	}
}

func failedAt(end time.Time) jobOption {
	return func(job *batchv1.Job) {
		job.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(end)}}
	}
}

// run is the CronTab's Job for scheduled, with its name as UID.
func run(ct *examplev1.CronTab, scheduled time.Time, options ...jobOption) *batchv1.Job {
	job := crontabrun.NewJob(internal(ct), scheduled)
	job.UID = types.UID(job.Name)
	for _, option := range options {
		option(job)
	}
	return job
}

// internal is ct as crontabrun reads it.
func internal(ct *examplev1.CronTab) *example.CronTab {
	in, err := crontabrun.FromV1(ct)
	if err != nil {
		panic(err) // only a test CronTab with a broken job template annotation gets here
	}
	return in
}

func manualRun(ct *examplev1.CronTab) *batchv1.Job {
	job := crontabrun.NewManualJob(internal(ct))
	job.Name, job.UID = "report-manual-x7k2p", "report-manual-x7k2p"
	return job
}

func activeRefs(jobs ...*batchv1.Job) []corev1.ObjectReference {
	var refs []corev1.ObjectReference
	for _, job := range jobs {
		refs = append(refs, jobReference(job))
	}
	return refs
}

func runningPod(job *batchv1.Job, name string, phase corev1.PodPhase) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: job.Namespace, Name: name, Labels: job.Spec.Template.Labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID, Controller: ptr.To(true)}},
		},
		Status: corev1.PodStatus{Phase: phase},
	}
}

func TestSync(t *testing.T) {
	base := cronTab(t)
	fiveMinutes := 5 * time.Minute
	recordSoon := runEventDelay // a sync that creates a Job leaves the recording to the next
	tests := []struct {
		name    string
		now     time.Time
		cronTab func(ct *examplev1.CronTab)
		// jobs are in the informer's cache and the API server; apiOnlyJobs only in the latter.
		jobs        []*batchv1.Job
		apiOnlyJobs []*batchv1.Job
		pods        []*corev1.Pod

		wantCreated  []string
		wantDeleted  []string
		wantEvents   []string // reasons, in order
		wantRequeue  *time.Duration
		wantNoUpdate bool
		wantStatus   func(t *testing.T, status examplev1.CronTabStatus)
	}{
		{
			name: "not due: nothing to write, wake at the next run time", now: at(t, "12:04:30"),
			wantRequeue: ptr.To(30 * time.Second), wantNoUpdate: true,
		},
		{
			name: "due at the instant: create the run's Job and nothing else", now: at(t, "12:05"),
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "the sync after a create records the run", now: at(t, "12:05:01"),
			jobs:        []*batchv1.Job{run(base, at(t, "12:05"))},
			wantRequeue: ptr.To(fiveMinutes - time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:05"))
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:10"))
				assertActive(t, status, "report-29454485")
				if status.MissedRuns != 0 || status.LastMissedTime != nil {
					t.Errorf("missed %d, last %v; want none", status.MissedRuns, status.LastMissedTime)
				}
			},
		},
		{
			name: "new CronTab: the first run time after creation runs", now: at(t, "12:05:00.5"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.CreationTimestamp = metav1.NewTime(at(t, "12:03"))
				ct.Status = examplev1.CronTabStatus{}
			},
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "new CronTab: the first status", now: at(t, "12:04"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.CreationTimestamp = metav1.NewTime(at(t, "12:03"))
				ct.Status = examplev1.CronTabStatus{}
			},
			wantRequeue: ptr.To(time.Minute),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.ObservedGeneration != 1 || status.Replicas != 1 || len(status.Conditions) != 1 || status.LastScheduleTime != nil {
					t.Errorf("status = %+v", status)
				}
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:05"))
			},
		},
		{
			name: "new CronTab: run times before creation are not owed", now: at(t, "12:07"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.CreationTimestamp = metav1.NewTime(at(t, "12:06"))
				ct.Status = examplev1.CronTabStatus{}
			},
			wantRequeue: ptr.To(3 * time.Minute),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:10"))
			},
		},
		{
			name: "suspended: no run, no next time, condition True", now: at(t, "12:05"),
			cronTab: func(ct *examplev1.CronTab) { ct.Spec.Suspend = ptr.To(true); ct.Generation = 2 },
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.NextScheduleTime != nil {
					t.Errorf("nextScheduleTime = %v, want unset while suspended", status.NextScheduleTime)
				}
				if c := status.Conditions[0]; c.Status != metav1.ConditionTrue || !c.LastTransitionTime.Time.Equal(at(t, "12:05")) {
					t.Errorf("condition = %+v", c)
				}
			},
		},
		{
			name: "resumed: run times while suspended are not caught up", now: at(t, "12:05:30"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Generation, ct.Status.ObservedGeneration = 3, 2
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "11:00")), nil
			},
			wantRequeue: ptr.To(4*time.Minute + 30*time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:10"))
				if status.MissedRuns != 0 {
					t.Errorf("missedRuns = %d, want 0: a suspension misses nothing", status.MissedRuns)
				}
			},
		},
		{
			name: "cronSpec edited: no run for a time before the edit (kubernetes#63371)", now: at(t, "12:30"),
			cronTab: func(ct *examplev1.CronTab) {
				// Hourly, last run 12:00, next 13:00; edited at 12:30 to run at ten past.
				ct.Spec.CronSpec, ct.Generation = "10 * * * *", 2
				ct.Status.NextScheduleTime = mtime(at(t, "13:00"))
			},
			wantRequeue: ptr.To(40 * time.Minute),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "13:10"))
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:00"))
			},
		},
		{
			name: "replicas scaled: the run due keeps its place", now: at(t, "12:05:01"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Spec.Replicas, ct.Generation = ptr.To[int32](3), 2 },
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "replicas scaled: status.replicas follows", now: at(t, "12:04"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Spec.Replicas, ct.Generation = ptr.To[int32](3), 2 },
			wantRequeue: ptr.To(time.Minute),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.Replicas != 3 || status.ObservedGeneration != 2 {
					t.Errorf("replicas %d, observedGeneration %d; want 3, 2", status.Replicas, status.ObservedGeneration)
				}
			},
		},
		{
			name: "back from two hours down: one catch-up run", now: at(t, "12:05:20"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "10:00")), mtime(at(t, "10:05"))
			},
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "back from two hours down: the next sync counts the rest missed", now: at(t, "12:05:21"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "10:00")), mtime(at(t, "10:05"))
			},
			jobs:       []*batchv1.Job{run(base, at(t, "12:05"))},
			wantEvents: []string{reasonMissSchedule}, wantRequeue: ptr.To(fiveMinutes - 21*time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.MissedRuns != 24 { // 10:05 ... 12:00
					t.Errorf("missedRuns = %d, want 24", status.MissedRuns)
				}
				assertTime(t, "lastMissedTime", status.LastMissedTime, at(t, "12:00"))
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:05"))
			},
		},
		{
			name: "a run recorded late (the queue backed up past the next run time) is not missed", now: at(t, "12:10:01"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "11:55")), mtime(at(t, "12:00"))
			},
			jobs:       []*batchv1.Job{run(base, at(t, "12:05")), run(base, at(t, "12:10"))},
			wantEvents: []string{reasonMissSchedule}, wantRequeue: ptr.To(fiveMinutes - time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.MissedRuns != 1 { // 12:00 only
					t.Errorf("missedRuns = %d, want 1", status.MissedRuns)
				}
				assertTime(t, "lastMissedTime", status.LastMissedTime, at(t, "12:00"))
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:10"))
				assertActive(t, status, "report-29454485", "report-29454490")
			},
		},
		{
			name: "past the starting deadline: missed, not run", now: at(t, "12:05:30"),
			cronTab:    func(ct *examplev1.CronTab) { ct.Spec.StartingDeadlineSeconds = ptr.To[int64](10) },
			wantEvents: []string{reasonMissSchedule}, wantRequeue: ptr.To(4*time.Minute + 30*time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.MissedRuns != 1 {
					t.Errorf("missedRuns = %d, want 1", status.MissedRuns)
				}
				assertTime(t, "lastMissedTime", status.LastMissedTime, at(t, "12:05"))
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:00"))
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:10"))
			},
		},
		{
			name: "within the starting deadline: run", now: at(t, "12:05:09"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Spec.StartingDeadlineSeconds = ptr.To[int64](10) },
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "past the starting deadline, but started by an earlier sync: recorded, not missed", now: at(t, "12:05:30"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Spec.StartingDeadlineSeconds = ptr.To[int64](10) },
			apiOnlyJobs: []*batchv1.Job{run(base, at(t, "12:05"))},
			wantRequeue: ptr.To(4*time.Minute + 30*time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:05"))
				if status.MissedRuns != 0 {
					t.Errorf("missedRuns = %d, want 0", status.MissedRuns)
				}
			},
		},
		{
			name: "Forbid with a run active: skipped and counted", now: at(t, "12:05"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Spec.ConcurrencyPolicy = examplev1.ForbidConcurrent
				ct.Status.Active = activeRefs(run(ct, at(t, "12:00")))
			},
			jobs:       []*batchv1.Job{run(base, at(t, "12:00"))},
			wantEvents: []string{reasonMissSchedule}, wantRequeue: &fiveMinutes,
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.MissedRuns != 1 {
					t.Errorf("missedRuns = %d, want 1", status.MissedRuns)
				}
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:10"))
				assertActive(t, status, "report-29454480")
			},
		},
		{
			name: "Forbid with only a manual run active: run", now: at(t, "12:05"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Spec.ConcurrencyPolicy = examplev1.ForbidConcurrent
				ct.Status.Active = activeRefs(manualRun(ct))
			},
			jobs:        []*batchv1.Job{manualRun(base)},
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "Replace: delete the active run, then create", now: at(t, "12:05"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Spec.ConcurrencyPolicy = examplev1.ReplaceConcurrent
				ct.Status.Active = activeRefs(run(ct, at(t, "12:00")))
			},
			jobs:        []*batchv1.Job{run(base, at(t, "12:00"))},
			wantDeleted: []string{"report-29454480"}, wantCreated: []string{"report-29454485"},
			wantEvents: []string{reasonSuccessfulDelete, reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "Allow: run beside the active one", now: at(t, "12:05"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			jobs:        []*batchv1.Job{run(base, at(t, "12:00"))},
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "Allow: the next sync records both active", now: at(t, "12:05:01"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			jobs:        []*batchv1.Job{run(base, at(t, "12:00")), run(base, at(t, "12:05"))},
			wantRequeue: ptr.To(fiveMinutes - time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertActive(t, status, "report-29454480", "report-29454485")
			},
		},
		{
			name: "an active Job deleted behind the controller's back is dropped (kubernetes#108023)", now: at(t, "12:04"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			wantRequeue: ptr.To(time.Minute),
			wantStatus:  func(t *testing.T, status examplev1.CronTabStatus) { assertActive(t, status) },
		},
		{
			name: "an active Job the cache has not seen yet stays", now: at(t, "12:04"),
			cronTab:      func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			apiOnlyJobs:  []*batchv1.Job{run(base, at(t, "12:00"))},
			wantRequeue:  ptr.To(time.Minute),
			wantNoUpdate: true,
		},
		{
			name: "an unfinished Job it owns but did not record is added", now: at(t, "12:04"),
			jobs:        []*batchv1.Job{run(base, at(t, "12:00"))},
			wantRequeue: ptr.To(time.Minute),
			wantStatus:  func(t *testing.T, status examplev1.CronTabStatus) { assertActive(t, status, "report-29454480") },
		},
		{
			name: "a Job labelled alike but owned by a namesake is left alone", now: at(t, "12:04"),
			jobs: []*batchv1.Job{func() *batchv1.Job {
				job := run(base, at(t, "12:00"))
				job.OwnerReferences[0].UID = "old-namesake"
				return job
			}()},
			wantRequeue: ptr.To(time.Minute), wantNoUpdate: true,
		},
		{
			name: "a finished active Job leaves active and sets lastSuccessfulTime", now: at(t, "12:04"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			jobs:        []*batchv1.Job{run(base, at(t, "12:00"), succeededAt(at(t, "12:01")))},
			wantEvents:  []string{reasonSawCompletedJob},
			wantRequeue: ptr.To(time.Minute),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertActive(t, status)
				assertTime(t, "lastSuccessfulTime", status.LastSuccessfulTime, at(t, "12:01"))
			},
		},
		{
			name: "history: the oldest finished runs beyond the limits are deleted", now: at(t, "12:04"),
			jobs: []*batchv1.Job{
				run(base, at(t, "11:30"), succeededAt(at(t, "11:31"))),
				run(base, at(t, "11:35"), succeededAt(at(t, "11:36"))),
				run(base, at(t, "11:40"), succeededAt(at(t, "11:41"))),
				run(base, at(t, "11:45"), succeededAt(at(t, "11:46"))),
				run(base, at(t, "11:50"), failedAt(at(t, "11:51"))),
				run(base, at(t, "11:55"), failedAt(at(t, "11:56"))),
				run(base, at(t, "12:00")),
			},
			wantDeleted: []string{"report-29454450", "report-29454470"},
			wantEvents:  []string{reasonSuccessfulDelete, reasonSuccessfulDelete},
			wantRequeue: ptr.To(time.Minute),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertActive(t, status, "report-29454480")
				assertTime(t, "lastSuccessfulTime", status.LastSuccessfulTime, at(t, "11:46"))
			},
		},
		{
			name: "history beyond the limit waits while a run starts: the create goes alone", now: at(t, "12:05"),
			cronTab:     func(ct *examplev1.CronTab) { ct.Spec.FailedJobsHistoryLimit = ptr.To[int32](0) },
			jobs:        []*batchv1.Job{run(base, at(t, "12:00"), failedAt(at(t, "12:01")))},
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonSuccessfulCreate}, wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "history limits of zero keep nothing finished", now: at(t, "12:04"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Spec.SuccessfulJobsHistoryLimit, ct.Spec.FailedJobsHistoryLimit = ptr.To[int32](0), ptr.To[int32](0)
			},
			jobs: []*batchv1.Job{
				run(base, at(t, "11:55"), failedAt(at(t, "11:56"))),
				run(base, at(t, "12:00"), succeededAt(at(t, "12:01"))),
			},
			wantDeleted: []string{"report-29454480", "report-29454475"},
			wantEvents:  []string{reasonSuccessfulDelete, reasonSuccessfulDelete},
			wantRequeue: ptr.To(time.Minute),
		},
		{
			name: "its Job for the time is cached already (crash before the status update): adopted, not created", now: at(t, "12:05:02"),
			jobs:        []*batchv1.Job{run(base, at(t, "12:05"))},
			wantRequeue: ptr.To(fiveMinutes - 2*time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:05"))
				assertActive(t, status, "report-29454485")
			},
		},
		{
			name: "AlreadyExists with its own Job for the time: adopted", now: at(t, "12:05"),
			apiOnlyJobs: []*batchv1.Job{run(base, at(t, "12:05"))},
			wantCreated: []string{"report-29454485"}, wantRequeue: &fiveMinutes,
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:05"))
				assertActive(t, status, "report-29454485")
				if status.MissedRuns != 0 {
					t.Errorf("missedRuns = %d, want 0", status.MissedRuns)
				}
			},
		},
		{
			name: "AlreadyExists with someone else's Job: UnexpectedJob, the run missed", now: at(t, "12:05"),
			apiOnlyJobs: []*batchv1.Job{{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "report-29454485", UID: "foreign"}}},
			wantCreated: []string{"report-29454485"}, wantEvents: []string{reasonUnexpectedJob}, wantRequeue: &fiveMinutes,
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:00"))
				if status.MissedRuns != 1 {
					t.Errorf("missedRuns = %d, want 1", status.MissedRuns)
				}
				assertActive(t, status)
			},
		},
		{
			name: "runningPods counts the running pods of active runs", now: at(t, "12:04"),
			cronTab: func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			jobs:    []*batchv1.Job{run(base, at(t, "12:00")), run(base, at(t, "11:55"), succeededAt(at(t, "11:56")))},
			pods: []*corev1.Pod{
				runningPod(run(base, at(t, "12:00")), "a", corev1.PodRunning),
				runningPod(run(base, at(t, "12:00")), "b", corev1.PodRunning),
				runningPod(run(base, at(t, "12:00")), "c", corev1.PodPending),
				runningPod(run(base, at(t, "11:55")), "d", corev1.PodRunning), // finished run's straggler
			},
			wantRequeue: ptr.To(time.Minute),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.RunningPods != 2 {
					t.Errorf("runningPods = %d, want 2", status.RunningPods)
				}
			},
		},
		{
			name: "Europe/Berlin: 02:30 that occurs twice runs once", now: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Spec.CronSpec, ct.Spec.TimeZone = "30 2 * * *", "Europe/Berlin"
				first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(first), mtime(time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC))
			},
			wantRequeue: ptr.To(24 * time.Hour), wantNoUpdate: true,
		},
		{
			name: "being deleted: no new run", now: at(t, "12:05"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.DeletionTimestamp, ct.Finalizers = mtime(at(t, "12:04")), []string{"foregroundDeletion"}
			},
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.NextScheduleTime != nil {
					t.Errorf("nextScheduleTime = %v, want unset", status.NextScheduleTime)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := cronTab(t)
			if tc.cronTab != nil {
				tc.cronTab(ct)
			}
			c, kubeClient, exampleClient, recorder := newTestController(t, tc.now, ct, tc.jobs, tc.apiOnlyJobs, tc.pods)

			requeue, err := c.sync(context.Background(), "team/report")
			if err != nil {
				t.Fatalf("sync: %v", err)
			}

			if !equalDuration(requeue, tc.wantRequeue) {
				t.Errorf("requeue after %v, want %v", deref(requeue), deref(tc.wantRequeue))
			}
			created, deleted := jobActions(kubeClient)
			if !slices.Equal(created, tc.wantCreated) {
				t.Errorf("created %v, want %v", created, tc.wantCreated)
			}
			if !slices.Equal(deleted, tc.wantDeleted) {
				t.Errorf("deleted %v, want %v", deleted, tc.wantDeleted)
			}
			if reasons := eventReasons(recorder); !slices.Equal(reasons, tc.wantEvents) {
				t.Errorf("events %v, want %v", reasons, tc.wantEvents)
			}
			status, updated := updatedStatus(t, exampleClient)
			if tc.wantNoUpdate && updated {
				t.Errorf("status updated to %+v, want no update", status)
			}
			if !tc.wantNoUpdate && !updated {
				t.Fatal("status not updated")
			}
			if tc.wantStatus != nil {
				tc.wantStatus(t, status)
			}
		})
	}
}

func newTestController(t *testing.T, now time.Time, ct *examplev1.CronTab, jobs, apiOnlyJobs []*batchv1.Job, pods []*corev1.Pod) (*Controller, *kubefake.Clientset, *examplefake.Clientset, *events.FakeRecorder) {
	t.Helper()
	var kubeObjects []runtime.Object
	for _, job := range append(slices.Clone(jobs), apiOnlyJobs...) {
		kubeObjects = append(kubeObjects, job)
	}
	for _, pod := range pods {
		kubeObjects = append(kubeObjects, pod)
	}
	kubeClient := kubefake.NewClientset(kubeObjects...)
	exampleClient := examplefake.NewClientset(ct)
	kubeInformers := informers.NewSharedInformerFactory(kubeClient, 0)
	exampleInformers := exampleinformers.NewSharedInformerFactory(exampleClient, 0)
	recorder := events.NewFakeRecorder(100)
	c, err := NewController(kubeClient, exampleClient,
		exampleInformers.Example().V1().CronTabs(), kubeInformers.Batch().V1().Jobs(), kubeInformers.Core().V1().Pods(),
		recorder, clocktesting.NewFakeClock(now))
	if err != nil {
		t.Fatal(err)
	}
	// Informers fed by hand: the cache holds exactly what the test says it does.
	mustAdd(t, exampleInformers.Example().V1().CronTabs().Informer().GetIndexer(), ct)
	for _, job := range jobs {
		mustAdd(t, kubeInformers.Batch().V1().Jobs().Informer().GetIndexer(), job)
	}
	for _, pod := range pods {
		mustAdd(t, kubeInformers.Core().V1().Pods().Informer().GetIndexer(), pod)
	}
	kubeClient.ClearActions()
	exampleClient.ClearActions()
	return c, kubeClient, exampleClient, recorder
}

func mustAdd(t *testing.T, indexer interface{ Add(any) error }, obj any) {
	t.Helper()
	if err := indexer.Add(obj); err != nil {
		t.Fatal(err)
	}
}

// jobActions returns the names of the Jobs the controller asked to create and to delete.
func jobActions(client *kubefake.Clientset) (created, deleted []string) {
	for _, action := range client.Actions() {
		if action.GetResource().Resource != "jobs" {
			continue
		}
		switch a := action.(type) {
		case clienttesting.CreateAction:
			created = append(created, a.GetObject().(*batchv1.Job).Name)
		case clienttesting.DeleteAction:
			deleted = append(deleted, a.GetName())
		}
	}
	return created, deleted
}

// updatedStatus returns the status the controller wrote, and whether it wrote one; it fails
// the test on more than one write: a sync updates status once.
func updatedStatus(t *testing.T, client *examplefake.Clientset) (examplev1.CronTabStatus, bool) {
	t.Helper()
	var updates []examplev1.CronTabStatus
	for _, action := range client.Actions() {
		if update, ok := action.(clienttesting.UpdateAction); ok && action.GetSubresource() == "status" {
			updates = append(updates, update.GetObject().(*examplev1.CronTab).Status)
		} else if action.GetVerb() != "get" && action.GetVerb() != "list" && action.GetVerb() != "watch" {
			t.Errorf("unexpected CronTab action %s %s/%s", action.GetVerb(), action.GetResource().Resource, action.GetSubresource())
		}
	}
	switch len(updates) {
	case 0:
		return examplev1.CronTabStatus{}, false
	case 1:
		return updates[0], true
	}
	t.Fatalf("%d status updates in one sync, want at most one", len(updates))
	return examplev1.CronTabStatus{}, false
}

func eventReasons(recorder *events.FakeRecorder) []string {
	var reasons []string
	for {
		select {
		case event := <-recorder.Events:
			reasons = append(reasons, strings.Fields(event)[1])
		default:
			return reasons
		}
	}
}

func assertTime(t *testing.T, field string, got *metav1.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Time.Equal(want) {
		t.Errorf("%s = %v, want %s", field, got, want)
	}
}

func assertActive(t *testing.T, status examplev1.CronTabStatus, names ...string) {
	t.Helper()
	var got []string
	for _, ref := range status.Active {
		got = append(got, ref.Name)
	}
	if !slices.Equal(got, names) {
		t.Errorf("active = %v, want %v", got, names)
	}
}

func equalDuration(a, b *time.Duration) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func deref(d *time.Duration) any {
	if d == nil {
		return "never"
	}
	return *d
}

// TestSyncRunsTheJobTemplate: a CronTab written as v2 reaches the controller as v1 with its
// job template in an annotation; the run's Job is built from the whole template, and an
// annotation that cannot be read is an error, never a run of the v1 fields alone.
func TestSyncRunsTheJobTemplate(t *testing.T) {
	template := &batchv1.JobTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"team": "data"}},
		Spec: batchv1.JobSpec{
			Parallelism:             ptr.To[int32](1),
			TTLSecondsAfterFinished: ptr.To[int32](600),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				ServiceAccountName: "reporter",
				Containers: []corev1.Container{{
					Name: "report", Image: "busybox:1.36",
					Env: []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}},
				}},
			}},
		},
	}
	tests := []struct {
		name       string
		annotation func(ct *examplev1.CronTab)
		wantErr    bool
	}{
		{name: "the template's fields reach the Job", annotation: func(ct *examplev1.CronTab) {
			in := internal(ct)
			in.Spec.SetWholeJobTemplate(template.DeepCopy())
			if err := examplev1.Convert_example_CronTab_To_v1_CronTab(in, ct, nil); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "an unreadable template is an error", wantErr: true, annotation: func(ct *examplev1.CronTab) {
			ct.Annotations = map[string]string{example.JobTemplateAnnotation: "{"}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := cronTab(t)
			tc.annotation(ct)
			c, kubeClient, _, _ := newTestController(t, at(t, "12:05"), ct, nil, nil, nil)
			_, err := c.sync(context.Background(), "team/report")
			var jobs []*batchv1.Job
			for _, action := range kubeClient.Actions() {
				if create, ok := action.(clienttesting.CreateAction); ok {
					jobs = append(jobs, create.GetObject().(*batchv1.Job))
				}
			}
			if tc.wantErr {
				if err == nil || len(jobs) != 0 {
					t.Errorf("sync error %v, created %d Jobs; want an error and none", err, len(jobs))
				}
				return
			}
			if err != nil || len(jobs) != 1 {
				t.Fatalf("sync error %v, created %d Jobs; want one", err, len(jobs))
			}
			job := jobs[0]
			pod := job.Spec.Template.Spec
			if job.Labels["team"] != "data" || ptr.Deref(job.Spec.TTLSecondsAfterFinished, 0) != 600 || pod.ServiceAccountName != "reporter" ||
				len(pod.Containers) != 1 || pod.Containers[0].Name != "report" || len(pod.Containers[0].Env) != 1 {
				t.Errorf("the Job lost the template's fields: %+v", job)
			}
		})
	}
}

// withStaggerWindow gives ct a v2 spec.staggerWindowSeconds as the server hands it to a v1
// client: in example.JobTemplateAnnotation.
func withStaggerWindow(t *testing.T, ct *examplev1.CronTab, seconds int64) {
	t.Helper()
	in := internal(ct)
	in.Spec.StaggerWindowSeconds = &seconds
	if err := examplev1.Convert_example_CronTab_To_v1_CronTab(in, ct, nil); err != nil {
		t.Fatal(err)
	}
}

// TestSyncStaggered checks that a stagger window moves the run, its Job's name and scheduled
// time and status.nextScheduleTime by the CronTab's offset, and that the starting deadline
// still counts from the unstaggered time.
func TestSyncStaggered(t *testing.T) {
	const window = 300
	offset := schedule.StaggerOffset("ct-uid", window, nil)
	if offset == 0 {
		t.Fatal("the test CronTab's offset is 0; pick another UID")
	}
	deadline := int64(30)
	deadlineOffset := schedule.StaggerOffset("ct-uid", window, &deadline)
	staggered := func(ct *examplev1.CronTab) {
		withStaggerWindow(t, ct, window)
		ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "12:00").Add(offset)), mtime(at(t, "12:05").Add(offset))
	}
	jobName := func(scheduled time.Time) string { return crontabrun.JobName("report", scheduled) }
	recordSoon := runEventDelay
	tests := []struct {
		name         string
		now          time.Time
		cronTab      func(ct *examplev1.CronTab)
		jobs         func(ct *examplev1.CronTab) []*batchv1.Job
		wantCreated  []string
		wantEvents   []string
		wantRequeue  *time.Duration
		wantNoUpdate bool
		wantStatus   func(t *testing.T, status examplev1.CronTabStatus)
	}{
		{
			name: "at the unstaggered time: nothing yet, wake at the offset", now: at(t, "12:05"), cronTab: staggered,
			wantRequeue: ptr.To(offset), wantNoUpdate: true,
		},
		{
			name: "at the staggered time: the run's Job", now: at(t, "12:05").Add(offset), cronTab: staggered,
			wantCreated: []string{jobName(at(t, "12:05").Add(offset))}, wantEvents: []string{reasonSuccessfulCreate},
			wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "the next sync records it and shows the next staggered time", now: at(t, "12:05:01").Add(offset), cronTab: staggered,
			jobs:        func(ct *examplev1.CronTab) []*batchv1.Job { return []*batchv1.Job{run(ct, at(t, "12:05").Add(offset))} },
			wantRequeue: ptr.To(5*time.Minute - time.Second),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "lastScheduleTime", status.LastScheduleTime, at(t, "12:05").Add(offset))
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:10").Add(offset))
			},
		},
		{
			name: "a new window: the next run moves, none is owed for the old time", now: at(t, "12:03"),
			cronTab: func(ct *examplev1.CronTab) {
				withStaggerWindow(t, ct, window)
				ct.Generation = 2
			},
			wantRequeue: ptr.To(2*time.Minute + offset),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				assertTime(t, "nextScheduleTime", status.NextScheduleTime, at(t, "12:05").Add(offset))
			},
		},
		{
			name: "a starting deadline bounds the offset", now: at(t, "12:05").Add(deadlineOffset),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Spec.StartingDeadlineSeconds = &deadline
				withStaggerWindow(t, ct, window)
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "12:00").Add(deadlineOffset)), mtime(at(t, "12:05").Add(deadlineOffset))
			},
			wantCreated: []string{jobName(at(t, "12:05").Add(deadlineOffset))}, wantEvents: []string{reasonSuccessfulCreate},
			wantRequeue: &recordSoon, wantNoUpdate: true,
		},
		{
			name: "the deadline counts from the unstaggered time", now: at(t, "12:05:31"),
			cronTab: func(ct *examplev1.CronTab) {
				ct.Spec.StartingDeadlineSeconds = &deadline
				withStaggerWindow(t, ct, window)
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "12:00").Add(deadlineOffset)), mtime(at(t, "12:05").Add(deadlineOffset))
			},
			wantEvents:  []string{reasonMissSchedule},
			wantRequeue: ptr.To(5*time.Minute - 31*time.Second + deadlineOffset),
			wantStatus: func(t *testing.T, status examplev1.CronTabStatus) {
				if status.MissedRuns != 1 {
					t.Errorf("missedRuns = %d, want 1", status.MissedRuns)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := cronTab(t)
			tc.cronTab(ct)
			var jobs []*batchv1.Job
			if tc.jobs != nil {
				jobs = tc.jobs(ct)
			}
			c, kubeClient, exampleClient, recorder := newTestController(t, tc.now, ct, jobs, nil, nil)
			requeue, err := c.sync(context.Background(), "team/report")
			if err != nil {
				t.Fatalf("sync: %v", err)
			}
			if !equalDuration(requeue, tc.wantRequeue) {
				t.Errorf("requeue after %v, want %v", deref(requeue), deref(tc.wantRequeue))
			}
			if created, _ := jobActions(kubeClient); !slices.Equal(created, tc.wantCreated) {
				t.Errorf("created %v, want %v", created, tc.wantCreated)
			}
			if reasons := eventReasons(recorder); !slices.Equal(reasons, tc.wantEvents) {
				t.Errorf("events %v, want %v", reasons, tc.wantEvents)
			}
			status, updated := updatedStatus(t, exampleClient)
			if tc.wantNoUpdate == updated {
				t.Fatalf("status updated: %v (%+v), want %v", updated, status, !tc.wantNoUpdate)
			}
			if tc.wantStatus != nil {
				tc.wantStatus(t, status)
			}
		})
	}
}

// TestSyncDefersStatusWhileCreating checks that a sync with only status to write waits while
// Job creates are returning, and is released once they pause or after maxStatusDeferral.
func TestSyncDefersStatusWhileCreating(t *testing.T) {
	now := at(t, "12:05:01")
	tests := []struct {
		name string
		// sinceCreate is how long before now the latest create returned.
		sinceCreate time.Duration
		// deferredFor is how long the key has waited already; zero: not waiting.
		deferredFor time.Duration
		wantDefer   bool
	}{
		{name: "creates returning: the status waits", sinceCreate: 300 * time.Millisecond, wantDefer: true},
		{name: "creates paused: the status goes", sinceCreate: createsQuiet},
		{name: "waited long enough: the status goes however busy", sinceCreate: time.Millisecond, deferredFor: maxStatusDeferral},
		{name: "waited a while: still waits", sinceCreate: time.Millisecond, deferredFor: maxStatusDeferral - time.Second, wantDefer: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := cronTab(t)
			job := run(ct, at(t, "12:05"))
			c, _, exampleClient, _ := newTestController(t, now, ct, []*batchv1.Job{job}, nil, nil)
			c.creates.created(now.Add(-tc.sinceCreate))
			if tc.deferredFor > 0 {
				c.creates.deferred = map[string]time.Time{"team/report": now.Add(-tc.deferredFor)}
			}
			requeue, err := c.sync(context.Background(), "team/report")
			if err != nil {
				t.Fatalf("sync: %v", err)
			}
			if want := ptr.To(5*time.Minute - time.Second); !equalDuration(requeue, want) {
				t.Errorf("requeue after %v, want %v: the next run wakes it either way", deref(requeue), deref(want))
			}
			if _, updated := updatedStatus(t, exampleClient); updated == tc.wantDefer {
				t.Fatalf("status updated: %v, want %v", updated, !tc.wantDefer)
			}
			if !tc.wantDefer {
				return
			}
			if released := c.creates.releaseDeferred(now); len(released) != 0 {
				t.Errorf("released %v while the creates go on, want none", released)
			}
			if released := c.creates.releaseDeferred(now.Add(createsQuiet)); !slices.Equal(released, []string{"team/report"}) {
				t.Errorf("released %v once the creates paused, want [team/report]", released)
			}
		})
	}
}

// TestStatusReleasedByAgeIsNotDeferredAgain: a key released because it waited
// maxStatusDeferral writes its status on the sync that follows, however busy the creates.
func TestStatusReleasedByAgeIsNotDeferredAgain(t *testing.T) {
	var f createsInFlight
	start := at(t, "12:05:00")
	f.created(start)
	if !f.deferStatus("team/report", start) {
		t.Fatal("a status write while creates return was not deferred")
	}
	later := start.Add(maxStatusDeferral)
	f.created(later)
	if released := f.releaseDeferred(later); !slices.Equal(released, []string{"team/report"}) {
		t.Fatalf("released %v after maxStatusDeferral, want [team/report]", released)
	}
	if f.deferStatus("team/report", later.Add(time.Millisecond)) {
		t.Error("the sync after a release by age was deferred again: under creates that never pause its status would never be written")
	}
	if !f.deferStatus("team/report", later.Add(2*time.Millisecond)) {
		t.Error("a later status write while creates return was not deferred: the release is for one sync only")
	}
}
