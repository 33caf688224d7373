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

// Package crontabimagepolicy is the CronTabImagePolicy admission plugin: a CronTab's image must
// come from an allowed registry or repository prefix, and optionally be pinned by digest.
package crontabimagepolicy

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/distribution/reference"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/admission"

	"example.com/example-apiserver/pkg/admission/pluginconfig"
	"example.com/example-apiserver/pkg/apis/config"
	configscheme "example.com/example-apiserver/pkg/apis/config/scheme"
	"example.com/example-apiserver/pkg/apis/config/validation"
	"example.com/example-apiserver/pkg/apis/example"
	examplevalidation "example.com/example-apiserver/pkg/apis/example/validation"
)

// PluginName names the plugin in --enable-admission-plugins and AdmissionConfiguration.
const PluginName = "CronTabImagePolicy"

// Register registers the plugin. Its configuration comes from the AdmissionConfiguration
// (--admission-control-config-file) when that has one for it, else from defaults, called when
// the admission chain is built: the server configuration's cronTabPolicy.imagePolicy.
func Register(plugins *admission.Plugins, defaults func() config.CronTabImagePolicy) {
	plugins.Register(PluginName, func(r io.Reader) (admission.Interface, error) {
		policy, err := pluginconfig.Load(PluginName, r, defaults, func(data []byte) (config.CronTabImagePolicy, error) {
			cfg, err := configscheme.DecodeCronTabImagePolicyConfiguration(data)
			if err != nil {
				return config.CronTabImagePolicy{}, err
			}
			return cfg.CronTabImagePolicy, nil
		})
		if err != nil {
			return nil, err
		}
		return New(policy)
	})
}

// Plugin checks spec.image of created CronTabs, and of updated ones whose image changes.
type Plugin struct {
	*admission.Handler
	// allowed are the normalized prefixes; empty allows every image.
	allowed       []string
	requireDigest bool
}

var _ admission.ValidationInterface = &Plugin{}

// New returns the plugin enforcing policy, or the policy's validation errors.
func New(policy config.CronTabImagePolicy) (*Plugin, error) {
	if errs := validation.ValidateCronTabImagePolicy(&policy, field.NewPath(PluginName)); len(errs) > 0 {
		return nil, errs.ToAggregate()
	}
	p := &Plugin{
		Handler:       admission.NewHandler(admission.Create, admission.Update),
		requireDigest: policy.RequireDigest,
	}
	for _, prefix := range policy.AllowedPrefixes {
		p.allowed = append(p.allowed, validation.NormalizeImagePrefix(prefix))
	}
	return p, nil
}

// Validate refuses, with 403 Forbidden, a CronTab one of whose containers (init containers
// included) runs an image the policy does not allow. On update a container whose image is
// unchanged (the same image at the same place) is let through, so tightening the policy never
// blocks edits of other fields (or finalizer removal) on existing CronTabs.
func (p *Plugin) Validate(_ context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != example.Resource("crontabs") || a.GetSubresource() != "" {
		return nil
	}
	ct, ok := a.GetObject().(*example.CronTab)
	if !ok {
		return apierrors.NewBadRequest(fmt.Sprintf("%s: expected a CronTab, got %T", PluginName, a.GetObject()))
	}
	unchanged := sets.New[string]()
	if old, ok := a.GetOldObject().(*example.CronTab); ok && a.GetOperation() == admission.Update {
		for _, c := range containers(old) {
			unchanged.Insert(c.path + "=" + c.image)
		}
	}
	for _, c := range containers(ct) {
		if unchanged.Has(c.path + "=" + c.image) {
			continue
		}
		if err := p.check(c.image); err != nil {
			// Named as the client's version names it, as validation errors are.
			path := examplevalidation.FieldPath(c.path, a.GetResource().Version)
			return admission.NewForbidden(a, fmt.Errorf("%s: container %q (%s): %w", PluginName, c.name, path, err))
		}
	}
	return nil
}

// container is one container of a CronTab's runs, with the path of its image as validation
// reports it: spec.image for the first container, the place in spec.jobTemplate for the others.
type container struct {
	name, image, path string
}

// containers lists every container the runs of ct start, init containers first.
func containers(ct *example.CronTab) []container {
	pod := ct.Spec.WholeJobTemplate().Spec.Template.Spec
	podPath := field.NewPath("spec", "jobTemplate", "spec", "template", "spec")
	var all []container
	add := func(kind string, list []corev1.Container) {
		for i, c := range list {
			path := podPath.Child(kind).Index(i).Child("image").String()
			if kind == "containers" && i == 0 {
				path = field.NewPath("spec", "image").String()
			}
			all = append(all, container{name: c.Name, image: c.Image, path: path})
		}
	}
	add("initContainers", pod.InitContainers)
	add("containers", pod.Containers)
	return all
}

// check returns why image is not allowed, naming the rule, or nil.
func (p *Plugin) check(image string) error {
	if len(p.allowed) == 0 && !p.requireDigest {
		return nil
	}
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		// Validation of the CronTab refuses such images before admission; be safe anyway.
		return fmt.Errorf("image %q is not a valid image reference: %v", image, err)
	}
	if len(p.allowed) > 0 && !p.allowedName(named.Name()) {
		return fmt.Errorf("image %q (repository %s) is not allowed by rule allowedPrefixes: it must come from one of %s",
			image, named.Name(), strings.Join(p.allowed, ", "))
	}
	if _, digested := named.(reference.Digested); p.requireDigest && !digested {
		return fmt.Errorf("image %q is not allowed by rule requireDigest: pin it by digest, e.g. %s@sha256:<digest>",
			image, reference.FamiliarName(named))
	}
	return nil
}

// allowedName reports whether the normalized repository name is one of the allowed prefixes
// or below one, on whole path segments: "ghcr.io/acme" allows "ghcr.io/acme/job", not
// "ghcr.io/acme-evil/job".
func (p *Plugin) allowedName(name string) bool {
	for _, prefix := range p.allowed {
		if name == prefix || strings.HasPrefix(name, prefix+"/") {
			return true
		}
	}
	return false
}
