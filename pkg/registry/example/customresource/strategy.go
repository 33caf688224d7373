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

package customresource

import (
	"context"
	"fmt"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/validation"
)

// strategy holds the rules of customresources, a cluster-scoped kind without status.
type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

// NewStrategy returns the strategy of customresources.
func NewStrategy(typer runtime.ObjectTyper) rest.RESTCreateUpdateStrategy {
	return strategy{typer, names.SimpleNameGenerator}
}

var _ rest.RESTDeleteStrategy = strategy{}

func (strategy) NamespaceScoped() bool { return false }

func (strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	obj.(*example.CustomResource).Generation = 1
}

func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	newCR, oldCR := obj.(*example.CustomResource), old.(*example.CustomResource)
	if !apiequality.Semantic.DeepEqual(newCR.Spec, oldCR.Spec) {
		newCR.Generation = oldCR.Generation + 1
	}
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return validation.ValidateCustomResource(obj.(*example.CustomResource))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateCustomResourceUpdate(obj.(*example.CustomResource), old.(*example.CustomResource))
}

func (strategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

func (strategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

func (strategy) Canonicalize(runtime.Object) {}

func (strategy) AllowCreateOnUpdate(context.Context) bool { return false }

func (strategy) AllowUnconditionalUpdate(context.Context) bool { return true }

// GetAttrs returns the labels and the selectable fields (metadata.name) of a CustomResource.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	cr, ok := obj.(*example.CustomResource)
	if !ok {
		return nil, nil, fmt.Errorf("given object is not a CustomResource: %T", obj)
	}
	return cr.Labels, generic.ObjectMetaFieldsSet(&cr.ObjectMeta, false), nil
}

// Match returns the storage predicate for a label and field selector.
func Match(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
