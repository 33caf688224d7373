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

package kubectlplugin

import (
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	externalmetrics "k8s.io/metrics/pkg/client/external_metrics"

	"example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// Factory hands the commands their clients. The real one builds them from the --kubeconfig,
// --context, -n ... flags; tests hand in fakes.
type Factory interface {
	// ToRawKubeConfigLoader is the merged kubeconfig with the command line's overrides.
	ToRawKubeConfigLoader() clientcmd.ClientConfig
	// Namespace is the namespace from -n, else the context's, else "default".
	Namespace() (string, error)
	ExampleClient() (versioned.Interface, error)
	// KubeClient reaches the built-in APIs: the Jobs that are a CronTab's runs.
	KubeClient() (kubernetes.Interface, error)
	DynamicClient() (dynamic.Interface, error)
	// DiscoveryClient is uncached: status and version must show what is served now, not what
	// a disk cache remembers from before an APIService changed.
	DiscoveryClient() (discovery.DiscoveryInterface, error)
	ExternalMetricsClient() (externalmetrics.ExternalMetricsClient, error)
}

// NewFactory returns the Factory that builds clients from flags.
func NewFactory(flags *genericclioptions.ConfigFlags) Factory {
	return &factory{flags: flags}
}

type factory struct {
	flags *genericclioptions.ConfigFlags
}

func (f *factory) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return f.flags.ToRawKubeConfigLoader()
}

func (f *factory) Namespace() (string, error) {
	ns, _, err := f.flags.ToRawKubeConfigLoader().Namespace()
	return ns, err
}

func (f *factory) ExampleClient() (versioned.Interface, error) {
	config, err := f.flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	return versioned.NewForConfig(config)
}

func (f *factory) KubeClient() (kubernetes.Interface, error) {
	config, err := f.flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(config)
}

func (f *factory) DynamicClient() (dynamic.Interface, error) {
	config, err := f.flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	return dynamic.NewForConfig(config)
}

func (f *factory) DiscoveryClient() (discovery.DiscoveryInterface, error) {
	config, err := f.flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	return discovery.NewDiscoveryClientForConfig(config)
}

func (f *factory) ExternalMetricsClient() (externalmetrics.ExternalMetricsClient, error) {
	config, err := f.flags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	return externalmetrics.NewForConfig(config)
}
