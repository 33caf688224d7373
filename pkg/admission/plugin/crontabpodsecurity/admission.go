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

// Package crontabpodsecurity is the CronTabPodSecurity admission plugin: a CronTab whose
// runs' pods the namespace's Pod Security level would refuse is answered with a warning
// naming why, at create and update, as kube-apiserver warns for a Deployment.
package crontabpodsecurity

import (
	"context"
	"errors"
	"fmt"
	"io"

	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/crontabrun"
)

// PluginName names the plugin in --enable-admission-plugins and --disable-admission-plugins.
const PluginName = "CronTabPodSecurity"

// Register registers the plugin; it takes no configuration.
func Register(plugins *admission.Plugins) {
	plugins.Register(PluginName, func(io.Reader) (admission.Interface, error) { return New() })
}

// unlabelled is the policy of a namespace without Pod Security labels under kube-apiserver's
// default PodSecurity configuration. A cluster whose AdmissionConfiguration sets other
// defaults or exemptions is not seen from here (docs/pod-security.md).
var unlabelled = func() psaapi.Policy {
	privileged := psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()}
	return psaapi.Policy{Enforce: privileged, Audit: privileged, Warn: privileged}
}()

// Plugin evaluates the pod template of a CronTab's runs against its namespace's
// pod-security.kubernetes.io enforce and warn levels with Kubernetes' own Pod Security checks,
// and warns; it never refuses. A CronTab is no pod: kube-apiserver refuses its runs' pods,
// and the warning says so before the first run, as it does for a Deployment. Refusing here
// would also refuse a CronTab created before its namespace is relabelled to what it needs.
type Plugin struct {
	*admission.Handler
	evaluator policy.Evaluator
	// namespaces is nil without a kube-apiserver (--standalone): no Namespace has a level.
	namespaces *exampleinitializer.Namespaces
	kubeSet    bool
}

var (
	_ admission.ValidationInterface               = &Plugin{}
	_ exampleinitializer.WantsKubeInformerFactory = &Plugin{}
)

// New returns the plugin with the checks of the Pod Security Standards of this release.
func New() (*Plugin, error) {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, err
	}
	return &Plugin{Handler: admission.NewHandler(admission.Create, admission.Update), evaluator: evaluator}, nil
}

// SetKubeInformerFactory takes the Namespace informer and client; both nil when standalone.
func (p *Plugin) SetKubeInformerFactory(f kubeinformers.SharedInformerFactory, client kubernetes.Interface) {
	p.kubeSet = true
	p.namespaces = exampleinitializer.NewNamespaces(f, client)
}

// ValidateInitialization checks that the initializer ran.
func (p *Plugin) ValidateInitialization() error {
	if !p.kubeSet {
		return errors.New("missing Namespace reader (nil only when standalone)")
	}
	return nil
}

// Validate adds a warning for each of the namespace's enforce and warn levels the runs' pods
// would violate. A namespace it cannot read is a warning too, never an error: this plugin
// must not make a write fail.
func (p *Plugin) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if a.GetResource().GroupResource() != example.Resource("crontabs") || a.GetSubresource() != "" {
		return nil
	}
	ct, ok := a.GetObject().(*example.CronTab)
	if !ok {
		return nil
	}
	for _, w := range p.warnings(ctx, ct, a.GetNamespace()) {
		warning.AddWarning(ctx, "", w)
	}
	return nil
}

// warnings are the warnings a write of ct into namespace gets.
func (p *Plugin) warnings(ctx context.Context, ct *example.CronTab, namespace string) []string {
	ns, err := p.namespaces.Get(ctx, namespace)
	if err != nil {
		return []string{fmt.Sprintf("%s: could not read namespace %q to check the runs' pods against its Pod Security level: %v", PluginName, namespace, err)}
	}
	if ns == nil {
		return nil
	}
	// Malformed labels read as kube-apiserver reads them (enforce: restricted, warn:
	// privileged), so the warnings are about the pods kube-apiserver would refuse.
	nsPolicy, labelErrs := psaapi.PolicyToEvaluate(ns.Labels, unlabelled)
	var warnings []string
	if len(labelErrs) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: namespace %q has invalid Pod Security labels: %v", PluginName, namespace, labelErrs.ToAggregate()))
	}
	template := crontabrun.NewManualJob(ct).Spec.Template
	evaluate := func(lv psaapi.LevelVersion) policy.AggregateCheckResult {
		return policy.AggregateCheckResults(p.evaluator.EvaluatePod(lv, &template.ObjectMeta, &template.Spec))
	}
	enforced := evaluate(nsPolicy.Enforce)
	if !enforced.Allowed {
		warnings = append(warnings, fmt.Sprintf("the pods of this CronTab's runs would be refused: violates PodSecurity %q: %s",
			nsPolicy.Enforce.String(), enforced.ForbiddenDetail()))
	}
	// A warn level no stricter than enforce has nothing to add.
	if nsPolicy.Warn.Equivalent(&nsPolicy.Enforce) || (!enforced.Allowed && psaapi.CompareLevels(nsPolicy.Warn.Level, nsPolicy.Enforce.Level) <= 0) {
		return warnings
	}
	if warned := evaluate(nsPolicy.Warn); !warned.Allowed {
		warnings = append(warnings, fmt.Sprintf("would violate PodSecurity %q: %s", nsPolicy.Warn.String(), warned.ForbiddenDetail()))
	}
	return warnings
}
