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

package crontab

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
)

// wantErr is an error by its type and field path.
type wantErr struct {
	Type  field.ErrorType
	Field string
}

// checkErrors fails unless errs has exactly the wanted (type, path) pairs, in any order.
func checkErrors(t *testing.T, errs field.ErrorList, want []wantErr) {
	t.Helper()
	var got, wanted []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%s: %s", e.Field, e.Type))
	}
	for _, w := range want {
		wanted = append(wanted, fmt.Sprintf("%s: %s", w.Field, w.Type))
	}
	slices.Sort(got)
	slices.Sort(wanted)
	if !slices.Equal(got, wanted) {
		t.Errorf("got errors:\n  %s\nwant:\n  %s\nfull errors: %v", strings.Join(got, "\n  "), strings.Join(wanted, "\n  "), errs)
	}
}

// goodTemplate is a v2 job template a platform team's nightly job uses.
func goodTemplate() *batchv1.JobTemplateSpec {
	return &batchv1.JobTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"team": "data"}},
		Spec: batchv1.JobSpec{
			Parallelism:             ptr.To[int32](1),
			TTLSecondsAfterFinished: ptr.To[int32](3600),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				ServiceAccountName: "reporter",
				RestartPolicy:      corev1.RestartPolicyOnFailure,
				SecurityContext:    &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
				Volumes:            []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "report"}}}}},
				Containers: []corev1.Container{
					{
						Name: "report", Image: "busybox:1.36",
						Ports:        []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9090}},
						Env:          []corev1.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}},
						VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/report"}},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
							Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
						},
						LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("metrics")}}},
					},
					{Name: "uploader", Image: "busybox:1.36"},
				},
			}},
		},
	}
}

func TestValidateJobTemplate(t *testing.T) {
	const pod = "spec.jobTemplate.spec.template.spec."
	tests := []struct {
		name   string
		mutate func(t *batchv1.JobTemplateSpec)
		want   []wantErr
	}{
		{name: "a full template is valid", mutate: func(*batchv1.JobTemplateSpec) {}},
		{name: "restartPolicy left empty: runs Never, as v1", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.RestartPolicy = "" }},
		{name: "container name not a DNS label", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers[1].Name = "Up_Loader" },
			want: []wantErr{{field.ErrorTypeInvalid, pod + "containers[1].name"}}},
		{name: "container names repeat", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers[1].Name = "report" },
			want: []wantErr{{field.ErrorTypeDuplicate, pod + "containers[1].name"}}},
		{name: "second container without an image", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers[1].Image = "" },
			want: []wantErr{{field.ErrorTypeRequired, pod + "containers[1].image"}}},
		{name: "port out of range", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort = 70000 },
			want: []wantErr{{field.ErrorTypeInvalid, pod + "containers[0].ports[0].containerPort"}}},
		{name: "env name empty", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers[0].Env[0].Name = "" },
			want: []wantErr{{field.ErrorTypeRequired, pod + "containers[0].env[0].name"}}},
		{name: "mount of a volume that does not exist", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Volumes[0].Name = "settings" },
			want: []wantErr{{field.ErrorTypeNotFound, pod + "containers[0].volumeMounts[0].name"}}},
		{name: "volume names repeat", mutate: func(t *batchv1.JobTemplateSpec) {
			t.Spec.Template.Spec.Volumes = append(t.Spec.Template.Spec.Volumes, t.Spec.Template.Spec.Volumes[0])
		}, want: []wantErr{{field.ErrorTypeDuplicate, pod + "volumes[1].name"}}},
		{name: "mount without a path", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers[0].VolumeMounts[0].MountPath = "" },
			want: []wantErr{{field.ErrorTypeRequired, pod + "containers[0].volumeMounts[0].mountPath"}}},
		{name: "request above its limit", mutate: func(t *batchv1.JobTemplateSpec) {
			t.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = resource.MustParse("2")
		}, want: []wantErr{{field.ErrorTypeInvalid, pod + "containers[0].resources.requests"}}},
		{name: "probe without a handler", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers[0].LivenessProbe.HTTPGet = nil },
			want: []wantErr{{field.ErrorTypeRequired, pod + "containers[0].livenessProbe"}}},
		{name: "restartPolicy Always, which a Job refuses", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways },
			want: []wantErr{{field.ErrorTypeRequired, pod + "restartPolicy"}}},
		{name: "a selector, which each run's Job generates", mutate: func(t *batchv1.JobTemplateSpec) {
			t.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "data"}}
		}, want: []wantErr{{field.ErrorTypeInvalid, "spec.jobTemplate.spec.selector"}}},
		{name: "bad label on the Job", mutate: func(t *batchv1.JobTemplateSpec) { t.Labels["team"] = "data science" },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.jobTemplate.metadata.labels"}}},
		{name: "bad label on the pods: reported once", mutate: func(t *batchv1.JobTemplateSpec) {
			t.Labels, t.Spec.Template.Labels = nil, map[string]string{"team": "data science"}
		},
			want: []wantErr{{field.ErrorTypeInvalid, "spec.jobTemplate.spec.template.labels"}}},
		{name: "negative completions of the template's own", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Completions = ptr.To[int32](-1) },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.jobTemplate.spec.completions"}}},
		{name: "negative ttlSecondsAfterFinished", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.TTLSecondsAfterFinished = ptr.To[int32](-1) },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.jobTemplate.spec.ttlSecondsAfterFinished"}}},
		{name: "a field spec holds itself is reported once, at spec", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Parallelism = ptr.To[int32](-1) },
			want: []wantErr{{field.ErrorTypeInvalid, "spec.replicas"}}},
		{name: "no container: reported once, at containers", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Template.Spec.Containers = nil },
			want: []wantErr{{field.ErrorTypeRequired, pod + "containers"}}},
		{name: "indexed completion needs completions", mutate: func(t *batchv1.JobTemplateSpec) {
			t.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
		}, want: []wantErr{{field.ErrorTypeRequired, "spec.jobTemplate.spec.completions"}}},
		{name: "indexed completion with completions", mutate: func(t *batchv1.JobTemplateSpec) {
			t.Spec.CompletionMode, t.Spec.Completions = ptr.To(batchv1.IndexedCompletion), ptr.To[int32](4)
		}},
		{name: "more pods at once than completions: a Job allows it", mutate: func(t *batchv1.JobTemplateSpec) {
			t.Spec.Parallelism, t.Spec.Completions = ptr.To[int32](3), ptr.To[int32](1)
		}},
		{name: "parallelism without completions: a work queue", mutate: func(t *batchv1.JobTemplateSpec) { t.Spec.Parallelism = ptr.To[int32](3) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			template := goodTemplate()
			tc.mutate(template)
			ct := storedCronTab()
			ct.Spec.SetWholeJobTemplate(template)
			checkErrors(t, validateCronTab(ct, nil), tc.want)
			checkErrors(t, validateCronTab(ct, storedCronTab()), tc.want)
		})
	}
}

// TestValidateJobTemplateV1 pins down that the v1 shape, which has no template, stays valid.
func TestValidateJobTemplateV1(t *testing.T) {
	ct := storedCronTab()
	if ct.Spec.JobTemplate.Spec.Template.Spec.Containers != nil {
		t.Fatal("storedCronTab has a job template")
	}
	checkErrors(t, validateCronTab(ct, nil), nil)
	ct.Spec.Image = ""
	checkErrors(t, validateCronTab(ct, nil), []wantErr{{field.ErrorTypeRequired, "spec.image"}})
	ct.Spec = example.CronTabSpec{}
	if errs := validateCronTab(ct, nil); len(errs) == 0 {
		t.Error("an empty spec is valid")
	}
}

// BenchmarkValidateCronTabJobTemplate is the validation a create pays, Kubernetes' Job
// validation included, for the v1 shape and for a full job template (docs/job-template.md).
func BenchmarkValidateCronTabJobTemplate(b *testing.B) {
	full := storedCronTab()
	full.Spec.SetWholeJobTemplate(goodTemplate())
	for _, bc := range []struct {
		name string
		ct   *example.CronTab
	}{{"v1", storedCronTab()}, {"full-template", full}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if errs := validateCronTab(bc.ct, nil); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		})
	}
}
