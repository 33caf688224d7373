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

package example

import (
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/utils/ptr"
)

// JobTemplateAnnotation carries, on a CronTab read as v1, the part of its v2 spec.jobTemplate
// that v1 has no field for (JSON of CronTabSpec.JobTemplate), so that a v1 client's
// read-modify-write, apply or patch keeps it: the convention autoscaling/v1 follows for the
// HorizontalPodAutoscaler fields only v2 has. The server owns it; users must not edit it.
// It also carries those fields through storage, which is v1.
const JobTemplateAnnotation = "example.com/v2-job-template"

// WholeJobTemplate returns v2's spec.jobTemplate: JobTemplate with the fields spec holds
// itself put back. It shares nothing with spec.
func (spec *CronTabSpec) WholeJobTemplate() batchv1.JobTemplateSpec {
	t := spec.JobTemplate.DeepCopy()
	job := &t.Spec
	job.Parallelism = ptr.To(spec.Replicas)
	// v1 runs replicas pods to completion each run; a template that says nothing else keeps that.
	if job.Completions == nil && !spec.WorkQueue {
		job.Completions = ptr.To(spec.Replicas)
	}
	job.BackoffLimit = copyPtr(spec.BackoffLimit)
	job.ActiveDeadlineSeconds = copyPtr(spec.ActiveDeadlineSeconds)
	pod := &job.Template.Spec
	if len(pod.Containers) == 0 {
		pod.Containers = []corev1.Container{{Name: ContainerName}}
	}
	c := &pod.Containers[0]
	c.Image, c.Command, c.Args = spec.Image, slices.Clone(spec.Command), slices.Clone(spec.Args)
	return *t
}

// SetWholeJobTemplate sets spec from v2's spec.jobTemplate t, which it takes over: the fields
// spec holds itself are moved out of t, the rest becomes JobTemplate.
func (spec *CronTabSpec) SetWholeJobTemplate(t *batchv1.JobTemplateSpec) {
	job := &t.Spec
	spec.Replicas = ptr.Deref(job.Parallelism, 1)
	spec.WorkQueue = job.Completions == nil
	spec.BackoffLimit, spec.ActiveDeadlineSeconds = job.BackoffLimit, job.ActiveDeadlineSeconds
	spec.Image, spec.Command, spec.Args = "", nil, nil
	if containers := job.Template.Spec.Containers; len(containers) > 0 {
		spec.Image, spec.Command, spec.Args = containers[0].Image, containers[0].Command, containers[0].Args
	} else {
		// Non-nil and empty says the template named no container (NoContainers), which
		// validation reports as such; v1's empty image alone leaves it nil.
		job.Template.Spec.Containers = []corev1.Container{}
	}
	spec.SetJobTemplateRest(t)
}

// SetJobTemplateRest sets JobTemplate to t, which it takes over, less the fields spec holds
// itself: those keep their values in spec whatever t says, so v1's fields win over a stale
// or edited JobTemplateAnnotation. WorkQueue is the caller's to set.
func (spec *CronTabSpec) SetJobTemplateRest(t *batchv1.JobTemplateSpec) {
	job := &t.Spec
	job.Parallelism, job.BackoffLimit, job.ActiveDeadlineSeconds = nil, nil, nil
	if job.Completions != nil && (*job.Completions == spec.Replicas || spec.WorkQueue) {
		job.Completions = nil
	}
	pod := &job.Template.Spec
	if len(pod.Containers) > 0 {
		c := &pod.Containers[0]
		c.Image, c.Command, c.Args = "", nil, nil
		// The container v1 implies is no part of the template.
		if len(pod.Containers) == 1 && apiequality.Semantic.DeepEqual(*c, corev1.Container{Name: ContainerName}) {
			pod.Containers = nil
		}
	}
	spec.JobTemplate = *t
}

// NoContainers reports whether spec was set from a v2 template without containers, which
// is invalid, rather than from a v1 spec whose first container is only implied.
func (spec *CronTabSpec) NoContainers() bool {
	containers := spec.JobTemplate.Spec.Template.Spec.Containers
	return containers != nil && len(containers) == 0
}

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
