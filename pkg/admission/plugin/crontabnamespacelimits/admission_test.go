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

package crontabnamespacelimits

import (
	"context"
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	kubefake "k8s.io/client-go/kubernetes/fake"
	scalescheme "k8s.io/client-go/scale/scheme"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/example"
)

// world is what the plugin sees in the storage and through its informers.
type world struct {
	namespaces []*corev1.Namespace
	// cronTabs are "namespace/name" -> replicas.
	cronTabs map[string]int32
	// standalone: no kube-apiserver, no Namespace objects.
	standalone bool
	// unsynced: the namespace exists in the API but not (yet) in the informer.
	unsynced []*corev1.Namespace
}

func namespace(name string, annotations map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations}}
}

// newPlugin returns the plugin initialized like the server does, informers synced.
func newPlugin(t *testing.T, defaults config.CronTabNamespaceLimits, w world) *Plugin {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	cronTabs := exampleinitializer.NewLateCronTabs()

	var kubeInformers kubeinformers.SharedInformerFactory
	var kubeClient kubernetes.Interface
	if !w.standalone {
		var namespaces []runtime.Object
		for _, ns := range w.namespaces {
			namespaces = append(namespaces, ns)
		}
		kubeInformers = kubeinformers.NewSharedInformerFactory(kubefake.NewClientset(namespaces...), 0)
		// The live client also has the namespaces the informer has not seen (yet).
		for _, ns := range w.unsynced {
			namespaces = append(namespaces, ns)
		}
		kubeClient = kubefake.NewClientset(namespaces...)
	}

	p, err := New(defaults)
	if err != nil {
		t.Fatal(err)
	}
	exampleinitializer.New(cronTabs, kubeInformers, kubeClient).Initialize(p)
	if err := admission.ValidateInitialization(p); err != nil {
		t.Fatal(err)
	}
	cronTabs.Bind(storedCronTabs(w.cronTabs))
	if kubeInformers != nil {
		kubeInformers.Start(ctx.Done())
		kubeInformers.WaitForCacheSync(ctx.Done())
	}
	return p
}

// storedCronTabs is the storage's lister over "namespace/name" -> replicas.
type storedCronTabs map[string]int32

func (s storedCronTabs) ListCronTabs(_ context.Context, namespace string, _ labels.Selector) ([]example.CronTab, error) {
	var items []example.CronTab
	for key, replicas := range s {
		if ns, name, _ := strings.Cut(key, "/"); ns == namespace {
			items = append(items, example.CronTab{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: example.CronTabSpec{Replicas: replicas}})
		}
	}
	return items, nil
}

func createCronTab(ns, name string, replicas int32) admission.Attributes {
	ct := &example.CronTab{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: example.CronTabSpec{Replicas: replicas}}
	return admission.NewAttributesRecord(ct, nil, example.Kind("CronTab").WithVersion("v1"), ns, name,
		example.Resource("crontabs").WithVersion("v1"), "", admission.Create, nil, false, nil)
}

func updateCronTab(ns, name string, oldReplicas, replicas int32) admission.Attributes {
	old := &example.CronTab{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: example.CronTabSpec{Replicas: oldReplicas}}
	ct := old.DeepCopy()
	ct.Spec.Replicas = replicas
	return admission.NewAttributesRecord(ct, old, example.Kind("CronTab").WithVersion("v1"), ns, name,
		example.Resource("crontabs").WithVersion("v1"), "", admission.Update, nil, false, nil)
}

func scaleCronTab(ns, name string, oldReplicas, replicas int32) admission.Attributes {
	old := &scalescheme.Scale{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: scalescheme.ScaleSpec{Replicas: oldReplicas}}
	scale := old.DeepCopy()
	scale.Spec.Replicas = replicas
	return admission.NewAttributesRecord(scale, old, scalescheme.SchemeGroupVersion.WithKind("Scale"), ns, name,
		example.Resource("crontabs").WithVersion("v1"), "scale", admission.Update, nil, false, nil)
}

// warnings records the warning headers a request would get.
type warnings []string

func (w *warnings) AddWarning(_, text string) { *w = append(*w, text) }

func TestValidate(t *testing.T) {
	capped := namespace("capped", map[string]string{MaxCronTabsAnnotation: "2", MaxReplicasAnnotation: "5"})
	frozen := namespace("frozen", map[string]string{MaxCronTabsAnnotation: "0"})
	malformed := namespace("malformed", map[string]string{MaxCronTabsAnnotation: "lots", MaxReplicasAnnotation: "-3"})
	open := namespace("open", nil)
	existing := map[string]int32{"capped/a": 1, "capped/b": 3, "open/a": 50, "malformed/a": 1}
	someDefaults := config.CronTabNamespaceLimits{DefaultMaxCronTabs: ptr.To[int32](1), DefaultMaxReplicas: ptr.To[int32](60)}

	tests := []struct {
		name         string
		defaults     config.CronTabNamespaceLimits
		world        world
		request      admission.Attributes
		wantErr      []string // substrings of the Forbidden message; none: allowed
		wantWarnings []string
	}{
		{name: "no caps anywhere", world: world{namespaces: []*corev1.Namespace{open}, cronTabs: existing}, request: createCronTab("open", "b", 100)},
		{name: "create under the caps", world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: map[string]int32{"capped/a": 1}},
			request: createCronTab("capped", "b", 4)},
		{name: "create over the count cap", world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: existing},
			request: createCronTab("capped", "c", 1),
			wantErr: []string{"CronTabNamespaceLimits", `namespace "capped" allows at most 2 CronTabs`, "annotation example.com/max-crontabs", "has 2"}},
		{name: "create over the replicas cap", world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: map[string]int32{"capped/a": 1}},
			request: createCronTab("capped", "b", 5),
			wantErr: []string{"at most 5 CronTab replicas in total", "annotation example.com/max-crontab-replicas", "would make them 6"}},
		{name: "zero means none", world: world{namespaces: []*corev1.Namespace{frozen}}, request: createCronTab("frozen", "a", 0),
			wantErr: []string{"at most 0 CronTabs"}},
		{name: "update up to the cap", world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: existing},
			request: updateCronTab("capped", "b", 3, 4)},
		{name: "update over the cap", world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: existing},
			request: updateCronTab("capped", "b", 3, 5), wantErr: []string{"would make them 6"}},
		{name: "scale over the cap (an HPA too)", world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: existing},
			request: scaleCronTab("capped", "a", 1, 3), wantErr: []string{"CronTabNamespaceLimits", "would make them 6"}},
		{name: "scale within the cap", world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: existing},
			request: scaleCronTab("capped", "a", 1, 2)},
		{name: "scale down while over the cap", world: world{namespaces: []*corev1.Namespace{frozen}, cronTabs: map[string]int32{"frozen/a": 9}},
			defaults: config.CronTabNamespaceLimits{DefaultMaxReplicas: ptr.To[int32](1)}, request: scaleCronTab("frozen", "a", 9, 8)},
		{name: "defaults for a namespace without annotations", defaults: someDefaults,
			world: world{namespaces: []*corev1.Namespace{open}, cronTabs: existing}, request: createCronTab("open", "b", 1),
			wantErr: []string{"allows at most 1 CronTabs", "server configuration, cronTabPolicy.namespaceLimits.defaultMaxCronTabs"}},
		{name: "annotations override the defaults", defaults: someDefaults,
			world: world{namespaces: []*corev1.Namespace{capped}, cronTabs: map[string]int32{"capped/a": 1}}, request: createCronTab("capped", "b", 1)},
		{name: "malformed annotations are ignored with warnings", defaults: someDefaults,
			world: world{namespaces: []*corev1.Namespace{malformed}}, request: createCronTab("malformed", "a", 1),
			wantWarnings: []string{`annotation example.com/max-crontabs="lots" is not a non-negative integer; ignored`, `example.com/max-crontab-replicas="-3"`}},
		{name: "malformed annotation falls back to the default", defaults: someDefaults,
			world: world{namespaces: []*corev1.Namespace{malformed}, cronTabs: existing}, request: createCronTab("malformed", "b", 1),
			wantErr: []string{"allows at most 1 CronTabs", "defaultMaxCronTabs"}, wantWarnings: []string{"lots"}},
		{name: "namespace the informer has not seen yet", world: world{unsynced: []*corev1.Namespace{frozen}},
			request: createCronTab("frozen", "a", 1), wantErr: []string{"at most 0 CronTabs"}},
		{name: "namespace that does not exist", world: world{}, request: createCronTab("gone", "a", 1)},
		{name: "standalone: defaults apply", defaults: someDefaults, world: world{standalone: true, cronTabs: existing},
			request: createCronTab("open", "b", 1), wantErr: []string{"allows at most 1 CronTabs"}},
		{name: "standalone without defaults", world: world{standalone: true, cronTabs: existing}, request: createCronTab("open", "b", 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlugin(t, tc.defaults, tc.world)
			var got warnings
			ctx := warning.WithWarningRecorder(context.Background(), &got)
			err := p.Validate(ctx, tc.request, nil)
			if len(tc.wantErr) == 0 && err != nil {
				t.Errorf("denied: %v", err)
			}
			if len(tc.wantErr) > 0 {
				if !apierrors.IsForbidden(err) || err.(apierrors.APIStatus).Status().Code != http.StatusForbidden {
					t.Fatalf("got %v, want 403 Forbidden", err)
				}
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%q does not mention %q", err, want)
					}
				}
			}
			if len(got) < len(tc.wantWarnings) {
				t.Fatalf("warnings %q, want %d", got, len(tc.wantWarnings))
			}
			for i, want := range tc.wantWarnings {
				if !strings.Contains(got[i], want) {
					t.Errorf("warning %q does not mention %q", got[i], want)
				}
			}
		})
	}
}

func TestIgnoredRequests(t *testing.T) {
	frozen := namespace("frozen", map[string]string{MaxCronTabsAnnotation: "0", MaxReplicasAnnotation: "0"})
	p := newPlugin(t, config.CronTabNamespaceLimits{}, world{namespaces: []*corev1.Namespace{frozen}})
	status := admission.NewAttributesRecord(&example.CronTab{}, &example.CronTab{}, example.Kind("CronTab").WithVersion("v1"), "frozen", "a",
		example.Resource("crontabs").WithVersion("v1"), "status", admission.Update, nil, false, nil)
	other := admission.NewAttributesRecord(&example.CustomResource{}, nil, example.Kind("CustomResource").WithVersion("v1"), "frozen", "a",
		example.Resource("customresources").WithVersion("v1"), "", admission.Create, nil, false, nil)
	for name, a := range map[string]admission.Attributes{
		"status update": status, "other resource": other, "update keeping replicas": updateCronTab("frozen", "a", 2, 2),
	} {
		if err := p.Validate(context.Background(), a, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if p.Handles(admission.Delete) {
		t.Error("deletes must always pass")
	}
}

func TestInitialization(t *testing.T) {
	p, err := New(config.CronTabNamespaceLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ValidateInitialization(); err == nil {
		t.Error("an uninitialized plugin must be refused")
	}
	if _, err := New(config.CronTabNamespaceLimits{DefaultMaxReplicas: ptr.To[int32](-1)}); err == nil ||
		!strings.Contains(err.Error(), "CronTabNamespaceLimits.defaultMaxReplicas: Invalid value: -1") {
		t.Errorf("negative default: %v", err)
	}
}

func TestRegister(t *testing.T) {
	plugins := admission.NewPlugins()
	Register(plugins, func() config.CronTabNamespaceLimits {
		return config.CronTabNamespaceLimits{DefaultMaxCronTabs: ptr.To[int32](1)}
	})
	init := exampleinitializer.New(exampleinitializer.NewLateCronTabs(), nil, nil)
	plugin, err := plugins.InitPlugin(PluginName, nil, init)
	if err != nil {
		t.Fatal(err)
	}
	if got := plugin.(*Plugin).defaults.DefaultMaxCronTabs; got == nil || *got != 1 {
		t.Errorf("without admission configuration the server configuration applies; got %v", got)
	}
	plugin, err = plugins.InitPlugin(PluginName, strings.NewReader(
		"apiVersion: config.example.com/v1alpha1\nkind: CronTabNamespaceLimitsConfiguration\ndefaultMaxReplicas: 4\n"), init)
	if err != nil {
		t.Fatal(err)
	}
	if d := plugin.(*Plugin).defaults; d.DefaultMaxCronTabs != nil || d.DefaultMaxReplicas == nil || *d.DefaultMaxReplicas != 4 {
		t.Errorf("the admission configuration replaces the server configuration's section; got %+v", d)
	}
	if _, err := plugins.InitPlugin(PluginName, strings.NewReader(
		"apiVersion: config.example.com/v1alpha1\nkind: CronTabNamespaceLimitsConfiguration\ndefaultMaxReplicas: -4\n"), init); err == nil {
		t.Error("an invalid admission configuration must be refused")
	}
}
