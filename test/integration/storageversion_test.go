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
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev2 "example.com/example-apiserver/pkg/apis/example/v2"
	"example.com/example-apiserver/test/integration/framework"
	"example.com/example-apiserver/test/utils"
)

// fullTemplateCronTab is a v2 CronTab that uses what v1 has no field for: a Secret in the
// environment, a ConfigMap volume, requests, a ServiceAccount, a second container, a work queue.
func fullTemplateCronTab(name string) *examplev2.CronTab {
	return &examplev2.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"team": "reports"}},
		Spec: examplev2.CronTabSpec{
			CronSpec: "0 3 * * *",
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"job": "nightly"}},
				Spec: batchv1.JobSpec{
					Parallelism:             ptr.To[int32](2),
					TTLSecondsAfterFinished: ptr.To[int32](3600),
					Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
						ServiceAccountName: "report",
						RestartPolicy:      corev1.RestartPolicyNever,
						NodeSelector:       map[string]string{"kubernetes.io/os": "linux"},
						Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
							ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "report"}}}}},
						Containers: []corev1.Container{{
							Name:  "report",
							Image: "registry.example.com/report:1.0",
							Args:  []string{"--nightly"},
							Env: []corev1.EnvVar{{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
								LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}},
							Resources:    corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}},
							VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/report", ReadOnly: true}},
						}, {
							Name:  "sidecar",
							Image: "registry.example.com/uploader:1.0",
						}},
					}},
				},
			},
		},
	}
}

// storedVersion returns the example.com version etcd holds the CronTab in.
func storedVersion(t *testing.T, srv *framework.TestServer, namespace, name string) string {
	t.Helper()
	_, value, err := utils.StoredObject(context.Background(), newEtcdClient(t, srv), srv.EtcdPrefix, "crontabs", namespace, name)
	if err != nil {
		t.Fatalf("reading %s/%s from etcd: %v", namespace, name, err)
	}
	version, err := utils.StoredAPIVersion(value)
	if err != nil {
		t.Fatalf("%s/%s in etcd: %v", namespace, name, err)
	}
	return version
}

// TestStorageVersionUpgradeAndRollback runs a server that stores v1 (this release's default,
// and what the previous one reads) and one that stores v2 on one etcd, as during a rolling
// update, a rollback or the release that switches: each reads, in both versions and without
// losing a field, what the other wrote, and a write rewrites the object in the writer's version.
func TestStorageVersionUpgradeAndRollback(t *testing.T) {
	ctx := context.Background()
	const namespace = "storage-version"
	v2Storing, err := framework.StartServer("--etcd-servers="+strings.Join(server.EtcdServers, ","), "--storage-version=v2")
	if err != nil {
		t.Fatal(err)
	}
	defer v2Storing.Stop()
	servers := map[string]*framework.TestServer{"example.com/v1": server, "example.com/v2": v2Storing}

	// want is the object as every server must show it in v2, checked after each write.
	var want *examplev2.CronTab
	check := func(step string) {
		t.Helper()
		for storing, srv := range servers {
			got, err := srv.Client.ExampleV2().CronTabs(namespace).Get(ctx, want.Name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("%s: server storing %s: v2 get: %v", step, storing, err)
			}
			if !apiequality.Semantic.DeepEqual(got.Spec, want.Spec) || !apiequality.Semantic.DeepEqual(got.Labels, want.Labels) ||
				!apiequality.Semantic.DeepEqual(got.Annotations, want.Annotations) {
				t.Errorf("%s: server storing %s: v2 object differs:\n%s", step, storing, cmp.Diff(want, got))
			}
			v1, err := srv.Client.ExampleV1().CronTabs(namespace).Get(ctx, want.Name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("%s: server storing %s: v1 get: %v", step, storing, err)
			}
			first := want.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
			if v1.Spec.Image != first.Image || !apiequality.Semantic.DeepEqual(v1.Spec.Args, first.Args) ||
				ptr.Deref(v1.Spec.Replicas, -1) != ptr.Deref(want.Spec.JobTemplate.Spec.Parallelism, -2) {
				t.Errorf("%s: server storing %s: v1 view image %q args %q replicas %d, want the first container's and parallelism %d",
					step, storing, v1.Spec.Image, v1.Spec.Args, ptr.Deref(v1.Spec.Replicas, -1), ptr.Deref(want.Spec.JobTemplate.Spec.Parallelism, -2))
			}
		}
	}

	// This release, storing v1: a v2 object goes to etcd as v1, its template in the annotation.
	created, err := server.Client.ExampleV2().CronTabs(namespace).Create(ctx, fullTemplateCronTab("nightly"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create through the v1-storing server: %v", err)
	}
	if got := storedVersion(t, server, namespace, "nightly"); got != "example.com/v1" {
		t.Fatalf("the default server stored %s, want example.com/v1", got)
	}
	if created.Spec.JobTemplate.Spec.Completions != nil {
		t.Errorf("a work queue came back with completions %d", *created.Spec.JobTemplate.Spec.Completions)
	}
	want = created
	check("written as v1")

	// The release that switches: a write through the v2-storing server stores v2.
	want.Labels["stage"] = "upgraded"
	want.Spec.JobTemplate.Spec.Template.Spec.Containers[1].Image = "registry.example.com/uploader:1.1"
	if want, err = v2Storing.Client.ExampleV2().CronTabs(namespace).Update(ctx, want, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update through the v2-storing server: %v", err)
	}
	if got := storedVersion(t, server, namespace, "nightly"); got != "example.com/v2" {
		t.Fatalf("the --storage-version=v2 server stored %s", got)
	}
	check("written as v2")

	// Rolled back: a v1 client's read-modify-write through the v1-storing server stores v1
	// again and keeps the v2-only fields.
	v1, err := server.Client.ExampleV1().CronTabs(namespace).Get(ctx, "nightly", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v1.Spec.Replicas = ptr.To[int32](4)
	v1.Spec.Image = "registry.example.com/report:1.1"
	if _, err := server.Client.ExampleV1().CronTabs(namespace).Update(ctx, v1, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("v1 update through the v1-storing server: %v", err)
	}
	if got := storedVersion(t, server, namespace, "nightly"); got != "example.com/v1" {
		t.Fatalf("the default server stored %s, want example.com/v1", got)
	}
	want.Spec.JobTemplate.Spec.Parallelism = ptr.To[int32](4)
	want.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image = "registry.example.com/report:1.1"
	check("rewritten as v1 by a v1 client")
	if v1.Annotations[example.JobTemplateAnnotation] == "" {
		t.Errorf("the v1 view has no %s annotation: %v", example.JobTemplateAnnotation, v1.Annotations)
	}

	// An object only a v1 client ever wrote reads the same from both.
	if _, err := v2Storing.Client.ExampleV1().CronTabs(namespace).Create(ctx, seedCronTab("seed"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("v1 create through the v2-storing server: %v", err)
	}
	for storing, srv := range servers {
		got, err := srv.Client.ExampleV1().CronTabs(namespace).Get(ctx, "seed", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("server storing %s: %v", storing, err)
		}
		if got.Spec.Image != "my-awesome-cron-image" || len(got.Annotations) != 0 {
			t.Errorf("server storing %s: seed read as image %q annotations %v", storing, got.Spec.Image, got.Annotations)
		}
	}
}

// TestUnreadableJobTemplateAnnotation: a v1 client's example.com/v2-job-template that is not
// the template's JSON is a 4xx naming the annotation, on create and on patch, never a 500.
func TestUnreadableJobTemplateAnnotation(t *testing.T) {
	ctx := context.Background()
	const namespace = "bad-annotation"
	cronTabs := server.Client.ExampleV1().CronTabs(namespace)
	bad := seedCronTab("bad")
	bad.Annotations = map[string]string{example.JobTemplateAnnotation: "{not json"}
	_, err := cronTabs.Create(ctx, bad, metav1.CreateOptions{})
	assertRefusedNaming(t, "create", err)

	if _, err := cronTabs.Create(ctx, seedCronTab("good"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	patch := []byte(`{"metadata":{"annotations":{"` + example.JobTemplateAnnotation + `":"{not json"}}}`)
	_, err = cronTabs.Patch(ctx, "good", types.MergePatchType, patch, metav1.PatchOptions{})
	assertRefusedNaming(t, "merge patch", err)
}

func assertRefusedNaming(t *testing.T, what string, err error) {
	t.Helper()
	status, ok := err.(apierrors.APIStatus)
	if !ok {
		t.Fatalf("%s: got %v, want a refusal", what, err)
	}
	code := status.Status().Code
	if code < 400 || code >= 500 || !strings.Contains(err.Error(), example.JobTemplateAnnotation) {
		t.Errorf("%s: got %d %v, want a 4xx naming %s", what, code, err, example.JobTemplateAnnotation)
	}
}
