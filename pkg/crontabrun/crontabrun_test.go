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
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

func cronTab() *examplev1.CronTab {
	return &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "report", UID: types.UID("ct-uid")},
		Spec: examplev1.CronTabSpec{
			CronSpec:              "*/5 * * * *",
			Image:                 "busybox:1.36",
			Replicas:              ptr.To[int32](3),
			Command:               []string{"sh", "-c"},
			Args:                  []string{"date"},
			BackoffLimit:          ptr.To[int32](2),
			ActiveDeadlineSeconds: ptr.To[int64](600),
		},
	}
}

func TestJobName(t *testing.T) {
	tests := []struct {
		name      string
		scheduled time.Time
		want      string
	}{
		{name: "unix minutes", scheduled: time.Date(2026, 1, 1, 12, 5, 0, 0, time.UTC), want: "report-29454485"},
		{name: "the zone does not matter", scheduled: time.Date(2026, 1, 1, 13, 5, 0, 0, time.FixedZone("CET", 3600)), want: "report-29454485"},
		{name: "seconds within the minute do not matter", scheduled: time.Date(2026, 1, 1, 12, 5, 59, 0, time.UTC), want: "report-29454485"},
		{name: "the next minute differs", scheduled: time.Date(2026, 1, 1, 12, 6, 0, 0, time.UTC), want: "report-29454486"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := JobName("report", tc.scheduled); got != tc.want {
				t.Errorf("JobName = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewJob(t *testing.T) {
	ct := cronTab()
	scheduled := time.Date(2026, 1, 1, 12, 5, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name  string
		job   *batchv1.Job
		check func(t *testing.T, job *batchv1.Job)
	}{
		{name: "scheduled: deterministic name and scheduled time", job: NewJob(ct, scheduled), check: func(t *testing.T, job *batchv1.Job) {
			if job.Name != "report-29454425" || job.GenerateName != "" {
				t.Errorf("name = %q, generateName = %q", job.Name, job.GenerateName)
			}
			if got := job.Annotations[ScheduledTimeAnnotation]; got != "2026-01-01T11:05:00Z" {
				t.Errorf("scheduled time annotation = %q", got)
			}
			if got, ok := ScheduledTime(job); !ok || !got.Equal(scheduled) {
				t.Errorf("ScheduledTime = %v, %v", got, ok)
			}
			if IsManual(job) {
				t.Error("a scheduled run reads as manual")
			}
		}},
		{name: "manual: generated name, no scheduled time", job: NewManualJob(ct), check: func(t *testing.T, job *batchv1.Job) {
			if job.Name != "" || job.GenerateName != "report-manual-" {
				t.Errorf("name = %q, generateName = %q", job.Name, job.GenerateName)
			}
			if !IsManual(job) {
				t.Error("a manual run does not read as manual")
			}
			if _, ok := ScheduledTime(job); ok {
				t.Error("a manual run has a scheduled time")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := tc.job
			tc.check(t, job)
			if job.Namespace != "team" || job.Labels["example.com/crontab"] != "report" || job.Spec.Template.Labels["example.com/crontab"] != "report" {
				t.Errorf("namespace %q, labels %v, pod labels %v", job.Namespace, job.Labels, job.Spec.Template.Labels)
			}
			if ref := metav1.GetControllerOf(job); ref == nil || ref.UID != ct.UID || ref.Kind != "CronTab" || ref.APIVersion != "example.com/v1" || !ptr.Deref(ref.BlockOwnerDeletion, false) {
				t.Errorf("controller reference = %+v", ref)
			}
			if *job.Spec.Parallelism != 3 || *job.Spec.Completions != 3 || *job.Spec.BackoffLimit != 2 || *job.Spec.ActiveDeadlineSeconds != 600 {
				t.Errorf("spec = %+v", job.Spec)
			}
			pod := job.Spec.Template.Spec
			if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 {
				t.Fatalf("pod spec = %+v", pod)
			}
			if c := pod.Containers[0]; c.Image != "busybox:1.36" || len(c.Command) != 2 || len(c.Args) != 1 {
				t.Errorf("container = %+v", c)
			}
		})
	}
	if job := NewJob(&examplev1.CronTab{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, scheduled); *job.Spec.Parallelism != 1 {
		t.Errorf("unset replicas: parallelism = %d, want 1", *job.Spec.Parallelism)
	}
}

func TestOutcomeOf(t *testing.T) {
	ended := metav1.NewTime(time.Date(2026, 1, 1, 12, 6, 0, 0, time.UTC))
	completed := metav1.NewTime(time.Date(2026, 1, 1, 12, 7, 0, 0, time.UTC))
	condition := func(conditionType batchv1.JobConditionType, status corev1.ConditionStatus) batchv1.JobCondition {
		return batchv1.JobCondition{Type: conditionType, Status: status, LastTransitionTime: ended}
	}
	tests := []struct {
		name   string
		status batchv1.JobStatus
		want   Outcome
	}{
		{name: "running", status: batchv1.JobStatus{Active: 1}},
		{name: "suspended is not finished", status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{condition(batchv1.JobSuspended, corev1.ConditionTrue)}}},
		{name: "failure target alone is not finished", status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{condition(batchv1.JobFailureTarget, corev1.ConditionTrue)}}},
		{name: "complete false is not finished", status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{condition(batchv1.JobComplete, corev1.ConditionFalse)}}},
		{name: "complete, at the completion time", status: batchv1.JobStatus{CompletionTime: &completed, Conditions: []batchv1.JobCondition{condition(batchv1.JobComplete, corev1.ConditionTrue)}},
			want: Outcome{Finished: true, Succeeded: true, At: completed.Time}},
		{name: "complete without a completion time", status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{condition(batchv1.JobComplete, corev1.ConditionTrue)}},
			want: Outcome{Finished: true, Succeeded: true, At: ended.Time}},
		{name: "failed", status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{condition(batchv1.JobFailed, corev1.ConditionTrue)}},
			want: Outcome{Finished: true, At: ended.Time}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := OutcomeOf(&batchv1.Job{Status: tc.status})
			if got.Finished != tc.want.Finished || got.Succeeded != tc.want.Succeeded || !got.At.Equal(tc.want.At) {
				t.Errorf("OutcomeOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestScheduledTimeUnreadable(t *testing.T) {
	for _, annotations := range []map[string]string{nil, {ScheduledTimeAnnotation: "yesterday"}} {
		if _, ok := ScheduledTime(&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Annotations: annotations}}); ok {
			t.Errorf("ScheduledTime with annotations %v reads a time", annotations)
		}
	}
}
