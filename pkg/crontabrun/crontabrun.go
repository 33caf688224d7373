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
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

const (
	// ScheduledTimeAnnotation holds a scheduled run's time in RFC 3339. It is the annotation
	// CronJobs use, so tools that read it for CronJobs read it for CronTabs too.
	ScheduledTimeAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"
	// RunAnnotation marks a run started by hand; its value is ManualRun.
	RunAnnotation = "example.com/run"
	// ManualRun is RunAnnotation's value on a run started by hand.
	ManualRun = "manual"
	// ContainerName is the name of the one container a run starts.
	ContainerName = "crontab"
)

// JobName is the name of the Job of the run scheduled at scheduled: the same for every attempt
// to create it, so a controller that crashes between creating a Job and recording it finds
// the Job again instead of starting the run twice. Cron schedules are minute-grained; an
// "@every" schedule shorter than a minute gets at most one run a minute (the controller
// counts the others as missed when it finds the minute's Job scheduled for another time).
func JobName(cronTabName string, scheduled time.Time) string {
	return cronTabName + "-" + strconv.FormatInt(scheduled.Unix()/60, 10)
}

// NewJob returns the Job of ct's run scheduled at scheduled.
func NewJob(ct *examplev1.CronTab, scheduled time.Time) *batchv1.Job {
	job := newJob(ct)
	job.Name = JobName(ct.Name, scheduled)
	job.Annotations = map[string]string{ScheduledTimeAnnotation: scheduled.UTC().Format(time.RFC3339)}
	return job
}

// NewManualJob returns the Job of a run of ct started by hand, named <crontab>-manual-<random
// suffix> by the API server. The controller keeps it in status.active while it runs and
// prunes it with the history, but it is no scheduled run: it neither sets lastScheduleTime
// nor counts for the concurrency policy.
func NewManualJob(ct *examplev1.CronTab) *batchv1.Job {
	job := newJob(ct)
	job.GenerateName = ct.Name + "-" + ManualRun + "-"
	job.Annotations = map[string]string{RunAnnotation: ManualRun}
	return job
}

func newJob(ct *examplev1.CronTab) *batchv1.Job {
	labels := map[string]string{example.CronTabSelectorLabel: ct.Name}
	replicas := ptr.Deref(ct.Spec.Replicas, 1)
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ct.Namespace,
			Labels:    labels,
			// A controller reference: the CronTab's runs are found by it, and the garbage
			// collector deletes them with their CronTab.
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ct, examplev1.SchemeGroupVersion.WithKind("CronTab"))},
		},
		Spec: batchv1.JobSpec{
			Parallelism:           ptr.To(replicas),
			Completions:           ptr.To(replicas),
			BackoffLimit:          ct.Spec.BackoffLimit,
			ActiveDeadlineSeconds: ct.Spec.ActiveDeadlineSeconds,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:    ContainerName,
						Image:   ct.Spec.Image,
						Command: ct.Spec.Command,
						Args:    ct.Spec.Args,
					}},
				},
			},
		},
	}
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
