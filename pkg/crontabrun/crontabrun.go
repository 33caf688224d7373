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

package crontabrun

import (
	"fmt"
	"maps"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/schedule"
)

const (
	// ScheduledTimeAnnotation holds a scheduled run's time in RFC 3339. It is the annotation
	// CronJobs use, so tools that read it for CronJobs read it for CronTabs too.
	ScheduledTimeAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"
	// RunAnnotation marks a run started by hand; its value is ManualRun.
	RunAnnotation = "example.com/run"
	// ManualRun is RunAnnotation's value on a run started by hand.
	ManualRun = "manual"
)

// Schedule is ct's schedule as its runs follow it: an interval schedule anchored at its latest
// run (schedule.Schedule.Anchored), a wall-clock one moved by ct's stagger offset. The
// controller starts runs by it and status.nextScheduleTime, the NEXT RUN column and the
// plugin show it, so all of them agree on when a run is due.
func Schedule(ct *example.CronTab) (*schedule.Schedule, error) {
	s, err := schedule.New(ct.Spec.CronSpec, ct.Spec.TimeZone)
	if err != nil {
		return nil, err
	}
	s = s.Anchored(ct.Status.LastScheduleTime, ct.CreationTimestamp)
	if window := ct.Spec.StaggerWindowSeconds; window != nil {
		s = s.Staggered(schedule.StaggerOffset(string(ct.UID), *window, ct.Spec.StartingDeadlineSeconds))
	}
	return s, nil
}

// JobName is the name of the Job of the run scheduled at scheduled: the same for every attempt
// to create it, so a controller that crashes between creating a Job and recording it finds
// the Job again instead of starting the run twice. Cron schedules are minute-grained; an
// "@every" schedule shorter than a minute gets at most one run a minute (the controller
// counts the others as missed when it finds the minute's Job scheduled for another time).
func JobName(cronTabName string, scheduled time.Time) string {
	return cronTabName + "-" + strconv.FormatInt(scheduled.Unix()/60, 10)
}

// FromV1 returns ct as the API server holds it, which is what NewJob builds from: defaulted,
// with the part of its job template v1 has no field for read back from
// example.JobTemplateAnnotation. A v1 client (the controller, the plugin) thereby runs a v2
// CronTab's whole template.
func FromV1(ct *examplev1.CronTab) (*example.CronTab, error) {
	defaulted := ct.DeepCopy()
	examplev1.SetObjectDefaults_CronTab(defaulted)
	internal := &example.CronTab{}
	if err := examplev1.Convert_v1_CronTab_To_example_CronTab(defaulted, internal, nil); err != nil {
		return nil, fmt.Errorf("reading CronTab %s/%s: %w", ct.Namespace, ct.Name, err)
	}
	return internal, nil
}

// NewJob returns the Job of ct's run scheduled at scheduled.
func NewJob(ct *example.CronTab, scheduled time.Time) *batchv1.Job {
	job := newJob(ct)
	job.Name = JobName(ct.Name, scheduled)
	job.Annotations[ScheduledTimeAnnotation] = scheduled.UTC().Format(time.RFC3339)
	delete(job.Annotations, RunAnnotation)
	return job
}

// NewManualJob returns the Job of a run of ct started by hand, named <crontab>-manual-<random
// suffix> by the API server. The controller keeps it in status.active while it runs and
// prunes it with the history, but it is no scheduled run: it neither sets lastScheduleTime
// nor counts for the concurrency policy.
func NewManualJob(ct *example.CronTab) *batchv1.Job {
	job := newJob(ct)
	job.GenerateName = ct.Name + "-" + ManualRun + "-"
	job.Annotations[RunAnnotation] = ManualRun
	delete(job.Annotations, ScheduledTimeAnnotation)
	return job
}

// newJob is ct's job template as a Job with what makes it a run of ct added: the selector
// label on the Job and its pods, and the controller reference. Everything else the template
// says (labels, annotations, the whole Job and pod spec) is kept as written; the annotations
// that tell a run's kind are the caller's to set, whatever the template holds.
func newJob(ct *example.CronTab) *batchv1.Job {
	template := ct.Spec.WholeJobTemplate()
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:   ct.Namespace,
			Labels:      withSelectorLabel(template.Labels, ct.Name),
			Annotations: maps.Clone(template.Annotations),
			// A controller reference: the CronTab's runs are found by it, and the garbage
			// collector deletes them with their CronTab.
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ct, examplev1.SchemeGroupVersion.WithKind("CronTab"))},
		},
		Spec: template.Spec,
	}
	if job.Annotations == nil {
		job.Annotations = map[string]string{}
	}
	pod := &job.Spec.Template
	pod.Labels = withSelectorLabel(pod.Labels, ct.Name)
	// A Job's pods may not restart in place (Always): a template that says nothing runs each
	// pod once, as v1 always has, and a failed pod counts against the backoff limit.
	if pod.Spec.RestartPolicy == "" {
		pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	}
	return job
}

// withSelectorLabel returns a copy of labels with the selector label set to the CronTab's name.
func withSelectorLabel(labels map[string]string, cronTabName string) map[string]string {
	labels = maps.Clone(labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[example.CronTabSelectorLabel] = cronTabName
	return labels
}

// IsManual says whether job is a run started by hand.
func IsManual(job *batchv1.Job) bool {
	return job.Annotations[RunAnnotation] == ManualRun
}

// ScheduledTime returns the time job's run was scheduled for; false for a run started by
// hand or a Job without a readable annotation.
func ScheduledTime(job *batchv1.Job) (time.Time, bool) {
	value, ok := job.Annotations[ScheduledTimeAnnotation]
	if !ok || IsManual(job) {
		return time.Time{}, false
	}
	scheduled, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, false
	}
	return scheduled, true
}

// Outcome is how a run ended.
type Outcome struct {
	// Finished says the run's Job has ended, one way or the other.
	Finished bool
	// Succeeded says it ended with its completions reached.
	Succeeded bool
	// At is when it ended: the Job's completion time, or its condition's transition time.
	At time.Time
}

// OutcomeOf reads how job's run ended from its Complete and Failed conditions.
func OutcomeOf(job *batchv1.Job) Outcome {
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue || (c.Type != batchv1.JobComplete && c.Type != batchv1.JobFailed) {
			continue
		}
		outcome := Outcome{Finished: true, Succeeded: c.Type == batchv1.JobComplete, At: c.LastTransitionTime.Time}
		if outcome.Succeeded && job.Status.CompletionTime != nil {
			outcome.At = job.Status.CompletionTime.Time
		}
		return outcome
	}
	return Outcome{}
}
