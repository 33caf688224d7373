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
	"slices"

	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/client-go/kubernetes"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
	"example.com/example-apiserver/pkg/admission/plugin/crontabimagepolicy"
	"example.com/example-apiserver/pkg/admission/plugin/crontabnamespacelimits"
	"example.com/example-apiserver/pkg/admission/plugin/crontabpodsecurity"
	"example.com/example-apiserver/pkg/apis/config"
)

// ownAdmissionPlugins are example-apiserver's own admission plugins, in chain order. They are
// enabled by default and need no kube-apiserver, so they run in --standalone mode too.
var ownAdmissionPlugins = []string{crontabimagepolicy.PluginName, crontabnamespacelimits.PluginName, crontabpodsecurity.PluginName}

// registerAdmissionPlugins adds our plugins to the generic admission options, configured by
// policy (called when the chain is built) unless the AdmissionConfiguration configures them.
// They run right after NamespaceLifecycle and before the admission policies and webhooks: a
// request our own policy refuses never costs a webhook call.
func registerAdmissionPlugins(a *genericoptions.AdmissionOptions, policy func() config.CronTabPolicy) {
	crontabimagepolicy.Register(a.Plugins, func() config.CronTabImagePolicy { return policy().ImagePolicy })
	crontabnamespacelimits.Register(a.Plugins, func() config.CronTabNamespaceLimits { return policy().NamespaceLimits })
	crontabpodsecurity.Register(a.Plugins)

	i := slices.Index(a.RecommendedPluginOrder, lifecycle.PluginName) + 1
	a.RecommendedPluginOrder = slices.Insert(slices.Clone(a.RecommendedPluginOrder), i, ownAdmissionPlugins...)
}

// newAdmissionInitializers returns the initializer that hands the plugins cronTabs (bound to
// the storage once the server builds it) and the kube-apiserver's informers and client (nil
// when standalone).
func newAdmissionInitializers(c *genericapiserver.RecommendedConfig, cronTabs *exampleinitializer.LateCronTabs) ([]admission.PluginInitializer, error) {
	var kubeClient kubernetes.Interface
	if c.ClientConfig != nil {
		var err error
		if kubeClient, err = kubernetes.NewForConfig(c.ClientConfig); err != nil {
			return nil, err
		}
	}
	return []admission.PluginInitializer{exampleinitializer.New(cronTabs, c.SharedInformerFactory, kubeClient)}, nil
}
