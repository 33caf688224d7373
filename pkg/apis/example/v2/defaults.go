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

import "k8s.io/utils/ptr"

// SetDefaults_CronTabSpec defaults the Job's parallelism and completions as kube-apiserver
// defaults a Job's, so that a template means here what it means in a Job: neither set runs
// one pod to completion; completions unset with parallelism set is a work queue.
func SetDefaults_CronTabSpec(obj *CronTabSpec) {
	job := &obj.JobTemplate.Spec
	if job.Completions == nil && job.Parallelism == nil {
		job.Completions = ptr.To[int32](1)
	}
	if job.Parallelism == nil {
		job.Parallelism = ptr.To[int32](1)
	}
}
