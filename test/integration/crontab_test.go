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

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	applyv1 "example.com/example-apiserver/pkg/generated/applyconfiguration/example/v1"
)

// seedCronTab is the CronTab of the seed document's my-crontab.yaml.
func seedCronTab(name string) *examplev1.CronTab {
	return &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       examplev1.CronTabSpec{CronSpec: "* * * * */5", Image: "my-awesome-cron-image"},
	}
}

func TestCronTabLifecycle(t *testing.T) {
	ctx := context.Background()
	cronTabs := server.Client.ExampleV1().CronTabs("lifecycle")

	created, err := cronTabs.Create(ctx, seedCronTab("my-new-cron-object"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := ptr.Deref(created.Spec.Replicas, -1); got != 1 {
		t.Errorf("spec.replicas defaulted to %d, want 1", got)
	}
	if created.Generation != 1 {
		t.Errorf("generation = %d, want 1", created.Generation)
	}
	if want := "example.com/crontab=my-new-cron-object"; created.Status.Selector != want {
		t.Errorf("status.selector = %q, want %q", created.Status.Selector, want)
	}

	got, err := cronTabs.Get(ctx, created.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Spec.CronSpec != "* * * * */5" || got.Spec.Image != "my-awesome-cron-image" {
		t.Errorf("get returned spec %+v", got.Spec)
	}

	list, err := cronTabs.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != created.Name {
		t.Errorf("list returned %d items, want only %s", len(list.Items), created.Name)
	}

	// A label change is not a spec change: the generation stays.
	got.Labels = map[string]string{"team": "a"}
	labelled, err := cronTabs.Update(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update labels: %v", err)
	}
	if labelled.Generation != 1 {
		t.Errorf("generation after a label change = %d, want 1", labelled.Generation)
	}
	// A client cannot write status through the main resource.
	labelled.Spec.Image = "my-awesome-cron-image:2.0"
	labelled.Status.Replicas = 42
	updated, err := cronTabs.Update(ctx, labelled, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update image: %v", err)
	}
	if updated.Generation != 2 {
		t.Errorf("generation after a spec change = %d, want 2", updated.Generation)
	}
	if updated.Status.Replicas != 0 {
		t.Errorf("status.replicas written through the main resource: %d", updated.Status.Replicas)
	}

	// An update from a stale copy is a 409, not a lost update.
	labelled.Spec.Image = "other:1.0"
	if _, err := cronTabs.Update(ctx, labelled, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("update with a stale resourceVersion: got %v, want a 409 Conflict", err)
	}

	if err := cronTabs.Delete(ctx, created.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := cronTabs.Get(ctx, created.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("get after delete: got %v, want NotFound", err)
	}
}

// TestFinalizersHoldDeletion: what replaced initializers for "work before an object goes"
// works on CronTabs as on any built-in kind: a finalizer keeps a deleted CronTab, marked with
// its deletionTimestamp, until whoever set it removes it (docs/extension-points.md).
func TestFinalizersHoldDeletion(t *testing.T) {
	ctx := context.Background()
	cronTabs := server.Client.ExampleV1().CronTabs("finalizers")
	ct := seedCronTab("held")
	ct.Finalizers = []string{"example.com/hold"}
	if _, err := cronTabs.Create(ctx, ct, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := cronTabs.Delete(ctx, "held", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	held, err := cronTabs.Get(ctx, "held", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("a CronTab with a finalizer must outlive its delete: %v", err)
	}
	if held.DeletionTimestamp == nil {
		t.Error("the held CronTab has no deletionTimestamp")
	}
	if _, err := cronTabs.Patch(ctx, "held", types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{}); err != nil {
		t.Fatalf("removing the finalizer: %v", err)
	}
	if _, err := cronTabs.Get(ctx, "held", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the CronTab must be gone once its last finalizer is: %v", err)
	}
}

func TestCronTabValidation(t *testing.T) {
	cronTabs := server.Client.ExampleV1().CronTabs("validation")
	tests := []struct {
		name      string
		mutate    func(*examplev1.CronTab)
		wantField string
		wantText  string
	}{
		{"minute out of range", func(ct *examplev1.CronTab) { ct.Spec.CronSpec = "61 * * * *" }, "spec.cronSpec", "above maximum"},
		{"four fields", func(ct *examplev1.CronTab) { ct.Spec.CronSpec = "* * * *" }, "spec.cronSpec", "expected exactly 5 fields"},
		{"missing schedule", func(ct *examplev1.CronTab) { ct.Spec.CronSpec = "" }, "spec.cronSpec", "Required"},
		{"bad image", func(ct *examplev1.CronTab) { ct.Spec.Image = "Not/An:Image:ref" }, "spec.image", "not a valid image reference"},
		{"too many replicas", func(ct *examplev1.CronTab) { ct.Spec.Replicas = ptr.To[int32](1001) }, "spec.replicas", "between 0 and 1000"},
		{"unknown time zone", func(ct *examplev1.CronTab) { ct.Spec.TimeZone = "Mars/Olympus" }, "spec.timeZone", "not a time zone of the IANA database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := seedCronTab("invalid")
			tc.mutate(ct)
			_, err := cronTabs.Create(context.Background(), ct, metav1.CreateOptions{})
			if !apierrors.IsInvalid(err) {
				t.Fatalf("got %v, want a 422 Invalid", err)
			}
			status := err.(apierrors.APIStatus).Status()
			if status.Code != 422 || status.Details == nil || len(status.Details.Causes) == 0 {
				t.Fatalf("status %+v has no causes", status)
			}
			cause := status.Details.Causes[0]
			if cause.Field != tc.wantField || !strings.Contains(cause.Message, tc.wantText) {
				t.Errorf("cause %q: %q, want field %q mentioning %q", cause.Field, cause.Message, tc.wantField, tc.wantText)
			}
		})
	}
}

func TestCronTabPatches(t *testing.T) {
	ctx := context.Background()
	cronTabs := server.Client.ExampleV1().CronTabs("patches")
	if _, err := cronTabs.Create(ctx, seedCronTab("patched"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}

	merged, err := cronTabs.Patch(ctx, "patched", types.MergePatchType, []byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{})
	if err != nil || ptr.Deref(merged.Spec.Replicas, 0) != 2 {
		t.Fatalf("merge patch: %v, replicas %v", err, merged.Spec.Replicas)
	}
	jsonPatched, err := cronTabs.Patch(ctx, "patched", types.JSONPatchType, []byte(`[{"op":"replace","path":"/spec/cronSpec","value":"@hourly"}]`), metav1.PatchOptions{})
	if err != nil || jsonPatched.Spec.CronSpec != "@hourly" {
		t.Fatalf("json patch: %v, cronSpec %q", err, jsonPatched.Spec.CronSpec)
	}
	if _, err := cronTabs.Patch(ctx, "patched", types.MergePatchType, []byte(`{"spec":{"cronSpec":"61 * * * *"}}`), metav1.PatchOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("merge patch to a bad schedule: got %v, want 422", err)
	}

	// Server-side apply creates, owns fields, and reports conflicts with another manager.
	applied, err := cronTabs.Apply(ctx, applyv1.CronTab("applied", "patches").
		WithSpec(applyv1.CronTabSpec().WithCronSpec("*/5 * * * *").WithImage("nginx:1.27").WithReplicas(3)),
		metav1.ApplyOptions{FieldManager: "alice"})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if ptr.Deref(applied.Spec.Replicas, 0) != 3 || len(applied.ManagedFields) == 0 {
		t.Errorf("apply: replicas %v, managedFields %v", applied.Spec.Replicas, applied.ManagedFields)
	}
	_, err = cronTabs.Apply(ctx, applyv1.CronTab("applied", "patches").
		WithSpec(applyv1.CronTabSpec().WithCronSpec("*/5 * * * *").WithImage("nginx:1.27").WithReplicas(5)),
		metav1.ApplyOptions{FieldManager: "bob"})
	if !apierrors.IsConflict(err) {
		t.Errorf("apply by another manager: got %v, want a 409 conflict", err)
	}
}

func TestCronTabStatusSubresource(t *testing.T) {
	ctx := context.Background()
	cronTabs := server.Client.ExampleV1().CronTabs("status")
	created, err := cronTabs.Create(ctx, seedCronTab("with-status"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}

	created.Status.Replicas = 1
	created.Status.ObservedGeneration = created.Generation
	created.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Scheduled", Message: "ok", LastTransitionTime: metav1.Now()}}
	created.Spec.Image = "ignored-on-status:1.0"
	updated, err := cronTabs.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update status: %v", err)
	}
	if updated.Status.Replicas != 1 || len(updated.Status.Conditions) != 1 {
		t.Errorf("status not written: %+v", updated.Status)
	}
	if updated.Spec.Image != "my-awesome-cron-image" {
		t.Errorf("spec written through the status subresource: image %q", updated.Spec.Image)
	}

	updated.Status.Conditions[0].Status = "Maybe"
	if _, err := cronTabs.UpdateStatus(ctx, updated, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("bad condition status: got %v, want 422", err)
	}
}

func TestCronTabScaleSubresource(t *testing.T) {
	ctx := context.Background()
	cronTabs := server.Client.ExampleV1().CronTabs("scale")
	if _, err := cronTabs.Create(ctx, seedCronTab("scaled"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	scale, err := cronTabs.GetScale(ctx, "scaled", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get scale: %v", err)
	}
	if scale.Spec.Replicas != 1 || scale.Status.Selector != "example.com/crontab=scaled" {
		t.Errorf("scale = %+v", scale)
	}

	scale.Spec.Replicas = 3
	if _, err := cronTabs.UpdateScale(ctx, "scaled", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update scale: %v", err)
	}
	ct, err := cronTabs.Get(ctx, "scaled", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if ptr.Deref(ct.Spec.Replicas, 0) != 3 || ct.Generation != 2 {
		t.Errorf("after scaling to 3: replicas %v generation %d", ct.Spec.Replicas, ct.Generation)
	}

	tooMany := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "scaled", Namespace: "scale"}, Spec: autoscalingv1.ScaleSpec{Replicas: 1001}}
	_, err = cronTabs.UpdateScale(ctx, "scaled", tooMany, metav1.UpdateOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.replicas") {
		t.Errorf("scale to 1001: got %v, want a 422 naming spec.replicas", err)
	}
	if _, err := cronTabs.GetScale(ctx, "missing", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("scale of a missing CronTab: got %v, want NotFound", err)
	}
}

func TestCronTabFieldSelectors(t *testing.T) {
	ctx := context.Background()
	cronTabs := server.Client.ExampleV1().CronTabs("fields")
	for name, image := range map[string]string{"a": "nginx:1.27", "b": "busybox:1.36", "c": "nginx:1.27"} {
		ct := seedCronTab(name)
		ct.Spec.Image = image
		if _, err := cronTabs.Create(ctx, ct, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	tests := []struct {
		selector string
		want     int
	}{
		{"spec.image=nginx:1.27", 2},
		{"spec.image!=nginx:1.27", 1},
		{"spec.cronSpec=* * * * */5", 3},
		{"metadata.name=b", 1},
	}
	for _, tc := range tests {
		list, err := cronTabs.List(ctx, metav1.ListOptions{FieldSelector: tc.selector})
		if err != nil {
			t.Errorf("%s: %v", tc.selector, err)
			continue
		}
		if len(list.Items) != tc.want {
			t.Errorf("%s: %d items, want %d", tc.selector, len(list.Items), tc.want)
		}
	}
	if _, err := cronTabs.List(ctx, metav1.ListOptions{FieldSelector: "spec.replicas=1"}); !apierrors.IsBadRequest(err) {
		t.Errorf("unsupported field selector: got %v, want 400", err)
	}
}

func TestCronTabWatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cronTabs := server.Client.ExampleV1().CronTabs("watch")
	created, err := cronTabs.Create(ctx, seedCronTab("watched"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	w, err := cronTabs.Watch(ctx, metav1.ListOptions{ResourceVersion: created.ResourceVersion})
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	defer w.Stop()
	if _, err := cronTabs.Patch(ctx, "watched", types.MergePatchType, []byte(`{"spec":{"image":"nginx:1.27"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatalf("patch: %v", err)
	}
	select {
	case ev := <-w.ResultChan():
		ct, ok := ev.Object.(*examplev1.CronTab)
		if ev.Type != watch.Modified || !ok || ct.Spec.Image != "nginx:1.27" {
			t.Errorf("event %s %+v, want MODIFIED with the new image", ev.Type, ev.Object)
		}
	case <-ctx.Done():
		t.Fatal("no watch event before the deadline")
	}
}

func TestCronTabTable(t *testing.T) {
	ctx := context.Background()
	if _, err := server.Client.ExampleV1().CronTabs("table").Create(ctx, seedCronTab("printed"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	body, err := server.Client.ExampleV1().RESTClient().Get().
		AbsPath("/apis/example.com/v1/namespaces/table/crontabs").
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").
		DoRaw(ctx)
	if err != nil {
		t.Fatalf("get table: %v", err)
	}
	var table metav1.Table
	if err := json.Unmarshal(body, &table); err != nil {
		t.Fatalf("decode table: %v\n%s", err, body)
	}
	var columns []string
	for _, c := range table.ColumnDefinitions {
		columns = append(columns, c.Name)
	}
	if got, want := strings.Join(columns, ","), "Name,Schedule,Timezone,Suspend,Active,Last Schedule,Next Run,Age,Containers,Images,Replicas,Selector"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	if len(table.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(table.Rows))
	}
	cells := table.Rows[0].Cells
	if cells[0] != "printed" || cells[1] != "* * * * */5" || cells[3] != "False" || cells[5] != "<none>" || !strings.HasPrefix(cells[6].(string), "in ") ||
		cells[8] != "crontab" || cells[9] != "my-awesome-cron-image" {
		t.Errorf("row cells %v", cells)
	}
}
