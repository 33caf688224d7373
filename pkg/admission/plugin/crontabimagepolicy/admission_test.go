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

package crontabimagepolicy

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	scalescheme "k8s.io/client-go/scale/scheme"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/example"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func cronTab(image string) *example.CronTab {
	return &example.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: "job", Namespace: "ns"},
		Spec:       example.CronTabSpec{CronSpec: "* * * * *", Image: image, Replicas: 1},
	}
}

func attributes(obj, old runtime.Object, op admission.Operation, subresource string) admission.Attributes {
	return attributesIn("v1", obj, old, op, subresource)
}

// attributesIn are the attributes of a request to example.com/version.
func attributesIn(version string, obj, old runtime.Object, op admission.Operation, subresource string) admission.Attributes {
	return admission.NewAttributesRecord(obj, old, example.Kind("CronTab").WithVersion(version), "ns", "job",
		example.Resource("crontabs").WithVersion(version), subresource, op, nil, false, nil)
}

func TestValidate(t *testing.T) {
	allowList := config.CronTabImagePolicy{AllowedPrefixes: []string{"docker.io/library", "ghcr.io/acme/", "localhost:5000"}}
	tests := []struct {
		name    string
		policy  config.CronTabImagePolicy
		image   string
		wantErr []string // substrings of the Forbidden message; none: allowed
	}{
		{name: "empty policy allows everything", image: "evil.example.org/miner:1"},
		{name: "official image normalized to docker.io/library", policy: allowList, image: "nginx:1.27"},
		{name: "fully qualified official image", policy: allowList, image: "docker.io/library/busybox"},
		{name: "below a repository prefix", policy: allowList, image: "ghcr.io/acme/tools/job@" + digest},
		{name: "the prefix itself", policy: allowList, image: "ghcr.io/acme"},
		{name: "registry with port", policy: allowList, image: "localhost:5000/anything:dev"},
		{name: "other registry", policy: allowList, image: "evil.example.org/miner:1",
			wantErr: []string{"CronTabImagePolicy", `image "evil.example.org/miner:1"`, "rule allowedPrefixes", "docker.io/library, ghcr.io/acme, localhost:5000"}},
		{name: "Docker Hub user image is not docker.io/library", policy: allowList, image: "someone/nginx",
			wantErr: []string{"repository docker.io/someone/nginx", "rule allowedPrefixes"}},
		{name: "prefix matches whole segments only", policy: allowList, image: "ghcr.io/acme-evil/job", wantErr: []string{"rule allowedPrefixes"}},
		{name: "other port of the same host", policy: allowList, image: "localhost:5001/x", wantErr: []string{"rule allowedPrefixes"}},
		{name: "digest required, tag given", policy: config.CronTabImagePolicy{RequireDigest: true}, image: "nginx:1.27",
			wantErr: []string{"rule requireDigest", "nginx@sha256:<digest>"}},
		{name: "digest required and given", policy: config.CronTabImagePolicy{RequireDigest: true}, image: "nginx@" + digest},
		{name: "both rules, allowed registry without digest", policy: config.CronTabImagePolicy{AllowedPrefixes: []string{"ghcr.io"}, RequireDigest: true},
			image: "ghcr.io/acme/job:1", wantErr: []string{"rule requireDigest"}},
		{name: "both rules, wrong registry", policy: config.CronTabImagePolicy{AllowedPrefixes: []string{"ghcr.io"}, RequireDigest: true},
			image: "quay.io/acme/job@" + digest, wantErr: []string{"rule allowedPrefixes"}},
		{name: "invalid reference", policy: allowList, image: "Not/An:Image:ref", wantErr: []string{"not a valid image reference"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Validate(context.Background(), attributes(cronTab(tc.image), nil, admission.Create, ""), nil)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			if !apierrors.IsForbidden(err) || err.(apierrors.APIStatus).Status().Code != http.StatusForbidden {
				t.Fatalf("got %v, want 403 Forbidden", err)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestValidateUpdatesAndOtherRequests(t *testing.T) {
	p, err := New(config.CronTabImagePolicy{AllowedPrefixes: []string{"ghcr.io"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	grandfathered := cronTab("evil.example.org/miner:1")
	edited := grandfathered.DeepCopy()
	edited.Spec.Replicas = 3
	if err := p.Validate(ctx, attributes(edited, grandfathered, admission.Update, ""), nil); err != nil {
		t.Errorf("an update that keeps a no longer allowed image must pass: %v", err)
	}
	edited.Spec.Image = "evil.example.org/miner:2"
	if err := p.Validate(ctx, attributes(edited, grandfathered, admission.Update, ""), nil); !apierrors.IsForbidden(err) {
		t.Errorf("an update to a not allowed image: %v, want Forbidden", err)
	}
	scale := &scalescheme.Scale{ObjectMeta: metav1.ObjectMeta{Name: "job", Namespace: "ns"}}
	if err := p.Validate(ctx, attributes(scale, scale, admission.Update, "scale"), nil); err != nil {
		t.Errorf("the scale subresource has no image: %v", err)
	}
	other := admission.NewAttributesRecord(&example.CustomResource{}, nil, example.Kind("CustomResource").WithVersion("v1"), "ns", "x",
		example.Resource("customresources").WithVersion("v1"), "", admission.Create, nil, false, nil)
	if err := p.Validate(ctx, other, nil); err != nil {
		t.Errorf("other resources are not policed: %v", err)
	}
	if p.Handles(admission.Delete) || p.Handles(admission.Connect) || !p.Handles(admission.Create) || !p.Handles(admission.Update) {
		t.Error("handles create and update only")
	}
}

func TestRegister(t *testing.T) {
	componentConfig := config.CronTabImagePolicy{AllowedPrefixes: []string{"ghcr.io"}}
	plugins := admission.NewPlugins()
	Register(plugins, func() config.CronTabImagePolicy { return componentConfig })

	tests := []struct {
		name      string
		config    string // the AdmissionConfiguration's configuration for the plugin; "": none
		image     string
		wantAllow bool
		wantErr   string
	}{
		{name: "from the server configuration", image: "ghcr.io/a", wantAllow: true},
		{name: "from the server configuration, denied", image: "quay.io/a"},
		{name: "admission configuration replaces it", image: "quay.io/a", wantAllow: true,
			config: "apiVersion: config.example.com/v1alpha1\nkind: CronTabImagePolicyConfiguration\nallowedPrefixes: [quay.io]\n"},
		{name: "admission configuration replaces it, denied", image: "ghcr.io/a",
			config: `{"apiVersion":"config.example.com/v1alpha1","kind":"CronTabImagePolicyConfiguration","allowedPrefixes":["quay.io"]}`},
		{name: "unknown field", config: "apiVersion: config.example.com/v1alpha1\nkind: CronTabImagePolicyConfiguration\nallowed: [quay.io]\n",
			wantErr: `unknown field "allowed"`},
		{name: "invalid prefix", config: "apiVersion: config.example.com/v1alpha1\nkind: CronTabImagePolicyConfiguration\nallowedPrefixes: [nginx]\n",
			wantErr: "CronTabImagePolicy.allowedPrefixes[0]: Invalid value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r *strings.Reader
			if tc.config != "" {
				r = strings.NewReader(tc.config)
			}
			var plugin admission.Interface
			var err error
			if r == nil {
				plugin, err = plugins.InitPlugin(PluginName, nil, admission.PluginInitializers{})
			} else {
				plugin, err = plugins.InitPlugin(PluginName, r, admission.PluginInitializers{})
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			err = plugin.(admission.ValidationInterface).Validate(context.Background(), attributes(cronTab(tc.image), nil, admission.Create, ""), nil)
			if (err == nil) != tc.wantAllow {
				t.Errorf("allowed=%v (%v), want %v", err == nil, err, tc.wantAllow)
			}
		})
	}
}

// withTemplate is cronTab(first) whose job template also runs the init containers and further
// containers given, as a CronTab written as v2 does.
func withTemplate(first string, initImages, moreImages []string) *example.CronTab {
	ct := cronTab(first)
	pod := &ct.Spec.JobTemplate.Spec.Template.Spec
	pod.Containers = []corev1.Container{{Name: "main"}}
	for i, image := range initImages {
		pod.InitContainers = append(pod.InitContainers, corev1.Container{Name: fmt.Sprintf("init%d", i), Image: image})
	}
	for i, image := range moreImages {
		pod.Containers = append(pod.Containers, corev1.Container{Name: fmt.Sprintf("side%d", i), Image: image})
	}
	return ct
}

func TestValidateEveryContainer(t *testing.T) {
	p, err := New(config.CronTabImagePolicy{AllowedPrefixes: []string{"ghcr.io/acme"}})
	if err != nil {
		t.Fatal(err)
	}
	const good, bad = "ghcr.io/acme/job:1", "evil.example.org/miner:1"
	const v2First = "(spec.jobTemplate.spec.template.spec.containers[0].image)"
	tests := []struct {
		name    string
		version string // of the request; v1 unless set
		ct      *example.CronTab
		old     *example.CronTab
		wantErr []string
		wantNot []string // substrings the Forbidden message must not have
	}{
		{name: "every container allowed", ct: withTemplate(good, []string{good}, []string{good})},
		{name: "second container refused", ct: withTemplate(good, nil, []string{good, bad}),
			wantErr: []string{`image "evil.example.org/miner:1"`, `container "side1"`, "spec.jobTemplate.spec.template.spec.containers[2].image", "rule allowedPrefixes"}},
		{name: "second container refused, v2 client", version: "v2", ct: withTemplate(good, nil, []string{good, bad}),
			wantErr: []string{`container "side1"`, "spec.jobTemplate.spec.template.spec.containers[2].image"}},
		{name: "init container refused", ct: withTemplate(good, []string{bad}, nil),
			wantErr: []string{`container "init0"`, "spec.jobTemplate.spec.template.spec.initContainers[0].image"}},
		// v1 has the first container's image as spec.image; v2 in its template.
		{name: "first container refused, v1 client", ct: withTemplate(bad, nil, []string{good}),
			wantErr: []string{`container "main" (spec.image)`}, wantNot: []string{"jobTemplate"}},
		{name: "first container refused, v2 client", version: "v2", ct: withTemplate(bad, nil, []string{good}),
			wantErr: []string{`container "main" ` + v2First}, wantNot: []string{"spec.image"}},
		{name: "update to a refused first image, v1 client", ct: withTemplate(bad, nil, nil), old: withTemplate(good, nil, nil),
			wantErr: []string{"(spec.image)"}, wantNot: []string{"jobTemplate"}},
		{name: "update to a refused first image, v2 client", version: "v2", ct: withTemplate(bad, nil, nil), old: withTemplate(good, nil, nil),
			wantErr: []string{v2First}, wantNot: []string{"spec.image"}},
		{name: "update keeping a no longer allowed image in a container passes",
			ct: withTemplate(good, nil, []string{bad}), old: withTemplate(good, nil, []string{bad})},
		{name: "update keeping a no longer allowed first image passes, v2 client", version: "v2",
			ct: withTemplate(bad, nil, []string{good}), old: withTemplate(bad, nil, []string{good})},
		{name: "update adding a refused image to another container is refused",
			ct: withTemplate(good, []string{bad}, []string{bad}), old: withTemplate(good, nil, []string{bad}),
			wantErr: []string{"spec.jobTemplate.spec.template.spec.initContainers[0].image"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op := admission.Create
			var old runtime.Object
			if tc.old != nil {
				op, old = admission.Update, tc.old
			}
			version := tc.version
			if version == "" {
				version = "v1"
			}
			err := p.Validate(context.Background(), attributesIn(version, tc.ct, old, op, ""), nil)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			if !apierrors.IsForbidden(err) {
				t.Fatalf("got %v, want 403 Forbidden", err)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not mention %q", err, want)
				}
			}
			for _, unwanted := range tc.wantNot {
				if strings.Contains(err.Error(), unwanted) {
					t.Errorf("a %s client is told about %q: %q", version, unwanted, err)
				}
			}
		})
	}
}
