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
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func TestSetObjectDefaultsCustomResource(t *testing.T) {
	tests := []struct {
		name    string
		message string
		want    string
	}{
		{name: "empty message", message: "", want: "Hello from Custom Resource API!"},
		{name: "given message", message: "hi", want: "hi"},
		{name: "whitespace is a message", message: " ", want: " "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cr := &CustomResource{Spec: CustomResourceSpec{Message: tc.message}}
			SetObjectDefaults_CustomResource(cr)
			if cr.Spec.Message != tc.want {
				t.Errorf("message = %q, want %q", cr.Spec.Message, tc.want)
			}
		})
	}
}

func TestSetObjectDefaultsCronTab(t *testing.T) {
	int32Ptr := func(i int32) *int32 { return &i }
	tests := []struct {
		name     string
		replicas *int32
		want     int32
	}{
		{name: "unset", replicas: nil, want: 1},
		{name: "zero is kept", replicas: int32Ptr(0), want: 0},
		{name: "given", replicas: int32Ptr(5), want: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := &CronTab{Spec: CronTabSpec{CronSpec: "* * * * */5", Image: "my-awesome-cron-image", Replicas: tc.replicas}}
			SetObjectDefaults_CronTab(ct)
			if ct.Spec.Replicas == nil || *ct.Spec.Replicas != tc.want {
				t.Errorf("replicas = %v, want %d", ct.Spec.Replicas, tc.want)
			}
		})
	}
}

// TestSetObjectDefaultsCronTabRuns covers the defaults of how runs are made: each applies only
// to an absent field, so an explicit zero, false or other policy is kept.
func TestSetObjectDefaultsCronTabRuns(t *testing.T) {
	defaulted := CronTabSpec{
		Suspend:                    ptr.To(false),
		ConcurrencyPolicy:          AllowConcurrent,
		SuccessfulJobsHistoryLimit: ptr.To[int32](3),
		FailedJobsHistoryLimit:     ptr.To[int32](1),
	}
	tests := []struct {
		name   string
		mutate func(spec *CronTabSpec)
	}{
		{name: "all unset", mutate: func(*CronTabSpec) {}},
		{name: "suspended", mutate: func(spec *CronTabSpec) { spec.Suspend = ptr.To(true) }},
		{name: "Forbid", mutate: func(spec *CronTabSpec) { spec.ConcurrencyPolicy = ForbidConcurrent }},
		{name: "Replace", mutate: func(spec *CronTabSpec) { spec.ConcurrencyPolicy = ReplaceConcurrent }},
		{name: "no successful Jobs kept", mutate: func(spec *CronTabSpec) { spec.SuccessfulJobsHistoryLimit = ptr.To[int32](0) }},
		{name: "no failed Jobs kept", mutate: func(spec *CronTabSpec) { spec.FailedJobsHistoryLimit = ptr.To[int32](0) }},
		{name: "more history", mutate: func(spec *CronTabSpec) {
			spec.SuccessfulJobsHistoryLimit = ptr.To[int32](10)
			spec.FailedJobsHistoryLimit = ptr.To[int32](5)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := &CronTab{Spec: CronTabSpec{CronSpec: "@hourly", Image: "busybox:1.36", Replicas: ptr.To[int32](1)}}
			tc.mutate(&ct.Spec)
			want := defaulted
			want.CronSpec, want.Image, want.Replicas = "@hourly", "busybox:1.36", ptr.To[int32](1)
			tc.mutate(&want)

			SetObjectDefaults_CronTab(ct)

			if !reflect.DeepEqual(ct.Spec, want) {
				t.Errorf("spec = %s, want %s", specString(ct.Spec), specString(want))
			}
		})
	}
}

// specString prints the pointers' values, which %+v would print as addresses.
func specString(spec CronTabSpec) string {
	deref := func(p any) string {
		v := reflect.ValueOf(p)
		if v.IsNil() {
			return "nil"
		}
		return fmt.Sprint(v.Elem().Interface())
	}
	return fmt.Sprintf("{suspend:%s concurrencyPolicy:%q successfulJobsHistoryLimit:%s failedJobsHistoryLimit:%s startingDeadlineSeconds:%s backoffLimit:%s activeDeadlineSeconds:%s}",
		deref(spec.Suspend), spec.ConcurrencyPolicy, deref(spec.SuccessfulJobsHistoryLimit), deref(spec.FailedJobsHistoryLimit),
		deref(spec.StartingDeadlineSeconds), deref(spec.BackoffLimit), deref(spec.ActiveDeadlineSeconds))
}

// TestRegisteredDefaults checks that AddToScheme wires the defaulters, so the API server applies them.
func TestRegisteredDefaults(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	list := &CronTabList{Items: []CronTab{{}, {}}}
	scheme.Default(list)
	for i, ct := range list.Items {
		if ct.Spec.Replicas == nil || *ct.Spec.Replicas != 1 {
			t.Errorf("item %d replicas = %v, want 1", i, ct.Spec.Replicas)
		}
		if ct.Spec.ConcurrencyPolicy != AllowConcurrent || ct.Spec.SuccessfulJobsHistoryLimit == nil {
			t.Errorf("item %d run fields not defaulted: %s", i, specString(ct.Spec))
		}
	}
	crs := &CustomResourceList{Items: []CustomResource{{}}}
	scheme.Default(crs)
	if got := crs.Items[0].Spec.Message; got != "Hello from Custom Resource API!" {
		t.Errorf("message = %q, want the default", got)
	}
}
