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

package exampleinitializer_test

import (
	"context"
	"testing"

	"k8s.io/apiserver/pkg/admission"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
)

func TestInitialize(t *testing.T) {
	cronTabs := exampleinitializer.NewLateCronTabs()
	kubeClient := kubefake.NewClientset()
	kubeInformers := kubeinformers.NewSharedInformerFactory(kubeClient, 0)

	tests := []struct {
		name          string
		kubeInformers kubeinformers.SharedInformerFactory
		kubeClient    kubernetes.Interface
	}{
		{name: "with a kube-apiserver", kubeInformers: kubeInformers, kubeClient: kubeClient},
		{name: "standalone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plugin := &wantsBoth{}
			exampleinitializer.New(cronTabs, tc.kubeInformers, tc.kubeClient).Initialize(plugin)
			if plugin.cronTabs != cronTabs {
				t.Error("our CronTab lister was not handed over")
			}
			if !plugin.kubeSet || plugin.kubeInformers != tc.kubeInformers || plugin.kubeClient != tc.kubeClient {
				t.Errorf("kube informers and client: set %v, got %v %v", plugin.kubeSet, plugin.kubeInformers, plugin.kubeClient)
			}
		})
	}

	// Plugins that want nothing are left alone.
	exampleinitializer.New(cronTabs, kubeInformers, kubeClient).Initialize(wantsNothing{})
}

type wantsNothing struct{}

func (wantsNothing) Handles(admission.Operation) bool { return true }

type wantsBoth struct {
	wantsNothing
	cronTabs      *exampleinitializer.LateCronTabs
	kubeInformers kubeinformers.SharedInformerFactory
	kubeClient    kubernetes.Interface
	kubeSet       bool
}

func (p *wantsBoth) SetCronTabLister(l *exampleinitializer.LateCronTabs) { p.cronTabs = l }
func (p *wantsBoth) SetKubeInformerFactory(f kubeinformers.SharedInformerFactory, c kubernetes.Interface) {
	p.kubeInformers, p.kubeClient, p.kubeSet = f, c, true
}
func (p *wantsBoth) ValidateInitialization() error { return nil }
func (p *wantsBoth) Validate(context.Context, admission.Attributes, admission.ObjectInterfaces) error {
	return nil
}

var (
	_ exampleinitializer.WantsCronTabLister       = &wantsBoth{}
	_ exampleinitializer.WantsKubeInformerFactory = &wantsBoth{}
)
