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

// Package exampleinitializer hands example-apiserver's admission plugins what they read:
// our own objects from the server's storage, and the kube-apiserver's informers and client.
package exampleinitializer

import (
	"k8s.io/apiserver/pkg/admission"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
)

// WantsCronTabLister is implemented by plugins that read our own CronTabs. The lister has not
// synced until the server has built its registry.
type WantsCronTabLister interface {
	SetCronTabLister(*LateCronTabs)
	admission.InitializationValidator
}

// WantsKubeInformerFactory is implemented by plugins that read the kube-apiserver's objects
// (Namespaces). Both arguments are nil when the server runs without a kube-apiserver
// (--standalone); plugins must then do without.
type WantsKubeInformerFactory interface {
	SetKubeInformerFactory(kubeinformers.SharedInformerFactory, kubernetes.Interface)
	admission.InitializationValidator
}

type pluginInitializer struct {
	cronTabs      *LateCronTabs
	kubeInformers kubeinformers.SharedInformerFactory
	kubeClient    kubernetes.Interface
}

var _ admission.PluginInitializer = pluginInitializer{}

// New returns an initializer for our CronTabs and, unless nil (standalone), the
// kube-apiserver's informers and client.
func New(cronTabs *LateCronTabs, kubeInformers kubeinformers.SharedInformerFactory, kubeClient kubernetes.Interface) admission.PluginInitializer {
	return pluginInitializer{cronTabs: cronTabs, kubeInformers: kubeInformers, kubeClient: kubeClient}
}

// Initialize hands each plugin what it asks for.
func (i pluginInitializer) Initialize(plugin admission.Interface) {
	if wants, ok := plugin.(WantsCronTabLister); ok {
		wants.SetCronTabLister(i.cronTabs)
	}
	if wants, ok := plugin.(WantsKubeInformerFactory); ok {
		wants.SetKubeInformerFactory(i.kubeInformers, i.kubeClient)
	}
}
