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
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// v2Paths maps each field the internal CronTabSpec holds itself, by its v1 path, to where v2
// has it in spec.jobTemplate. Validation reports those fields by their v1 path; a v2 client is
// told about the field it wrote instead (FieldPath, ForVersion).
var v2Paths = map[string]string{
	"spec.image":                 "spec.jobTemplate.spec.template.spec.containers[0].image",
	"spec.command":               "spec.jobTemplate.spec.template.spec.containers[0].command",
	"spec.args":                  "spec.jobTemplate.spec.template.spec.containers[0].args",
	"spec.replicas":              "spec.jobTemplate.spec.parallelism",
	"spec.backoffLimit":          "spec.jobTemplate.spec.backoffLimit",
	"spec.activeDeadlineSeconds": "spec.jobTemplate.spec.activeDeadlineSeconds",
}

// SpecField returns the v1 field that v2's field v2Path is, when the internal CronTabSpec
// holds it itself: the one place validation reports it.
func SpecField(v2Path string) (string, bool) {
	for v1, v2 := range v2Paths {
		if v2 == v2Path {
			return v1, true
		}
	}
	return "", false
}

// FieldPath returns the CronTab field v1Path as a client of example.com/version names it.
func FieldPath(v1Path, version string) string {
	if version != "v2" {
		return v1Path
	}
	for v1, v2 := range v2Paths {
		// The field itself or below it: spec.command[0] is below spec.command.
		if rest, ok := strings.CutPrefix(v1Path, v1); ok && (rest == "" || rest[0] == '[' || rest[0] == '.') {
			return v2 + rest
		}
	}
	return v1Path
}

// ForVersion returns errs with their fields as a client of example.com/version names them.
func ForVersion(errs field.ErrorList, version string) field.ErrorList {
	if version != "v2" {
		return errs
	}
	out := make(field.ErrorList, 0, len(errs))
	for _, err := range errs {
		e := *err
		e.Field = FieldPath(err.Field, version)
		out = append(out, &e)
	}
	return out
}
