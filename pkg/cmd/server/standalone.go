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

package server

import (
	"fmt"
	"slices"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/admission"
	admissionmetrics "k8s.io/apiserver/pkg/admission/metrics"
	apiserverapi "k8s.io/apiserver/pkg/apis/apiserver"
	apiserverapiv1 "k8s.io/apiserver/pkg/apis/apiserver/v1"
	apiserverapiv1alpha1 "k8s.io/apiserver/pkg/apis/apiserver/v1alpha1"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/klog/v2"
)

// Standalone mode (--standalone) runs the server without a kube-apiserver, for local
// development: everything that would read from one is switched off here, in one place.

// admissionConfigScheme decodes --admission-control-config-file (AdmissionConfiguration) in
// standalone mode, where the generic admission options (which have their own) are not applied.
var admissionConfigScheme = runtime.NewScheme()

func init() {
	utilruntime.Must(apiserverapi.AddToScheme(admissionConfigScheme))
	utilruntime.Must(apiserverapiv1alpha1.AddToScheme(admissionConfigScheme))
	utilruntime.Must(apiserverapiv1.AddToScheme(admissionConfigScheme))
}

func (o *Options) addStandaloneFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Standalone, "standalone", o.Standalone,
		"Run without a kube-apiserver, for local development only: no delegated authentication, authorization, namespaces, admission policies or webhooks "+
			"(only the server's own admission plugins); clients authenticate with certificates of --client-ca-file and every authenticated user is allowed everything.")
}

// completeStandalone switches off the options that need a kube-apiserver: delegated
// authentication and authorization, the core API's informers, priority and fairness (its
// configuration objects live there). Admission stays: applyStandalone builds a chain of our
// own plugins only.
func (o *Options) completeStandalone() {
	ro := o.RecommendedOptions
	ro.Authentication.RemoteKubeConfigFileOptional = true
	ro.Authentication.SkipInClusterLookup = true
	ro.Authorization.RemoteKubeConfigFileOptional = true
	ro.Authorization.AlwaysAllowGroups = append(ro.Authorization.AlwaysAllowGroups, "system:authenticated")
	ro.CoreAPI = nil
	ro.Features.EnablePriorityAndFairness = false
}

// applyStandalone gives a standalone server the admission chain of our own plugins, which
// Config leaves out of the generic options.
func (o *Options) applyStandalone(c *genericapiserver.Config, initializers []admission.PluginInitializer) error {
	a := o.RecommendedOptions.Admission
	names := standaloneAdmissionPlugins(a)
	provider, err := admission.ReadAdmissionConfiguration(names, a.ConfigFile, admissionConfigScheme)
	if err != nil {
		return fmt.Errorf("reading --admission-control-config-file: %w", err)
	}
	// CronTabNamespaceLimits then applies only the default caps of the configuration, there
	// being no Namespace objects to annotate.
	chain, err := a.Plugins.NewFromPlugins(names, provider, admission.PluginInitializers(initializers), a.Decorators)
	if err != nil {
		return err
	}
	c.AdmissionControl = admissionmetrics.WithStepMetrics(chain)
	klog.Warning("Running standalone: no delegated authentication, authorization, namespaces, admission policies or webhooks. For local development only.")
	return nil
}

// standaloneAdmissionPlugins returns our own plugins that the admission flags leave enabled:
// without a kube-apiserver the upstream ones (NamespaceLifecycle, admission policies and
// webhooks) cannot run, as they read their objects from it.
func standaloneAdmissionPlugins(a *genericoptions.AdmissionOptions) []string {
	disabled := sets.New(a.DisablePlugins...).Union(a.DefaultOffPlugins).Delete(a.EnablePlugins...)
	var names []string
	for _, name := range ownAdmissionPlugins {
		if !disabled.Has(name) {
			names = append(names, name)
		}
	}
	return names
}

// validateStandaloneAdmission refuses upstream plugins asked for in standalone mode.
func validateStandaloneAdmission(a *genericoptions.AdmissionOptions) []error {
	var errs []error
	for _, name := range a.EnablePlugins {
		if !slices.Contains(ownAdmissionPlugins, name) {
			errs = append(errs, fmt.Errorf("--enable-admission-plugins: %s needs a kube-apiserver and is not available with --standalone", name))
		}
	}
	return errs
}
