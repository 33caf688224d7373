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

package crontabpodsecurity

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
	"example.com/example-apiserver/pkg/apis/example"
)

type warnings []string

func (w *warnings) AddWarning(_, text string) { *w = append(*w, text) }

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

// v1Shape is a CronTab written as v1: one container, no security context.
func v1Shape(ns string) *example.CronTab {
	return &example.CronTab{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "report"},
		Spec:       example.CronTabSpec{CronSpec: "@hourly", Image: "busybox:1.36", Replicas: 1},
	}
}

// restricted is v1Shape with a template that meets the restricted level.
func restricted(ns string) *example.CronTab {
	ct := v1Shape(ns)
	pod := &ct.Spec.JobTemplate.Spec.Template.Spec
	pod.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
	pod.Containers = []corev1.Container{{Name: "report", SecurityContext: &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}}}
	return ct
}

// privileged is v1Shape with a privileged second container, which even baseline refuses.
func privileged(ns string) *example.CronTab {
	ct := v1Shape(ns)
	ct.Spec.JobTemplate.Spec.Template.Spec.Containers = []corev1.Container{
		{Name: "main"}, {Name: "debug", Image: "busybox:1.36", SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true)}},
	}
	return ct
}

func attributes(obj runtime.Object, subresource string) admission.Attributes {
	ct, _ := obj.(*example.CronTab)
	ns := "restricted"
	if ct != nil {
		ns = ct.Namespace
	}
	return admission.NewAttributesRecord(obj, nil, example.Kind("CronTab").WithVersion("v1"), ns, "report",
		example.Resource("crontabs").WithVersion("v1"), subresource, admission.Create, nil, false, nil)
}

func TestValidateWarns(t *testing.T) {
	namespaces := []runtime.Object{
		namespace("open", nil),
		namespace("restricted", map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}),
		namespace("baseline", map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}),
		namespace("warn-only", map[string]string{"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.30"}),
		namespace("both", map[string]string{"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"}),
		namespace("typo", map[string]string{"pod-security.kubernetes.io/enforce": "restriced"}),
	}
	const refused = `the pods of this CronTab's runs would be refused: violates PodSecurity "restricted:latest": `
	tests := []struct {
		name  string
		attrs admission.Attributes
		want  []string // substrings, one per warning, in order
	}{
		{name: "no labels: nothing to say", attrs: attributes(v1Shape("open"), "")},
		{name: "restricted: the v1 shape is refused, with every reason", attrs: attributes(v1Shape("restricted"), ""),
			want: []string{refused + `allowPrivilegeEscalation != false (container "crontab" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "crontab" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "crontab" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "crontab" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`}},
		{name: "restricted: a compliant template passes", attrs: attributes(restricted("restricted"), "")},
		{name: "baseline: the v1 shape passes", attrs: attributes(v1Shape("baseline"), "")},
		{name: "baseline: a privileged second container is refused", attrs: attributes(privileged("baseline"), ""),
			want: []string{`would be refused: violates PodSecurity "baseline:latest": privileged (container "debug" must not set securityContext.privileged=true)`}},
		{name: "warn level only: a warning at its version", attrs: attributes(v1Shape("warn-only"), ""),
			want: []string{`would violate PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false`}},
		{name: "enforce passes, the stricter warn level warns", attrs: attributes(v1Shape("both"), ""),
			want: []string{`would violate PodSecurity "restricted:latest"`}},
		{name: "enforce refuses, and the stricter warn level says what else it wants", attrs: attributes(privileged("both"), ""),
			want: []string{`would be refused: violates PodSecurity "baseline:latest"`, `would violate PodSecurity "restricted:latest"`}},
		{name: "a malformed level reads as restricted, as kube-apiserver reads it", attrs: attributes(v1Shape("typo"), ""),
			want: []string{`namespace "typo" has invalid Pod Security labels`, refused}},
		{name: "a namespace nobody can find", attrs: attributes(v1Shape("gone"), "")},
		{name: "subresources have no pods", attrs: attributes(v1Shape("restricted"), "scale")},
	}
	client := kubefake.NewClientset(namespaces...)
	informers := kubeinformers.NewSharedInformerFactory(client, 0)
	p := newPlugin(t, informers, client)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	informers.Start(ctx.Done())
	informers.WaitForCacheSync(ctx.Done())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got warnings
			if err := p.Validate(warning.WithWarningRecorder(context.Background(), &got), tc.attrs, nil); err != nil {
				t.Fatalf("Validate refused: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("warnings %q, want %d", got, len(tc.want))
			}
			for i, want := range tc.want {
				if !strings.Contains(got[i], want) {
					t.Errorf("warning %q does not say %q", got[i], want)
				}
			}
		})
	}
}

func TestValidateNeverFails(t *testing.T) {
	// No informer: every namespace comes from a client that fails.
	client := kubefake.NewClientset()
	client.PrependReactor("get", "namespaces", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("connection refused")
	})
	var got warnings
	err := newPlugin(t, nil, client).Validate(warning.WithWarningRecorder(context.Background(), &got), attributes(v1Shape("restricted"), ""), nil)
	if err != nil || len(got) != 1 || !strings.Contains(got[0], `could not read namespace "restricted"`) || !strings.Contains(got[0], "connection refused") {
		t.Errorf("error %v, warnings %q; want one warning naming the failure", err, got)
	}

	got = nil
	if err := newPlugin(t, nil, nil).Validate(warning.WithWarningRecorder(context.Background(), &got), attributes(v1Shape("restricted"), ""), nil); err != nil || len(got) != 0 {
		t.Errorf("standalone: error %v, warnings %q; want neither", err, got)
	}
}

func newPlugin(t *testing.T, informers kubeinformers.SharedInformerFactory, client *kubefake.Clientset) *Plugin {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if client == nil {
		exampleinitializer.New(nil, nil, nil).Initialize(p)
	} else {
		exampleinitializer.New(nil, informers, client).Initialize(p)
	}
	if err := admission.ValidateInitialization(p); err != nil {
		t.Fatal(err)
	}
	return p
}
