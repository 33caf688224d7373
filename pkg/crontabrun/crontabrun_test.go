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
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
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

// internal is ct as NewJob reads it.
func internal(t *testing.T, ct *examplev1.CronTab) *example.CronTab {
	t.Helper()
	in, err := FromV1(ct)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestNewJobRunKind(t *testing.T) {
	ct := internal(t, cronTab())
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
		})
	}
}

// template is a v2 job template that uses what a platform team's nightly job needs.
func template() *batchv1.JobTemplateSpec {
	return &batchv1.JobTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"team": "data"}, Annotations: map[string]string{"owner": "data@example.com"}},
		Spec: batchv1.JobSpec{
			Parallelism:             ptr.To[int32](2),
			Completions:             ptr.To[int32](4),
			BackoffLimit:            ptr.To[int32](1),
			TTLSecondsAfterFinished: ptr.To[int32](3600),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "report"}, Annotations: map[string]string{"sidecar": "off"}},
				Spec: corev1.PodSpec{
					RestartPolicy:      corev1.RestartPolicyOnFailure,
					ServiceAccountName: "reporter",
					NodeSelector:       map[string]string{"pool": "batch"},
					Tolerations:        []corev1.Toleration{{Key: "batch", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
					ImagePullSecrets:   []corev1.LocalObjectReference{{Name: "registry"}},
					SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
					Volumes:            []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "report"}}}}},
					InitContainers:     []corev1.Container{{Name: "wait", Image: "busybox:1.36"}},
					Containers: []corev1.Container{
						{
							Name: "report", Image: "registry.example.com/report:2", Command: []string{"report"}, Args: []string{"--nightly"},
							Env:          []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}},
							EnvFrom:      []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}},
							VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/report"}},
							Resources:    corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}},
							SecurityContext: &corev1.SecurityContext{
								AllowPrivilegeEscalation: ptr.To(false),
								Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
							},
						},
						{Name: "uploader", Image: "registry.example.com/upload:1"},
					},
				},
			},
		},
	}
}

// v2CronTab is a CronTab written as v2 with template as its spec.jobTemplate.
func v2CronTab(template *batchv1.JobTemplateSpec) *example.CronTab {
	ct := &example.CronTab{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "report", UID: types.UID("ct-uid")}}
	ct.Spec.SetWholeJobTemplate(template.DeepCopy())
	return ct
}

// throughV1 is ct as a v1 client such as the controller reads it.
func throughV1(t *testing.T, ct *example.CronTab) *example.CronTab {
	t.Helper()
	v1 := &examplev1.CronTab{}
	if err := examplev1.Convert_example_CronTab_To_v1_CronTab(ct, v1, nil); err != nil {
		t.Fatal(err)
	}
	return internal(t, v1)
}

func TestNewJobFromTemplate(t *testing.T) {
	scheduled := time.Date(2026, 1, 1, 12, 5, 0, 0, time.UTC)
	// want is template as a run's Job holds it: the selector label added to the Job and its pods.
	want := func(template *batchv1.JobTemplateSpec) batchv1.Job {
		job := batchv1.Job{ObjectMeta: *template.ObjectMeta.DeepCopy(), Spec: *template.Spec.DeepCopy()}
		for _, labels := range []*map[string]string{&job.Labels, &job.Spec.Template.Labels} {
			if *labels == nil {
				*labels = map[string]string{}
			}
			(*labels)[example.CronTabSelectorLabel] = "report"
		}
		if job.Annotations == nil {
			job.Annotations = map[string]string{}
		}
		job.Annotations[ScheduledTimeAnnotation] = "2026-01-01T12:05:00Z"
		return job
	}
	v1Shape := &batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
		Parallelism: ptr.To[int32](3), Completions: ptr.To[int32](3), BackoffLimit: ptr.To[int32](2), ActiveDeadlineSeconds: ptr.To[int64](600),
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: example.ContainerName, Image: "busybox:1.36", Command: []string{"sh", "-c"}, Args: []string{"date"}}},
		}},
	}}
	tests := []struct {
		name string
		ct   func(t *testing.T) *example.CronTab
		want batchv1.Job
	}{
		{name: "v1: replicas pods to completion, one container, never restarted",
			ct: func(t *testing.T) *example.CronTab { return internal(t, cronTab()) }, want: want(v1Shape)},
		{name: "v2: every field of the template kept",
			ct: func(*testing.T) *example.CronTab { return v2CronTab(template()) }, want: want(template())},
		{name: "v2 read through v1, as the controller and the plugin read it: every field kept",
			ct: func(t *testing.T) *example.CronTab { return throughV1(t, v2CronTab(template())) }, want: want(template())},
		{name: "v2 scaled: parallelism follows replicas, completions stay the template's",
			ct: func(*testing.T) *example.CronTab {
				ct := v2CronTab(template())
				ct.Spec.Replicas = 5
				return ct
			},
			want: func() batchv1.Job {
				job := want(template())
				job.Spec.Parallelism = ptr.To[int32](5)
				return job
			}()},
		// As a Job's: parallelism without completions is a work queue, which v2 can say.
		{name: "v2 without completions or restart policy: a work queue, pods restart never",
			ct: func(*testing.T) *example.CronTab {
				t := template()
				t.Spec.Completions, t.Spec.Template.Spec.RestartPolicy = nil, ""
				return v2CronTab(t)
			},
			want: func() batchv1.Job {
				job := want(template())
				job.Spec.Completions, job.Spec.Template.Spec.RestartPolicy = nil, corev1.RestartPolicyNever
				return job
			}()},
		{name: "the template cannot move the run to another CronTab or make it manual",
			ct: func(*testing.T) *example.CronTab {
				t := template()
				t.Labels[example.CronTabSelectorLabel] = "other"
				t.Spec.Template.Labels[example.CronTabSelectorLabel] = "other"
				t.Annotations[RunAnnotation] = ManualRun
				return v2CronTab(t)
			},
			want: want(template())},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.ct(t)
			before := ct.DeepCopy()
			job := NewJob(ct, scheduled)
			if !apiequality.Semantic.DeepEqual(job.Labels, tc.want.Labels) || !apiequality.Semantic.DeepEqual(job.Annotations, tc.want.Annotations) {
				t.Errorf("labels %v, annotations %v; want %v, %v", job.Labels, job.Annotations, tc.want.Labels, tc.want.Annotations)
			}
			if !apiequality.Semantic.DeepEqual(job.Spec, tc.want.Spec) {
				t.Errorf("spec differs from the template's (-want +got):\n%s", diff.Diff(tc.want.Spec, job.Spec))
			}
			if !apiequality.Semantic.DeepEqual(ct, before) {
				t.Error("NewJob changed the CronTab")
			}
			if manual := NewManualJob(ct); !apiequality.Semantic.DeepEqual(manual.Spec, tc.want.Spec) || IsManual(job) || !IsManual(manual) {
				t.Errorf("a manual run's spec differs from a scheduled one's, or the kinds are mixed up")
			}
		})
	}
	if job := NewJob(internal(t, &examplev1.CronTab{ObjectMeta: metav1.ObjectMeta{Name: "x"}}), scheduled); *job.Spec.Parallelism != 1 || *job.Spec.Completions != 1 {
		t.Errorf("unset replicas: parallelism %d, completions %d; want 1", *job.Spec.Parallelism, *job.Spec.Completions)
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
