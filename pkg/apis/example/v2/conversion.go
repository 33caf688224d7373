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

package v2

import (
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"

	"example.com/example-apiserver/pkg/apis/example"
)

// addFieldLabelConversionFuncs declares which field selectors each kind supports; the
// registry's GetAttrs must expose the same fields.
func addFieldLabelConversionFuncs(scheme *runtime.Scheme) error {
	return scheme.AddFieldLabelConversionFunc(SchemeGroupVersion.WithKind("CronTab"), example.CronTabFieldLabel)
}

// Convert_example_CronTabSpec_To_v2_CronTabSpec puts the fields the internal spec holds
// outside its JobTemplate back into spec.jobTemplate.
func Convert_example_CronTabSpec_To_v2_CronTabSpec(in *example.CronTabSpec, out *CronTabSpec, s conversion.Scope) error {
	if err := autoConvert_example_CronTabSpec_To_v2_CronTabSpec(in, out, s); err != nil {
		return err
	}
	out.JobTemplate = in.WholeJobTemplate()
	return nil
}

// Convert_v2_CronTabSpec_To_example_CronTabSpec moves the fields v1 shares out of
// spec.jobTemplate.
func Convert_v2_CronTabSpec_To_example_CronTabSpec(in *CronTabSpec, out *example.CronTabSpec, s conversion.Scope) error {
	if err := autoConvert_v2_CronTabSpec_To_example_CronTabSpec(in, out, s); err != nil {
		return err
	}
	out.SetWholeJobTemplate(in.JobTemplate.DeepCopy())
	return nil
}
