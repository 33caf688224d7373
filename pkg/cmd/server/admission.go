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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
	informers "example.com/example-apiserver/pkg/generated/informers/externalversions"
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

// newAdmissionInitializers returns an informer factory on our own objects, through the
// loopback client, and the initializer that hands it, with the kube-apiserver's informers and
// client (nil when standalone), to the plugins.
func newAdmissionInitializers(c *genericapiserver.RecommendedConfig) (informers.SharedInformerFactory, []admission.PluginInitializer, error) {
	if c.LoopbackClientConfig == nil {
		return nil, nil, fmt.Errorf("admission plugins need the loopback client configuration")
	}
	client, err := clientset.NewForConfig(c.LoopbackClientConfig)
	if err != nil {
		return nil, nil, err
	}
	exampleInformers := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTransform(keepWhatInformerReadersUse))
	var kubeClient kubernetes.Interface
	if c.ClientConfig != nil {
		if kubeClient, err = kubernetes.NewForConfig(c.ClientConfig); err != nil {
			return nil, nil, err
		}
	}
	return exampleInformers, []admission.PluginInitializer{exampleinitializer.New(exampleInformers, c.SharedInformerFactory, kubeClient)}, nil
}

// keepWhatInformerReadersUse is the CronTab informer's transform. Its readers, the
// CronTabNamespaceLimits plugin (name and spec.replicas of a namespace's CronTabs) and the
// objects external metrics (labels and spec.replicas), need a CronTab's identity, labels and
// replicas only; the informer keeps just those, so the server does not hold a second full copy
// (managedFields, annotations, the rest of spec, status) of every CronTab beside its watch
// cache. Anything else (a tombstone) passes unchanged.
func keepWhatInformerReadersUse(obj any) (any, error) {
	ct, ok := obj.(*examplev1.CronTab)
	if !ok {
		return obj, nil
	}
	return &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{
			Name:            ct.Name,
			Namespace:       ct.Namespace,
			UID:             ct.UID,
			ResourceVersion: ct.ResourceVersion,
			Labels:          ct.Labels,
		},
		Spec: examplev1.CronTabSpec{Replicas: ct.Spec.Replicas},
	}, nil
}
