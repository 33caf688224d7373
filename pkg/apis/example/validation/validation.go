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

// Package validation holds the field rules of the example.com types: every error carries its
// field path, so a client sees a 422 that names what to fix.
package validation

import (
	"fmt"
	"slices"

	"github.com/distribution/reference"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/schedule"
)

const (
	// MaxReplicas is the largest spec.replicas a CronTab may ask for.
	MaxReplicas = 1000
	// MaxMessageBytes is the largest spec.message a CustomResource may carry.
	MaxMessageBytes = 1024
	// MaxCronTabNameLength is the longest name a new CronTab may have: each run's Job is named
	// "<crontab>-<minutes since the Unix epoch>", and that name is also a label value, at most 63
	// characters; the suffix takes up to 11 (a dash and 10 digits).
	MaxCronTabNameLength = 52
)

var concurrencyPolicies = []example.ConcurrencyPolicy{example.AllowConcurrent, example.ForbidConcurrent, example.ReplaceConcurrent}

// ValidateCronTab validates a new CronTab. Only new names are held to MaxCronTabNameLength:
// a CronTab created before the limit keeps working on update. Kubernetes' own rules for the
// Job a run creates are checked by the registry (pkg/registry/example/crontab), not here.
func ValidateCronTab(ct *example.CronTab) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(&ct.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	if len(ct.Name) > MaxCronTabNameLength {
		allErrs = append(allErrs, field.Invalid(field.NewPath("metadata", "name"), ct.Name,
			fmt.Sprintf("must be no more than %d characters, so that the Jobs of its runs get valid names", MaxCronTabNameLength)))
	}
	allErrs = append(allErrs, ValidateCronTabSpec(&ct.Spec, field.NewPath("spec"))...)
	allErrs = append(allErrs, validateUTF8(ct)...)
	return allErrs
}

// ValidateCronTabUpdate validates an update of a CronTab's main resource.
func ValidateCronTabUpdate(ct, old *example.CronTab) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&ct.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	allErrs = append(allErrs, ValidateCronTabSpec(&ct.Spec, field.NewPath("spec"))...)
	allErrs = append(allErrs, validateUTF8(ct)...)
	return allErrs
}

// ValidateCronTabStatusUpdate validates an update through the status subresource.
func ValidateCronTabStatusUpdate(ct, old *example.CronTab) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&ct.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	allErrs = append(allErrs, ValidateCronTabStatus(&ct.Status, field.NewPath("status"))...)
	allErrs = append(allErrs, validateUTF8(ct)...)
	return allErrs
}

// ValidateCronTabSpec validates the schedule, image, replicas, time zone and how runs are made.
// command and args are not checked: a container accepts any strings there, empty ones too.
func ValidateCronTabSpec(spec *example.CronTabSpec, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if spec.CronSpec == "" {
		allErrs = append(allErrs, field.Required(fldPath.Child("cronSpec"), "a cron expression such as \"*/5 * * * *\" or \"@hourly\""))
	} else if _, err := schedule.Parse(spec.CronSpec); err != nil {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("cronSpec"), spec.CronSpec, err.Error()))
	}

	switch {
	case spec.NoContainers():
		allErrs = append(allErrs, field.Required(fldPath.Child("jobTemplate", "spec", "template", "spec", "containers"), "at least one container"))
	case spec.Image == "":
		allErrs = append(allErrs, field.Required(fldPath.Child("image"), "an image reference such as \"registry.example.com/team/job:1.0\""))
	default:
		if _, err := reference.ParseNormalizedNamed(spec.Image); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("image"), spec.Image, fmt.Sprintf("not a valid image reference: %v", err)))
		}
	}

	allErrs = append(allErrs, validateReplicas(spec.Replicas, fldPath.Child("replicas"))...)

	if _, err := schedule.LoadLocation(spec.TimeZone); err != nil {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("timeZone"), spec.TimeZone, err.Error()))
	}

	switch {
	case spec.ConcurrencyPolicy == "":
		allErrs = append(allErrs, field.Required(fldPath.Child("concurrencyPolicy"), "one of Allow, Forbid or Replace"))
	case !slices.Contains(concurrencyPolicies, spec.ConcurrencyPolicy):
		allErrs = append(allErrs, field.NotSupported(fldPath.Child("concurrencyPolicy"), spec.ConcurrencyPolicy, concurrencyPolicies))
	}
	if spec.StartingDeadlineSeconds != nil {
		allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(*spec.StartingDeadlineSeconds, fldPath.Child("startingDeadlineSeconds"))...)
	}
	allErrs = append(allErrs, validateStaggerWindow(spec, fldPath.Child("staggerWindowSeconds"))...)
	allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.SuccessfulJobsHistoryLimit), fldPath.Child("successfulJobsHistoryLimit"))...)
	allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.FailedJobsHistoryLimit), fldPath.Child("failedJobsHistoryLimit"))...)
	if spec.BackoffLimit != nil {
		allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(*spec.BackoffLimit), fldPath.Child("backoffLimit"))...)
	}
	// A Job with no time at all could not start a pod.
	if spec.ActiveDeadlineSeconds != nil && *spec.ActiveDeadlineSeconds <= 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("activeDeadlineSeconds"), *spec.ActiveDeadlineSeconds, "must be greater than 0"))
	}
	return allErrs
}

// MaxStaggerWindowSeconds is the longest stagger window, a day: the period of the longest
// schedules people spread (@daily).
const MaxStaggerWindowSeconds = 24 * 60 * 60

// validateStaggerWindow checks the window's range and that the schedule has wall-clock run
// times to move: an interval schedule's runs count from its CronTab's creation, so they are
// spread already, and an offset would shift where the next interval counts from.
func validateStaggerWindow(spec *example.CronTabSpec, fldPath *field.Path) field.ErrorList {
	window := spec.StaggerWindowSeconds
	if window == nil {
		return nil
	}
	if *window < 1 || *window > MaxStaggerWindowSeconds {
		return field.ErrorList{field.Invalid(fldPath, *window, fmt.Sprintf("must be between 1 and %d", MaxStaggerWindowSeconds))}
	}
	if s, err := schedule.New(spec.CronSpec, spec.TimeZone); err == nil && s.IsInterval() {
		return field.ErrorList{field.Invalid(fldPath, *window, fmt.Sprintf("applies to wall-clock schedules only: %q already runs at intervals from the CronTab's creation", spec.CronSpec))}
	}
	return nil
}

// ValidateScaleReplicas validates the spec.replicas of a Scale written to crontabs/scale.
func ValidateScaleReplicas(replicas int32) field.ErrorList {
	return validateReplicas(replicas, field.NewPath("spec", "replicas"))
}

func validateReplicas(replicas int32, fldPath *field.Path) field.ErrorList {
	if replicas < 0 || replicas > MaxReplicas {
		return field.ErrorList{field.Invalid(fldPath, replicas, fmt.Sprintf("must be between 0 and %d", MaxReplicas))}
	}
	return nil
}

// ValidateCronTabStatus validates what status writers (controllers) report.
func ValidateCronTabStatus(status *example.CronTabStatus, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(status.Replicas), fldPath.Child("replicas"))...)
	allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(status.ObservedGeneration, fldPath.Child("observedGeneration"))...)
	if status.Selector != "" {
		if _, err := labels.Parse(status.Selector); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("selector"), status.Selector, err.Error()))
		}
	}
	allErrs = append(allErrs, metav1validation.ValidateConditions(status.Conditions, fldPath.Child("conditions"))...)
	for i, ref := range status.Active {
		if ref.Name == "" {
			allErrs = append(allErrs, field.Required(fldPath.Child("active").Index(i).Child("name"), "the name of the run's Job"))
		}
	}
	allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(status.MissedRuns, fldPath.Child("missedRuns"))...)
	allErrs = append(allErrs, apimachineryvalidation.ValidateNonnegativeField(int64(status.RunningPods), fldPath.Child("runningPods"))...)
	return allErrs
}

// ValidateCustomResource validates a new CustomResource.
func ValidateCustomResource(cr *example.CustomResource) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMeta(&cr.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	allErrs = append(allErrs, validateCustomResourceSpec(&cr.Spec, field.NewPath("spec"))...)
	allErrs = append(allErrs, validateUTF8(cr)...)
	return allErrs
}

// ValidateCustomResourceUpdate validates an update of a CustomResource.
func ValidateCustomResourceUpdate(cr, old *example.CustomResource) field.ErrorList {
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&cr.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	allErrs = append(allErrs, validateCustomResourceSpec(&cr.Spec, field.NewPath("spec"))...)
	allErrs = append(allErrs, validateUTF8(cr)...)
	return allErrs
}

func validateCustomResourceSpec(spec *example.CustomResourceSpec, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if len(spec.Message) > MaxMessageBytes {
		allErrs = append(allErrs, field.TooLong(fldPath.Child("message"), "", MaxMessageBytes))
	}
	return allErrs
}
