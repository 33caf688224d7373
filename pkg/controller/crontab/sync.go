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
	"fmt"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
	"example.com/example-apiserver/pkg/schedule"
)

// Event reasons, as kubectl describe shows them.
const (
	reasonSuccessfulCreate = "SuccessfulCreate"
	reasonSuccessfulDelete = "SuccessfulDelete"
	reasonSawCompletedJob  = "SawCompletedJob"
	reasonMissSchedule     = "MissSchedule"
	reasonUnexpectedJob    = "UnexpectedJob"
	reasonInvalidSchedule  = "InvalidSchedule"
)

// sync brings one CronTab's runs and status up to date and returns when to sync it again:
// at its next scheduled time, or nil when no time will come (suspended, deleted, invalid).
// A sync that creates a run's Job does nothing else; the next one records it.
func (c *Controller) sync(ctx context.Context, key string) (*time.Duration, error) {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil, err
	}
	cached, err := c.cronTabLister.CronTabs(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil, nil // deleted: the garbage collector deletes its Jobs
	}
	if err != nil {
		return nil, err
	}
	ct := cached.DeepCopy()
	now := c.clock.Now()

	jobs, err := c.ownedJobs(ct)
	if err != nil {
		return nil, err
	}
	if err := c.reconcileActive(ctx, ct, jobs); err != nil {
		return nil, err
	}
	next, created, err := c.startDueRun(ctx, ct, now)
	if err != nil {
		return nil, err
	}
	if created {
		// The status and the history wait for the sync runEventDelay later, which finds the
		// Job and records the run: in the busiest second of a minute the API server gets the
		// creates alone.
		return ptr.To(min(runEventDelay, max(next.Sub(c.clock.Now()), 0))), nil
	}
	c.updateStatusFields(ct, now)
	if !equality.Semantic.DeepEqual(cached.Status, ct.Status) {
		if c.creates.deferStatus(key, c.clock.Now()) {
			// requeueDeferred brings it back once the creates pause; the next run still wakes it.
			return requeueAt(c.clock, next), nil
		}
		if _, err := c.cronTabClient.ExampleV1().CronTabs(ct.Namespace).UpdateStatus(ctx, ct, metav1.UpdateOptions{}); err != nil {
			return nil, err
		}
	}
	if err := c.pruneHistory(ctx, ct, jobs); err != nil {
		return nil, err
	}
	return requeueAt(c.clock, next), nil
}

// requeueAt is the delay to the next run time next, nil when there is none. Measured now,
// not from the start of the sync: the wake-up lands on the run time itself.
func requeueAt(clk clock.PassiveClock, next time.Time) *time.Duration {
	if next.IsZero() {
		return nil
	}
	return ptr.To(max(next.Sub(clk.Now()), 0))
}

// ownedJobs lists the Jobs the CronTab controls (same UID: not a namesake's left-overs).
func (c *Controller) ownedJobs(ct *examplev1.CronTab) ([]*batchv1.Job, error) {
	labelled, err := c.jobsByCronTab.ByIndex(cronTabIndex, ct.Namespace+"/"+ct.Name)
	if err != nil {
		return nil, err
	}
	var owned []*batchv1.Job
	for _, obj := range labelled {
		if job := obj.(*batchv1.Job); metav1.IsControlledBy(job, ct) {
			owned = append(owned, job)
		}
	}
	return owned, nil
}

// reconcileActive makes status.active the CronTab's unfinished Jobs. It drops finished Jobs
// (SawCompletedJob) and Jobs deleted behind the controller's back, which CronJob keeps
// forever (kubernetes#108023), and adds unfinished Jobs it owns but did not record, such as
// one created just before a crash. It also advances status.lastSuccessfulTime.
func (c *Controller) reconcileActive(ctx context.Context, ct *examplev1.CronTab, jobs []*batchv1.Job) error {
	byName := make(map[string]*batchv1.Job, len(jobs))
	for _, job := range jobs {
		byName[job.Name] = job
		if outcome := crontabrun.OutcomeOf(job); outcome.Succeeded &&
			(ct.Status.LastSuccessfulTime == nil || outcome.At.After(ct.Status.LastSuccessfulTime.Time)) {
			ct.Status.LastSuccessfulTime = ptr.To(metav1.NewTime(outcome.At))
		}
	}
	var active []corev1.ObjectReference
	recorded := make(map[string]bool, len(ct.Status.Active))
	for _, ref := range ct.Status.Active {
		job, cached := byName[ref.Name]
		if !cached {
			// The cache may just not have seen a Job created a moment ago: ask the API server.
			fetched, err := c.kubeClient.BatchV1().Jobs(ct.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err) || (err == nil && fetched.UID != ref.UID):
				klog.FromContext(ctx).V(2).Info("Dropping a deleted Job from the active runs", "cronTab", klog.KObj(ct), "job", ref.Name)
				continue
			case err != nil:
				return err
			}
			job = fetched
		}
		if outcome := crontabrun.OutcomeOf(job); outcome.Finished {
			c.recorder.Eventf(ct, job, corev1.EventTypeNormal, reasonSawCompletedJob, "Observe",
				"Saw completed job: %s, status: %s", job.Name, outcomeWord(outcome))
			runsFinished.WithLabelValues(ct.Namespace, runResult(outcome)).Inc()
			continue
		}
		recorded[ref.Name] = true
		active = append(active, ref)
	}
	for _, job := range jobs {
		if !recorded[job.Name] && !crontabrun.OutcomeOf(job).Finished {
			active = append(active, jobReference(job))
		}
	}
	ct.Status.Active = active
	return nil
}

// runResult is the result label of runs_finished_total.
func runResult(outcome crontabrun.Outcome) string {
	if outcome.Succeeded {
		return "succeeded"
	}
	return "failed"
}

func outcomeWord(outcome crontabrun.Outcome) string {
	if outcome.Succeeded {
		return string(batchv1.JobComplete)
	}
	return string(batchv1.JobFailed)
}

func jobReference(job *batchv1.Job) corev1.ObjectReference {
	return corev1.ObjectReference{
		APIVersion: batchv1.SchemeGroupVersion.String(),
		Kind:       "Job",
		Namespace:  job.Namespace,
		Name:       job.Name,
		UID:        job.UID,
	}
}

// runStart is what became of a due run.
type runStart int

const (
	// runSkipped: missed, past its starting deadline, skipped by Forbid or its name taken.
	runSkipped runStart = iota
	// runCreated: this sync created its Job.
	runCreated
	// runAdopted: its Job existed, created by an earlier sync whose status write did not
	// happen (deferred, failed, or the controller crashed).
	runAdopted
)

// startDueRun starts the run that is due, if one is. It returns the next run time (zero when
// none will come: suspended, being deleted, an invalid or exhausted schedule) and whether it
// created a Job, in which case nothing is recorded in ct: the next sync adopts the Job and
// records the run.
func (c *Controller) startDueRun(ctx context.Context, ct *examplev1.CronTab, now time.Time) (time.Time, bool, error) {
	if ct.DeletionTimestamp != nil || ptr.Deref(ct.Spec.Suspend, false) {
		ct.Status.NextScheduleTime = nil
		return time.Time{}, false, nil // an update (resume) wakes the sync
	}
	internal, err := crontabrun.FromV1(ct)
	if err != nil {
		return time.Time{}, false, err
	}
	// Interval runs count from the last scheduled run as it stands before this sync, so a run
	// recorded now (on those intervals) leaves the next run time where it was.
	sched, err := crontabrun.Schedule(internal)
	if err != nil {
		ct.Status.NextScheduleTime = nil
		// Validation refuses such schedules; a time zone missing here is the one way in.
		c.recorder.Eventf(ct, nil, corev1.EventTypeWarning, reasonInvalidSchedule, "Schedule",
			"Cannot run schedule %q in time zone %q: %v", ct.Spec.CronSpec, ct.Spec.TimeZone, err)
		return time.Time{}, false, nil
	}
	next := sched.NextAfter(now)

	earliest := earliestRunTime(ct, sched, now)
	due := sched.Due(earliest, now)
	if due.Count > 0 {
		start, err := c.startRun(ctx, ct, internal, sched, due.Latest, now)
		if err != nil {
			return time.Time{}, false, err // nothing recorded: the retry sees the same run times due
		}
		if start == runCreated {
			return next, true, nil
		}
		missed, lastMissed := due.Count-1, due.Previous
		if start == runAdopted {
			ct.Status.LastScheduleTime = ptr.To(metav1.NewTime(due.Latest.UTC()))
		} else {
			missed, lastMissed = due.Count, due.Latest
		}
		if due.Count > 1 && c.ran(ct, due.Previous) {
			// Started by a sync whose record came too late (a queue backed up past the next
			// run time): not missed.
			missed--
			if start == runAdopted {
				lastMissed = sched.Due(earliest, due.Previous.Add(-time.Nanosecond)).Latest
			}
		}
		if missed > 0 {
			c.recordMissed(ct, missed, lastMissed)
		}
		if due.Count > 1 {
			about := ""
			if due.Estimated {
				about = "about "
			}
			c.recorder.Eventf(ct, nil, corev1.EventTypeWarning, reasonMissSchedule, "Skip",
				"%s%d scheduled times passed since the last look, up to %s (the controller was down or behind); only the latest may run",
				about, due.Count, due.Latest.UTC().Format(time.RFC3339))
		}
	}

	if next.IsZero() {
		ct.Status.NextScheduleTime = nil // e.g. February 30th
		return time.Time{}, false, nil
	}
	ct.Status.NextScheduleTime = ptr.To(metav1.NewTime(next.UTC()))
	return next, false, nil
}

// earliestRunTime is the instant after which run times are owed. It is the latest of the
// creation time, the last run's scheduled time and status.nextScheduleTime (the controller's
// cursor: every run time before it was started or counted missed). After an edit of the
// spec the controller has not seen yet, the cursor counts only if the new schedule also runs
// at it; otherwise run times are owed from now on: a new cronSpec or timeZone never starts a
// run for a time before the edit (kubernetes#63371, #123220), nor does resuming a suspended
// CronTab start one for a time it was suspended at.
func earliestRunTime(ct *examplev1.CronTab, sched *schedule.Schedule, now time.Time) time.Time {
	earliest := ct.CreationTimestamp.Time
	if last := ct.Status.LastScheduleTime; last != nil && last.After(earliest) {
		earliest = last.Time
	}
	edited := ct.Generation != ct.Status.ObservedGeneration && ct.Generation > 1
	if cursor := ct.Status.NextScheduleTime; cursor != nil {
		if before := sched.WindowFrom(cursor.Time); !edited || sched.NextAfter(before).Equal(cursor.Time) {
			if before.After(earliest) {
				earliest = before
			}
			return earliest
		}
	}
	if edited && now.After(earliest) {
		earliest = now
	}
	return earliest
}

// startRun creates the Job of the run scheduled at scheduled (a run time of sched), honouring
// the starting deadline and the concurrency policy. internal is ct as the server holds it.
func (c *Controller) startRun(ctx context.Context, ct *examplev1.CronTab, internal *example.CronTab, sched *schedule.Schedule, scheduled, now time.Time) (runStart, error) {
	name := crontabrun.JobName(ct.Name, scheduled)
	if existing, err := c.jobLister.Jobs(ct.Namespace).Get(name); err == nil {
		return c.adopt(ct, existing, scheduled), nil
	}
	if reason := c.skipReason(ct, sched, scheduled, now); reason != "" {
		// Before counting the run missed, ask the API server whether an earlier sync started
		// it: the cache may not show the Job yet.
		existing, err := c.kubeClient.BatchV1().Jobs(ct.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			return c.adopt(ct, existing, scheduled), nil
		}
		if !apierrors.IsNotFound(err) {
			return runSkipped, err
		}
		c.recorder.Eventf(ct, nil, corev1.EventTypeWarning, reasonMissSchedule, "Skip",
			"Skipped scheduled time %s: %s", scheduled.UTC().Format(time.RFC3339), reason)
		return runSkipped, nil
	}
	if running := c.activeScheduledRuns(ct); len(running) > 0 && ct.Spec.ConcurrencyPolicy == examplev1.ReplaceConcurrent {
		if err := c.deleteActive(ctx, ct, running); err != nil {
			return runSkipped, err
		}
	}

	created, err := c.kubeClient.BatchV1().Jobs(ct.Namespace).Create(ctx, crontabrun.NewJob(internal, scheduled), metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		existing, err := c.kubeClient.BatchV1().Jobs(ct.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return runSkipped, err
		}
		return c.adopt(ct, existing, scheduled), nil
	}
	if err != nil {
		return runSkipped, fmt.Errorf("creating Job %s/%s for %s: %w", ct.Namespace, name, scheduled.UTC().Format(time.RFC3339), err)
	}
	c.creates.created(c.clock.Now())
	// The creation time the server stamps has whole seconds only: measure here.
	scheduleLag.Observe(c.clock.Since(scheduled).Seconds())
	jobsCreated.WithLabelValues(ct.Namespace).Inc()
	c.recorder.Eventf(ct, created, corev1.EventTypeNormal, reasonSuccessfulCreate, "Create", "Created job %s", created.Name)
	return runCreated, nil
}

// skipReason says why the run scheduled at scheduled must not start, or "" when it may. The
// starting deadline counts from the unstaggered time: a stagger offset stays below it.
func (c *Controller) skipReason(ct *examplev1.CronTab, sched *schedule.Schedule, scheduled, now time.Time) string {
	if !schedule.WithinStartingDeadline(sched.Nominal(scheduled), now, ct.Spec.StartingDeadlineSeconds) {
		return fmt.Sprintf("more than startingDeadlineSeconds (%d) ago", *ct.Spec.StartingDeadlineSeconds)
	}
	if running := c.activeScheduledRuns(ct); len(running) > 0 && ct.Spec.ConcurrencyPolicy == examplev1.ForbidConcurrent {
		return fmt.Sprintf("concurrencyPolicy is Forbid and %s is still active", running[0].Name)
	}
	return ""
}

// adopt takes a Job that already has the name of the run scheduled at scheduled. The
// CronTab's own Job for that time is the run; anything else is UnexpectedJob, and the run
// time is missed: retrying cannot free the name.
func (c *Controller) adopt(ct *examplev1.CronTab, existing *batchv1.Job, scheduled time.Time) runStart {
	if existingScheduled, ok := crontabrun.ScheduledTime(existing); ok && existingScheduled.Equal(scheduled) && metav1.IsControlledBy(existing, ct) {
		if !crontabrun.OutcomeOf(existing).Finished &&
			!slices.ContainsFunc(ct.Status.Active, func(ref corev1.ObjectReference) bool { return ref.UID == existing.UID }) {
			ct.Status.Active = append(slices.Clone(ct.Status.Active), jobReference(existing))
		}
		return runAdopted
	}
	c.recorder.Eventf(ct, existing, corev1.EventTypeWarning, reasonUnexpectedJob, "Create",
		"Cannot start the run scheduled at %s: Job %s exists and is not this CronTab's run for that time", scheduled.UTC().Format(time.RFC3339), existing.Name)
	return runSkipped
}

// activeScheduledRuns are the active runs the concurrency policy weighs: manual runs are not.
func (c *Controller) activeScheduledRuns(ct *examplev1.CronTab) []corev1.ObjectReference {
	var running []corev1.ObjectReference
	for _, ref := range ct.Status.Active {
		if job, err := c.jobLister.Jobs(ct.Namespace).Get(ref.Name); err == nil && crontabrun.IsManual(job) {
			continue
		}
		running = append(running, ref)
	}
	return running
}

// deleteActive deletes runs for the Replace policy, with their pods in the background.
func (c *Controller) deleteActive(ctx context.Context, ct *examplev1.CronTab, runs []corev1.ObjectReference) error {
	deleted := make(map[string]bool, len(runs))
	for _, ref := range runs {
		if err := c.deleteJob(ctx, ct, ref.Name, ref.UID, "active run replaced"); err != nil {
			return err
		}
		deleted[ref.Name] = true
	}
	ct.Status.Active = slices.DeleteFunc(slices.Clone(ct.Status.Active), func(ref corev1.ObjectReference) bool { return deleted[ref.Name] })
	return nil
}

func (c *Controller) deleteJob(ctx context.Context, ct *examplev1.CronTab, name string, uid types.UID, why string) error {
	err := c.kubeClient.BatchV1().Jobs(ct.Namespace).Delete(ctx, name, metav1.DeleteOptions{
		PropagationPolicy: ptr.To(metav1.DeletePropagationBackground),
		Preconditions:     &metav1.Preconditions{UID: ptr.To(uid)},
	})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting Job %s/%s (%s): %w", ct.Namespace, name, why, err)
	}
	c.recorder.Eventf(ct, nil, corev1.EventTypeNormal, reasonSuccessfulDelete, "Delete", "Deleted job %s: %s", name, why)
	return nil
}

// ran says whether the run scheduled at scheduled has a Job of this CronTab in the cache.
func (c *Controller) ran(ct *examplev1.CronTab, scheduled time.Time) bool {
	job, err := c.jobLister.Jobs(ct.Namespace).Get(crontabrun.JobName(ct.Name, scheduled))
	if err != nil || !metav1.IsControlledBy(job, ct) {
		return false
	}
	jobScheduled, ok := crontabrun.ScheduledTime(job)
	return ok && jobScheduled.Equal(scheduled)
}

// recordMissed counts run times that got no run in status and metrics.
func (c *Controller) recordMissed(ct *examplev1.CronTab, missed int64, lastMissed time.Time) {
	ct.Status.MissedRuns += missed
	if ct.Status.LastMissedTime == nil || lastMissed.After(ct.Status.LastMissedTime.Time) {
		ct.Status.LastMissedTime = ptr.To(metav1.NewTime(lastMissed))
	}
	runsMissed.WithLabelValues(ct.Namespace).Add(float64(missed))
}

// updateStatusFields sets the status fields that follow from the spec and the caches.
func (c *Controller) updateStatusFields(ct *examplev1.CronTab, now time.Time) {
	// Sorted, so the same runs always write the same status (names sort runs by time).
	slices.SortFunc(ct.Status.Active, func(a, b corev1.ObjectReference) int { return strings.Compare(a.Name, b.Name) })
	ct.Status.Replicas = ptr.Deref(ct.Spec.Replicas, 1)
	ct.Status.RunningPods = c.runningPods(ct)
	ct.Status.ObservedGeneration = ct.Generation
	suspended := metav1.Condition{
		Type:               examplev1.ConditionSuspended,
		Status:             metav1.ConditionFalse,
		Reason:             examplev1.ReasonScheduled,
		Message:            "New runs start on schedule.",
		ObservedGeneration: ct.Generation,
		LastTransitionTime: metav1.NewTime(now),
	}
	if ptr.Deref(ct.Spec.Suspend, false) {
		suspended.Status, suspended.Reason, suspended.Message = metav1.ConditionTrue, examplev1.ReasonSuspended, "spec.suspend is true: no new runs start."
	}
	conditions := slices.Clone(ct.Status.Conditions)
	meta.SetStatusCondition(&conditions, suspended)
	ct.Status.Conditions = conditions
}

// runningPods counts the running pods of the active runs.
func (c *Controller) runningPods(ct *examplev1.CronTab) int32 {
	if len(ct.Status.Active) == 0 {
		return 0
	}
	active := make(map[types.UID]bool, len(ct.Status.Active))
	for _, ref := range ct.Status.Active {
		active[ref.UID] = true
	}
	pods, err := c.podsByCronTab.ByIndex(cronTabIndex, ct.Namespace+"/"+ct.Name)
	if err != nil {
		return ct.Status.RunningPods
	}
	var running int32
	for _, obj := range pods {
		pod := obj.(*corev1.Pod)
		if owner := metav1.GetControllerOf(pod); owner != nil && active[owner.UID] &&
			pod.Status.Phase == corev1.PodRunning && pod.DeletionTimestamp == nil {
			running++
		}
	}
	return running
}

// pruneHistory deletes the oldest finished runs beyond the history limits.
func (c *Controller) pruneHistory(ctx context.Context, ct *examplev1.CronTab, jobs []*batchv1.Job) error {
	type finishedRun struct {
		job *batchv1.Job
		at  time.Time
	}
	var succeeded, failed []finishedRun
	for _, job := range jobs {
		if job.DeletionTimestamp != nil {
			continue
		}
		switch outcome := crontabrun.OutcomeOf(job); {
		case outcome.Succeeded:
			succeeded = append(succeeded, finishedRun{job, outcome.At})
		case outcome.Finished:
			failed = append(failed, finishedRun{job, outcome.At})
		}
	}
	for _, history := range []struct {
		runs  []finishedRun
		limit int32
	}{
		{succeeded, ptr.Deref(ct.Spec.SuccessfulJobsHistoryLimit, examplev1.DefaultSuccessfulJobsHistoryLimit)},
		{failed, ptr.Deref(ct.Spec.FailedJobsHistoryLimit, examplev1.DefaultFailedJobsHistoryLimit)},
	} {
		excess := len(history.runs) - int(max(history.limit, 0))
		if excess <= 0 {
			continue
		}
		// Oldest first; names order runs that ended in the same second.
		slices.SortFunc(history.runs, func(a, b finishedRun) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return strings.Compare(a.job.Name, b.job.Name)
		})
		for _, run := range history.runs[:excess] {
			if err := c.deleteJob(ctx, ct, run.job.Name, run.job.UID, "beyond the history limit"); err != nil {
				return err
			}
		}
	}
	return nil
}
