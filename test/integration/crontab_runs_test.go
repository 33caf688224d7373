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

package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	applyv1 "example.com/example-apiserver/pkg/generated/applyconfiguration/example/v1"
	"example.com/example-apiserver/test/utils"
)

// runningCronTab is a CronTab with every field of how runs are made set.
func runningCronTab(name string) *examplev1.CronTab {
	ct := seedCronTab(name)
	ct.Spec.Command = []string{"/bin/sh", "-c"}
	ct.Spec.Args = []string{"date; echo done", ""}
	ct.Spec.Suspend = ptr.To(true)
	ct.Spec.ConcurrencyPolicy = examplev1.ForbidConcurrent
	ct.Spec.StartingDeadlineSeconds = ptr.To[int64](120)
	ct.Spec.SuccessfulJobsHistoryLimit = ptr.To[int32](0)
	ct.Spec.FailedJobsHistoryLimit = ptr.To[int32](4)
	ct.Spec.BackoffLimit = ptr.To[int32](2)
	ct.Spec.ActiveDeadlineSeconds = ptr.To[int64](600)
	return ct
}

// getJSON reads a CronTab as JSON, where the typed client reads protobuf.
func getJSON(ctx context.Context, t *testing.T, namespace, name string) *examplev1.CronTab {
	t.Helper()
	body, err := server.Client.ExampleV1().RESTClient().Get().
		AbsPath("/apis/example.com/v1/namespaces", namespace, "crontabs", name).
		SetHeader("Accept", "application/json").
		DoRaw(ctx)
	if err != nil {
		t.Fatalf("get %s/%s as JSON: %v", namespace, name, err)
	}
	var ct examplev1.CronTab
	if err := json.Unmarshal(body, &ct); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return &ct
}

// TestCronTabRunFields writes every field of how runs are made and of what ran, and reads them
// back over protobuf and JSON; status is written only through the status subresource and
// outlives spec updates.
func TestCronTabRunFields(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "run-fields"
	cronTabs := server.Client.ExampleV1().CronTabs(ns)

	want := runningCronTab("runs")
	created, err := cronTabs.Create(ctx, want, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	want.Spec.Replicas = ptr.To[int32](1) // the only field left to its default
	overProtobuf, err := cronTabs.Get(ctx, created.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	for wire, got := range map[string]*examplev1.CronTab{"create": created, "protobuf": overProtobuf, "JSON": getJSON(ctx, t, ns, created.Name)} {
		if !apiequality.Semantic.DeepEqual(got.Spec, want.Spec) {
			t.Errorf("spec read back over %s:\n%s\nwant\n%s", wire, mustJSON(t, got.Spec), mustJSON(t, want.Spec))
		}
	}

	// What the controller reports after a run started.
	scheduled := metav1.NewTime(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	succeeded := metav1.NewTime(scheduled.Add(-55 * time.Minute))
	next := metav1.NewTime(scheduled.Add(time.Hour))
	missed := metav1.NewTime(scheduled.Add(-2 * time.Hour))
	overProtobuf.Status = examplev1.CronTabStatus{
		Replicas:           3, // unlike spec.replicas, to tell which one the scale reports
		ObservedGeneration: overProtobuf.Generation,
		Active: []corev1.ObjectReference{{
			Kind: "Job", APIVersion: "batch/v1", Namespace: ns, Name: "runs-29146320", UID: "0a4c1f6e-6bb4-4c2b-9d4b-1f7c1f2b3c4d",
		}},
		LastScheduleTime:   &scheduled,
		LastSuccessfulTime: &succeeded,
		NextScheduleTime:   &next,
		LastMissedTime:     &missed,
		MissedRuns:         2,
		RunningPods:        2,
	}
	overProtobuf.Spec.Image = "ignored-on-status:1.0"
	withStatus, err := cronTabs.UpdateStatus(ctx, overProtobuf, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update status: %v", err)
	}
	wantStatus := overProtobuf.Status
	wantStatus.Selector = "example.com/crontab=runs"
	if withStatus.Spec.Image != want.Spec.Image {
		t.Errorf("spec written through the status subresource: image %q", withStatus.Spec.Image)
	}
	for wire, got := range map[string]*examplev1.CronTab{"update": withStatus, "JSON": getJSON(ctx, t, ns, created.Name)} {
		if !apiequality.Semantic.DeepEqual(got.Status, wantStatus) {
			t.Errorf("status read back over %s:\n%s\nwant\n%s", wire, mustJSON(t, got.Status), mustJSON(t, wantStatus))
		}
	}
	if scale, err := cronTabs.GetScale(ctx, created.Name, metav1.GetOptions{}); err != nil || scale.Spec.Replicas != 1 || scale.Status.Replicas != 3 || scale.Status.Selector != "example.com/crontab=runs" {
		t.Errorf("scale = %+v (%v), want spec.replicas 1, status.replicas 3 and the selector", scale, err)
	}

	// A spec update, even one that sends no status, keeps what the controller reported.
	withStatus.Spec.Suspend = ptr.To(false)
	withStatus.Spec.ConcurrencyPolicy = examplev1.ReplaceConcurrent
	withStatus.Status = examplev1.CronTabStatus{}
	resumed, err := cronTabs.Update(ctx, withStatus, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update spec: %v", err)
	}
	if resumed.Generation != created.Generation+1 || ptr.Deref(resumed.Spec.Suspend, true) || resumed.Spec.ConcurrencyPolicy != examplev1.ReplaceConcurrent {
		t.Errorf("after a spec update: generation %d, suspend %v, policy %q", resumed.Generation, resumed.Spec.Suspend, resumed.Spec.ConcurrencyPolicy)
	}
	if !apiequality.Semantic.DeepEqual(resumed.Status, wantStatus) {
		t.Errorf("status after a spec update:\n%s\nwant\n%s", mustJSON(t, resumed.Status), mustJSON(t, wantStatus))
	}
	patched, err := cronTabs.Patch(ctx, created.Name, types.MergePatchType, []byte(`{"spec":{"command":null,"concurrencyPolicy":null}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("merge patch removing fields: %v", err)
	}
	if len(patched.Spec.Command) != 0 || patched.Spec.ConcurrencyPolicy != examplev1.AllowConcurrent || len(patched.Status.Active) != 1 {
		t.Errorf("after removing command and the policy: command %q, policy %q (want the default), active %v", patched.Spec.Command, patched.Spec.ConcurrencyPolicy, patched.Status.Active)
	}
}

func TestCronTabRunFieldDefaults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cronTabs := server.Client.ExampleV1().CronTabs("run-defaults")
	created, err := cronTabs.Create(ctx, seedCronTab("defaulted"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	applied, err := cronTabs.Apply(ctx, applyv1.CronTab("applied", "run-defaults").
		WithSpec(applyv1.CronTabSpec().WithCronSpec("@hourly").WithImage("busybox:1.36").WithSuspend(true)),
		metav1.ApplyOptions{FieldManager: "integration"})
	if err != nil {
		t.Fatalf("server-side apply without the defaulted fields: %v", err)
	}
	for _, ct := range []*examplev1.CronTab{created, applied} {
		spec := ct.Spec
		if spec.Suspend == nil || spec.ConcurrencyPolicy != examplev1.AllowConcurrent ||
			ptr.Deref(spec.SuccessfulJobsHistoryLimit, -1) != examplev1.DefaultSuccessfulJobsHistoryLimit ||
			ptr.Deref(spec.FailedJobsHistoryLimit, -1) != examplev1.DefaultFailedJobsHistoryLimit ||
			spec.StartingDeadlineSeconds != nil || spec.BackoffLimit != nil || spec.ActiveDeadlineSeconds != nil {
			t.Errorf("%s: spec not defaulted as documented:\n%s", ct.Name, mustJSON(t, spec))
		}
	}
	if *created.Spec.Suspend || !*applied.Spec.Suspend {
		t.Errorf("suspend: created %v (want false), applied %v (want true)", *created.Spec.Suspend, *applied.Spec.Suspend)
	}
}

// wantInvalid fails unless err is a 422 whose first cause names field and mentions text.
func wantInvalid(t *testing.T, err error, field, text string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want a 422 Invalid", err)
	}
	status := err.(apierrors.APIStatus).Status()
	if status.Code != 422 || status.Details == nil || len(status.Details.Causes) == 0 {
		t.Fatalf("status %+v has no causes", status)
	}
	if cause := status.Details.Causes[0]; cause.Field != field || !strings.Contains(cause.Message, text) {
		t.Errorf("cause %q: %q, want field %q mentioning %q", cause.Field, cause.Message, field, text)
	}
}

func TestCronTabRunFieldValidation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "run-validation"
	cronTabs := server.Client.ExampleV1().CronTabs(ns)

	specTests := []struct {
		name      string
		mutate    func(*examplev1.CronTab)
		wantField string
		wantText  string
	}{
		{"unknown policy", func(ct *examplev1.CronTab) { ct.Spec.ConcurrencyPolicy = "Sometimes" }, "spec.concurrencyPolicy", `supported values: "Allow", "Forbid", "Replace"`},
		{"negative starting deadline", func(ct *examplev1.CronTab) { ct.Spec.StartingDeadlineSeconds = ptr.To[int64](-1) }, "spec.startingDeadlineSeconds", "must be greater than or equal to 0"},
		{"negative successful history", func(ct *examplev1.CronTab) { ct.Spec.SuccessfulJobsHistoryLimit = ptr.To[int32](-1) }, "spec.successfulJobsHistoryLimit", "must be greater than or equal to 0"},
		{"negative failed history", func(ct *examplev1.CronTab) { ct.Spec.FailedJobsHistoryLimit = ptr.To[int32](-1) }, "spec.failedJobsHistoryLimit", "must be greater than or equal to 0"},
		{"negative backoff limit", func(ct *examplev1.CronTab) { ct.Spec.BackoffLimit = ptr.To[int32](-1) }, "spec.backoffLimit", "must be greater than or equal to 0"},
		{"zero active deadline", func(ct *examplev1.CronTab) { ct.Spec.ActiveDeadlineSeconds = ptr.To[int64](0) }, "spec.activeDeadlineSeconds", "must be greater than 0"},
		{"name too long for its Jobs", func(ct *examplev1.CronTab) { ct.Name = strings.Repeat("n", 53) }, "metadata.name", "no more than 52 characters"},
	}
	for _, tc := range specTests {
		t.Run(tc.name, func(t *testing.T) {
			ct := seedCronTab("invalid")
			tc.mutate(ct)
			_, err := cronTabs.Create(ctx, ct, metav1.CreateOptions{})
			wantInvalid(t, err, tc.wantField, tc.wantText)
		})
	}
	if _, err := cronTabs.Create(ctx, seedCronTab(strings.Repeat("n", 52)), metav1.CreateOptions{}); err != nil {
		t.Errorf("a 52-character name: %v", err)
	}

	created, err := cronTabs.Create(ctx, seedCronTab("status-checked"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	statusTests := []struct {
		name      string
		mutate    func(*examplev1.CronTabStatus)
		wantField string
	}{
		{"active run without a name", func(s *examplev1.CronTabStatus) { s.Active = []corev1.ObjectReference{{Kind: "Job"}} }, "status.active[0].name"},
		{"negative missed runs", func(s *examplev1.CronTabStatus) { s.MissedRuns = -1 }, "status.missedRuns"},
		{"negative running pods", func(s *examplev1.CronTabStatus) { s.RunningPods = -1 }, "status.runningPods"},
	}
	for _, tc := range statusTests {
		t.Run(tc.name, func(t *testing.T) {
			ct := created.DeepCopy()
			tc.mutate(&ct.Status)
			_, err := cronTabs.UpdateStatus(ctx, ct, metav1.UpdateOptions{})
			wantInvalid(t, err, tc.wantField, "")
		})
	}
}

// TestLongCronTabNamesKeepWorking stores a CronTab as created before the run fields and the
// name limit existed, and updates it through the API: reads default the missing fields, and
// only new names are held to 52 characters.
func TestLongCronTabNamesKeepWorking(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	etcd := newEtcdClient(t)
	cronTabs := server.Client.ExampleV1().CronTabs("long-names")

	template, err := cronTabs.Create(ctx, seedCronTab("template"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	key, _, err := utils.StoredObject(ctx, etcd, server.EtcdPrefix, "crontabs", template.Namespace, template.Name)
	if err != nil {
		t.Fatal(err)
	}
	// As stored before the run fields existed: long name, none of the fields that are defaulted.
	old := template.DeepCopy()
	old.Name = strings.Repeat("l", 63)
	old.Spec.Suspend, old.Spec.ConcurrencyPolicy = nil, ""
	old.Spec.SuccessfulJobsHistoryLimit, old.Spec.FailedJobsHistoryLimit = nil, nil
	old.UID = "5d6f0c39-6a43-4b9e-8f36-8a2f3f0d9b21"
	old.APIVersion, old.Kind = examplev1.SchemeGroupVersion.String(), "CronTab"
	old.ResourceVersion = ""
	data, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := etcd.Put(ctx, strings.TrimSuffix(key, template.Name)+old.Name, string(data)); err != nil {
		t.Fatalf("writing to etcd: %v", err)
	}

	var stored *examplev1.CronTab
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		stored, err = cronTabs.Get(ctx, old.Name, metav1.GetOptions{})
		return err == nil, nil
	}); err != nil {
		t.Fatalf("the stored CronTab is not served: %v", err)
	}
	if stored.Spec.ConcurrencyPolicy != examplev1.AllowConcurrent || ptr.Deref(stored.Spec.SuccessfulJobsHistoryLimit, -1) != examplev1.DefaultSuccessfulJobsHistoryLimit {
		t.Errorf("stored CronTab read without its defaults:\n%s", mustJSON(t, stored.Spec))
	}
	stored.Spec.Suspend = ptr.To(true)
	updated, err := cronTabs.Update(ctx, stored, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("updating a CronTab with a 63-character name: %v", err)
	}
	updated.Status.MissedRuns = 1
	if _, err := cronTabs.UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
		t.Errorf("updating the status of a CronTab with a 63-character name: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
