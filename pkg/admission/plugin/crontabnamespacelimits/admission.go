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

// Package crontabnamespacelimits is the CronTabNamespaceLimits admission plugin: a namespace
// caps its number of CronTabs and their total replicas with annotations, scale included.
package crontabnamespacelimits

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	scalescheme "k8s.io/client-go/scale/scheme"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
	"example.com/example-apiserver/pkg/admission/pluginconfig"
	"example.com/example-apiserver/pkg/apis/config"
	configscheme "example.com/example-apiserver/pkg/apis/config/scheme"
	"example.com/example-apiserver/pkg/apis/config/validation"
	"example.com/example-apiserver/pkg/apis/example"
)

const (
	// PluginName names the plugin in --enable-admission-plugins and AdmissionConfiguration.
	PluginName = "CronTabNamespaceLimits"
	// MaxCronTabsAnnotation on a Namespace caps the number of its CronTabs.
	MaxCronTabsAnnotation = "example.com/max-crontabs"
	// MaxReplicasAnnotation on a Namespace caps the sum of its CronTabs' spec.replicas.
	MaxReplicasAnnotation = "example.com/max-crontab-replicas"
)

// Register registers the plugin. Its configuration comes from the AdmissionConfiguration
// (--admission-control-config-file) when that has one for it, else from defaults, called when
// the admission chain is built: the server configuration's cronTabPolicy.namespaceLimits.
func Register(plugins *admission.Plugins, defaults func() config.CronTabNamespaceLimits) {
	plugins.Register(PluginName, func(r io.Reader) (admission.Interface, error) {
		limits, err := pluginconfig.Load(PluginName, r, defaults, func(data []byte) (config.CronTabNamespaceLimits, error) {
			cfg, err := configscheme.DecodeCronTabNamespaceLimitsConfiguration(data)
			if err != nil {
				return config.CronTabNamespaceLimits{}, err
			}
			return cfg.CronTabNamespaceLimits, nil
		})
		if err != nil {
			return nil, err
		}
		return New(limits)
	})
}

// Plugin refuses CronTab creations, and replica increases (update or scale), that would take
// a namespace over its caps. The counts are a consistent read of the server's own storage, so
// every write answered before the request counts, on whichever replica it was made; requests
// in flight together do not see each other and can overshoot a cap by what they add
// together: a soft limit, like an HPA's maximum, not a quota.
type Plugin struct {
	*admission.Handler
	defaults config.CronTabNamespaceLimits

	cronTabs *exampleinitializer.LateCronTabs
	// namespaces is nil without a kube-apiserver (--standalone): then there are no Namespace
	// objects, and only the defaults apply.
	namespaces *exampleinitializer.Namespaces
	kubeSet    bool
}

var (
	_ admission.ValidationInterface               = &Plugin{}
	_ exampleinitializer.WantsCronTabLister       = &Plugin{}
	_ exampleinitializer.WantsKubeInformerFactory = &Plugin{}
)

// New returns the plugin with the caps of namespaces without annotations, or their
// validation errors.
func New(defaults config.CronTabNamespaceLimits) (*Plugin, error) {
	if errs := validation.ValidateCronTabNamespaceLimits(&defaults, field.NewPath(PluginName)); len(errs) > 0 {
		return nil, errs.ToAggregate()
	}
	return &Plugin{Handler: admission.NewHandler(admission.Create, admission.Update), defaults: defaults}, nil
}

// SetCronTabLister takes the lister of the server's CronTabs.
func (p *Plugin) SetCronTabLister(l *exampleinitializer.LateCronTabs) { p.cronTabs = l }

// SetKubeInformerFactory takes the Namespace informer and a client for namespaces the informer
// has not seen yet; both nil when standalone.
func (p *Plugin) SetKubeInformerFactory(f kubeinformers.SharedInformerFactory, client kubernetes.Interface) {
	p.kubeSet = true
	p.namespaces = exampleinitializer.NewNamespaces(f, client)
}

// ValidateInitialization checks that the initializer ran, and makes the plugin ready once the
// CronTab storage is bound and the Namespace informer has synced.
func (p *Plugin) ValidateInitialization() error {
	if p.cronTabs == nil {
		return errors.New("missing CronTab lister")
	}
	if !p.kubeSet {
		return errors.New("missing Namespace lister (nil only when standalone)")
	}
	p.SetReadyFunc(func() bool {
		return p.cronTabs.HasSynced() && p.namespaces.HasSynced()
	})
	return nil
}

// Validate refuses, with 403 Forbidden, a request that would take the namespace over a cap.
// It never refuses what lowers or keeps the replicas, so a namespace over its caps (annotation
// added later) can always be brought back under them.
func (p *Plugin) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != example.Resource("crontabs") {
		return nil
	}
	creates := false
	var replicas, oldReplicas int32
	switch {
	case a.GetSubresource() == "" && a.GetOperation() == admission.Create:
		ct, ok := a.GetObject().(*example.CronTab)
		if !ok {
			return unexpected(a.GetObject())
		}
		creates, replicas = true, ct.Spec.Replicas
	case a.GetSubresource() == "" && a.GetOperation() == admission.Update:
		ct, ok1 := a.GetObject().(*example.CronTab)
		old, ok2 := a.GetOldObject().(*example.CronTab)
		if !ok1 || !ok2 {
			return unexpected(a.GetObject())
		}
		replicas, oldReplicas = ct.Spec.Replicas, old.Spec.Replicas
	case a.GetSubresource() == "scale" && a.GetOperation() == admission.Update:
		scale, ok1 := a.GetObject().(*scalescheme.Scale)
		old, ok2 := a.GetOldObject().(*scalescheme.Scale)
		if !ok1 || !ok2 {
			return unexpected(a.GetObject())
		}
		replicas, oldReplicas = scale.Spec.Replicas, old.Spec.Replicas
	default:
		return nil
	}
	if !creates && replicas <= oldReplicas {
		return nil
	}
	if p.namespaces == nil && p.defaults.DefaultMaxCronTabs == nil && p.defaults.DefaultMaxReplicas == nil {
		return nil // standalone without default caps: nothing can cap this namespace
	}

	if !p.WaitForReady() {
		return admission.NewForbidden(a, fmt.Errorf("%s: not yet ready to handle request", PluginName))
	}
	limits, err := p.limitsFor(ctx, a.GetNamespace())
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	if limits.maxCronTabs == nil && limits.maxReplicas == nil {
		return nil
	}
	existing, err := p.cronTabs.ListCronTabs(ctx, a.GetNamespace(), labels.Everything())
	if err != nil {
		if _, ok := err.(apierrors.APIStatus); ok {
			return err // e.g. 429 while the watch cache initializes: the client retries
		}
		return apierrors.NewInternalError(err)
	}
	count, total := int64(0), int64(replicas)
	for i := range existing {
		ct := &existing[i]
		if ct.Name == a.GetName() && !creates {
			continue // counted with its new replicas
		}
		count++
		total += int64(ct.Spec.Replicas)
	}
	if creates && limits.maxCronTabs != nil && count+1 > int64(*limits.maxCronTabs) {
		return admission.NewForbidden(a, fmt.Errorf("%s: namespace %q allows at most %d CronTabs (%s) and has %d",
			PluginName, a.GetNamespace(), *limits.maxCronTabs, limits.maxCronTabsFrom, count))
	}
	if limits.maxReplicas != nil && total > int64(*limits.maxReplicas) {
		return admission.NewForbidden(a, fmt.Errorf("%s: namespace %q allows at most %d CronTab replicas in total (%s); this request would make them %d",
			PluginName, a.GetNamespace(), *limits.maxReplicas, limits.maxReplicasFrom, total))
	}
	return nil
}

// limits are a namespace's caps and where each comes from, for the denial message.
type limits struct {
	maxCronTabs, maxReplicas         *int32
	maxCronTabsFrom, maxReplicasFrom string
}

// limitsFor returns the caps of namespace: its annotations, else the defaults. A malformed
// annotation is ignored with a warning to the client: a typo must not break every request.
func (p *Plugin) limitsFor(ctx context.Context, namespace string) (limits, error) {
	l := limits{
		maxCronTabs: p.defaults.DefaultMaxCronTabs, maxCronTabsFrom: "server configuration, cronTabPolicy.namespaceLimits.defaultMaxCronTabs",
		maxReplicas: p.defaults.DefaultMaxReplicas, maxReplicasFrom: "server configuration, cronTabPolicy.namespaceLimits.defaultMaxReplicas",
	}
	ns, err := p.namespaces.Get(ctx, namespace)
	if err != nil || ns == nil {
		return l, err
	}
	if v, set := annotation(ctx, ns, MaxCronTabsAnnotation); set {
		l.maxCronTabs, l.maxCronTabsFrom = v, "annotation "+MaxCronTabsAnnotation
	}
	if v, set := annotation(ctx, ns, MaxReplicasAnnotation); set {
		l.maxReplicas, l.maxReplicasFrom = v, "annotation "+MaxReplicasAnnotation
	}
	return l, nil
}

// annotation parses a cap annotation; set is false when it is absent or malformed.
func annotation(ctx context.Context, ns *corev1.Namespace, key string) (value *int32, set bool) {
	raw, ok := ns.Annotations[key]
	if !ok {
		return nil, false
	}
	n, err := strconv.ParseInt(raw, 10, 32)
	if err != nil || n < 0 {
		warning.AddWarning(ctx, "", fmt.Sprintf("%s: namespace %q annotation %s=%q is not a non-negative integer; ignored",
			PluginName, ns.Name, key, raw))
		return nil, false
	}
	v := int32(n)
	return &v, true
}

func unexpected(obj any) error {
	return apierrors.NewBadRequest(fmt.Sprintf("%s: unexpected object %T", PluginName, obj))
}
