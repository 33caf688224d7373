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

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

func TestDiscovery(t *testing.T) {
	kube, err := server.KubeClient()
	if err != nil {
		t.Fatal(err)
	}
	resources, err := kube.Discovery().ServerResourcesForGroupVersion("example.com/v1")
	if err != nil {
		t.Fatalf("discovery of example.com/v1: %v", err)
	}
	byName := map[string]metav1.APIResource{}
	for _, r := range resources.APIResources {
		byName[r.Name] = r
	}
	tests := []struct {
		name       string
		namespaced bool
		kind       string
		shortNames []string
		verbs      []string
	}{
		{"crontabs", true, "CronTab", []string{"ct"}, []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
		{"crontabs/status", true, "CronTab", nil, []string{"get", "patch", "update"}},
		{"crontabs/scale", true, "Scale", nil, []string{"get", "patch", "update"}},
		{"customresources", false, "CustomResource", []string{"cr"}, []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
	}
	for _, tc := range tests {
		r, ok := byName[tc.name]
		if !ok {
			t.Errorf("%s missing from discovery: %v", tc.name, resources.APIResources)
			continue
		}
		verbs := slices.Sorted(slices.Values(r.Verbs))
		if r.Namespaced != tc.namespaced || r.Kind != tc.kind || !slices.Equal(r.ShortNames, tc.shortNames) || !slices.Equal(verbs, tc.verbs) {
			t.Errorf("%s: namespaced=%v kind=%s shortNames=%v verbs=%v", tc.name, r.Namespaced, r.Kind, r.ShortNames, verbs)
		}
	}
	if got := byName["crontabs/scale"]; got.Group != "autoscaling" || got.Version != "v1" {
		t.Errorf("crontabs/scale speaks %s/%s, want autoscaling/v1", got.Group, got.Version)
	}
}

func TestOpenAPIV3(t *testing.T) {
	body, err := server.Client.ExampleV1().RESTClient().Get().AbsPath("/openapi/v3/apis/example.com/v1").DoRaw(context.Background())
	if err != nil {
		t.Fatalf("GET /openapi/v3/apis/example.com/v1: %v", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	spec, ok := doc.Components.Schemas["com.example.v1.CronTabSpec"]
	if !ok {
		t.Fatalf("no com.example.v1.CronTabSpec schema among %d", len(doc.Components.Schemas))
	}
	if d := spec.Properties["cronSpec"].Description; !strings.Contains(d, "cron format") {
		t.Errorf("cronSpec description %q", d)
	}
	if _, ok := doc.Components.Schemas["com.example.v1.CronTab"]; !ok {
		t.Error("no com.example.v1.CronTab schema")
	}
}

func TestCustomResourceDefaultMessage(t *testing.T) {
	ctx := context.Background()
	crs := server.Client.ExampleV1().CustomResources()
	if _, err := crs.Create(ctx, &examplev1.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "hello"}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	raw, err := server.Client.ExampleV1().RESTClient().Get().AbsPath("/apis/example.com/v1/customresources/hello").DoRaw(ctx)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if !bytes.Contains(raw, []byte(`"message":"Hello from Custom Resource API!"`)) {
		t.Errorf("default message missing: %s", raw)
	}

	custom, err := crs.Create(ctx, &examplev1.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "custom"}, Spec: examplev1.CustomResourceSpec{Message: "hi"}}, metav1.CreateOptions{})
	if err != nil || custom.Spec.Message != "hi" {
		t.Errorf("a given message must stay: %v %q", err, custom.Spec.Message)
	}
	tooLong := &examplev1.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "long"}, Spec: examplev1.CustomResourceSpec{Message: strings.Repeat("x", 1025)}}
	if _, err := crs.Create(ctx, tooLong, metav1.CreateOptions{}); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.message") {
		t.Errorf("1025-byte message: got %v, want 422 naming spec.message", err)
	}
}

func TestRequestTooLarge(t *testing.T) {
	huge := `{"apiVersion":"example.com/v1","kind":"CustomResource","metadata":{"name":"huge"},"spec":{"message":"` + strings.Repeat("x", 4<<20) + `"}}`
	var status int
	err := server.Client.ExampleV1().RESTClient().Post().AbsPath("/apis/example.com/v1/customresources").
		SetHeader("Content-Type", "application/json").Body([]byte(huge)).Do(context.Background()).StatusCode(&status).Error()
	if status != http.StatusRequestEntityTooLarge || !apierrors.IsRequestEntityTooLargeError(err) {
		t.Errorf("4 MiB body: status %d, err %v; want 413", status, err)
	}
}
