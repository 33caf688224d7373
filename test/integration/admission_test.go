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
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/test/integration/framework"
)

// The server's own configuration: an image allow list, and a generous cap that the
// AdmissionConfiguration below replaces for CronTabNamespaceLimits.
const admissionTestConfig = `apiVersion: config.example.com/v1alpha1
kind: ExampleAPIServerConfiguration
cronTabPolicy:
  imagePolicy:
    allowedPrefixes: [docker.io/library, ghcr.io/acme]
  namespaceLimits:
    defaultMaxCronTabs: 100
`

const admissionTestAdmissionConfig = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: CronTabNamespaceLimits
  configuration:
    apiVersion: config.example.com/v1alpha1
    kind: CronTabNamespaceLimitsConfiguration
    defaultMaxCronTabs: 2
    defaultMaxReplicas: 4
`

// TestOwnAdmissionPlugins runs a standalone server started with --config and
// --admission-control-config-file: our plugins work without a kube-apiserver, from both
// sources of configuration, and refuse with 403 Forbidden and a message that says why.
func TestOwnAdmissionPlugins(t *testing.T) {
	dir := t.TempDir()
	configFile := filepath.Join(dir, "config.yaml")
	admissionFile := filepath.Join(dir, "admission.yaml")
	for path, data := range map[string]string{configFile: admissionTestConfig, admissionFile: admissionTestAdmissionConfig} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := framework.StartServer("--config="+configFile, "--admission-control-config-file="+admissionFile)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cronTabs := srv.Client.ExampleV1().CronTabs("admission")
	newCronTab := func(name, image string, replicas int32) *examplev1.CronTab {
		return &examplev1.CronTab{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       examplev1.CronTabSpec{CronSpec: "*/5 * * * *", Image: image, Replicas: ptr.To(replicas)},
		}
	}
	wantForbidden := func(t *testing.T, err error, wants ...string) {
		t.Helper()
		if !apierrors.IsForbidden(err) {
			t.Fatalf("got %v, want 403 Forbidden", err)
		}
		for _, want := range wants {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not mention %q", err, want)
			}
		}
	}

	t.Run("image policy from the component config", func(t *testing.T) {
		_, err := cronTabs.Create(ctx, newCronTab("evil", "evil.example.org/miner:1", 1), metav1.CreateOptions{})
		wantForbidden(t, err, "CronTabImagePolicy", "rule allowedPrefixes", "docker.io/library, ghcr.io/acme")
		if _, err := cronTabs.Create(ctx, newCronTab("evil", "evil.example.org/miner:1", 1), metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); !apierrors.IsForbidden(err) {
			t.Errorf("a dry run must be refused alike: %v", err)
		}
	})

	// The refused image is named as the client's version names it: v1's spec.image is v2's
	// first container.
	t.Run("image policy names the field of the client's version", func(t *testing.T) {
		const ns = "admission-image"
		const v1Image, v2Image = `(spec.image)`, `(spec.jobTemplate.spec.template.spec.containers[0].image)`
		wantNot := func(t *testing.T, err error, unwanted string) {
			t.Helper()
			if err != nil && strings.Contains(err.Error(), unwanted) {
				t.Errorf("the client is told about %s: %v", unwanted, err)
			}
		}
		v1CronTabs, v2CronTabs := srv.Client.ExampleV1().CronTabs(ns), srv.Client.ExampleV2().CronTabs(ns)

		_, err := v1CronTabs.Create(ctx, newCronTab("evil", "evil.example.org/miner:1", 1), metav1.CreateOptions{})
		wantForbidden(t, err, "CronTabImagePolicy", `container "crontab" `+v1Image)
		wantNot(t, err, "jobTemplate")
		_, err = v2CronTabs.Create(ctx, fullTemplateCronTab("evil"), metav1.CreateOptions{})
		wantForbidden(t, err, "CronTabImagePolicy", `container "report" `+v2Image)
		wantNot(t, err, "spec.image")

		allowed := fullTemplateCronTab("allowed")
		for i := range allowed.Spec.JobTemplate.Spec.Template.Spec.Containers {
			allowed.Spec.JobTemplate.Spec.Template.Spec.Containers[i].Image = "nginx:1.27"
		}
		if _, err := v2CronTabs.Create(ctx, allowed, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err = v1CronTabs.Patch(ctx, "allowed", types.MergePatchType, []byte(`{"spec":{"image":"evil.example.org/miner:1"}}`), metav1.PatchOptions{})
		wantForbidden(t, err, "CronTabImagePolicy", v1Image)
		wantNot(t, err, "jobTemplate")
		_, err = v2CronTabs.Patch(ctx, "allowed", types.JSONPatchType,
			[]byte(`[{"op":"replace","path":"/spec/jobTemplate/spec/template/spec/containers/0/image","value":"evil.example.org/miner:1"}]`), metav1.PatchOptions{})
		wantForbidden(t, err, "CronTabImagePolicy", v2Image)
		wantNot(t, err, "spec.image")
	})

	t.Run("namespace limits from the admission configuration", func(t *testing.T) {
		if _, err := cronTabs.Create(ctx, newCronTab("a", "nginx:1.27", 1), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cronTabs.Create(ctx, newCronTab("b", "ghcr.io/acme/job:1", 1), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err := cronTabs.Create(ctx, newCronTab("c", "nginx:1.27", 1), metav1.CreateOptions{})
		wantForbidden(t, err, "CronTabNamespaceLimits", `namespace "admission" allows at most 2 CronTabs`, "defaultMaxCronTabs", "has 2")
	})

	// The cap is soft only for requests in flight together: a create sent after another was
	// answered counts it, in every namespace, however fast it follows.
	t.Run("a create right after another counts it", func(t *testing.T) {
		for i := range 20 {
			ns := srv.Client.ExampleV1().CronTabs(fmt.Sprintf("back-to-back-%d", i))
			for _, name := range []string{"a", "b"} {
				if _, err := ns.Create(ctx, newCronTab(name, "nginx:1.27", 1), metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ns.Create(ctx, newCronTab("c", "nginx:1.27", 1), metav1.CreateOptions{})
			wantForbidden(t, err, "CronTabNamespaceLimits", "allows at most 2 CronTabs", "has 2")
		}
	})

	t.Run("scale is capped too", func(t *testing.T) {
		scale := func(replicas int32, dryRun ...string) error {
			_, err := cronTabs.UpdateScale(ctx, "a", &autoscalingv1.Scale{
				ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "admission"},
				Spec:       autoscalingv1.ScaleSpec{Replicas: replicas},
			}, metav1.UpdateOptions{DryRun: dryRun})
			return err
		}
		if err := scale(3); err != nil { // 3 + 1 = 4, the cap
			t.Fatalf("scale within the cap: %v", err)
		}
		wantForbidden(t, scale(4, metav1.DryRunAll), "CronTabNamespaceLimits", "at most 4 CronTab replicas in total", "would make them 5")
		wantForbidden(t, scale(4), "CronTabNamespaceLimits", "at most 4 CronTab replicas in total", "would make them 5")
		if err := scale(1); err != nil {
			t.Errorf("scaling down must always pass: %v", err)
		}
	})
}

// TestNamespaceLimitsAcrossReplicas runs two servers on one etcd: each counts the CronTabs the
// other wrote or deleted as soon as that write was answered, and a server started later counts
// those stored before it.
func TestNamespaceLimitsAcrossReplicas(t *testing.T) {
	dir := t.TempDir()
	admissionFile := filepath.Join(dir, "admission.yaml")
	if err := os.WriteFile(admissionFile, []byte(admissionTestAdmissionConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	first, err := framework.StartServer("--admission-control-config-file=" + admissionFile)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	newCronTab := func(name string) *examplev1.CronTab {
		return &examplev1.CronTab{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec:       examplev1.CronTabSpec{CronSpec: "*/5 * * * *", Image: "nginx:1.27", Replicas: ptr.To[int32](1)},
		}
	}
	onFirst := first.Client.ExampleV1().CronTabs("replicas")
	if _, err := onFirst.Create(ctx, newCronTab("a"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Started after "a" was stored: it must count it from its first request.
	second, err := framework.StartServer("--etcd-servers="+strings.Join(first.EtcdServers, ","), "--admission-control-config-file="+admissionFile)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Stop()
	onSecond := second.Client.ExampleV1().CronTabs("replicas")
	if _, err := onSecond.Create(ctx, newCronTab("b"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, cronTabs := range map[string]interface {
		Create(context.Context, *examplev1.CronTab, metav1.CreateOptions) (*examplev1.CronTab, error)
	}{"first": onFirst, "second": onSecond} {
		if _, err := cronTabs.Create(ctx, newCronTab("c"), metav1.CreateOptions{}); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "has 2") {
			t.Errorf("a third CronTab on the %s server: got %v, want 403 Forbidden with both counted", name, err)
		}
	}
	// A delete on one replica (as the garbage collector's would be) frees the room on the other.
	if err := onSecond.Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := onFirst.Create(ctx, newCronTab("c"), metav1.CreateOptions{}); err != nil {
		t.Errorf("after the delete on the other replica: %v", err)
	}
}
