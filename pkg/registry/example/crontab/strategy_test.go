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
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	scalescheme "k8s.io/client-go/scale/scheme"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/example-apiserver/pkg/apis/example"
)

func newScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := example.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return scheme
}

// storedCronTab is the CronTab of artifacts/examples/my-crontab.yaml, as stored (generation 1, selector set).
func storedCronTab() *example.CronTab {
	return &example.CronTab{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       "default",
			Name:            "my-new-cron-object",
			Generation:      1,
			ResourceVersion: "10",
			Labels:          map[string]string{"team": "a"},
		},
		Spec: example.CronTabSpec{
			CronSpec:                   "* * * * */5",
			Image:                      "my-awesome-cron-image",
			Replicas:                   1,
			ConcurrencyPolicy:          example.AllowConcurrent,
			SuccessfulJobsHistoryLimit: 3,
			FailedJobsHistoryLimit:     1,
		},
		Status: example.CronTabStatus{
			Replicas:           1,
			Selector:           "example.com/crontab=my-new-cron-object",
			ObservedGeneration: 1,
			Conditions: []metav1.Condition{{
				Type: "Ready", Status: metav1.ConditionTrue, Reason: "Scheduled",
				LastTransitionTime: metav1.NewTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
			}},
			// A run in progress: what a spec update must leave alone.
			Active:           []corev1.ObjectReference{{Kind: "Job", APIVersion: "batch/v1", Namespace: "default", Name: "my-new-cron-object-29000000"}},
			LastScheduleTime: &lastSchedule,
			NextScheduleTime: &nextSchedule,
			MissedRuns:       2,
			RunningPods:      1,
		},
	}
}

var (
	lastSchedule = metav1.NewTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	nextSchedule = metav1.NewTime(time.Date(2025, 1, 1, 0, 5, 0, 0, time.UTC))
)

func TestSelector(t *testing.T) {
	if got, want := Selector("my-new-cron-object"), "example.com/crontab=my-new-cron-object"; got != want {
		t.Errorf("Selector() = %q, want %q", got, want)
	}
}

func TestPrepareForCreate(t *testing.T) {
	s := NewStrategy(newScheme(t))
	ct := storedCronTab()
	ct.Generation = 7
	ct.Status = example.CronTabStatus{Replicas: 42, Selector: "evil=true", ObservedGeneration: 9, MissedRuns: 4,
		Active: []corev1.ObjectReference{{Name: "not-a-run"}}, LastScheduleTime: &lastSchedule}

	s.PrepareForCreate(context.Background(), ct)

	if ct.Generation != 1 {
		t.Errorf("generation = %d, want 1", ct.Generation)
	}
	want := example.CronTabStatus{Selector: "example.com/crontab=my-new-cron-object"}
	if !reflect.DeepEqual(ct.Status, want) {
		t.Errorf("status = %+v, want %+v (cleared, with the derived selector)", ct.Status, want)
	}
	if !reflect.DeepEqual(ct.Spec, storedCronTab().Spec) {
		t.Errorf("spec changed: %+v", ct.Spec)
	}
}

func TestPrepareForUpdate(t *testing.T) {
	tests := []struct {
		name           string
		mutate         func(ct *example.CronTab)
		wantGeneration int64
	}{
		{name: "no change", mutate: func(*example.CronTab) {}, wantGeneration: 1},
		{name: "label change", mutate: func(ct *example.CronTab) { ct.Labels = map[string]string{"team": "b"} }, wantGeneration: 1},
		{name: "annotation change", mutate: func(ct *example.CronTab) { ct.Annotations = map[string]string{"note": "x"} }, wantGeneration: 1},
		{name: "status change only", mutate: func(ct *example.CronTab) { ct.Status.Replicas = 99 }, wantGeneration: 1},
		{name: "schedule change", mutate: func(ct *example.CronTab) { ct.Spec.CronSpec = "@hourly" }, wantGeneration: 2},
		{name: "replicas change", mutate: func(ct *example.CronTab) { ct.Spec.Replicas = 3 }, wantGeneration: 2},
		{name: "time zone change", mutate: func(ct *example.CronTab) { ct.Spec.TimeZone = "Asia/Shanghai" }, wantGeneration: 2},
		{name: "suspend", mutate: func(ct *example.CronTab) { ct.Spec.Suspend = true }, wantGeneration: 2},
		{name: "command change", mutate: func(ct *example.CronTab) { ct.Spec.Command = []string{"/bin/true"} }, wantGeneration: 2},
		{name: "policy change", mutate: func(ct *example.CronTab) { ct.Spec.ConcurrencyPolicy = example.ForbidConcurrent }, wantGeneration: 2},
	}
	s := NewStrategy(newScheme(t))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := storedCronTab()
			ct := old.DeepCopy()
			// A client cannot write status through the main resource, nor clear it.
			ct.Status = example.CronTabStatus{Replicas: 5, Selector: "evil=true", ObservedGeneration: 3}
			tc.mutate(ct)

			s.PrepareForUpdate(context.Background(), ct, old)

			if ct.Generation != tc.wantGeneration {
				t.Errorf("generation = %d, want %d", ct.Generation, tc.wantGeneration)
			}
			if !reflect.DeepEqual(ct.Status, old.Status) {
				t.Errorf("status = %+v, want the stored %+v", ct.Status, old.Status)
			}
			if !reflect.DeepEqual(old, storedCronTab()) {
				t.Errorf("old object was modified: %+v", old)
			}
		})
	}
}

func TestPrepareForUpdateDerivesSelector(t *testing.T) {
	s := NewStrategy(newScheme(t))
	old := storedCronTab()
	old.Status.Selector = "" // e.g. stored before the selector existed
	ct := old.DeepCopy()
	s.PrepareForUpdate(context.Background(), ct, old)
	if got, want := ct.Status.Selector, "example.com/crontab=my-new-cron-object"; got != want {
		t.Errorf("selector = %q, want %q", got, want)
	}
}

func TestStatusPrepareForUpdate(t *testing.T) {
	s := NewStatusStrategy(newScheme(t))
	old := storedCronTab()
	ct := old.DeepCopy()
	ct.Spec = example.CronTabSpec{CronSpec: "@daily", Image: "other:1", Replicas: 9, TimeZone: "Asia/Shanghai", Suspend: true}
	ct.Status = example.CronTabStatus{Replicas: 4, Selector: "evil=true", ObservedGeneration: 1, LastSuccessfulTime: &lastSchedule, LastMissedTime: &nextSchedule}

	s.PrepareForUpdate(context.Background(), ct, old)

	if !reflect.DeepEqual(ct.Spec, old.Spec) {
		t.Errorf("spec = %+v, want the stored %+v", ct.Spec, old.Spec)
	}
	// The status is the request's whole: a run that finished leaves active, as sent.
	want := example.CronTabStatus{Replicas: 4, Selector: "example.com/crontab=my-new-cron-object", ObservedGeneration: 1, LastSuccessfulTime: &lastSchedule, LastMissedTime: &nextSchedule}
	if !reflect.DeepEqual(ct.Status, want) {
		t.Errorf("status = %+v, want %+v", ct.Status, want)
	}
	if ct.Generation != old.Generation {
		t.Errorf("generation = %d, want %d: a status write is not a spec change", ct.Generation, old.Generation)
	}
}

func TestStatusValidateUpdate(t *testing.T) {
	s := NewStatusStrategy(newScheme(t))
	old := storedCronTab()

	ct := old.DeepCopy()
	ct.Status.Replicas = 3
	if errs := s.ValidateUpdate(context.Background(), ct, old); len(errs) != 0 {
		t.Errorf("valid status update rejected: %v", errs)
	}

	ct.Status.ObservedGeneration = -1
	errs := s.ValidateUpdate(context.Background(), ct, old)
	if len(errs) != 1 || errs[0].Field != "status.observedGeneration" {
		t.Errorf("got %v, want one error at status.observedGeneration", errs)
	}

	ct = old.DeepCopy()
	ct.Status.Active = append(ct.Status.Active, corev1.ObjectReference{Kind: "Job"})
	errs = s.ValidateUpdate(context.Background(), ct, old)
	if len(errs) != 1 || errs[0].Field != "status.active[1].name" {
		t.Errorf("got %v, want one error at status.active[1].name", errs)
	}
}

func TestValidate(t *testing.T) {
	s := NewStrategy(newScheme(t))
	ct := storedCronTab()
	if errs := s.Validate(context.Background(), ct); len(errs) != 0 {
		t.Errorf("stored object rejected: %v", errs)
	}
	ct.Spec.Image = "UPPER/Case:tag"
	if errs := s.Validate(context.Background(), ct); len(errs) != 1 || errs[0].Field != "spec.image" {
		t.Errorf("got %v, want one error at spec.image", errs)
	}
	old := storedCronTab()
	updated := old.DeepCopy()
	updated.Spec.Replicas = -1
	if errs := s.ValidateUpdate(context.Background(), updated, old); len(errs) != 1 || errs[0].Field != "spec.replicas" {
		t.Errorf("got %v, want one error at spec.replicas", errs)
	}
}

func TestGetResetFields(t *testing.T) {
	tests := []struct {
		name      string
		strategy  rest.ResetFieldsStrategy
		reset     string
		notReset  string
		otherKeys bool
	}{
		{name: "main resource", strategy: NewStrategy(runtime.NewScheme()).(rest.ResetFieldsStrategy), reset: "status", notReset: "spec"},
		{name: "status subresource", strategy: NewStatusStrategy(runtime.NewScheme()).(rest.ResetFieldsStrategy), reset: "spec", notReset: "status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields := tc.strategy.GetResetFields()
			// Every served version: server-side apply looks them up by the applier's version.
			versions := []fieldpath.APIVersion{"example.com/v1", "example.com/v2"}
			if len(fields) != len(versions) {
				t.Errorf("reset fields for %d versions, want exactly %v: %v", len(fields), versions, fields)
			}
			for _, version := range versions {
				set, ok := fields[version]
				if !ok {
					t.Fatalf("no reset fields for %s: %v", version, fields)
				}
				if !set.Has(fieldpath.MakePathOrDie(tc.reset)) {
					t.Errorf("%s: %q is not reset: %v", version, tc.reset, set)
				}
				if set.Has(fieldpath.MakePathOrDie(tc.notReset)) {
					t.Errorf("%s: %q is reset but must not be: %v", version, tc.notReset, set)
				}
			}
		})
	}
}

func TestWarningsOnCreate(t *testing.T) {
	tests := []struct {
		name         string
		image        string
		replicas     int32
		wantWarnings []string // substrings, one per expected warning, in order
	}{
		{name: "tagged image", image: "nginx:1.27", replicas: 1},
		{name: "digest image", image: "nginx@sha256:" + strings.Repeat("a", 64), replicas: 1},
		{name: "image without tag", image: "nginx", replicas: 1, wantWarnings: []string{"spec.image"}},
		{name: "image without tag", image: "my-awesome-cron-image", replicas: 1, wantWarnings: []string{`"docker.io/library/my-awesome-cron-image:latest"`}},
		{name: "zero replicas", image: "nginx:1.27", replicas: 0, wantWarnings: []string{"spec.replicas"}},
		{name: "both", image: "nginx", replicas: 0, wantWarnings: []string{"spec.image", "spec.replicas"}},
		{name: "invalid image is left to validation", image: "foo:bar:baz", replicas: 1},
	}
	s := NewStrategy(newScheme(t))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := storedCronTab()
			ct.Spec.Image, ct.Spec.Replicas = tc.image, tc.replicas
			got := s.WarningsOnCreate(context.Background(), ct)
			if len(got) != len(tc.wantWarnings) {
				t.Fatalf("warnings = %q, want %d containing %q", got, len(tc.wantWarnings), tc.wantWarnings)
			}
			for i := range got {
				if !strings.Contains(got[i], tc.wantWarnings[i]) {
					t.Errorf("warning %d = %q, want it to contain %q", i, got[i], tc.wantWarnings[i])
				}
			}
		})
	}
}

// TestWarningsNameTheRequestsFields: a v2 client is warned and told about the fields it wrote.
func TestWarningsNameTheRequestsFields(t *testing.T) {
	ct := storedCronTab()
	ct.Spec.Image, ct.Spec.Replicas = "nginx", 0
	tests := []struct {
		version string
		want    []string
	}{
		{"v1", []string{"spec.image: ", "spec.replicas: "}},
		{"v2", []string{"spec.jobTemplate.spec.template.spec.containers[0].image: ", "spec.jobTemplate.spec.parallelism: "}},
	}
	s := NewStrategy(newScheme(t))
	for _, tc := range tests {
		ctx := genericapirequest.WithRequestInfo(context.Background(), &genericapirequest.RequestInfo{APIGroup: "example.com", APIVersion: tc.version})
		got := s.WarningsOnCreate(ctx, ct)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: warnings %q, want %d", tc.version, got, len(tc.want))
		}
		for i, want := range tc.want {
			if !strings.HasPrefix(got[i], want) {
				t.Errorf("%s: warning %q, want it to begin with %q", tc.version, got[i], want)
			}
		}
		invalid := ct.DeepCopy()
		invalid.Spec.Image = "not an image!"
		if errs := s.Validate(ctx, invalid); len(errs) != 1 || !strings.HasPrefix(tc.want[0], errs[0].Field+": ") {
			t.Errorf("%s: errors %v, want one at %s", tc.version, errs, tc.want[0])
		}
	}
}

func TestWarningsOnUpdate(t *testing.T) {
	s := NewStrategy(newScheme(t))
	old := storedCronTab() // untagged image: it would warn on create

	unchanged := old.DeepCopy()
	unchanged.Labels = map[string]string{"team": "b"}
	if got := s.WarningsOnUpdate(context.Background(), unchanged, old); len(got) != 0 {
		t.Errorf("warnings for an unchanged spec = %q, want none", got)
	}

	changed := old.DeepCopy()
	changed.Spec.Replicas = 0
	got := s.WarningsOnUpdate(context.Background(), changed, old)
	if len(got) != 2 {
		t.Errorf("warnings for a changed spec = %q, want the image and replicas warnings", got)
	}

	if got := NewStatusStrategy(newScheme(t)).WarningsOnUpdate(context.Background(), changed, old); len(got) != 0 {
		t.Errorf("status strategy warnings = %q, want none", got)
	}
}

func TestGetAttrs(t *testing.T) {
	ct := storedCronTab()
	ls, fs, err := GetAttrs(ct)
	if err != nil {
		t.Fatal(err)
	}
	wantFields := fields.Set{
		"metadata.name":      "my-new-cron-object",
		"metadata.namespace": "default",
		"spec.image":         "my-awesome-cron-image",
		"spec.cronSpec":      "* * * * */5",
	}
	if !reflect.DeepEqual(fs, wantFields) {
		t.Errorf("fields = %v, want %v", fs, wantFields)
	}
	if !reflect.DeepEqual(ls, labels.Set{"team": "a"}) {
		t.Errorf("labels = %v, want team=a", ls)
	}

	if _, _, err := GetAttrs(&example.CustomResource{}); err == nil {
		t.Error("GetAttrs of a CustomResource succeeded, want an error")
	}
	if _, _, err := GetAttrs(nil); err == nil {
		t.Error("GetAttrs(nil) succeeded, want an error")
	}
}

func TestMatch(t *testing.T) {
	ct := storedCronTab()
	tests := []struct {
		label, field string
		want         bool
	}{
		{label: "team=a", want: true},
		{label: "team=b", want: false},
		{field: "spec.image=my-awesome-cron-image", want: true},
		{field: "spec.image=nginx", want: false},
		{field: "spec.cronSpec=* * * * */5,metadata.namespace=default", want: true},
		{field: "metadata.name=other", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.label+tc.field, func(t *testing.T) {
			ls, err := labels.Parse(tc.label)
			if err != nil {
				t.Fatal(err)
			}
			fsel, err := fields.ParseSelector(tc.field)
			if err != nil {
				t.Fatal(err)
			}
			predicate := Match(ls, fsel)
			got, err := predicate.Matches(ct)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestScaleFromCronTab(t *testing.T) {
	ct := storedCronTab()
	ct.UID = "uid-1"
	ct.Spec.Replicas = 3
	ct.Status.Replicas = 2
	// Neither the running pods nor the active runs are the scale's replicas.
	ct.Status.RunningPods = 7
	ct.Status.Active = append(ct.Status.Active, corev1.ObjectReference{Name: "my-new-cron-object-29000001"})
	ct.CreationTimestamp = metav1.NewTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))

	scale, err := scaleFromCronTab(ct)
	if err != nil {
		t.Fatal(err)
	}
	want := &scalescheme.Scale{
		ObjectMeta: metav1.ObjectMeta{
			Name: "my-new-cron-object", Namespace: "default", UID: "uid-1", ResourceVersion: "10",
			CreationTimestamp: ct.CreationTimestamp,
		},
		Spec: scalescheme.ScaleSpec{Replicas: 3},
		Status: scalescheme.ScaleStatus{
			Replicas: 2,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"example.com/crontab": "my-new-cron-object"}},
		},
	}
	if !apiequality.Semantic.DeepEqual(scale, want) {
		t.Errorf("scale = %+v, want %+v", scale, want)
	}
}

func TestScaleUpdatedObject(t *testing.T) {
	tests := []struct {
		name         string
		old          runtime.Object
		scale        func(s *scalescheme.Scale)
		wantReplicas int32
		wantRV       string
		check        func(t *testing.T, err error)
	}{
		{
			name:         "scale up",
			old:          storedCronTab(),
			scale:        func(s *scalescheme.Scale) { s.Spec.Replicas = 5 },
			wantReplicas: 5,
			wantRV:       "10",
		},
		{
			name:         "scale to zero",
			old:          storedCronTab(),
			scale:        func(s *scalescheme.Scale) { s.Spec.Replicas = 0 },
			wantReplicas: 0,
			wantRV:       "10",
		},
		{
			name:         "request's resourceVersion is the precondition",
			old:          storedCronTab(),
			scale:        func(s *scalescheme.Scale) { s.Spec.Replicas = 2; s.ResourceVersion = "9" },
			wantReplicas: 2,
			wantRV:       "9",
		},
		{
			name:  "too many replicas",
			old:   storedCronTab(),
			scale: func(s *scalescheme.Scale) { s.Spec.Replicas = 1001 },
			check: func(t *testing.T, err error) {
				if !apierrors.IsInvalid(err) {
					t.Fatalf("error = %v, want a 422 Invalid", err)
				}
				status := err.(apierrors.APIStatus).Status()
				if status.Details == nil || len(status.Details.Causes) != 1 || status.Details.Causes[0].Field != "spec.replicas" {
					t.Errorf("causes = %+v, want one at spec.replicas", status.Details)
				}
			},
		},
		{
			name:  "negative replicas",
			old:   storedCronTab(),
			scale: func(s *scalescheme.Scale) { s.Spec.Replicas = -1 },
			check: func(t *testing.T, err error) {
				if !apierrors.IsInvalid(err) {
					t.Fatalf("error = %v, want a 422 Invalid", err)
				}
			},
		},
		{
			name: "no stored object",
			old: func() runtime.Object {
				ct := storedCronTab()
				ct.ResourceVersion = ""
				return ct
			}(),
			scale: func(s *scalescheme.Scale) { s.Spec.Replicas = 5 },
			check: func(t *testing.T, err error) {
				if !apierrors.IsNotFound(err) {
					t.Errorf("error = %v, want NotFound", err)
				}
			},
		},
		{
			name:  "stored object of another type",
			old:   &example.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "x", ResourceVersion: "1"}},
			scale: func(s *scalescheme.Scale) { s.Spec.Replicas = 5 },
			check: func(t *testing.T, err error) {
				if !apierrors.IsBadRequest(err) {
					t.Errorf("error = %v, want BadRequest", err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oldCopy := tc.old.DeepCopyObject()
			scale := &scalescheme.Scale{ObjectMeta: metav1.ObjectMeta{Name: "my-new-cron-object", Namespace: "default", ResourceVersion: "10"}}
			tc.scale(scale)
			info := &scaleUpdatedObjectInfo{name: "my-new-cron-object", reqObjInfo: rest.DefaultUpdatedObjectInfo(scale)}

			obj, err := info.UpdatedObject(context.Background(), tc.old)

			if !reflect.DeepEqual(tc.old, oldCopy) {
				t.Errorf("the stored object was modified: %+v", tc.old)
			}
			if tc.check != nil {
				if err == nil {
					t.Fatalf("UpdatedObject succeeded with %+v, want an error", obj)
				}
				tc.check(t, err)
				return
			}
			if err != nil {
				t.Fatalf("UpdatedObject returned error %v", err)
			}
			ct, ok := obj.(*example.CronTab)
			if !ok {
				t.Fatalf("UpdatedObject returned %T, want *example.CronTab", obj)
			}
			if ct.Spec.Replicas != tc.wantReplicas {
				t.Errorf("spec.replicas = %d, want %d", ct.Spec.Replicas, tc.wantReplicas)
			}
			if ct.ResourceVersion != tc.wantRV {
				t.Errorf("resourceVersion = %q, want %q", ct.ResourceVersion, tc.wantRV)
			}
			// Only spec.replicas comes from the Scale: the rest is the stored CronTab.
			want := tc.old.(*example.CronTab).DeepCopy()
			want.Spec.Replicas, want.ResourceVersion = tc.wantReplicas, tc.wantRV
			if !reflect.DeepEqual(ct, want) {
				t.Errorf("updated CronTab = %+v, want %+v", ct, want)
			}
		})
	}
}

func TestScaleUpdatedObjectRejectsOtherInput(t *testing.T) {
	info := &scaleUpdatedObjectInfo{name: "my-new-cron-object", reqObjInfo: rest.DefaultUpdatedObjectInfo(storedCronTab())}
	if _, err := info.UpdatedObject(context.Background(), storedCronTab()); !apierrors.IsBadRequest(err) {
		t.Errorf("error = %v, want BadRequest for a request body that is not a Scale", err)
	}
}

func TestScaleValidationSeesScales(t *testing.T) {
	var gotNew, gotOld runtime.Object
	update := toScaleUpdateValidation(func(_ context.Context, obj, old runtime.Object) error {
		gotNew, gotOld = obj, old
		return nil
	})
	newCT, oldCT := storedCronTab(), storedCronTab()
	newCT.Spec.Replicas = 4
	if err := update(context.Background(), newCT, oldCT); err != nil {
		t.Fatal(err)
	}
	if s, ok := gotNew.(*scalescheme.Scale); !ok || s.Spec.Replicas != 4 {
		t.Errorf("update validation got new %#v, want a Scale with 4 replicas", gotNew)
	}
	if s, ok := gotOld.(*scalescheme.Scale); !ok || s.Spec.Replicas != 1 {
		t.Errorf("update validation got old %#v, want a Scale with 1 replica", gotOld)
	}

	var gotCreate runtime.Object
	create := toScaleCreateValidation(func(_ context.Context, obj runtime.Object) error {
		gotCreate = obj
		return nil
	})
	if err := create(context.Background(), newCT); err != nil {
		t.Fatal(err)
	}
	if _, ok := gotCreate.(*scalescheme.Scale); !ok {
		t.Errorf("create validation got %T, want a Scale", gotCreate)
	}
}
