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
	"encoding/json"
	"fmt"
	"maps"

	batchv1 "k8s.io/api/batch/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"

	"example.com/example-apiserver/pkg/apis/example"
)

// addFieldLabelConversionFuncs declares which field selectors each kind supports; the
// registry's GetAttrs must expose the same fields.
func addFieldLabelConversionFuncs(scheme *runtime.Scheme) error {
	return scheme.AddFieldLabelConversionFunc(SchemeGroupVersion.WithKind("CronTab"), example.CronTabFieldLabel)
}

// jobTemplateAnnotation is what example.JobTemplateAnnotation holds: the part of the v2 job
// template v1 has no field for, whether it is a work queue, which a template's nil
// completions (replicas completions) cannot say, and the other v2 spec fields v1 lacks.
// +k8s:openapi-gen=false
type jobTemplateAnnotation struct {
	batchv1.JobTemplateSpec `json:",inline"`
	WorkQueue               bool   `json:"workQueue,omitempty"`
	StaggerWindowSeconds    *int64 `json:"staggerWindowSeconds,omitempty"`
}

// Convert_example_CronTab_To_v1_CronTab writes the part of the v2 job template v1 has no
// field for into example.JobTemplateAnnotation, so that v1 clients and v1 storage keep it.
func Convert_example_CronTab_To_v1_CronTab(in *example.CronTab, out *CronTab, s conversion.Scope) error {
	if err := autoConvert_example_CronTab_To_v1_CronTab(in, out, s); err != nil {
		return err
	}
	_, stale := in.Annotations[example.JobTemplateAnnotation]
	rest := jobTemplateAnnotation{JobTemplateSpec: in.Spec.JobTemplate, WorkQueue: in.Spec.WorkQueue, StaggerWindowSeconds: in.Spec.StaggerWindowSeconds}
	if !stale && apiequality.Semantic.DeepEqual(rest, jobTemplateAnnotation{}) {
		return nil
	}
	// The generated conversion shares the annotations with in, which must not change.
	out.Annotations = maps.Clone(in.Annotations)
	// Only this conversion writes the annotation: one a v2 client set is not the template, and
	// storing it would make the object unreadable as v1.
	delete(out.Annotations, example.JobTemplateAnnotation)
	if !apiequality.Semantic.DeepEqual(rest, jobTemplateAnnotation{}) {
		data, err := json.Marshal(rest)
		if err != nil {
			return err
		}
		if out.Annotations == nil {
			out.Annotations = map[string]string{}
		}
		out.Annotations[example.JobTemplateAnnotation] = string(data)
	}
	if len(out.Annotations) == 0 {
		out.Annotations = nil
	}
	return nil
}

// Convert_v1_CronTab_To_example_CronTab restores what example.JobTemplateAnnotation carries.
func Convert_v1_CronTab_To_example_CronTab(in *CronTab, out *example.CronTab, s conversion.Scope) error {
	if err := autoConvert_v1_CronTab_To_example_CronTab(in, out, s); err != nil {
		return err
	}
	data, ok := in.Annotations[example.JobTemplateAnnotation]
	if !ok {
		return nil
	}
	var rest jobTemplateAnnotation
	if err := json.Unmarshal([]byte(data), &rest); err != nil {
		return fmt.Errorf("metadata.annotations[%s]: %w", example.JobTemplateAnnotation, err)
	}
	out.Spec.WorkQueue = rest.WorkQueue
	out.Spec.StaggerWindowSeconds = rest.StaggerWindowSeconds
	out.Spec.SetJobTemplateRest(&rest.JobTemplateSpec)
	out.Annotations = maps.Clone(in.Annotations)
	delete(out.Annotations, example.JobTemplateAnnotation)
	if len(out.Annotations) == 0 {
		out.Annotations = nil
	}
	return nil
}

// Convert_example_CronTabSpec_To_v1_CronTabSpec leaves the job template, WorkQueue and
// StaggerWindowSeconds out: the CronTab's conversion carries them in an annotation, which a
// spec cannot hold.
func Convert_example_CronTabSpec_To_v1_CronTabSpec(in *example.CronTabSpec, out *CronTabSpec, s conversion.Scope) error {
	return autoConvert_example_CronTabSpec_To_v1_CronTabSpec(in, out, s)
}
