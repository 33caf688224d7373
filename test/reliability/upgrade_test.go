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

package reliability

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	clientv3 "go.etcd.io/etcd/client/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/install"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	examplev2 "example.com/example-apiserver/pkg/apis/example/v2"
	"example.com/example-apiserver/test/utils"
)

// previousRelease is example-apiserver as the release before this one built it: make
// test-upgrade builds it (hack/build-upgrade-from.sh, UPGRADE_FROM) and names it here.
func previousRelease(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("UPGRADE_FROM_BIN")
	if bin == "" {
		t.Skip("UPGRADE_FROM_BIN is unset: make test-upgrade builds the previous release and sets it")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("UPGRADE_FROM_BIN: %v", err)
	}
	return bin
}

// scheme converts what a server answers in v2 to v1, to compare it with what it answers in v1.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	install.Install(s)
	return s
}()

// userObjects writes through s what a user of the previous release has: the examples of
// artifacts/examples, a CronTab with every v1 field set (status too, as the controller
// writes it), and a CustomResource with its message.
func userObjects(t *testing.T, s *apiServer) {
	t.Helper()
	ctx := context.Background()
	root, err := utils.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var seed examplev1.CronTab
	var hello examplev1.CustomResource
	for path, into := range map[string]any{"my-crontab.yaml": &seed, "hello-customresource.yaml": &hello} {
		data, err := os.ReadFile(filepath.Join(root, "artifacts", "examples", path))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if _, err := s.Client.ExampleV1().CronTabs("default").Create(ctx, &seed, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create the seed's CronTab: %v", err)
	}
	if _, err := s.Client.ExampleV1().CustomResources().Create(ctx, &hello, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create the seed's CustomResource: %v", err)
	}
	greeting := &examplev1.CustomResource{ObjectMeta: metav1.ObjectMeta{Name: "greeting", Labels: map[string]string{"team": "web"}},
		Spec: examplev1.CustomResourceSpec{Message: "hello from the previous release"}}
	if _, err := s.Client.ExampleV1().CustomResources().Create(ctx, greeting, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	full := &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly-report", Namespace: "reports",
			Labels: map[string]string{"team": "reports"}, Annotations: map[string]string{"owner": "ops@example.com"}},
		Spec: examplev1.CronTabSpec{
			CronSpec:                   "30 2 * * *",
			Image:                      "registry.example.com/report:1.0",
			Replicas:                   ptr.To[int32](3),
			TimeZone:                   "Europe/Berlin",
			Command:                    []string{"/bin/report"},
			Args:                       []string{"--nightly", "--format=pdf"},
			Suspend:                    ptr.To(true),
			ConcurrencyPolicy:          examplev1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr.To[int64](300),
			SuccessfulJobsHistoryLimit: ptr.To[int32](5),
			FailedJobsHistoryLimit:     ptr.To[int32](2),
			BackoffLimit:               ptr.To[int32](4),
			ActiveDeadlineSeconds:      ptr.To[int64](3600),
		},
	}
	created, err := s.Client.ExampleV1().CronTabs(full.Namespace).Create(ctx, full, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create a CronTab with every field: %v", err)
	}
	at := func(minutesAgo int) *metav1.Time {
		return ptr.To(metav1.NewTime(time.Now().Add(-time.Duration(minutesAgo) * time.Minute).Truncate(time.Second)))
	}
	created.Status = examplev1.CronTabStatus{
		Replicas:           3,
		Conditions:         []metav1.Condition{{Type: "Ready", Status: metav1.ConditionTrue, Reason: examplev1.ReasonScheduled, Message: "next run at 02:30", LastTransitionTime: *at(60), ObservedGeneration: 1}},
		ObservedGeneration: 1,
		Active:             []corev1.ObjectReference{{APIVersion: "batch/v1", Kind: "Job", Namespace: full.Namespace, Name: "nightly-report-29000000", UID: "job-uid"}},
		LastScheduleTime:   at(30),
		LastSuccessfulTime: at(1470),
		NextScheduleTime:   at(-1410),
		LastMissedTime:     at(2910),
		MissedRuns:         2,
		RunningPods:        1,
	}
	if _, err := s.Client.ExampleV1().CronTabs(full.Namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("write the status of a CronTab: %v", err)
	}
}

// snapshot is every example.com object as one server answers it in v1, by namespace/name.
type snapshot map[string]runtime.Object

func readV1(t *testing.T, s *apiServer) snapshot {
	t.Helper()
	ctx := context.Background()
	got := snapshot{}
	cronTabs, err := s.Client.ExampleV1().CronTabs("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("%s: v1 list crontabs: %v", s.Name, err)
	}
	for i := range cronTabs.Items {
		ct := &cronTabs.Items[i]
		got["crontabs/"+ct.Namespace+"/"+ct.Name] = ct
	}
	customResources, err := s.Client.ExampleV1().CustomResources().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("%s: v1 list customresources: %v", s.Name, err)
	}
	for i := range customResources.Items {
		cr := &customResources.Items[i]
		got["customresources/"+cr.Name] = cr
	}
	return got
}

// readV2AsV1 is readV1 through v2: each object read in v2, converted to v1 here.
func readV2AsV1(t *testing.T, s *apiServer) snapshot {
	t.Helper()
	ctx := context.Background()
	got := snapshot{}
	cronTabs, err := s.Client.ExampleV2().CronTabs("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("%s: v2 list crontabs: %v", s.Name, err)
	}
	for i := range cronTabs.Items {
		ct := &cronTabs.Items[i]
		got["crontabs/"+ct.Namespace+"/"+ct.Name] = convert(t, ct, &example.CronTab{}, &examplev1.CronTab{})
	}
	customResources, err := s.Client.ExampleV2().CustomResources().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("%s: v2 list customresources: %v", s.Name, err)
	}
	for i := range customResources.Items {
		cr := &customResources.Items[i]
		got["customresources/"+cr.Name] = convert(t, cr, &example.CustomResource{}, &examplev1.CustomResource{})
	}
	return got
}

func convert(t *testing.T, in, internal, out runtime.Object) runtime.Object {
	t.Helper()
	if err := scheme.Convert(in, internal, nil); err != nil {
		t.Fatal(err)
	}
	if err := scheme.Convert(internal, out, nil); err != nil {
		t.Fatal(err)
	}
	return out
}

// assertSame fails unless got holds every object of want with every field equal.
// rewritten ignores what a write changes without changing the object: its resourceVersion
// and the time in managedFields.
func assertSame(t *testing.T, step string, want, got snapshot, rewritten bool) {
	t.Helper()
	names := func(s snapshot) []string {
		var keys []string
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	}
	if !apiequality.Semantic.DeepEqual(names(want), names(got)) {
		t.Fatalf("%s: objects %v, want %v", step, names(got), names(want))
	}
	for key, w := range want {
		w, g := w.DeepCopyObject(), got[key].DeepCopyObject()
		for _, obj := range []runtime.Object{w, g} {
			obj.GetObjectKind().SetGroupVersionKind(examplev1.SchemeGroupVersion.WithKind(""))
			if m, ok := obj.(metav1.Object); ok && rewritten {
				m.SetResourceVersion("")
				fields := m.GetManagedFields()
				for i := range fields {
					fields[i].Time = nil
				}
			}
		}
		if !apiequality.Semantic.DeepEqual(w, g) {
			t.Errorf("%s: %s differs (-want +got):\n%s", step, key, cmp.Diff(w, g))
		}
	}
}

// storedVersions returns the apiVersion each example.com key in etcd is encoded in.
func storedVersions(t *testing.T, etcd *etcdServer) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := etcd.client(t).Get(ctx, etcdPrefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatalf("reading etcd: %v", err)
	}
	versions := map[string]string{}
	for _, kv := range resp.Kvs {
		version, err := utils.StoredAPIVersion(kv.Value)
		if err != nil {
			t.Fatalf("%s: %v", kv.Key, err)
		}
		versions[strings.TrimPrefix(string(kv.Key), etcdPrefix)] = version
	}
	if len(versions) == 0 {
		t.Fatalf("nothing under %s in etcd", etcdPrefix)
	}
	return versions
}

func assertStoredIn(t *testing.T, step string, etcd *etcdServer, want string) {
	t.Helper()
	for key, version := range storedVersions(t, etcd) {
		if version != want {
			t.Errorf("%s: etcd holds %s as %s, want %s", step, key, version, want)
		}
	}
}

// workloadCronTab is a v2 CronTab with what v1 has no field for: env from a Secret, a
// ConfigMap volume, requests, its own ServiceAccount, a second container.
func workloadCronTab() *examplev2.CronTab {
	return &examplev2.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: "workload", Namespace: "reports"},
		Spec: examplev2.CronTabSpec{
			CronSpec: "0 4 * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
				Parallelism: ptr.To[int32](2), Completions: ptr.To[int32](2),
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					ServiceAccountName: "report",
					RestartPolicy:      corev1.RestartPolicyNever,
					Volumes: []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{
						ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "report"}}}}},
					Containers: []corev1.Container{{
						Name: "report", Image: "registry.example.com/report:2.0",
						Env: []corev1.EnvVar{{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
							LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}},
						VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/report"}},
					}, {Name: "uploader", Image: "registry.example.com/uploader:1.0"}},
				}},
			}},
		},
	}
}

// TestUpgradeFromPreviousRelease: objects the previous release wrote are read by this one in
// v1 and v2 with no field lost; then both serve one etcd as in a rolling update, this one
// writing v1 (its default), each reading what the other wrote; then a rollback to the
// previous release alone, after this one wrote, loses nothing either.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	oldBin := previousRelease(t)
	ctx := context.Background()
	certs := newPKI(t)
	etcd := startEtcd(t)

	old := startAPIServerBinary(t, oldBin, "example-apiserver-previous", certs, etcd.URL)
	userObjects(t, old)
	written := readV1(t, old)
	if ct := written["crontabs/reports/nightly-report"].(*examplev1.CronTab); ct.Status.MissedRuns != 2 || ct.Status.LastMissedTime == nil {
		t.Fatalf("the previous release did not keep the status written: %+v", ct.Status)
	}
	old.Stop()

	// Upgraded: today's server alone reads every old object, in both versions.
	current := startAPIServer(t, "example-apiserver", certs, etcd.URL)
	assertSame(t, "upgraded, v1", written, readV1(t, current), false)
	assertSame(t, "upgraded, v2", written, readV2AsV1(t, current), false)

	// Rolling update: both serve one etcd.
	old = startAPIServerBinary(t, oldBin, "example-apiserver-previous", certs, etcd.URL)
	// Today's server writes a v2-only shape and changes an old object through v2.
	workload, err := current.Client.ExampleV2().CronTabs("reports").Create(ctx, workloadCronTab(), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("v2 create through today's server: %v", err)
	}
	seed, err := current.Client.ExampleV2().CronTabs("default").Get(ctx, "my-new-cron-object", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seed.Labels = map[string]string{"upgraded": "true"}
	if _, err := current.Client.ExampleV2().CronTabs("default").Update(ctx, seed, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("v2 update through today's server: %v", err)
	}
	assertStoredIn(t, "rolling update, today's server wrote", etcd, "example.com/v1")
	// The previous release does a v1 client's read-modify-write of the v2 object and creates one.
	oldWorkload, err := old.Client.ExampleV1().CronTabs("reports").Get(ctx, "workload", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the previous release reads what today's server wrote: %v", err)
	}
	oldWorkload.Spec.Image = "registry.example.com/report:2.1"
	if _, err := old.Client.ExampleV1().CronTabs("reports").Update(ctx, oldWorkload, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("v1 update through the previous release: %v", err)
	}
	if _, err := old.Client.ExampleV1().CronTabs("default").Create(ctx, &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: "during-rollout"},
		Spec:       examplev1.CronTabSpec{CronSpec: "@hourly", Image: "busybox:1.36"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("v1 create through the previous release: %v", err)
	}
	rolling := readV1(t, old)
	assertSame(t, "rolling update, today's server in v1", rolling, readV1(t, current), false)
	assertSame(t, "rolling update, today's server in v2", rolling, readV2AsV1(t, current), false)
	// Every v2-only field of the workload survived the previous release's write.
	want := workload.DeepCopy()
	want.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image = "registry.example.com/report:2.1"
	got, err := current.Client.ExampleV2().CronTabs("reports").Get(ctx, "workload", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !apiequality.Semantic.DeepEqual(want.Spec, got.Spec) {
		t.Errorf("rolling update: the workload's v2 spec after the previous release's v1 write (-want +got):\n%s", cmp.Diff(want.Spec, got.Spec))
	}

	// Rolled back: the previous release alone, after today's server wrote.
	current.Stop()
	assertSame(t, "rolled back", rolling, readV1(t, old), false)
	// And forward again: the v2 fields are still there.
	old.Stop()
	current = startAPIServer(t, "example-apiserver", certs, etcd.URL)
	if got, err = current.Client.ExampleV2().CronTabs("reports").Get(ctx, "workload", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if !apiequality.Semantic.DeepEqual(want.Spec, got.Spec) {
		t.Errorf("upgraded again: the workload's v2 spec (-want +got):\n%s", cmp.Diff(want.Spec, got.Spec))
	}
	assertSame(t, "upgraded again, v2", rolling, readV2AsV1(t, current), false)
	for _, p := range []*utils.Process{old.Process, current.Process} {
		p.AssertNoPanic(t)
	}
}

// TestMigrateStorageFromPreviousRelease: an etcd the previous release wrote, served by
// today's server at --storage-version=v2, is rewritten by kubectl example migrate-storage:
// every key is then encoded as v2, and every object reads as before.
func TestMigrateStorageFromPreviousRelease(t *testing.T) {
	oldBin := previousRelease(t)
	certs := newPKI(t)
	etcd := startEtcd(t)

	old := startAPIServerBinary(t, oldBin, "example-apiserver-previous", certs, etcd.URL)
	userObjects(t, old)
	written := readV1(t, old)
	old.Stop()
	assertStoredIn(t, "written by the previous release", etcd, "example.com/v1")

	current := startAPIServer(t, "example-apiserver", certs, etcd.URL, "--storage-version=v2")
	// A page smaller than the objects: the migration follows continue tokens.
	out := migrateStorage(t, current, certs, "--chunk-size=1")
	for _, line := range []string{
		"crontabs.example.com: 1 done, about 1 to go",
		"crontabs.example.com: 2 rewritten, 0 deleted meanwhile, 0 conflicts retried",
		"customresources.example.com: 2 rewritten, 0 deleted meanwhile, 0 conflicts retried",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("migrate-storage printed no %q:\n%s", line, out)
		}
	}
	assertStoredIn(t, "migrated", etcd, "example.com/v2")
	migrated := readV1(t, current)
	assertSame(t, "migrated, v1", written, migrated, true)
	assertSame(t, "migrated, v2", written, readV2AsV1(t, current), true)

	// Run again, nothing is written: the server skips a write of the bytes etcd holds.
	migrateStorage(t, current, certs)
	assertSame(t, "migrated twice", migrated, readV1(t, current), false)
	current.AssertNoPanic(t)
}

// migrateStorage runs the built kubectl-example migrate-storage against s and returns its
// output.
func migrateStorage(t *testing.T, s *apiServer, certs *pki, args ...string) string {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	config := clientcmdapi.NewConfig()
	config.Clusters["upgrade"] = &clientcmdapi.Cluster{Server: s.URL, CertificateAuthorityData: certs.caPEM}
	config.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: certs.clientCertPEM, ClientKeyData: certs.clientKey}
	config.Contexts["upgrade"] = &clientcmdapi.Context{Cluster: "upgrade", AuthInfo: "admin"}
	config.CurrentContext = "upgrade"
	if err := clientcmd.WriteToFile(*config, kubeconfig); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "kubectl-example"), append([]string{"migrate-storage", "--kubeconfig=" + kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl example migrate-storage: %v\n%s", err, out)
	}
	t.Logf("kubectl example migrate-storage %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}
