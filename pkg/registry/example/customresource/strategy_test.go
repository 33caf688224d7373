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

package customresource

import (
	"context"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"example.com/example-apiserver/pkg/apis/example"
)

func validCustomResource() *example.CustomResource {
	return &example.CustomResource{
		ObjectMeta: metav1.ObjectMeta{
			Name:            "my-new-custom-object",
			Generation:      1,
			ResourceVersion: "5",
			Labels:          map[string]string{"team": "a"},
		},
		Spec: example.CustomResourceSpec{Message: "Hello from Custom Resource API!"},
	}
}

func TestNamespaceScoped(t *testing.T) {
	if NewStrategy(runtime.NewScheme()).NamespaceScoped() {
		t.Error("customresources are cluster-scoped")
	}
}

func TestPrepareForCreate(t *testing.T) {
	cr := validCustomResource()
	cr.Generation = 9
	NewStrategy(runtime.NewScheme()).PrepareForCreate(context.Background(), cr)
	if cr.Generation != 1 {
		t.Errorf("generation = %d, want 1", cr.Generation)
	}
}

func TestPrepareForUpdate(t *testing.T) {
	tests := []struct {
		name           string
		mutate         func(cr *example.CustomResource)
		wantGeneration int64
	}{
		{name: "no change", mutate: func(*example.CustomResource) {}, wantGeneration: 1},
		{name: "label change", mutate: func(cr *example.CustomResource) { cr.Labels = map[string]string{"team": "b"} }, wantGeneration: 1},
		{name: "message change", mutate: func(cr *example.CustomResource) { cr.Spec.Message = "bye" }, wantGeneration: 2},
	}
	s := NewStrategy(runtime.NewScheme())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validCustomResource()
			cr := old.DeepCopy()
			tc.mutate(cr)
			s.PrepareForUpdate(context.Background(), cr, old)
			if cr.Generation != tc.wantGeneration {
				t.Errorf("generation = %d, want %d", cr.Generation, tc.wantGeneration)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(cr *example.CustomResource)
		wantField string // empty means valid
	}{
		{name: "valid object", mutate: func(*example.CustomResource) {}},
		{name: "empty message", mutate: func(cr *example.CustomResource) { cr.Spec.Message = "" }},
		{name: "1024-byte message", mutate: func(cr *example.CustomResource) { cr.Spec.Message = strings.Repeat("m", 1024) }},
		{name: "1025-byte message", mutate: func(cr *example.CustomResource) { cr.Spec.Message = strings.Repeat("m", 1025) }, wantField: "spec.message"},
		{name: "namespace set", mutate: func(cr *example.CustomResource) { cr.Namespace = "default" }, wantField: "metadata.namespace"},
	}
	s := NewStrategy(runtime.NewScheme())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cr := validCustomResource()
			tc.mutate(cr)
			errs := s.Validate(context.Background(), cr)
			if tc.wantField == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.wantField {
				t.Errorf("got %v, want one error at %s", errs, tc.wantField)
			}
		})
	}

	old := validCustomResource()
	cr := old.DeepCopy()
	cr.Spec.Message = strings.Repeat("m", 1025)
	if errs := s.ValidateUpdate(context.Background(), cr, old); len(errs) != 1 || errs[0].Field != "spec.message" {
		t.Errorf("update: got %v, want one error at spec.message", errs)
	}
	cr.Spec.Message = "ok"
	if errs := s.ValidateUpdate(context.Background(), cr, old); len(errs) != 0 {
		t.Errorf("update: unexpected errors %v", errs)
	}
}

func TestGetAttrs(t *testing.T) {
	ls, fs, err := GetAttrs(validCustomResource())
	if err != nil {
		t.Fatal(err)
	}
	if want := (fields.Set{"metadata.name": "my-new-custom-object"}); !reflect.DeepEqual(fs, want) {
		t.Errorf("fields = %v, want %v (no namespace for a cluster-scoped kind)", fs, want)
	}
	if !reflect.DeepEqual(ls, labels.Set{"team": "a"}) {
		t.Errorf("labels = %v, want team=a", ls)
	}
	if _, _, err := GetAttrs(&example.CronTab{}); err == nil {
		t.Error("GetAttrs of a CronTab succeeded, want an error")
	}

	predicate := Match(labels.Everything(), fields.OneTermEqualSelector("metadata.name", "other"))
	if ok, err := predicate.Matches(validCustomResource()); err != nil || ok {
		t.Errorf("Matches(metadata.name=other) = %v, %v; want false", ok, err)
	}
}

func TestTable(t *testing.T) {
	list := &example.CustomResourceList{ListMeta: metav1.ListMeta{ResourceVersion: "7"}, Items: []example.CustomResource{*validCustomResource()}}
	table, err := tableConvertor.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.ColumnDefinitions) != 3 || len(table.Rows) != 1 || table.ResourceVersion != "7" {
		t.Fatalf("table = %+v", table)
	}
	if got := table.Rows[0].Cells[1]; got != "Hello from Custom Resource API!" {
		t.Errorf("message cell = %v", got)
	}
}
