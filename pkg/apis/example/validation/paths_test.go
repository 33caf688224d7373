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
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestFieldPath(t *testing.T) {
	tests := []struct {
		v1Path, version, want string
	}{
		{"spec.image", "v1", "spec.image"},
		{"spec.image", "", "spec.image"},
		{"spec.image", "v2", "spec.jobTemplate.spec.template.spec.containers[0].image"},
		{"spec.replicas", "v2", "spec.jobTemplate.spec.parallelism"},
		{"spec.command[1]", "v2", "spec.jobTemplate.spec.template.spec.containers[0].command[1]"},
		{"spec.backoffLimit", "v2", "spec.jobTemplate.spec.backoffLimit"},
		{"spec.activeDeadlineSeconds", "v2", "spec.jobTemplate.spec.activeDeadlineSeconds"},
		// Fields both versions share, and names that only begin like a projected one.
		{"spec.cronSpec", "v2", "spec.cronSpec"},
		{"spec.imagePolicy", "v2", "spec.imagePolicy"},
		{"metadata.name", "v2", "metadata.name"},
	}
	for _, tc := range tests {
		if got := FieldPath(tc.v1Path, tc.version); got != tc.want {
			t.Errorf("FieldPath(%q, %q) = %q, want %q", tc.v1Path, tc.version, got, tc.want)
		}
	}
}

func TestForVersion(t *testing.T) {
	errs := field.ErrorList{
		field.Required(field.NewPath("spec", "image"), "an image"),
		field.Invalid(field.NewPath("spec", "cronSpec"), "x", "not a schedule"),
	}
	got := ForVersion(errs, "v2")
	if got[0].Field != "spec.jobTemplate.spec.template.spec.containers[0].image" || got[1].Field != "spec.cronSpec" {
		t.Errorf("ForVersion(v2) = %v", got)
	}
	if errs[0].Field != "spec.image" {
		t.Errorf("ForVersion changed its input: %v", errs)
	}
	if got := ForVersion(errs, "v1"); got[0].Field != "spec.image" {
		t.Errorf("ForVersion(v1) = %v", got)
	}
}
