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
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
)

func tableCronTab(name string) example.CronTab {
	return example.CronTab{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:         "default",
			Name:              name,
			ResourceVersion:   "10",
			CreationTimestamp: metav1.NewTime(time.Now().Add(-3 * time.Hour)),
		},
		Spec: example.CronTabSpec{
			CronSpec: "*/5 * * * *",
			Image:    "nginx:1.27",
			Replicas: 2,
		},
		Status: example.CronTabStatus{Selector: Selector(name)},
	}
}

func TestTableColumns(t *testing.T) {
	ct := tableCronTab("a")
	table, err := tableConvertor.ConvertToTable(context.Background(), &ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Next Run", "Age", "Containers", "Images", "Replicas", "Selector"}
	if len(table.ColumnDefinitions) != len(wantNames) {
		t.Fatalf("got %d columns %+v, want %v", len(table.ColumnDefinitions), table.ColumnDefinitions, wantNames)
	}
	for i, col := range table.ColumnDefinitions {
		if col.Name != wantNames[i] {
			t.Errorf("column %d = %q, want %q", i, col.Name, wantNames[i])
		}
		wantPriority := int32(0)
		if i >= 8 {
			wantPriority = 1 // Containers, Images, Replicas, Selector only with -o wide
		}
		if col.Priority != wantPriority {
			t.Errorf("column %q priority = %d, want %d", col.Name, col.Priority, wantPriority)
		}
		if col.Description == "" {
			t.Errorf("column %q has no description", col.Name)
		}
	}
	if table.ColumnDefinitions[0].Format != "name" {
		t.Errorf("Name column format = %q, want \"name\"", table.ColumnDefinitions[0].Format)
	}
}

func TestTableSingleObject(t *testing.T) {
	ct := tableCronTab("my-new-cron-object")
	table, err := tableConvertor.ConvertToTable(context.Background(), &ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Rows) != 1 {
		t.Fatalf("got %d rows, want 1", len(table.Rows))
	}
	row := table.Rows[0]
	if len(row.Cells) != len(table.ColumnDefinitions) {
		t.Fatalf("row has %d cells for %d columns: %v", len(row.Cells), len(table.ColumnDefinitions), row.Cells)
	}
	want := []any{"my-new-cron-object", "*/5 * * * *", "<none>", "False", int64(0), "<none>", nil, "3h", "crontab", "nginx:1.27", int32(2), "example.com/crontab=my-new-cron-object"}
	for i, cell := range row.Cells {
		if i == 6 {
			// The next run depends on the wall clock: only its shape is stable.
			if s, ok := cell.(string); !ok || !strings.HasPrefix(s, "in ") {
				t.Errorf("Next Run cell = %#v, want \"in ...\"", cell)
			}
			continue
		}
		if cell != want[i] {
			t.Errorf("cell %d (%s) = %#v, want %#v", i, table.ColumnDefinitions[i].Name, cell, want[i])
		}
	}
	if row.Object.Object != runtime.Object(&ct) {
		t.Errorf("row object = %#v, want the CronTab itself", row.Object.Object)
	}
}

func TestTableList(t *testing.T) {
	var remaining int64 = 3
	list := &example.CronTabList{
		ListMeta: metav1.ListMeta{ResourceVersion: "42", Continue: "next-page", RemainingItemCount: &remaining},
		Items:    []example.CronTab{tableCronTab("a"), tableCronTab("b")},
	}
	table, err := tableConvertor.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	if table.ResourceVersion != "42" || table.Continue != "next-page" {
		t.Errorf("table list meta = %+v, want resourceVersion 42 and continue next-page", table.ListMeta)
	}
	if table.RemainingItemCount == nil || *table.RemainingItemCount != 3 {
		t.Errorf("remainingItemCount = %v, want 3", table.RemainingItemCount)
	}
	if len(table.Rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(table.Rows))
	}
	for i, name := range []string{"a", "b"} {
		if got := table.Rows[i].Cells[0]; got != name {
			t.Errorf("row %d name = %v, want %q", i, got, name)
		}
	}
	if len(table.ColumnDefinitions) != 12 {
		t.Errorf("got %d column definitions, want 12", len(table.ColumnDefinitions))
	}

	empty, err := tableConvertor.ConvertToTable(context.Background(), &example.CronTabList{ListMeta: metav1.ListMeta{ResourceVersion: "43"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Rows) != 0 || empty.ResourceVersion != "43" {
		t.Errorf("empty list table = %+v, want no rows at resourceVersion 43", empty)
	}
}

func TestTableNoHeaders(t *testing.T) {
	list := &example.CronTabList{Items: []example.CronTab{tableCronTab("a")}}
	tests := []struct {
		name        string
		options     runtime.Object
		wantColumns bool
	}{
		{name: "no options", options: nil, wantColumns: true},
		{name: "headers", options: &metav1.TableOptions{}, wantColumns: true},
		{name: "no headers", options: &metav1.TableOptions{NoHeaders: true}, wantColumns: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, err := tableConvertor.ConvertToTable(context.Background(), list, tc.options)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(table.ColumnDefinitions) > 0; got != tc.wantColumns {
				t.Errorf("column definitions present = %v, want %v", got, tc.wantColumns)
			}
			if len(table.Rows) != 1 || len(table.Rows[0].Cells) != 12 {
				t.Errorf("rows = %+v, want one row of 12 cells whatever the headers", table.Rows)
			}
		})
	}
}

// TestTableRow pins each cell against a fixed clock, for a CronTab that has run.
func TestTableRow(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 3, 0, 0, time.UTC)
	lastSchedule := metav1.NewTime(now.Add(-3*time.Minute - 20*time.Second))
	running := func() *example.CronTab {
		ct := tableCronTab("nightly")
		ct.Spec.TimeZone = "Asia/Shanghai"
		ct.Spec.Replicas = 4
		ct.Status.Active = []corev1.ObjectReference{{Name: "nightly-29000000"}, {Name: "nightly-29000005"}}
		ct.Status.LastScheduleTime = &lastSchedule
		return &ct
	}
	tests := []struct {
		name   string
		mutate func(ct *example.CronTab)
		want   []any
	}{
		{
			name:   "running",
			mutate: func(*example.CronTab) {},
			want:   []any{"nightly", "*/5 * * * *", "Asia/Shanghai", "False", int64(2), "3m20s", "in 2m", "5d", "crontab", "nginx:1.27", int32(4), "example.com/crontab=nightly"},
		},
		{
			name:   "suspended",
			mutate: func(ct *example.CronTab) { ct.Spec.Suspend = true },
			want:   []any{"nightly", "*/5 * * * *", "Asia/Shanghai", "True", int64(2), "3m20s", "<suspended>", "5d", "crontab", "nginx:1.27", int32(4), "example.com/crontab=nightly"},
		},
		{
			name: "a v2 template of two containers",
			mutate: func(ct *example.CronTab) {
				ct.Spec.JobTemplate.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "migrate", Image: "migrate:1"}}
				ct.Spec.JobTemplate.Spec.Template.Spec.Containers = []corev1.Container{{Name: "report"}, {Name: "upload", Image: "uploader:1.0"}}
			},
			want: []any{"nightly", "*/5 * * * *", "Asia/Shanghai", "False", int64(2), "3m20s", "in 2m", "5d", "report,upload", "nginx:1.27,uploader:1.0", int32(4), "example.com/crontab=nightly"},
		},
		{
			name: "never run",
			mutate: func(ct *example.CronTab) {
				ct.Spec.TimeZone = ""
				ct.Status.Active = nil
				ct.Status.LastScheduleTime = nil
			},
			want: []any{"nightly", "*/5 * * * *", "<none>", "False", int64(0), "<none>", "in 2m", "5d", "crontab", "nginx:1.27", int32(4), "example.com/crontab=nightly"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := running()
			tc.mutate(ct)
			got := tableRow(ct, ct.Name, "5d", now)
			if len(got) != len(tableConvertor.Columns) {
				t.Fatalf("%d cells for %d columns: %v", len(got), len(tableConvertor.Columns), got)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("%s = %#v, want %#v", tableConvertor.Columns[i].Name, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestNextRun(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		parsed, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("bad test time %q: %v", s, err)
		}
		return parsed
	}
	tests := []struct {
		name          string
		spec          example.CronTabSpec
		lastScheduled string // empty: no run yet
		now           time.Time
		want          string
	}{
		{name: "every five minutes", spec: example.CronTabSpec{CronSpec: "*/5 * * * *"}, now: at("2025-01-01T12:03:00Z"), want: "in 2m"},
		{name: "on a firing time, the next one", spec: example.CronTabSpec{CronSpec: "*/5 * * * *"}, now: at("2025-01-01T12:05:00Z"), want: "in 5m"},
		{name: "seconds away", spec: example.CronTabSpec{CronSpec: "*/5 * * * *"}, now: at("2025-01-01T12:04:15Z"), want: "in 45s"},
		{name: "hourly", spec: example.CronTabSpec{CronSpec: "@hourly"}, now: at("2025-01-01T12:30:00Z"), want: "in 30m"},
		{name: "time zone honoured", spec: example.CronTabSpec{CronSpec: "0 9 * * *", TimeZone: "Asia/Shanghai"}, now: at("2025-01-01T00:30:00Z"), want: "in 30m"},
		{name: "same schedule in UTC", spec: example.CronTabSpec{CronSpec: "0 9 * * *"}, now: at("2025-01-01T00:30:00Z"), want: "in 8h"},
		{name: "interval: an interval after the last scheduled run", spec: example.CronTabSpec{CronSpec: "@every 1h"},
			lastScheduled: "2025-01-01T11:00:00Z", now: at("2025-01-01T11:05:00Z"), want: "in 55m"},
		{name: "interval: an interval after the creation before the first run", spec: example.CronTabSpec{CronSpec: "@every 1h"},
			now: at("2025-01-01T10:20:00Z"), want: "in 40m"},
		{name: "invalid schedule", spec: example.CronTabSpec{CronSpec: "61 * * * *"}, now: at("2025-01-01T00:00:00Z"), want: "<invalid>"},
		{name: "empty schedule", spec: example.CronTabSpec{}, now: at("2025-01-01T00:00:00Z"), want: "<invalid>"},
		{name: "invalid time zone", spec: example.CronTabSpec{CronSpec: "@hourly", TimeZone: "Nowhere/Zone"}, now: at("2025-01-01T00:00:00Z"), want: "<invalid>"},
		{name: "never fires", spec: example.CronTabSpec{CronSpec: "0 0 30 2 *"}, now: at("2025-01-01T00:00:00Z"), want: "<never>"},
		{name: "suspended", spec: example.CronTabSpec{CronSpec: "@hourly", Suspend: true}, now: at("2025-01-01T00:00:00Z"), want: "<suspended>"},
		// The test CronTab's UID is empty: its offset in an hour's window is 437 s.
		{name: "stagger window: moved by the UID's offset", spec: example.CronTabSpec{CronSpec: "@hourly", StaggerWindowSeconds: ptr.To[int64](3600)},
			now: at("2025-01-01T12:59:50Z"), want: "in 7m27s"},
		{name: "stagger window: the offset stays below the starting deadline", spec: example.CronTabSpec{CronSpec: "@hourly", StaggerWindowSeconds: ptr.To[int64](3600), StartingDeadlineSeconds: ptr.To[int64](60)},
			now: at("2025-01-01T12:59:50Z"), want: "in 27s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := &example.CronTab{
				ObjectMeta: metav1.ObjectMeta{Name: "a", CreationTimestamp: metav1.NewTime(at("2025-01-01T10:00:00Z"))},
				Spec:       tc.spec,
			}
			if tc.lastScheduled != "" {
				ct.Status.LastScheduleTime = &metav1.Time{Time: at(tc.lastScheduled)}
			}
			if got := tableRow(ct, ct.Name, "1h", tc.now)[6]; got != tc.want {
				t.Errorf("Next Run of %+v at %v = %q, want %q", tc.spec, tc.now, got, tc.want)
			}
		})
	}
}

// BenchmarkTableList converts a LIST of 20,000 CronTabs in a few time zones to a table, as a
// `kubectl get crontabs` of them costs the server.
func BenchmarkTableList(b *testing.B) {
	zones := []string{"", "Europe/Berlin", "America/New_York", "Asia/Shanghai"}
	list := &example.CronTabList{Items: make([]example.CronTab, 20000)}
	for i := range list.Items {
		list.Items[i] = tableCronTab(fmt.Sprintf("ct-%05d", i))
		list.Items[i].Spec.TimeZone = zones[i%len(zones)]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tableConvertor.ConvertToTable(context.Background(), list, nil); err != nil {
			b.Fatal(err)
		}
	}
}
