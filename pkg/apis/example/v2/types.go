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
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +genclient
// +genclient:method=GetScale,verb=get,subresource=scale,result=k8s.io/api/autoscaling/v1.Scale
// +genclient:method=UpdateScale,verb=update,subresource=scale,input=k8s.io/api/autoscaling/v1.Scale,result=k8s.io/api/autoscaling/v1.Scale
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTab runs a Job from a template on a cron schedule. It is served by example-apiserver
// as example.com/v2 (short name ct, the preferred version) beside example.com/v1, with status
// and scale subresources. Each run is a Job named "<name>-<minutes since the Unix epoch>", so a
// new CronTab's name is at most 52 characters.
type CronTab struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// spec is the desired state of the CronTab.
	// +optional
	Spec CronTabSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`

	// status is the observed state of the CronTab, written through the status subresource.
	// +optional
	Status CronTabStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// CronTabSpec says when a CronTab runs (cronSpec, timeZone, suspend), what each run starts
// (jobTemplate) and how runs are limited and kept.
type CronTabSpec struct {
	// cronSpec is the schedule in cron format: five fields (minute hour day-of-month month
	// day-of-week), e.g. "*/5 * * * *", or a descriptor such as "@hourly" or "@every 90s".
	// +required
	CronSpec string `json:"cronSpec" protobuf:"bytes,1,opt,name=cronSpec"`

	// timeZone is the IANA time zone name the schedule is interpreted in, e.g. "Asia/Shanghai".
	// Defaults to UTC when empty.
	// +optional
	TimeZone string `json:"timeZone,omitempty" protobuf:"bytes,2,opt,name=timeZone"`

	// suspend stops new runs from starting while true; runs already started go on.
	// Defaults to false.
	// +optional
	// +default=false
	Suspend *bool `json:"suspend,omitempty" protobuf:"varint,3,opt,name=suspend"`

	// concurrencyPolicy says what happens when a run is due while an earlier one is still
	// active: "Allow" starts it anyway, "Forbid" skips it, "Replace" deletes the active run and
	// starts the new one. Defaults to "Allow".
	// +optional
	// +default="Allow"
	ConcurrencyPolicy ConcurrencyPolicy `json:"concurrencyPolicy,omitempty" protobuf:"bytes,4,opt,name=concurrencyPolicy,casttype=ConcurrencyPolicy"`

	// startingDeadlineSeconds is how late, in seconds after its scheduled time, a run may still
	// start; a run that cannot start by then counts as missed. 0 or more; unset means no
	// deadline.
	// +optional
	StartingDeadlineSeconds *int64 `json:"startingDeadlineSeconds,omitempty" protobuf:"varint,5,opt,name=startingDeadlineSeconds"`

	// staggerWindowSeconds spreads the CronTabs that share a schedule: every run starts the
	// same number of seconds after its scheduled time, an offset in [0, staggerWindowSeconds)
	// derived from the CronTab's UID, so it is the same on every controller and restart and
	// differs between CronTabs. The offset never passes startingDeadlineSeconds, and
	// status.nextScheduleTime shows the moved time. 1 to 86400; for wall-clock schedules only
	// (an "@every" schedule already counts from its CronTab's creation). Unset: no offset.
	// +optional
	StaggerWindowSeconds *int64 `json:"staggerWindowSeconds,omitempty" protobuf:"varint,9,opt,name=staggerWindowSeconds"`

	// successfulJobsHistoryLimit is how many Jobs of successful runs to keep; older ones are
	// deleted, 0 keeps none. Defaults to 3.
	// +optional
	// +default=3
	SuccessfulJobsHistoryLimit *int32 `json:"successfulJobsHistoryLimit,omitempty" protobuf:"varint,6,opt,name=successfulJobsHistoryLimit"`

	// failedJobsHistoryLimit is how many Jobs of failed runs to keep; older ones are deleted,
	// 0 keeps none. Defaults to 1.
	// +optional
	// +default=1
	FailedJobsHistoryLimit *int32 `json:"failedJobsHistoryLimit,omitempty" protobuf:"varint,7,opt,name=failedJobsHistoryLimit"`

	// jobTemplate is the Job each run creates, as a CronJob's: its labels and annotations and
	// its whole spec with the pod template. The server adds the selector label and the owner
	// reference. Its spec.parallelism is what the scale subresource reads and writes (the pods
	// each run starts at once, v1's replicas); spec.completions defaults to it. The first
	// container is v1's image, command and args.
	// +required
	JobTemplate batchv1.JobTemplateSpec `json:"jobTemplate" protobuf:"bytes,8,opt,name=jobTemplate"`
}

// ConcurrencyPolicy says how a CronTab treats a run that is due while an earlier run is active.
// +enum
type ConcurrencyPolicy string

const (
	// AllowConcurrent starts the new run beside the active ones.
	AllowConcurrent ConcurrencyPolicy = "Allow"
	// ForbidConcurrent skips the new run while one is active.
	ForbidConcurrent ConcurrencyPolicy = "Forbid"
	// ReplaceConcurrent deletes the active runs and starts the new one.
	ReplaceConcurrent ConcurrencyPolicy = "Replace"
)

// CronTabStatus is written by the controller: the runs started, active and missed, and the
// pods they run.
type CronTabStatus struct {
	// replicas is the parallelism the controller applies to this CronTab's runs: each run's Job
	// starts this many pods at once. It is what the scale subresource reports as the current
	// replicas, between runs too.
	// +optional
	Replicas int32 `json:"replicas,omitempty" protobuf:"varint,1,opt,name=replicas"`

	// selector is the label selector, in string form, of what this CronTab runs. It is set by
	// the server and exposed through the scale subresource for autoscalers.
	// +optional
	Selector string `json:"selector,omitempty" protobuf:"bytes,2,opt,name=selector"`

	// conditions are the latest observations of the CronTab's state.
	// +optional
	// +listType=map
	// +listMapKey=type
	// +patchStrategy=merge
	// +patchMergeKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type" protobuf:"bytes,3,rep,name=conditions"`

	// observedGeneration is the metadata.generation the status was computed from.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty" protobuf:"varint,4,opt,name=observedGeneration"`

	// active are references to the Jobs of the runs that have not finished.
	// +optional
	// +listType=atomic
	Active []corev1.ObjectReference `json:"active,omitempty" protobuf:"bytes,5,rep,name=active"`

	// lastScheduleTime is the scheduled time of the latest run started.
	// +optional
	LastScheduleTime *metav1.Time `json:"lastScheduleTime,omitempty" protobuf:"bytes,6,opt,name=lastScheduleTime"`

	// lastSuccessfulTime is when the latest successful run finished.
	// +optional
	LastSuccessfulTime *metav1.Time `json:"lastSuccessfulTime,omitempty" protobuf:"bytes,7,opt,name=lastSuccessfulTime"`

	// nextScheduleTime is the next time the schedule fires, in UTC; unset while suspended.
	// +optional
	NextScheduleTime *metav1.Time `json:"nextScheduleTime,omitempty" protobuf:"bytes,8,opt,name=nextScheduleTime"`

	// lastMissedTime is the latest scheduled time that did not get a run: past its starting
	// deadline, skipped by the Forbid policy, or passed over while the controller was down.
	// +optional
	LastMissedTime *metav1.Time `json:"lastMissedTime,omitempty" protobuf:"bytes,9,opt,name=lastMissedTime"`

	// missedRuns counts the scheduled times that did not get a run, since the CronTab was created.
	// +optional
	MissedRuns int64 `json:"missedRuns,omitempty" protobuf:"varint,10,opt,name=missedRuns"`

	// runningPods is the number of pods of the active Jobs that are running.
	// +optional
	RunningPods int32 `json:"runningPods,omitempty" protobuf:"varint,11,opt,name=runningPods"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTabList is a list of CronTabs.
type CronTabList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// items are the CronTabs.
	Items []CronTab `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// +genclient
// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CustomResource is a cluster-scoped resource served by example-apiserver, the smallest
// aggregated API there is: it carries a message, "Hello from Custom Resource API!" unless another is given.
type CustomResource struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// spec is the content of the CustomResource.
	// +optional
	Spec CustomResourceSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
}

// CustomResourceSpec holds the message, the one field a CustomResource has.
type CustomResourceSpec struct {
	// message is the text the resource carries, at most 1024 bytes.
	// Defaults to "Hello from Custom Resource API!" when empty.
	// +optional
	// +default="Hello from Custom Resource API!"
	Message string `json:"message,omitempty" protobuf:"bytes,1,opt,name=message"`
}

// +genclient:nonNamespaced
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CustomResourceList is a list of CustomResources.
type CustomResourceList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// items are the CustomResources.
	Items []CustomResource `json:"items" protobuf:"bytes,2,rep,name=items"`
}
