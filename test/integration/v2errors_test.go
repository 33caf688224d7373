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
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/utils/ptr"

	examplev2 "example.com/example-apiserver/pkg/apis/example/v2"
)

// TestV2CronTabErrorPaths: a v2 client is told about the field it wrote, under
// spec.jobTemplate, never about the v1 field the server keeps it in (spec.image, spec.replicas).
func TestV2CronTabErrorPaths(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns = "v2-errors"
	cronTabs := server.Client.ExampleV2().CronTabs(ns)
	const template = "spec.jobTemplate.spec.template.spec."
	tests := []struct {
		name      string
		mutate    func(*examplev2.CronTab)
		wantField string
		wantText  string
	}{
		{"no container", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.Template.Spec.Containers = nil },
			template + "containers", "Required value"},
		{"first container without an image", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image = "" },
			template + "containers[0].image", "Required value"},
		{"first container's image not a reference", func(ct *examplev2.CronTab) {
			ct.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image = "not an image!"
		}, template + "containers[0].image", "not a valid image reference"},
		{"second container without an image", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.Template.Spec.Containers[1].Image = "" },
			template + "containers[1].image", "Required value"},
		{"negative parallelism", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.Parallelism = ptr.To[int32](-1) },
			"spec.jobTemplate.spec.parallelism", "must be between 0 and 1000"},
		{"parallelism over the limit", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.Parallelism = ptr.To[int32](1001) },
			"spec.jobTemplate.spec.parallelism", "must be between 0 and 1000"},
		{"negative completions", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.Completions = ptr.To[int32](-1) },
			"spec.jobTemplate.spec.completions", "must be greater than or equal to 0"},
		{"indexed without completions", func(ct *examplev2.CronTab) {
			ct.Spec.JobTemplate.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
		}, "spec.jobTemplate.spec.completions", "Required value"},
		{"negative backoff limit", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.BackoffLimit = ptr.To[int32](-1) },
			"spec.jobTemplate.spec.backoffLimit", "must be greater than or equal to 0"},
		{"zero active deadline", func(ct *examplev2.CronTab) { ct.Spec.JobTemplate.Spec.ActiveDeadlineSeconds = ptr.To[int64](0) },
			"spec.jobTemplate.spec.activeDeadlineSeconds", "must be greater than 0"},
		{"restartPolicy Always", func(ct *examplev2.CronTab) {
			ct.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
		},
			template + "restartPolicy", `valid values: "OnFailure", "Never"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := fullTemplateCronTab("invalid")
			tc.mutate(ct)
			_, err := cronTabs.Create(ctx, ct, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			wantInvalid(t, err, tc.wantField, tc.wantText)
			for _, cause := range err.(interface{ Status() metav1.Status }).Status().Details.Causes {
				if !strings.HasPrefix(cause.Field, "spec.jobTemplate") {
					t.Errorf("a v2 client is told about %s: %s", cause.Field, cause.Message)
				}
			}
		})
	}

	// Warnings speak v2 too.
	ct := fullTemplateCronTab("untagged")
	ct.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image = "busybox"
	ct.Spec.JobTemplate.Spec.Parallelism = ptr.To[int32](0)
	r := doRaw(t, http.MethodPost, "/apis/example.com/v2/namespaces/"+ns+"/crontabs?dryRun=All", "application/json", []byte(mustJSON(t, ct)))
	if r.status != http.StatusCreated {
		t.Fatalf("creating %s: %d %s", ct.Name, r.status, r.message())
	}
	warnings := warningTexts(t, r)
	for _, want := range []string{template + "containers[0].image: \"busybox\" has no tag", "spec.jobTemplate.spec.parallelism: 0 means"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings lack %q:\n%s", want, warnings)
		}
	}
	if strings.Contains(warnings, "spec.image") || strings.Contains(warnings, "spec.replicas") {
		t.Errorf("a v2 client is warned about v1 fields:\n%s", warnings)
	}
}

// TestV2CronTabUnknownFields: an unknown field in a v2 merge patch, such as v1's spec.image,
// is treated as kube-apiserver treats one in a Deployment's: refused under Strict, a warning
// under Warn and by default, dropped silently only under Ignore.
func TestV2CronTabUnknownFields(t *testing.T) {
	const ns = "v2-unknown-fields"
	object := "/apis/example.com/v2/namespaces/" + ns + "/crontabs/target"
	if r := doRaw(t, http.MethodPost, "/apis/example.com/v2/namespaces/"+ns+"/crontabs", "application/json", []byte(mustJSON(t, fullTemplateCronTab("target")))); r.status != http.StatusCreated {
		t.Fatalf("creating the target: %d %s", r.status, r.message())
	}
	const unknown = `unknown field "spec.image"`
	patch := []byte(`{"spec":{"image":"registry.example.com/report:2.0"}}`)
	tests := []struct {
		query       string
		wantStatus  int
		wantMessage string
		wantWarning bool
	}{
		{"?fieldValidation=Strict", http.StatusUnprocessableEntity, "strict decoding error: " + unknown, false},
		{"?fieldValidation=Warn", http.StatusOK, "", true},
		{"", http.StatusOK, "", true},
		{"?fieldValidation=Ignore", http.StatusOK, "", false},
	}
	for _, tc := range tests {
		t.Run("fieldValidation"+tc.query, func(t *testing.T) {
			r := doRaw(t, http.MethodPatch, object+tc.query, "application/merge-patch+json", patch)
			if r.status != tc.wantStatus || !strings.Contains(r.message(), tc.wantMessage) {
				t.Fatalf("status %d, want %d with %q: %s", r.status, tc.wantStatus, tc.wantMessage, r.message())
			}
			warned := strings.Contains(warningTexts(t, r), unknown)
			if warned != tc.wantWarning {
				t.Errorf("warned about %s: %v, want %v; warnings %q", unknown, warned, tc.wantWarning, r.warnings)
			}
			if r.status == http.StatusOK && strings.Contains(string(r.body), "report:2.0") {
				t.Errorf("the unknown field was applied: %s", r.body)
			}
		})
	}
}

// warningTexts is the text of r's Warning headers, unquoted, one a line.
func warningTexts(t *testing.T, r rawResult) string {
	t.Helper()
	headers, errs := utilnet.ParseWarningHeaders(r.warnings)
	if len(errs) > 0 {
		t.Fatalf("Warning headers %q: %v", r.warnings, errs)
	}
	texts := make([]string, 0, len(headers))
	for _, h := range headers {
		texts = append(texts, h.Text)
	}
	return strings.Join(texts, "\n")
}
