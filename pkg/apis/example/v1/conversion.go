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

package v1

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	"example.com/example-apiserver/pkg/apis/example"
)

// addFieldLabelConversionFuncs declares which field selectors each kind supports; the
// registry's GetAttrs must expose the same fields.
func addFieldLabelConversionFuncs(scheme *runtime.Scheme) error {
	return scheme.AddFieldLabelConversionFunc(SchemeGroupVersion.WithKind("CronTab"),
		func(label, value string) (string, string, error) {
			switch label {
			case "metadata.name", "metadata.namespace", example.CronTabImageField, example.CronTabCronSpecField:
				return label, value, nil
			default:
				return "", "", fmt.Errorf("%q is not a known field selector: only %q, %q, %q, %q", label,
					"metadata.name", "metadata.namespace", example.CronTabImageField, example.CronTabCronSpecField)
			}
		})
}
