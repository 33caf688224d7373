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

package kubectlplugin

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakedynamic "k8s.io/client-go/dynamic/fake"
)

func apiService(name string, available string, reason, message string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]any{"name": name},
		"spec": map[string]any{
			"service": map[string]any{"name": "example-apiserver", "namespace": "example-system", "port": int64(443)},
		},
		"status": map[string]any{
			"conditions": []any{map[string]any{"type": "Available", "status": available, "reason": reason, "message": message}},
		},
	}}
	return u
}

var exampleResources = &metav1.APIResourceList{
	GroupVersion: "example.com/v1",
	APIResources: []metav1.APIResource{{Name: "crontabs"}, {Name: "crontabs/status"}, {Name: "customresources"}},
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name      string
		services  []runtime.Object
		resources []*metav1.APIResourceList
		want      []string
		wantErr   error
	}{{
		name: "registered and available",
		services: []runtime.Object{
			apiService("v2.example.com", "True", "Passed", "all checks passed"),
			apiService("v1.example.com", "True", "Passed", "all checks passed"),
			apiService("v1alpha1.login.example.com", "True", "Passed", "all checks passed"),
		},
		resources: []*metav1.APIResourceList{exampleResources},
		want: []string{
			"APIService v1.example.com: Available=True (Passed): all checks passed\n  service: example-system/example-apiserver:443\n",
			"APIService v1beta1.external.metrics.k8s.io: not registered\n  hint: no external metrics API",
			"APIService v1alpha1.login.example.com: Available=True (Passed)",
			"Discovery /apis/example.com/v1: OK (crontabs, customresources)",
		},
	}, {
		name:      "v1 only: the preferred version is missing",
		services:  []runtime.Object{apiService("v1.example.com", "True", "Passed", "all checks passed")},
		resources: []*metav1.APIResourceList{exampleResources},
		want:      []string{"APIService v2.example.com: not registered"},
		wantErr:   ErrNotHealthy,
	}, {
		name:     "registered but unreachable",
		services: []runtime.Object{apiService("v1.example.com", "False", "FailedDiscoveryCheck", "failing or missing response from https://10.0.0.5:443")},
		want: []string{
			"Available=False (FailedDiscoveryCheck): failing or missing response",
			"hint: the aggregator cannot use v1.example.com",
			"Discovery /apis/example.com/v1: FAILED",
		},
		wantErr: ErrNotHealthy,
	}, {
		name: "not registered",
		want: []string{
			"APIService v1.example.com: not registered\n  hint: example-apiserver is not registered with the aggregator: deploy it with \"kubectl apply -k artifacts/deploy\"",
			"APIService v1alpha1.login.example.com: not registered\n  hint: no directory login is served; \"example-credential-plugin --login\" needs it (it is optional; see docs/login.md)",
		},
		wantErr: ErrNotHealthy,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFactory()
			f.dynamic = fakedynamic.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{apiServicesGVR: "APIServiceList"}, tc.services...)
			f.discovery.Resources = tc.resources
			out, _, err := run(t, f, "status")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
