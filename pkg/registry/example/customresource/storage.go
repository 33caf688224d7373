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

// Package customresource is the storage of the cluster-scoped customresources.
package customresource

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/registry/table"
)

// REST is the storage of customresources.
type REST struct {
	*genericregistry.Store
}

var _ rest.ShortNamesProvider = &REST{}

// ShortNames lets "kubectl get cr" work.
func (*REST) ShortNames() []string { return []string{"cr"} }

// NewREST returns the storage of customresources backed by the given REST options.
func NewREST(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter) (*REST, error) {
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &example.CustomResource{} },
		NewListFunc:               func() runtime.Object { return &example.CustomResourceList{} },
		PredicateFunc:             Match,
		DefaultQualifiedResource:  example.Resource("customresources"),
		SingularQualifiedResource: example.Resource("customresource"),

		CreateStrategy: NewStrategy(scheme),
		UpdateStrategy: NewStrategy(scheme),
		DeleteStrategy: NewStrategy(scheme),

		TableConvertor: tableConvertor,
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: GetAttrs}); err != nil {
		return nil, fmt.Errorf("customresources storage: %w", err)
	}
	return &REST{store}, nil
}

var tableConvertor = table.Convertor{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name", Description: "Name of the CustomResource."},
		{Name: "Message", Type: "string", Description: "The message it carries, spec.message."},
		{Name: "Age", Type: "string", Description: "Time since the CustomResource was created."},
	},
	Row: func(obj runtime.Object, name, age string) ([]any, error) {
		return []any{name, obj.(*example.CustomResource).Spec.Message, age}, nil
	},
}
