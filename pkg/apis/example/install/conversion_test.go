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

package install

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	v1 "example.com/example-apiserver/pkg/apis/example/v1"
	v2 "example.com/example-apiserver/pkg/apis/example/v2"
)

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	Install(scheme)
	return scheme
}

// v2CronTab returns a defaulted v2 CronTab whose Job has the given parallelism and completions.
func v2CronTab(scheme *runtime.Scheme, parallelism int32, completions *int32, image string) *v2.CronTab {
	ct := &v2.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: "report", Namespace: "default"},
		Spec: v2.CronTabSpec{CronSpec: "@daily", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			Parallelism: ptr.To(parallelism),
			Completions: completions,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				ServiceAccountName: "report",
				Containers: []corev1.Container{{
					Name: "report", Image: image,
					Env: []corev1.EnvVar{{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
						LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}},
				}},
			}},
		}}},
	}
	scheme.Default(ct)
	return ct
}

// TestV1ReadModifyWrite is a v1 client's read-modify-write of a v2 CronTab: what v1 has a field
// for changes, every v2-only field stays, and completions keep their meaning.
func TestV1ReadModifyWrite(t *testing.T) {
	scheme := newScheme()
	tests := []struct {
		name   string
		stored *v2.CronTab
		edit   func(*v1.CronTab)
		want   *v2.CronTab
	}{{
		name:   "a work queue stays one when scaled",
		stored: v2CronTab(scheme, 3, nil, "report:1"),
		edit:   func(ct *v1.CronTab) { ct.Spec.Replicas = ptr.To[int32](5) },
		want:   v2CronTab(scheme, 5, nil, "report:1"),
	}, {
		name:   "completions equal to parallelism follow it",
		stored: v2CronTab(scheme, 3, ptr.To[int32](3), "report:1"),
		edit:   func(ct *v1.CronTab) { ct.Spec.Replicas = ptr.To[int32](5) },
		want:   v2CronTab(scheme, 5, ptr.To[int32](5), "report:1"),
	}, {
		name:   "other completions stay",
		stored: v2CronTab(scheme, 2, ptr.To[int32](10), "report:1"),
		edit:   func(ct *v1.CronTab) { ct.Spec.Replicas = ptr.To[int32](4) },
		want:   v2CronTab(scheme, 4, ptr.To[int32](10), "report:1"),
	}, {
		name:   "the image is the first container's",
		stored: v2CronTab(scheme, 1, ptr.To[int32](1), "report:1"),
		edit:   func(ct *v1.CronTab) { ct.Spec.Image = "report:2" },
		want:   v2CronTab(scheme, 1, ptr.To[int32](1), "report:2"),
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stored := &example.CronTab{}
			if err := scheme.Convert(tc.stored, stored, nil); err != nil {
				t.Fatal(err)
			}
			read := &v1.CronTab{}
			if err := scheme.Convert(stored, read, nil); err != nil {
				t.Fatal(err)
			}
			tc.edit(read)
			internal := &example.CronTab{}
			if err := scheme.Convert(read, internal, nil); err != nil {
				t.Fatal(err)
			}
			got := &v2.CronTab{}
			if err := scheme.Convert(internal, got, nil); err != nil {
				t.Fatal(err)
			}
			if !apiequality.Semantic.DeepEqual(got, tc.want) {
				t.Errorf("v2 after the v1 write:\n%s", cmp.Diff(tc.want, got))
			}
		})
	}
}

// TestJobTemplateAnnotationIsTheServers: only the conversion to v1 writes the annotation, so
// one a v2 client set never reaches v1 storage, and a v1 client's unreadable one is refused
// with its field path.
func TestJobTemplateAnnotationIsTheServers(t *testing.T) {
	scheme := newScheme()
	ct := v2CronTab(scheme, 1, ptr.To[int32](1), "report:1")
	ct.Spec.JobTemplate.Spec.Template.Spec = corev1.PodSpec{Containers: []corev1.Container{{Name: example.ContainerName, Image: "report:1"}}}
	ct.Annotations = map[string]string{example.JobTemplateAnnotation: "{not json", "team": "a"}
	internal := &example.CronTab{}
	if err := scheme.Convert(ct, internal, nil); err != nil {
		t.Fatal(err)
	}
	stored := &v1.CronTab{}
	if err := scheme.Convert(internal, stored, nil); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"team": "a"}; !apiequality.Semantic.DeepEqual(stored.Annotations, want) {
		t.Errorf("v1 annotations = %v, want %v", stored.Annotations, want)
	}
	if err := scheme.Convert(stored, &example.CronTab{}, nil); err != nil {
		t.Errorf("reading the v1 object back: %v", err)
	}

	stored.Annotations = map[string]string{example.JobTemplateAnnotation: "{not json"}
	err := scheme.Convert(stored, &example.CronTab{}, nil)
	if err == nil || !strings.Contains(err.Error(), "metadata.annotations["+example.JobTemplateAnnotation+"]") {
		t.Errorf("converting an unreadable annotation: %v, want an error naming it", err)
	}
}
