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
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The CronTab fields a field selector can match besides metadata.name and metadata.namespace:
// the v1 field label conversion accepts them and the registry's GetAttrs fills them.
const (
	CronTabImageField    = "spec.image"
	CronTabCronSpecField = "spec.cronSpec"
)

// CronTabFieldLabel accepts the field selectors every version of CronTab supports; in v2
// spec.image is the first container's image, which is v1's spec.image.
func CronTabFieldLabel(label, value string) (string, string, error) {
	switch label {
	case "metadata.name", "metadata.namespace", CronTabImageField, CronTabCronSpecField:
		return label, value, nil
	default:
		return "", "", fmt.Errorf("%q is not a known field selector: only %q, %q, %q, %q", label,
			"metadata.name", "metadata.namespace", CronTabImageField, CronTabCronSpecField)
	}
}

// CronTabSelectorLabel is the label whose value is a CronTab's name; status.selector selects on it,
// so a scale client (kubectl scale, the HPA) can find what a CronTab runs.
const CronTabSelectorLabel = "example.com/crontab"

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTab runs an image on a cron schedule.
type CronTab struct {
	metav1.TypeMeta
	metav1.ObjectMeta

	Spec   CronTabSpec
	Status CronTabStatus
}

// CronTabSpec is the desired state of a CronTab. It holds everything v1 and v2 hold: the
// v1 fields are the projection both versions share (the first container's image, command and
// args; the Job's parallelism, backoff limit and active deadline), and JobTemplate holds the
// rest of v2's spec.jobTemplate, with those projected fields left unset. Keeping v1's fields
// here keeps one meaning for them (validation, admission, field selectors, the scale
// subresource) whichever version a client speaks.
type CronTabSpec struct {
	CronSpec                string
	Image                   string
	Replicas                int32
	TimeZone                string
	Command                 []string
	Args                    []string
	Suspend                 bool
	ConcurrencyPolicy       ConcurrencyPolicy
	StartingDeadlineSeconds *int64
	// StaggerWindowSeconds, v2 only, moves every run of a wall-clock schedule by the same
	// offset inside a window after its scheduled time (schedule.StaggerOffset).
	StaggerWindowSeconds       *int64
	SuccessfulJobsHistoryLimit int32
	FailedJobsHistoryLimit     int32
	BackoffLimit               *int32
	ActiveDeadlineSeconds      *int64
	// JobTemplate is v2's spec.jobTemplate less the projected fields above: its Parallelism,
	// BackoffLimit and ActiveDeadlineSeconds are nil, its Completions nil when they equal
	// Replicas (or when WorkQueue says there are none), and its first container has no image,
	// command or args (those are Image, Command and Args). A template whose only container is
	// named ContainerName and holds nothing else is the zero template: that is the container
	// v1 implies. Non-nil and empty containers are a v2 template without any (NoContainers),
	// which validation refuses.
	JobTemplate batchv1.JobTemplateSpec
	// WorkQueue is true when the Job has no completions count (v2's completions unset with
	// parallelism set): its pods work through a queue and the run is done when one succeeds.
	// False, a nil JobTemplate completions means Replicas completions, v1's only mode, and
	// keeps following Replicas when it is scaled.
	WorkQueue bool
}

// ContainerName is the name of the container a CronTab written as v1 runs.
const ContainerName = "crontab"

// ConcurrencyPolicy says how a CronTab treats a run that is due while an earlier run is active.
type ConcurrencyPolicy string

const (
	AllowConcurrent   ConcurrencyPolicy = "Allow"
	ForbidConcurrent  ConcurrencyPolicy = "Forbid"
	ReplaceConcurrent ConcurrencyPolicy = "Replace"
)

// CronTabStatus is the observed state of a CronTab.
type CronTabStatus struct {
	Replicas           int32
	Selector           string
	Conditions         []metav1.Condition
	ObservedGeneration int64
	Active             []corev1.ObjectReference
	LastScheduleTime   *metav1.Time
	LastSuccessfulTime *metav1.Time
	NextScheduleTime   *metav1.Time
	LastMissedTime     *metav1.Time
	MissedRuns         int64
	RunningPods        int32
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTabList is a list of CronTabs.
type CronTabList struct {
	metav1.TypeMeta
	metav1.ListMeta

	Items []CronTab
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CustomResource is a cluster-scoped resource that carries a message.
type CustomResource struct {
	metav1.TypeMeta
	metav1.ObjectMeta

	Spec CustomResourceSpec
}

// CustomResourceSpec is the content of a CustomResource.
type CustomResourceSpec struct {
	Message string
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CustomResourceList is a list of CustomResources.
type CustomResourceList struct {
	metav1.TypeMeta
	metav1.ListMeta

	Items []CustomResource
}
