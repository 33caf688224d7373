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
	"strings"

	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	"k8s.io/kubernetes/pkg/apis/batch"
	kubebatchv1 "k8s.io/kubernetes/pkg/apis/batch/v1"
	batchvalidation "k8s.io/kubernetes/pkg/apis/batch/validation"
	"k8s.io/kubernetes/pkg/apis/core"
	kubecorev1 "k8s.io/kubernetes/pkg/apis/core/v1"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/validation"
	"example.com/example-apiserver/pkg/crontabrun"
)

// validateCronTab is the validation of a write: the API's rules (validation.ValidateCronTab,
// or ValidateCronTabUpdate when old is not nil), then Kubernetes' rules for the Job a run
// would create, less what the first already reported. The second is the registry's, not
// pkg/apis/example/validation's: it needs k8s.io/kubernetes, which a program importing the
// API types must not pull in with them.
func validateCronTab(ct, old *example.CronTab) field.ErrorList {
	var errs field.ErrorList
	if old == nil {
		errs = validation.ValidateCronTab(ct)
	} else {
		errs = validation.ValidateCronTabUpdate(ct, old)
	}
	return append(errs, validateJobTemplate(ct, old, errs)...)
}

// jobTemplatePath is where v2 has the job template; its errors are reported under it.
var jobTemplatePath = field.NewPath("spec", "jobTemplate")

// batchScheme defaults and converts Jobs as kube-apiserver does, so that Kubernetes'
// validation sees the Job kube-apiserver would see.
var batchScheme = func() *runtime.Scheme {
	scheme := runtime.NewScheme()
	utilruntime.Must(core.AddToScheme(scheme))
	utilruntime.Must(kubecorev1.AddToScheme(scheme))
	utilruntime.Must(batch.AddToScheme(scheme))
	utilruntime.Must(kubebatchv1.AddToScheme(scheme))
	return scheme
}()

// validateJobTemplate validates the Job a run of ct would create (old is nil on create) with
// kube-apiserver's own rules for a CronJob's job template: container names and images, ports,
// env names, volumes and mounts, resources, probes, restartPolicy and the rest. Checking it
// here makes a bad template a 422 at write time rather than a failed Job at the first run.
// reported are the errors the API's rules found: a field spec holds itself that is already
// reported there is not reported again under its place in the template.
func validateJobTemplate(ct, old *example.CronTab, reported field.ErrorList) field.ErrorList {
	reportedFields := map[string]bool{}
	for _, err := range reported {
		reportedFields[err.Field] = true
	}
	// The v1 field that reports a projected field's place in the template.
	v1Field := func(templateField string) (string, bool) {
		if templateField == "spec.jobTemplate.spec.completions" && ct.Spec.JobTemplate.Spec.Completions == nil {
			return "spec.replicas", true
		}
		return validation.SpecField(templateField)
	}
	// Without containers the first one is only implied: errors about it would be noise.
	containers := jobTemplatePath.Child("spec", "template", "spec", "containers")
	implied := containers.Index(0).String()
	var allErrs field.ErrorList
	for _, err := range validateWholeJobTemplate(ct, old) {
		if specField, ok := v1Field(err.Field); ok && reportedFields[specField] {
			continue
		}
		if reportedFields[containers.String()] && strings.HasPrefix(err.Field, implied) {
			continue
		}
		allErrs = append(allErrs, err)
	}
	return allErrs
}

func validateWholeJobTemplate(ct, old *example.CronTab) field.ErrorList {
	template, allErrs := internalJobTemplate(ct)
	if len(allErrs) > 0 {
		return allErrs
	}
	var oldTemplate *batch.JobTemplateSpec
	if old != nil {
		// An old object whose template cannot be read only loses the ratcheting.
		oldTemplate, _ = internalJobTemplate(old)
	}
	var oldPod *core.PodTemplateSpec
	if oldTemplate != nil {
		oldPod = &oldTemplate.Spec.Template
	}
	opts := podutil.GetValidationOptionsFromPodTemplate(&template.Spec.Template, oldPod)
	// The Job's metadata as written: defaulting gives a Job without labels its pods' labels.
	allErrs = append(allErrs, apimachineryvalidation.ValidateAnnotations(ct.Spec.JobTemplate.Annotations, jobTemplatePath.Child("metadata", "annotations"))...)
	allErrs = append(allErrs, metav1validation.ValidateLabels(ct.Spec.JobTemplate.Labels, jobTemplatePath.Child("metadata", "labels"))...)
	return append(allErrs, batchvalidation.ValidateJobTemplateSpec(template, oldTemplate, jobTemplatePath, opts)...)
}

// internalJobTemplate returns the template of the Job crontabrun builds for ct, defaulted as
// kube-apiserver defaults a Job and in its internal form.
func internalJobTemplate(ct *example.CronTab) (*batch.JobTemplateSpec, field.ErrorList) {
	job := crontabrun.NewManualJob(ct)
	// The labels and annotations that make the Job a run of ct are no part of what the user
	// wrote: a CronTab whose name is too long for a label predates the name limit, and
	// validation.ValidateCronTab reports its name on create.
	job.Labels, job.Annotations = ct.Spec.JobTemplate.Labels, ct.Spec.JobTemplate.Annotations
	job.Spec.Template.Labels = ct.Spec.JobTemplate.Spec.Template.Labels
	batchScheme.Default(job)
	internal := &batch.Job{}
	if err := batchScheme.Convert(job, internal, nil); err != nil {
		return nil, field.ErrorList{field.Invalid(jobTemplatePath, "", err.Error())}
	}
	return &batch.JobTemplateSpec{ObjectMeta: internal.ObjectMeta, Spec: internal.Spec}, nil
}
