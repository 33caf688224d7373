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

package apiserver

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"

	loginapi "example.com/example-apiserver/pkg/apis/login"
)

// recordingAdmission records which of its phases ran.
type recordingAdmission struct {
	admitted, validated int
}

func (*recordingAdmission) Handles(admission.Operation) bool { return true }

func (r *recordingAdmission) Admit(context.Context, admission.Attributes, admission.ObjectInterfaces) error {
	r.admitted++
	return nil
}

func (r *recordingAdmission) Validate(context.Context, admission.Attributes, admission.ObjectInterfaces) error {
	r.validated++
	return nil
}

func TestWithoutMutatingLoginRequests(t *testing.T) {
	tests := []struct {
		name         string
		resource     schema.GroupVersionResource
		wantAdmitted int
	}{
		{"loginrequests", schema.GroupVersionResource{Group: "login.example.com", Version: "v1alpha1", Resource: "loginrequests"}, 0},
		{"crontabs", schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "crontabs"}, 1},
		{"loginrequests of another group", schema.GroupVersionResource{Group: "other.example.com", Version: "v1", Resource: "loginrequests"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &recordingAdmission{}
			chain := withoutMutatingLoginRequests(inner)
			attrs := admission.NewAttributesRecord(&loginapi.LoginRequest{Spec: loginapi.LoginRequestSpec{Username: "alice", Password: "secret"}}, nil,
				schema.GroupVersionKind{}, "", "", tt.resource, "", admission.Create, &metav1.CreateOptions{}, false, nil)
			if !chain.Handles(admission.Create) {
				t.Fatal("the chain no longer handles CREATE")
			}
			if err := chain.(admission.MutationInterface).Admit(context.Background(), attrs, nil); err != nil {
				t.Fatal(err)
			}
			if err := chain.(admission.ValidationInterface).Validate(context.Background(), attrs, nil); err != nil {
				t.Fatal(err)
			}
			if inner.admitted != tt.wantAdmitted || inner.validated != 1 {
				t.Errorf("mutating admission ran %d times, validating %d; want %d and 1", inner.admitted, inner.validated, tt.wantAdmitted)
			}
		})
	}
	if withoutMutatingLoginRequests(nil) != nil {
		t.Error("no chain became one")
	}
}
