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
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/discovery"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/dynamic"
	fakedynamic "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes"
	fakekube "k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/metrics/pkg/apis/external_metrics"
	externalmetricsv1beta1 "k8s.io/metrics/pkg/apis/external_metrics/v1beta1"
	externalmetrics "k8s.io/metrics/pkg/client/external_metrics"
	fakeexternalmetrics "k8s.io/metrics/pkg/client/external_metrics/fake"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/custom-metrics-apiserver/pkg/provider"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/generated/clientset/versioned"
	fakeclientset "example.com/example-apiserver/pkg/generated/clientset/versioned/fake"
)

// now is the fixed clock of these tests: 2026-03-01 10:02:30 UTC, a Sunday.
var now = time.Date(2026, 3, 1, 10, 2, 30, 0, time.UTC)

type fakeFactory struct {
	namespace string
	example   *fakeclientset.Clientset
	kube      *fakekube.Clientset
	dynamic   dynamic.Interface
	discovery *fakediscovery.FakeDiscovery
	// externalMetrics is nil unless a test serves external metrics (see serveExternalMetrics).
	externalMetrics *fakeexternalmetrics.FakeExternalMetricsClient
}

func (f *fakeFactory) ToRawKubeConfigLoader() clientcmd.ClientConfig { return nil }
func (f *fakeFactory) Namespace() (string, error)                    { return f.namespace, nil }
func (f *fakeFactory) ExampleClient() (versioned.Interface, error)   { return f.example, nil }
func (f *fakeFactory) KubeClient() (kubernetes.Interface, error)     { return f.kube, nil }
func (f *fakeFactory) DynamicClient() (dynamic.Interface, error)     { return f.dynamic, nil }
func (f *fakeFactory) DiscoveryClient() (discovery.DiscoveryInterface, error) {
	return f.discovery, nil
}
func (f *fakeFactory) ExternalMetricsClient() (externalmetrics.ExternalMetricsClient, error) {
	if f.externalMetrics == nil {
		return nil, errors.New("no external metrics in this test")
	}
	return f.externalMetrics, nil
}

func cronTab(ns, name, spec, tz string, replicas *int32, lbls map[string]string) *examplev1.CronTab {
	return &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls, CreationTimestamp: metav1.NewTime(now.Add(-2 * time.Hour))},
		Spec:       examplev1.CronTabSpec{CronSpec: spec, Image: "busybox:1.36", Replicas: replicas, TimeZone: tz},
	}
}

// running gives ct a run in progress, scheduled at 03:00 in Shanghai (19:00 UTC the day before).
func running(ct *examplev1.CronTab) *examplev1.CronTab {
	ct.Status.Active = []corev1.ObjectReference{{Kind: "Job", Namespace: ct.Namespace, Name: ct.Name + "-29537940"}}
	ct.Status.LastScheduleTime = &metav1.Time{Time: time.Date(2026, 2, 28, 19, 0, 0, 0, time.UTC)}
	return ct
}

func suspended(ct *examplev1.CronTab) *examplev1.CronTab {
	ct.Spec.Suspend = ptr.To(true)
	return ct
}

// newFakeFactory serves objects from the fake of the clientset that owns their type: Jobs
// from the built-in APIs' fake, everything else from example.com's.
func newFakeFactory(objects ...runtime.Object) *fakeFactory {
	var exampleObjects, kubeObjects []runtime.Object
	for _, obj := range objects {
		if _, isJob := obj.(*batchv1.Job); isJob {
			kubeObjects = append(kubeObjects, obj)
		} else {
			exampleObjects = append(exampleObjects, obj)
		}
	}
	return &fakeFactory{
		namespace: "default",
		example:   fakeclientset.NewSimpleClientset(exampleObjects...),
		kube:      fakekube.NewSimpleClientset(kubeObjects...),
		discovery: &fakediscovery.FakeDiscovery{Fake: &clienttesting.Fake{}},
		dynamic:   fakedynamic.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{apiServicesGVR: "APIServiceList", namespacesGVR: "NamespaceList"}),
	}
}

// run executes the root command in-process, as kubectl would run the plugin, with the
// clock fixed for the commands that read it.
func run(t *testing.T, f *fakeFactory, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	streams := genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: errOut}
	cmd := NewCmdExampleWith(genericclioptions.NewConfigFlags(false), f, streams)

	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestCronTabs(t *testing.T) {
	objects := []runtime.Object{
		cronTab("default", "every-five", "*/5 * * * *", "", ptr.To[int32](2), map[string]string{"team": "data"}),
		running(cronTab("default", "nightly", "0 3 * * *", "Asia/Shanghai", nil, nil)),
		suspended(cronTab("other", "hourly", "@hourly", "", ptr.To[int32](1), map[string]string{"team": "web"})),
	}
	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
		wantErr string
	}{{
		name: "table in the current namespace",
		args: []string{"crontabs"},
		want: []string{
			"NAME         SCHEDULE      TIMEZONE        SUSPEND   ACTIVE   LAST SCHEDULE   NEXT RUN   AGE",
			"every-five   */5 * * * *   <none>          False     0        <none>          in 2m30s   120m",
			// 03:00 in Shanghai is 19:00 UTC: 15h ago, and next in 8h.
			"nightly      0 3 * * *     Asia/Shanghai   False     1        15h             in 8h      120m",
		},
		notWant: []string{"hourly", "NAMESPACE", "IMAGE", "SELECTOR"},
	}, {
		name: "alias ct, every namespace",
		args: []string{"ct", "-A"},
		want: []string{"NAMESPACE", "other       hourly", "default     every-five", "True      0        <none>          <suspended>"},
	}, {
		name:    "label selector",
		args:    []string{"ct", "-A", "-l", "team=data"},
		want:    []string{"every-five"},
		notWant: []string{"hourly", "nightly"},
	}, {
		name: "wide adds image, replicas and selector",
		args: []string{"ct", "-o", "wide"},
		want: []string{"AGE    IMAGE          REPLICAS    SELECTOR", "120m   busybox:1.36   <default>   <none>"},
	}, {
		name: "names",
		args: []string{"ct", "-o", "name"},
		want: []string{"crontab.example.com/every-five\ncrontab.example.com/nightly\n"},
	}, {
		name: "one object as json",
		args: []string{"ct", "nightly", "-o", "json"},
		want: []string{`"kind": "CronTab"`, `"apiVersion": "example.com/v1"`, `"timeZone": "Asia/Shanghai"`},
	}, {
		name: "a list as yaml",
		args: []string{"ct", "-o", "yaml"},
		want: []string{"kind: CronTabList", "kind: CronTab\n", "name: every-five"},
	}, {
		name: "jsonpath",
		args: []string{"ct", "-o", "jsonpath={.items[*].spec.cronSpec}"},
		want: []string{"*/5 * * * * 0 3 * * *"},
	}, {
		name: "go-template",
		args: []string{"ct", "nightly", "-o", "go-template={{.metadata.name}}={{.spec.image}}"},
		want: []string{"nightly=busybox:1.36"},
	}, {
		name:    "unknown output",
		args:    []string{"ct", "-o", "xml"},
		wantErr: "unable to match a printer",
	}, {
		name:    "names and selectors do not mix",
		args:    []string{"ct", "nightly", "-l", "a=b"},
		wantErr: "cannot be combined",
	}, {
		name:    "missing object",
		args:    []string{"ct", "nope"},
		wantErr: "not found",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, newFakeFactory(objects...), tc.args...)
			checkErr(t, err, tc.wantErr)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestCronTabsEmpty(t *testing.T) {
	out, errOut, err := run(t, newFakeFactory(), "ct")
	if err != nil || out != "" || !strings.Contains(errOut, "No resources found in default namespace.") {
		t.Fatalf("got err=%v out=%q stderr=%q", err, out, errOut)
	}
}

func TestNext(t *testing.T) {
	objects := []runtime.Object{
		cronTab("default", "nightly", "0 3 * * *", "Asia/Shanghai", nil, nil),
		cronTab("default", "never", "0 0 30 2 *", "", nil, nil),
	}
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{{
		name: "two runs in the CronTab's zone",
		args: []string{"next", "nightly", "--count", "2"},
		want: "CronTab default/nightly runs \"0 3 * * *\" (time zone Asia/Shanghai); next 2:\n" +
			"  2026-03-02 03:00:00 CST +08:00 Mon  (in 8h)\n" +
			"  2026-03-03 03:00:00 CST +08:00 Tue  (in 32h)\n",
	}, {
		name: "shown in another zone",
		args: []string{"next", "nightly", "--count", "1", "--timezone", "UTC"},
		want: "CronTab default/nightly runs \"0 3 * * *\" (time zone Asia/Shanghai); next 1:\n" +
			"  2026-03-01 19:00:00 UTC +00:00 Sun  (in 8h)\n",
	}, {
		name: "an expression that never fires",
		args: []string{"next", "never"},
		want: "never: the expression matches no date",
	}, {
		name:    "bad count",
		args:    []string{"next", "nightly", "--count", "0"},
		wantErr: "--count must be between 1 and 1000",
	}, {
		name:    "bad zone",
		args:    []string{"next", "nightly", "--timezone", "Mars/Olympus"},
		wantErr: "--timezone",
	}, {
		name:    "name required",
		args:    []string{"next"},
		wantErr: "accepts 1 arg",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, newFakeFactory(objects...), tc.args...)
			checkErr(t, err, tc.wantErr)
			if !strings.Contains(out, tc.want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", out, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		expr, tz string
		want     string
		wantErr  string
	}{
		{expr: "*/5 * * * *", want: "valid: \"*/5 * * * *\" (time zone UTC); next 3:\n  2026-03-01 10:05:00 UTC +00:00 Sun  (in 2m30s)\n"},
		{expr: "@hourly", tz: "Asia/Tokyo", want: "  2026-03-01 20:00:00 JST +09:00 Sun  (in 57m)\n"},
		{expr: "0 9 * * mon-fri", want: "2026-03-02 09:00:00 UTC"},
		{expr: "61 * * * *", wantErr: "invalid: \"61 * * * *\": end of range (61) above maximum (59)"},
		{expr: "* * * *", wantErr: "expected exactly 5 fields"},
		{expr: "CRON_TZ=UTC * * * * *", wantErr: "use spec.timeZone"},
		{expr: "* * * * *", tz: "Local", wantErr: "not a portable time zone"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			args := []string{"validate", tc.expr}
			if tc.tz != "" {
				args = append(args, "--timezone", tc.tz)
			}
			out, _, err := run(t, newFakeFactory(), args...)
			checkErr(t, err, tc.wantErr)
			if !strings.Contains(out, tc.want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", out, tc.want)
			}
		})
	}
}

func TestCreateCronTab(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       []string
		wantErr    string
		wantStored bool
		wantDryRun bool
	}{{
		name:       "created",
		args:       []string{"--schedule", "@hourly", "--image", "busybox", "--replicas", "3"},
		want:       []string{"crontab.example.com/backup created"},
		wantStored: true,
	}, {
		name: "client dry run prints a manifest",
		args: []string{"--schedule", "0 3 * * *", "--image", "busybox", "--timezone", "Asia/Shanghai", "--dry-run=client", "-o", "yaml"},
		want: []string{"apiVersion: example.com/v1\nkind: CronTab\nmetadata:\n  name: backup\n  namespace: default\nspec:\n  cronSpec: 0 3 * * *\n  image: busybox\n  timeZone: Asia/Shanghai\n"},
	}, {
		name: "bare --dry-run means client",
		args: []string{"--schedule", "@daily", "--image", "busybox", "--dry-run"},
		want: []string{"crontab.example.com/backup created (dry run)"},
	}, {
		name:       "server dry run",
		args:       []string{"--schedule", "@daily", "--image", "busybox", "--dry-run=server"},
		want:       []string{"crontab.example.com/backup created (server dry run)"},
		wantDryRun: true,
	}, {
		name:    "schedule checked offline",
		args:    []string{"--schedule", "every day", "--image", "busybox"},
		wantErr: "--schedule \"every day\"",
	}, {
		name:    "image required",
		args:    []string{"--schedule", "@daily"},
		wantErr: "required flag(s) \"image\" not set",
	}, {
		name:    "bad dry run",
		args:    []string{"--schedule", "@daily", "--image", "x", "--dry-run=maybe"},
		wantErr: "--dry-run must be",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFactory()
			out, _, err := run(t, f, append([]string{"create", "crontab", "backup"}, tc.args...)...)
			checkErr(t, err, tc.wantErr)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			var creates []clienttesting.CreateActionImpl
			for _, a := range f.example.Actions() {
				if c, ok := a.(clienttesting.CreateActionImpl); ok {
					creates = append(creates, c)
				}
			}
			if sent := tc.wantStored || tc.wantDryRun; sent != (len(creates) == 1) {
				t.Fatalf("create requests: %d, want one: %v", len(creates), sent)
			}
			if len(creates) == 1 {
				dryRun := len(creates[0].CreateOptions.DryRun) == 1 && creates[0].CreateOptions.DryRun[0] == metav1.DryRunAll
				if dryRun != tc.wantDryRun {
					t.Errorf("dry run sent: %v, want %v", dryRun, tc.wantDryRun)
				}
				ct := creates[0].Object.(*examplev1.CronTab)
				if tc.wantStored && (ct.Spec.Replicas == nil || *ct.Spec.Replicas != 3) {
					t.Errorf("replicas: %v", ct.Spec.Replicas)
				}
			}
		})
	}
}

func apiService(name string, available string, reason, message string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]interface{}{"name": name},
		"spec": map[string]interface{}{
			"service": map[string]interface{}{"name": "example-apiserver", "namespace": "example-system", "port": int64(443)},
		},
		"status": map[string]interface{}{
			"conditions": []interface{}{map[string]interface{}{"type": "Available", "status": available, "reason": reason, "message": message}},
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
		name:      "registered and available",
		services:  []runtime.Object{apiService("v1.example.com", "True", "Passed", "all checks passed")},
		resources: []*metav1.APIResourceList{exampleResources},
		want: []string{
			"APIService v1.example.com: Available=True (Passed): all checks passed\n  service: example-system/example-apiserver:443\n",
			"APIService v1beta1.external.metrics.k8s.io: not registered\n  hint: no external metrics API",
			"Discovery /apis/example.com/v1: OK (crontabs, customresources)",
		},
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

func TestVersion(t *testing.T) {
	f := newFakeFactory()
	f.discovery.FakedServerVersion = &version.Info{GitVersion: "v1.37.2"}
	f.discovery.Resources = []*metav1.APIResourceList{exampleResources}
	out, _, err := run(t, f, "version")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Plugin Version: ", "Server Version: v1.37.2\n", "example.com: v1\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}

	f.discovery.Resources = nil
	out, _, _ = run(t, f, "version", "-o", "yaml")
	if !strings.Contains(out, "gitVersion: v1.37.2") || strings.Contains(out, "exampleVersions") {
		t.Errorf("yaml without example.com:\n%s", out)
	}
	out, _, _ = run(t, f, "version")
	if !strings.Contains(out, "example.com: not served") {
		t.Errorf("no hint when example.com is not served:\n%s", out)
	}
}

func TestMetricsNotRegistered(t *testing.T) {
	for _, args := range [][]string{{"metrics"}, {"metrics", "crontab_runs", "-l", "crontab=backup"}} {
		_, _, err := run(t, newFakeFactory(), args...)
		if !errors.Is(err, ErrMetricsNotRegistered) {
			t.Fatalf("%v: error %v, want ErrMetricsNotRegistered", args, err)
		}
		if !strings.Contains(err.Error(), "the external metrics API (external.metrics.k8s.io/v1beta1) is not registered") {
			t.Errorf("message: %v", err)
		}
	}
}

// servedValue is one value of an external metric, in a namespace.
type servedValue struct {
	namespace string
	value     externalmetricsv1beta1.ExternalMetricValue
}

// serveExternalMetrics serves external.metrics.k8s.io/v1beta1 from f as our server does: discovery
// lists each metric as a resource, and reading a metric returns its values in the namespace that
// match the selector, or the server's NotFound for a metric it does not serve.
func serveExternalMetrics(f *fakeFactory, metrics map[string][]servedValue) {
	list := &metav1.APIResourceList{GroupVersion: externalmetricsv1beta1.SchemeGroupVersion.String()}
	for name := range metrics { // map order: the command must sort
		list.APIResources = append(list.APIResources, metav1.APIResource{Name: name, Namespaced: true, Kind: "ExternalMetricValueList", Verbs: metav1.Verbs{"get"}})
	}
	f.discovery.Resources = append(f.discovery.Resources, list)

	f.externalMetrics = &fakeexternalmetrics.FakeExternalMetricsClient{}
	f.externalMetrics.AddReactor("list", "*", func(action clienttesting.Action) (bool, runtime.Object, error) {
		metric := action.GetResource().Resource
		values, ok := metrics[metric]
		if !ok {
			return true, nil, provider.NewMetricNotFoundError(external_metrics.Resource(metric), metric)
		}
		selector := action.(clienttesting.ListAction).GetListRestrictions().Labels
		out := &externalmetricsv1beta1.ExternalMetricValueList{}
		for _, v := range values {
			if v.namespace == action.GetNamespace() && selector.Matches(labels.Set(v.value.MetricLabels)) {
				out.Items = append(out.Items, *v.value.DeepCopy())
			}
		}
		return true, out, nil
	})
}

// metricValue is a value of the metric name in ns, observed age before now (never when zero).
func metricValue(ns, name string, lbls map[string]string, value string, window *int64, age time.Duration) servedValue {
	v := externalmetricsv1beta1.ExternalMetricValue{MetricName: name, MetricLabels: lbls, Value: resource.MustParse(value), WindowSeconds: window}
	if age > 0 {
		v.Timestamp = metav1.NewTime(now.Add(-age))
	}
	return servedValue{namespace: ns, value: v}
}

func TestMetricsServed(t *testing.T) {
	metrics := map[string][]servedValue{
		"crontab_runs": {
			metricValue("team-a", "crontab_runs", map[string]string{"crontab": "backup"}, "3", ptr.To[int64](300), 30*time.Second),
			metricValue("team-a", "crontab_runs", map[string]string{"crontab": "report"}, "1500m", nil, 0),
			metricValue("other", "crontab_runs", map[string]string{"crontab": "backup"}, "7", ptr.To[int64](300), 30*time.Second),
		},
		"http_requests": {metricValue("team-a", "http_requests", nil, "42", ptr.To[int64](60), 2*time.Minute)},
		"crontabs":      {metricValue("other", "crontabs", nil, "1", nil, 0)},
	}
	tests := []struct {
		name string
		args []string
		// want is the whole output when exact, else substrings of it.
		want    []string
		exact   bool
		notWant []string
		// wantRead is the metric read, as "namespace/metric?selector"; empty when none is.
		wantRead string
		wantErr  string
	}{{
		name:  "names from discovery, sorted",
		args:  []string{"metrics"},
		want:  []string{"NAME\ncrontab_runs\ncrontabs\nhttp_requests\n"},
		exact: true,
	}, {
		name:  "names as json",
		args:  []string{"metrics", "-o", "json"},
		want:  []string{"{\n  \"metrics\": [\n    \"crontab_runs\",\n    \"crontabs\",\n    \"http_requests\"\n  ]\n}\n"},
		exact: true,
	}, {
		name: "values matching the selector in the namespace",
		args: []string{"metrics", "crontab_runs", "-l", "crontab=backup"},
		want: []string{
			"NAME           LABELS           VALUE   WINDOW   AGE\n" +
				"crontab_runs   crontab=backup   3       5m0s     30s\n",
		},
		exact:    true,
		wantRead: "team-a/crontab_runs?crontab=backup",
	}, {
		name: "every value in the namespace, without window or timestamp",
		args: []string{"metrics", "crontab_runs"},
		want: []string{
			"NAME           LABELS           VALUE   WINDOW   AGE\n" +
				"crontab_runs   crontab=backup   3       5m0s     30s\n" +
				"crontab_runs   crontab=report   1500m   <none>   <unknown>\n",
		},
		exact:    true,
		wantRead: "team-a/crontab_runs?",
	}, {
		name: "a value without labels",
		args: []string{"metrics", "http_requests"},
		want: []string{
			"NAME            LABELS   VALUE   WINDOW   AGE\n" +
				"http_requests   <none>   42      1m0s     2m\n",
		},
		exact:    true,
		wantRead: "team-a/http_requests?",
	}, {
		name:     "a metric with no value in the namespace",
		args:     []string{"metrics", "crontabs"},
		want:     []string{"NAME   LABELS   VALUE   WINDOW   AGE\n"},
		exact:    true,
		wantRead: "team-a/crontabs?",
	}, {
		name: "yaml is an ExternalMetricValueList",
		args: []string{"metrics", "crontab_runs", "-l", "crontab in (backup)", "-o", "yaml"},
		want: []string{
			"apiVersion: external.metrics.k8s.io/v1beta1\n",
			"kind: ExternalMetricValueList\n",
			"items:\n- metricLabels:\n    crontab: backup\n  metricName: crontab_runs\n  timestamp: \"2026-03-01T10:02:00Z\"\n  value: \"3\"\n  window: 300\n",
		},
		notWant:  []string{"report", `"7"`},
		wantRead: "team-a/crontab_runs?crontab in (backup)",
	}, {
		name:     "an unknown metric is the server's NotFound",
		args:     []string{"metrics", "no_such_metric"},
		wantErr:  `reading external metric "no_such_metric" in namespace team-a: the server could not find the metric no_such_metric for no_such_metric.external.metrics.k8s.io`,
		wantRead: "team-a/no_such_metric?",
	}, {
		name:    "a selector needs a metric",
		args:    []string{"metrics", "-l", "crontab=backup"},
		wantErr: "-l selects the values of one metric: give its NAME",
	}, {
		name:    "bad selector",
		args:    []string{"metrics", "crontab_runs", "-l", "crontab==="},
		wantErr: `-l "crontab==="`,
	}, {
		name:    "bad output",
		args:    []string{"metrics", "crontab_runs", "-o", "wide"},
		wantErr: `--output must be json or yaml, not "wide"`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFactory()
			f.namespace = "team-a"
			serveExternalMetrics(f, metrics)
			out, _, err := run(t, f, tc.args...)
			checkErr(t, err, tc.wantErr)
			if tc.wantErr != "" && tc.wantRead != "" && !apierrors.IsNotFound(err) {
				t.Errorf("error %v does not wrap the server's NotFound", err)
			}
			for _, w := range tc.want {
				if tc.exact && out != w {
					t.Errorf("got:\n%s\nwant:\n%s", out, w)
				} else if !tc.exact && !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}

			var reads []string
			for _, a := range f.externalMetrics.Actions() {
				l := a.(clienttesting.ListAction)
				reads = append(reads, l.GetNamespace()+"/"+l.GetResource().Resource+"?"+l.GetListRestrictions().Labels.String())
			}
			if got := strings.Join(reads, " "); got != tc.wantRead {
				t.Errorf("metrics read: %q, want %q", got, tc.wantRead)
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	f := newFakeFactory(cronTab("default", "nightly", "@daily", "", nil, nil), cronTab("default", "hourly", "@hourly", "", nil, nil), cronTab("other", "elsewhere", "@daily", "", nil, nil))
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"__complete", "next", ""}, want: "hourly\nnightly\n:4\n"},
		{args: []string{"__complete", "next", "ni"}, want: "nightly\n:4\n"},
		{args: []string{"__complete", "next", "nightly", ""}, want: ":4\n"},
		{args: []string{"__complete", "run", "ho"}, want: "hourly\n:4\n"},
		{args: []string{"__complete", "run", "x", "--dry-run="}, want: "none\nclient\nserver\n:4\n"},
		{args: []string{"__complete", "history", ""}, want: "hourly\nnightly\n:4\n"},
		{args: []string{"__complete", "history", "nightly", ""}, want: ":4\n"},
		{args: []string{"__complete", "ct", "nightly", ""}, want: "hourly\n:4\n"},
		{args: []string{"__complete", "ct", "-o", ""}, want: "wide\njson\nyaml\nname\n"},
		{args: []string{"__complete", "create", "crontab", "x", "--image", "i", "--schedule", "s", "--dry-run="}, want: "none\nclient\nserver\n:4\n"},
		{args: []string{"__complete", "next", "x", "--timezone", "Asia/"}, want: "Asia/Shanghai\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, _, err := run(t, f, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("got %q, want it to contain %q", out, tc.want)
			}
		})
	}
}

func TestHelpSaysKubectlExample(t *testing.T) {
	out, _, err := run(t, newFakeFactory(), "next", "--help")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Usage:\n  kubectl example next NAME") {
		t.Errorf("help does not read \"kubectl example\":\n%s", out)
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "config")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443"}
- name: other
  cluster: {server: "https://127.0.0.1:7443"}
users:
- name: admin
  user: {token: secret}
contexts:
- name: local
  context: {cluster: local, user: admin, namespace: team-a}
- name: other
  context: {cluster: other, user: admin}
current-context: local
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{args: []string{"config", "--kubeconfig", kubeconfig}, want: []string{"(--kubeconfig)", "Current context:  local", "Server:           https://127.0.0.1:6443", "Namespace:        team-a"}},
		{args: []string{"config", "--kubeconfig", kubeconfig, "--context", "other", "-n", "x"}, want: []string{"Current context:  other", "Server:           https://127.0.0.1:7443", "User:             admin", "Namespace:        x"}},
	}
	for _, tc := range tests {
		out := &bytes.Buffer{}
		flags := genericclioptions.NewConfigFlags(false)
		cmd := NewCmdExampleWith(flags, NewFactory(flags), genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: out, ErrOut: out})
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
		if strings.Contains(out.String(), "secret") {
			t.Errorf("config printed a credential:\n%s", out)
		}
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want it to contain %q", err, want)
	}
}

func init() {
	clockNow = func() time.Time { return now }
}
