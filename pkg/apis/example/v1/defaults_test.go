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
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
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
	}
	crs := &CustomResourceList{Items: []CustomResource{{}}}
	scheme.Default(crs)
	if got := crs.Items[0].Spec.Message; got != "Hello from Custom Resource API!" {
		t.Errorf("message = %q, want the default", got)
	}
}
