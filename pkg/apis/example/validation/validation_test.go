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

package validation

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/example"
)

// wantErr is the part of a field.Error a test pins down: its type and its path.
type wantErr struct {
	Type  field.ErrorType
	Field string
}

func (w wantErr) String() string { return fmt.Sprintf("%s: %s", w.Field, w.Type) }

// checkErrors fails unless errs has exactly the wanted (type, path) pairs, in any order.
func checkErrors(t *testing.T, errs field.ErrorList, want []wantErr) {
	t.Helper()
	got := make([]string, 0, len(errs))
	for _, e := range errs {
		got = append(got, wantErr{Type: e.Type, Field: e.Field}.String())
	}
	wanted := make([]string, 0, len(want))
	for _, w := range want {
		wanted = append(wanted, w.String())
	}
	sort.Strings(got)
	sort.Strings(wanted)
	if strings.Join(got, "\n") != strings.Join(wanted, "\n") {
		t.Errorf("got errors:\n  %s\nwant:\n  %s\nfull errors: %v", strings.Join(got, "\n  "), strings.Join(wanted, "\n  "), errs)
	}
}

// validCronTab is the CronTab of artifacts/examples/my-crontab.yaml, with the defaults decoding applies.
func validCronTab() *example.CronTab {
	return &example.CronTab{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "my-new-cron-object"},
		Spec: example.CronTabSpec{
			CronSpec:                   "* * * * */5",
			Image:                      "my-awesome-cron-image",
			Replicas:                   1,
			ConcurrencyPolicy:          example.AllowConcurrent,
			SuccessfulJobsHistoryLimit: 3,
			FailedJobsHistoryLimit:     1,
		},
	}
}

func int32Ptr(i int32) *int32 { return &i }
func int64Ptr(i int64) *int64 { return &i }

func TestValidateCronTab(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(ct *example.CronTab)
		want   []wantErr
	}{
		{name: "valid object", mutate: func(*example.CronTab) {}},
		{name: "descriptor schedule", mutate: func(ct *example.CronTab) { ct.Spec.CronSpec = "@hourly" }},
		{name: "fully qualified image with digest", mutate: func(ct *example.CronTab) {
			ct.Spec.Image = "registry.example.com/team/job:1.0@sha256:" + strings.Repeat("a", 64)
		}},
		{
			name:   "minute out of range",
			mutate: func(ct *example.CronTab) { ct.Spec.CronSpec = "61 * * * *" },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.cronSpec"}},
		},
		{
			name:   "time zone inside the expression",
			mutate: func(ct *example.CronTab) { ct.Spec.CronSpec = "CRON_TZ=UTC 0 * * * *" },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.cronSpec"}},
		},
		{
			name:   "empty cronSpec",
			mutate: func(ct *example.CronTab) { ct.Spec.CronSpec = "" },
			want:   []wantErr{{field.ErrorTypeRequired, "spec.cronSpec"}},
		},
		{
			name:   "upper-case image",
			mutate: func(ct *example.CronTab) { ct.Spec.Image = "UPPER/Case:tag" },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.image"}},
		},
		{
			name:   "two tags",
			mutate: func(ct *example.CronTab) { ct.Spec.Image = "foo:bar:baz" },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.image"}},
		},
		{
			name:   "empty image",
			mutate: func(ct *example.CronTab) { ct.Spec.Image = "" },
			want:   []wantErr{{field.ErrorTypeRequired, "spec.image"}},
		},
		{
			name:   "negative replicas",
			mutate: func(ct *example.CronTab) { ct.Spec.Replicas = -1 },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.replicas"}},
		},
		{
			name:   "too many replicas",
			mutate: func(ct *example.CronTab) { ct.Spec.Replicas = MaxReplicas + 1 },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.replicas"}},
		},
		{name: "zero replicas", mutate: func(ct *example.CronTab) { ct.Spec.Replicas = 0 }},
		{name: "maximum replicas", mutate: func(ct *example.CronTab) { ct.Spec.Replicas = MaxReplicas }},
		{name: "IANA time zone", mutate: func(ct *example.CronTab) { ct.Spec.TimeZone = "Asia/Shanghai" }},
		{
			name:   "unknown time zone",
			mutate: func(ct *example.CronTab) { ct.Spec.TimeZone = "Nowhere/Zone" },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.timeZone"}},
		},
		{
			name:   "Local time zone",
			mutate: func(ct *example.CronTab) { ct.Spec.TimeZone = "Local" },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.timeZone"}},
		},
		{
			name:   "missing namespace",
			mutate: func(ct *example.CronTab) { ct.Namespace = "" },
			want:   []wantErr{{field.ErrorTypeRequired, "metadata.namespace"}},
		},
		{
			name:   "bad name",
			mutate: func(ct *example.CronTab) { ct.Name = "My_Cron" },
			want:   []wantErr{{field.ErrorTypeInvalid, "metadata.name"}},
		},
		{
			name:   "missing name",
			mutate: func(ct *example.CronTab) { ct.Name = "" },
			want:   []wantErr{{field.ErrorTypeRequired, "metadata.name"}},
		},
		{name: "every run field set", mutate: func(ct *example.CronTab) {
			ct.Spec.Command = []string{"/bin/sh", "-c"}
			ct.Spec.Args = []string{"date; echo done"}
			ct.Spec.Suspend = true
			ct.Spec.ConcurrencyPolicy = example.ReplaceConcurrent
			ct.Spec.StartingDeadlineSeconds = int64Ptr(200)
			ct.Spec.SuccessfulJobsHistoryLimit = 10
			ct.Spec.FailedJobsHistoryLimit = 5
			ct.Spec.BackoffLimit = int32Ptr(4)
			ct.Spec.ActiveDeadlineSeconds = int64Ptr(3600)
		}},
		// A container takes any strings as command and args, so a CronTab does too.
		{name: "empty command and args entries", mutate: func(ct *example.CronTab) {
			ct.Spec.Command = []string{""}
			ct.Spec.Args = []string{"", " "}
		}},
		{name: "Forbid policy", mutate: func(ct *example.CronTab) { ct.Spec.ConcurrencyPolicy = example.ForbidConcurrent }},
		{
			name:   "unknown concurrency policy",
			mutate: func(ct *example.CronTab) { ct.Spec.ConcurrencyPolicy = "forbid" },
			want:   []wantErr{{field.ErrorTypeNotSupported, "spec.concurrencyPolicy"}},
		},
		{
			name:   "empty concurrency policy",
			mutate: func(ct *example.CronTab) { ct.Spec.ConcurrencyPolicy = "" },
			want:   []wantErr{{field.ErrorTypeRequired, "spec.concurrencyPolicy"}},
		},
		{name: "zero startingDeadlineSeconds", mutate: func(ct *example.CronTab) { ct.Spec.StartingDeadlineSeconds = int64Ptr(0) }},
		{
			name:   "negative startingDeadlineSeconds",
			mutate: func(ct *example.CronTab) { ct.Spec.StartingDeadlineSeconds = int64Ptr(-1) },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.startingDeadlineSeconds"}},
		},
		{name: "a stagger window of a day", mutate: func(ct *example.CronTab) { ct.Spec.StaggerWindowSeconds = int64Ptr(MaxStaggerWindowSeconds) }},
		{
			name:   "a zero stagger window",
			mutate: func(ct *example.CronTab) { ct.Spec.StaggerWindowSeconds = int64Ptr(0) },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.staggerWindowSeconds"}},
		},
		{
			name:   "a stagger window over a day",
			mutate: func(ct *example.CronTab) { ct.Spec.StaggerWindowSeconds = int64Ptr(MaxStaggerWindowSeconds + 1) },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.staggerWindowSeconds"}},
		},
		{
			name: "a stagger window on an interval schedule",
			mutate: func(ct *example.CronTab) {
				ct.Spec.CronSpec = "@every 1h"
				ct.Spec.StaggerWindowSeconds = int64Ptr(60)
			},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.staggerWindowSeconds"}},
		},
		{name: "zero history limits keep no Jobs", mutate: func(ct *example.CronTab) {
			ct.Spec.SuccessfulJobsHistoryLimit = 0
			ct.Spec.FailedJobsHistoryLimit = 0
		}},
		{
			name:   "negative successfulJobsHistoryLimit",
			mutate: func(ct *example.CronTab) { ct.Spec.SuccessfulJobsHistoryLimit = -1 },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.successfulJobsHistoryLimit"}},
		},
		{
			name:   "negative failedJobsHistoryLimit",
			mutate: func(ct *example.CronTab) { ct.Spec.FailedJobsHistoryLimit = -1 },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.failedJobsHistoryLimit"}},
		},
		{name: "zero backoffLimit", mutate: func(ct *example.CronTab) { ct.Spec.BackoffLimit = int32Ptr(0) }},
		{
			name:   "negative backoffLimit",
			mutate: func(ct *example.CronTab) { ct.Spec.BackoffLimit = int32Ptr(-1) },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.backoffLimit"}},
		},
		{name: "one second activeDeadlineSeconds", mutate: func(ct *example.CronTab) { ct.Spec.ActiveDeadlineSeconds = int64Ptr(1) }},
		{
			name:   "zero activeDeadlineSeconds",
			mutate: func(ct *example.CronTab) { ct.Spec.ActiveDeadlineSeconds = int64Ptr(0) },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.activeDeadlineSeconds"}},
		},
		{
			name:   "negative activeDeadlineSeconds",
			mutate: func(ct *example.CronTab) { ct.Spec.ActiveDeadlineSeconds = int64Ptr(-5) },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.activeDeadlineSeconds"}},
		},
		{name: "name of the maximum length", mutate: func(ct *example.CronTab) { ct.Name = strings.Repeat("a", MaxCronTabNameLength) }},
		{
			name:   "name one character too long for its Jobs",
			mutate: func(ct *example.CronTab) { ct.Name = strings.Repeat("a", MaxCronTabNameLength+1) },
			want:   []wantErr{{field.ErrorTypeInvalid, "metadata.name"}},
		},
		{
			name: "several bad fields at once",
			mutate: func(ct *example.CronTab) {
				ct.Namespace = ""
				ct.Spec = example.CronTabSpec{CronSpec: "61 * * * *", Image: "foo:bar:baz", Replicas: -1, TimeZone: "Nowhere/Zone",
					ConcurrencyPolicy: "Sometimes", BackoffLimit: int32Ptr(-1)}
			},
			want: []wantErr{
				{field.ErrorTypeRequired, "metadata.namespace"},
				{field.ErrorTypeInvalid, "spec.cronSpec"},
				{field.ErrorTypeInvalid, "spec.image"},
				{field.ErrorTypeInvalid, "spec.replicas"},
				{field.ErrorTypeInvalid, "spec.timeZone"},
				{field.ErrorTypeNotSupported, "spec.concurrencyPolicy"},
				{field.ErrorTypeInvalid, "spec.backoffLimit"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := validCronTab()
			tc.mutate(ct)
			checkErrors(t, ValidateCronTab(ct), tc.want)
		})
	}
}

func TestValidateCronTabErrorDetails(t *testing.T) {
	ct := validCronTab()
	ct.Spec.CronSpec = "61 * * * *"
	errs := ValidateCronTab(ct)
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1: %v", len(errs), errs)
	}
	if errs[0].BadValue != "61 * * * *" {
		t.Errorf("bad value = %#v, want the expression", errs[0].BadValue)
	}
	if !strings.Contains(errs[0].Detail, "above maximum") {
		t.Errorf("detail = %q, want the parser's reason", errs[0].Detail)
	}
}

func TestValidateCronTabUpdate(t *testing.T) {
	old := validCronTab()
	old.ResourceVersion = "1"

	tests := []struct {
		name   string
		mutate func(ct *example.CronTab)
		want   []wantErr
	}{
		{name: "new schedule", mutate: func(ct *example.CronTab) { ct.Spec.CronSpec = "@daily" }},
		{
			name:   "invalid spec",
			mutate: func(ct *example.CronTab) { ct.Spec.Replicas = 1001 },
			want:   []wantErr{{field.ErrorTypeInvalid, "spec.replicas"}},
		},
		{
			name:   "invalid run field",
			mutate: func(ct *example.CronTab) { ct.Spec.ConcurrencyPolicy = "Never" },
			want:   []wantErr{{field.ErrorTypeNotSupported, "spec.concurrencyPolicy"}},
		},
		{
			name:   "rename",
			mutate: func(ct *example.CronTab) { ct.Name = "other" },
			want:   []wantErr{{field.ErrorTypeInvalid, "metadata.name"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := old.DeepCopy()
			tc.mutate(ct)
			checkErrors(t, ValidateCronTabUpdate(ct, old), tc.want)
		})
	}
}

// TestLongNameKeepsWorkingOnUpdate checks that a CronTab created before names were limited
// can still be updated, through the main resource and the status subresource.
func TestLongNameKeepsWorkingOnUpdate(t *testing.T) {
	old := validCronTab()
	// Longer than a label value too, as the label the runs get would hold it.
	old.Name = strings.Repeat("a", 100)
	old.ResourceVersion = "1"
	checkErrors(t, ValidateCronTab(old), []wantErr{{field.ErrorTypeInvalid, "metadata.name"}})

	ct := old.DeepCopy()
	ct.Spec.Suspend = true
	checkErrors(t, ValidateCronTabUpdate(ct, old), nil)
	ct.Status.RunningPods = 2
	checkErrors(t, ValidateCronTabStatusUpdate(ct, old), nil)
}

func validCondition() metav1.Condition {
	return metav1.Condition{
		Type:               "Ready",
		Status:             metav1.ConditionTrue,
		Reason:             "Scheduled",
		Message:            "the schedule is running",
		LastTransitionTime: metav1.NewTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
}

func TestValidateCronTabStatus(t *testing.T) {
	scheduled := metav1.NewTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		name   string
		status example.CronTabStatus
		want   []wantErr
	}{
		{name: "empty"},
		{
			name: "valid",
			status: example.CronTabStatus{
				Replicas:           3,
				Selector:           "example.com/crontab=my-new-cron-object",
				Conditions:         []metav1.Condition{validCondition()},
				ObservedGeneration: 2,
			},
		},
		{
			name: "a run in progress",
			status: example.CronTabStatus{
				Replicas:           2,
				Active:             []corev1.ObjectReference{{Kind: "Job", APIVersion: "batch/v1", Namespace: "default", Name: "my-new-cron-object-29000000"}},
				LastScheduleTime:   &scheduled,
				LastSuccessfulTime: &scheduled,
				NextScheduleTime:   &scheduled,
				LastMissedTime:     &scheduled,
				MissedRuns:         3,
				RunningPods:        2,
			},
		},
		{
			name:   "negative replicas",
			status: example.CronTabStatus{Replicas: -1},
			want:   []wantErr{{field.ErrorTypeInvalid, "status.replicas"}},
		},
		{
			name:   "active Job without a name",
			status: example.CronTabStatus{Active: []corev1.ObjectReference{{Name: "a"}, {Kind: "Job", Namespace: "default"}}},
			want:   []wantErr{{field.ErrorTypeRequired, "status.active[1].name"}},
		},
		{
			name:   "negative missedRuns",
			status: example.CronTabStatus{MissedRuns: -1},
			want:   []wantErr{{field.ErrorTypeInvalid, "status.missedRuns"}},
		},
		{
			name:   "negative runningPods",
			status: example.CronTabStatus{RunningPods: -1},
			want:   []wantErr{{field.ErrorTypeInvalid, "status.runningPods"}},
		},
		{
			name:   "negative observedGeneration",
			status: example.CronTabStatus{ObservedGeneration: -1},
			want:   []wantErr{{field.ErrorTypeInvalid, "status.observedGeneration"}},
		},
		{
			name:   "unparsable selector",
			status: example.CronTabStatus{Selector: "a in (b"},
			want:   []wantErr{{field.ErrorTypeInvalid, "status.selector"}},
		},
		{
			name: "condition without type",
			status: example.CronTabStatus{Conditions: []metav1.Condition{func() metav1.Condition {
				c := validCondition()
				c.Type = ""
				return c
			}()}},
			want: []wantErr{{field.ErrorTypeRequired, "status.conditions[0].type"}},
		},
		{
			name: "condition with a bad status",
			status: example.CronTabStatus{Conditions: []metav1.Condition{func() metav1.Condition {
				c := validCondition()
				c.Status = "Maybe"
				return c
			}()}},
			want: []wantErr{{field.ErrorTypeNotSupported, "status.conditions[0].status"}},
		},
		{
			name:   "duplicate condition types",
			status: example.CronTabStatus{Conditions: []metav1.Condition{validCondition(), validCondition()}},
			want:   []wantErr{{field.ErrorTypeDuplicate, "status.conditions[1]"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErrors(t, ValidateCronTabStatus(&tc.status, field.NewPath("status")), tc.want)
		})
	}
}

func TestValidateCronTabStatusUpdate(t *testing.T) {
	old := validCronTab()
	old.ResourceVersion = "1"

	ct := old.DeepCopy()
	ct.Status = example.CronTabStatus{Replicas: 1, ObservedGeneration: 1, Conditions: []metav1.Condition{validCondition()}}
	checkErrors(t, ValidateCronTabStatusUpdate(ct, old), nil)

	ct.Status.Replicas = -5
	checkErrors(t, ValidateCronTabStatusUpdate(ct, old), []wantErr{{field.ErrorTypeInvalid, "status.replicas"}})
}

func TestValidateScaleReplicas(t *testing.T) {
	tests := []struct {
		replicas int32
		wantErr  bool
	}{
		{replicas: -1, wantErr: true},
		{replicas: 0},
		{replicas: 5},
		{replicas: MaxReplicas},
		{replicas: MaxReplicas + 1, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.replicas), func(t *testing.T) {
			var want []wantErr
			if tc.wantErr {
				want = []wantErr{{field.ErrorTypeInvalid, "spec.replicas"}}
			}
			checkErrors(t, ValidateScaleReplicas(tc.replicas), want)
		})
	}
}

func TestValidateCustomResource(t *testing.T) {
	tests := []struct {
		name string
		cr   example.CustomResource
		want []wantErr
	}{
		{
			name: "default message",
			cr:   example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "my-new-custom-object"}, Spec: example.CustomResourceSpec{Message: "Hello from Custom Resource API!"}},
		},
		{
			name: "message of the maximum size",
			cr:   example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "big"}, Spec: example.CustomResourceSpec{Message: strings.Repeat("x", MaxMessageBytes)}},
		},
		{
			name: "message one byte too long",
			cr:   example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "big"}, Spec: example.CustomResourceSpec{Message: strings.Repeat("x", MaxMessageBytes+1)}},
			want: []wantErr{{field.ErrorTypeTooLong, "spec.message"}},
		},
		{
			name: "message limit counts bytes, not characters",
			cr:   example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "big"}, Spec: example.CustomResourceSpec{Message: strings.Repeat("é", MaxMessageBytes/2+1)}},
			want: []wantErr{{field.ErrorTypeTooLong, "spec.message"}},
		},
		{
			name: "cluster-scoped object with a namespace",
			cr:   example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "default"}},
			want: []wantErr{{field.ErrorTypeForbidden, "metadata.namespace"}},
		},
		{
			name: "bad name",
			cr:   example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "Not_A_Name"}},
			want: []wantErr{{field.ErrorTypeInvalid, "metadata.name"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErrors(t, ValidateCustomResource(&tc.cr), tc.want)
		})
	}
}

func TestValidateCustomResourceUpdate(t *testing.T) {
	old := &example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "x", ResourceVersion: "1"}, Spec: example.CustomResourceSpec{Message: "hi"}}

	cr := old.DeepCopy()
	cr.Spec.Message = "hello"
	checkErrors(t, ValidateCustomResourceUpdate(cr, old), nil)

	cr.Spec.Message = strings.Repeat("x", MaxMessageBytes+1)
	checkErrors(t, ValidateCustomResourceUpdate(cr, old), []wantErr{{field.ErrorTypeTooLong, "spec.message"}})
}

// TestInvalidUTF8IsRejected covers text only a protobuf body can carry unchanged: each string
// that is not UTF-8 is named by its JSON path.
func TestInvalidUTF8IsRejected(t *testing.T) {
	const bad = "caf\xe9"
	tests := []struct {
		name     string
		validate func() field.ErrorList
		want     []wantErr
	}{
		{
			name: "annotation value",
			validate: func() field.ErrorList {
				ct := validCronTab()
				ct.Annotations = map[string]string{"example.com/note": bad, "example.com/fine": "café"}
				return ValidateCronTab(ct)
			},
			want: []wantErr{{field.ErrorTypeInvalid, "metadata.annotations[example.com/note]"}},
		},
		{
			name: "managed fields manager on update",
			validate: func() field.ErrorList {
				old := validCronTab()
				old.ResourceVersion = "1"
				ct := old.DeepCopy()
				ct.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: bad, Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "example.com/v1"}}
				return ValidateCronTabUpdate(ct, old)
			},
			want: []wantErr{{field.ErrorTypeInvalid, "metadata.managedFields[0].manager"}},
		},
		{
			name: "condition message on a status update",
			validate: func() field.ErrorList {
				old := validCronTab()
				old.ResourceVersion = "1"
				ct := old.DeepCopy()
				c := validCondition()
				c.Message = bad
				ct.Status.Conditions = []metav1.Condition{c}
				return ValidateCronTabStatusUpdate(ct, old)
			},
			want: []wantErr{{field.ErrorTypeInvalid, "status.conditions[0].message"}},
		},
		{
			// Deep in the template, and beside fields of types that hold no text.
			name: "job template init container env value and probe port name",
			validate: func() field.ErrorList {
				ct := validCronTab()
				ct.Spec.JobTemplate.Spec.Template.Spec.InitContainers = []corev1.Container{{
					Name:  "setup",
					Image: "setup:1",
					Env:   []corev1.EnvVar{{Name: "FINE", Value: "café"}, {Name: "NOTE", Value: bad}},
					StartupProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
						HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromString(bad)},
					}},
				}}
				return ValidateCronTab(ct)
			},
			want: []wantErr{
				{field.ErrorTypeInvalid, "spec.jobTemplate.spec.template.spec.initContainers[0].env[1].value"},
				{field.ErrorTypeInvalid, "spec.jobTemplate.spec.template.spec.initContainers[0].startupProbe.httpGet.port.strVal"},
			},
		},
		{
			name: "custom resource message",
			validate: func() field.ErrorList {
				return ValidateCustomResource(&example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "hello"}, Spec: example.CustomResourceSpec{Message: bad}})
			},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.message"}},
		},
		{
			name: "custom resource message on update",
			validate: func() field.ErrorList {
				old := &example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "hello", ResourceVersion: "1"}}
				cr := old.DeepCopy()
				cr.Spec.Message = bad
				return ValidateCustomResourceUpdate(cr, old)
			},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.message"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkErrors(t, tc.validate(), tc.want) })
	}
}

// BenchmarkValidateCronTab is the validation every create pays (make bench-inprocess runs the
// server-level benchmarks; this isolates the field rules).
func BenchmarkValidateCronTab(b *testing.B) {
	ct := validCronTab()
	ct.Labels = map[string]string{"app": "nightly", "tier": "batch"}
	ct.Annotations = map[string]string{"example.com/owner": "team-a", "example.com/note": "runs the nightly export"}
	b.ReportAllocs()
	for b.Loop() {
		if errs := ValidateCronTab(ct); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
