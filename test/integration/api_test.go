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
	groups, err := kube.Discovery().ServerGroups()
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	for _, g := range groups.Groups {
		if g.Name != "example.com" {
			continue
		}
		if g.PreferredVersion.Version != "v2" || len(g.Versions) != 2 || g.Versions[0].Version != "v2" || g.Versions[1].Version != "v1" {
			t.Errorf("example.com versions %v, preferred %v: want v2 then v1, v2 preferred", g.Versions, g.PreferredVersion)
		}
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
	for _, version := range []string{"example.com/v1", "example.com/v2"} {
		resources, err := kube.Discovery().ServerResourcesForGroupVersion(version)
		if err != nil {
			t.Fatalf("discovery of %s: %v", version, err)
		}
		byName := map[string]metav1.APIResource{}
		for _, r := range resources.APIResources {
			byName[r.Name] = r
		}
		for _, tc := range tests {
			r, ok := byName[tc.name]
			if !ok {
				t.Errorf("%s: %s missing from discovery: %v", version, tc.name, resources.APIResources)
				continue
			}
			verbs := slices.Sorted(slices.Values(r.Verbs))
			if r.Namespaced != tc.namespaced || r.Kind != tc.kind || !slices.Equal(r.ShortNames, tc.shortNames) || !slices.Equal(verbs, tc.verbs) {
				t.Errorf("%s: %s: namespaced=%v kind=%s shortNames=%v verbs=%v", version, tc.name, r.Namespaced, r.Kind, r.ShortNames, verbs)
			}
		}
		if got := byName["crontabs/scale"]; got.Group != "autoscaling" || got.Version != "v1" {
			t.Errorf("%s: crontabs/scale speaks %s/%s, want autoscaling/v1", version, got.Group, got.Version)
		}
	}
}

func TestOpenAPIV3(t *testing.T) {
	type schema struct {
		Properties map[string]struct {
			Description string `json:"description"`
		} `json:"properties"`
	}
	for _, tc := range []struct {
		version string
		// property of <version>.CronTabSpec whose description is checked
		property, description string
		// schemas kubectl explain needs besides the version's CronTab
		more []string
	}{
		{version: "v1", property: "cronSpec", description: "cron format"},
		{version: "v2", property: "jobTemplate", description: "the Job each run creates",
			more: []string{"io.k8s.api.batch.v1.JobTemplateSpec", "io.k8s.api.core.v1.Container", "io.k8s.api.core.v1.EnvVar"}},
	} {
		path := "/openapi/v3/apis/example.com/" + tc.version
		body, err := server.Client.ExampleV1().RESTClient().Get().AbsPath(path).DoRaw(context.Background())
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		var doc struct {
			Components struct {
				Schemas map[string]schema `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("decode: %v", err)
		}
		prefix := "com.example." + tc.version + "."
		spec, ok := doc.Components.Schemas[prefix+"CronTabSpec"]
		if !ok {
			t.Fatalf("no %sCronTabSpec schema among %d", prefix, len(doc.Components.Schemas))
		}
		if d := spec.Properties[tc.property].Description; !strings.Contains(d, tc.description) {
			t.Errorf("%s: %s description %q", tc.version, tc.property, d)
		}
		for _, name := range append([]string{prefix + "CronTab"}, tc.more...) {
			if _, ok := doc.Components.Schemas[name]; !ok {
				t.Errorf("%s: no %s schema", path, name)
			}
		}
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
