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

package exampleinitializer

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// Namespaces reads the kube-apiserver's Namespaces for plugins whose rules live on them.
type Namespaces struct {
	lister corelisters.NamespaceLister
	synced cache.InformerSynced
	client kubernetes.Interface
}

// NewNamespaces returns the reader of the informers and client a WantsKubeInformerFactory
// plugin is handed; nil when both are nil (standalone: there are no Namespace objects).
func NewNamespaces(f kubeinformers.SharedInformerFactory, client kubernetes.Interface) *Namespaces {
	if f == nil && client == nil {
		return nil
	}
	n := &Namespaces{client: client}
	if f != nil {
		informer := f.Core().V1().Namespaces()
		n.lister, n.synced = informer.Lister(), informer.Informer().HasSynced
	}
	return n
}

// HasSynced says whether the informer has synced; true for a nil reader.
func (n *Namespaces) HasSynced() bool {
	return n == nil || n.synced == nil || n.synced()
}

// Get returns the Namespace, or nil when there is none to read (standalone, or it is gone:
// NamespaceLifecycle refuses writes into missing namespaces).
func (n *Namespaces) Get(ctx context.Context, name string) (*corev1.Namespace, error) {
	if n == nil {
		return nil, nil
	}
	if n.lister != nil {
		ns, err := n.lister.Get(name)
		if err == nil {
			return ns, nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, err
		}
	}
	// A namespace created a moment ago may not have reached the informer yet; its rules must
	// hold for the CronTabs created right after it (kubectl apply of both in one file).
	if n.client == nil {
		return nil, nil
	}
	ns, err := n.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return ns, err
}
