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
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
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
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	externalmetrics "k8s.io/metrics/pkg/client/external_metrics"
	fakeexternalmetrics "k8s.io/metrics/pkg/client/external_metrics/fake"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/generated/clientset/versioned"
	fakeclientset "example.com/example-apiserver/pkg/generated/clientset/versioned/fake"
)

// now is the fixed clock of these tests: 2026-03-01 10:02:30 UTC, a Sunday.
var now = time.Date(2026, 3, 1, 10, 2, 30, 0, time.UTC)

type fakeFactory struct {
	namespace string
	// stdin is what the command reads from its standard input.
	stdin     string
	example   *fakeclientset.Clientset
	kube      *fakekube.Clientset
	dynamic   dynamic.Interface
	discovery *fakediscovery.FakeDiscovery
	// externalMetrics is nil unless a test serves external metrics (see serveExternalMetrics).
	externalMetrics *fakeexternalmetrics.FakeExternalMetricsClient
	// kubeconfig and cacheDir point kubectl's code at a test server (see serveCronTabs).
	kubeconfig, cacheDir string
	kubectl              cmdutil.Factory
}

func (f *fakeFactory) ToRawKubeConfigLoader() clientcmd.ClientConfig { return nil }
func (f *fakeFactory) Namespace() (string, error)                    { return f.namespace, nil }
func (f *fakeFactory) ExampleClient() (versioned.Interface, error)   { return f.example, nil }
func (f *fakeFactory) KubeClient() (kubernetes.Interface, error)     { return f.kube, nil }
func (f *fakeFactory) DynamicClient() (dynamic.Interface, error)     { return f.dynamic, nil }
func (f *fakeFactory) DiscoveryClient() (discovery.DiscoveryInterface, error) {
	return f.discovery, nil
}

func (f *fakeFactory) KubectlFactory() cmdutil.Factory { return f.kubectl }
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

// newFakeFactory serves objects from the fake of the clientset that owns their type: Jobs
// from the built-in APIs' fake, everything else from example.com's.
func newFakeFactory(objects ...runtime.Object) *fakeFactory {
	var exampleObjects, kubeObjects []runtime.Object
	for _, obj := range objects {
		switch obj.(type) {
		case *batchv1.Job, *batchv1.CronJob:
			kubeObjects = append(kubeObjects, obj)
		default:
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
	streams := genericiooptions.IOStreams{In: strings.NewReader(f.stdin), Out: out, ErrOut: errOut}
	flags := genericclioptions.NewConfigFlags(false)
	if f.kubeconfig != "" {
		flags.KubeConfig, flags.CacheDir = &f.kubeconfig, &f.cacheDir
	}
	// kubectl's code reads the same flags as the command line, -n included.
	f.kubectl = cmdutil.NewFactory(flags)
	cmd := NewCmdExampleWith(flags, f, streams)

	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
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
