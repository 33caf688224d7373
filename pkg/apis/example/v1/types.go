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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +genclient
// +genclient:method=GetScale,verb=get,subresource=scale,result=k8s.io/api/autoscaling/v1.Scale
// +genclient:method=UpdateScale,verb=update,subresource=scale,input=k8s.io/api/autoscaling/v1.Scale,result=k8s.io/api/autoscaling/v1.Scale
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTab runs an image on a cron schedule. It is served by example-apiserver
// as example.com/v1 (short name ct) with status and scale subresources.
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

// CronTabSpec is the desired state of a CronTab.
type CronTabSpec struct {
	// cronSpec is the schedule in cron format: five fields (minute hour day-of-month month
	// day-of-week), e.g. "*/5 * * * *", or a descriptor such as "@hourly" or "@every 90s".
	// +required
	CronSpec string `json:"cronSpec" protobuf:"bytes,1,opt,name=cronSpec"`

	// image is the container image reference to run, e.g. "registry.example.com/team/job:1.0".
	// +required
	Image string `json:"image" protobuf:"bytes,2,opt,name=image"`

	// replicas is the number of copies to run on each schedule, 0 to 1000. Defaults to 1.
	// +optional
	// +default=1
	Replicas *int32 `json:"replicas,omitempty" protobuf:"varint,3,opt,name=replicas"`

	// timeZone is the IANA time zone name the schedule is interpreted in, e.g. "Asia/Shanghai".
	// Defaults to UTC when empty.
	// +optional
	TimeZone string `json:"timeZone,omitempty" protobuf:"bytes,4,opt,name=timeZone"`
}

// CronTabStatus is the observed state of a CronTab.
type CronTabStatus struct {
	// replicas is the number of copies observed running.
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

// CustomResource is the cluster-scoped resource of the seed document's aggregated API server:
// it carries a message, "Hello from Custom Resource API!" unless another is given.
type CustomResource struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// spec is the content of the CustomResource.
	// +optional
	Spec CustomResourceSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
}

// CustomResourceSpec is the content of a CustomResource.
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
