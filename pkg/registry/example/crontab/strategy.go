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

package crontab

import (
	"context"
	"fmt"

	"github.com/distribution/reference"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/validation"
)

// strategy holds the rules of the main crontabs resource: spec is written here, status is not.
type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
}

// NewStrategy returns the strategy of the main resource.
func NewStrategy(typer runtime.ObjectTyper) rest.RESTCreateUpdateStrategy {
	return strategy{typer, names.SimpleNameGenerator}
}

var (
	_ rest.RESTCreateUpdateStrategy = strategy{}
	_ rest.RESTDeleteStrategy       = strategy{}
	_ rest.ResetFieldsStrategy      = strategy{}
)

func (strategy) NamespaceScoped() bool { return true }

// GetResetFields tells server-side apply that status belongs to the status subresource.
func (strategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return resetFields("status")
}

func (strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	ct := obj.(*example.CronTab)
	ct.Status = example.CronTabStatus{}
	ct.Generation = 1
	setSelector(ct)
}

func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	newCT, oldCT := obj.(*example.CronTab), old.(*example.CronTab)
	newCT.Status = oldCT.Status
	if !apiequality.Semantic.DeepEqual(newCT.Spec, oldCT.Spec) {
		newCT.Generation = oldCT.Generation + 1
	}
	setSelector(newCT)
}

func (strategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return validation.ForVersion(validateCronTab(obj.(*example.CronTab), nil), requestVersion(ctx))
}

func (strategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ForVersion(validateCronTab(obj.(*example.CronTab), old.(*example.CronTab)), requestVersion(ctx))
}

func (strategy) WarningsOnCreate(ctx context.Context, obj runtime.Object) []string {
	return specWarnings(&obj.(*example.CronTab).Spec, requestVersion(ctx))
}

func (strategy) WarningsOnUpdate(ctx context.Context, obj, old runtime.Object) []string {
	newCT, oldCT := obj.(*example.CronTab), old.(*example.CronTab)
	if apiequality.Semantic.DeepEqual(newCT.Spec, oldCT.Spec) {
		return nil // do not repeat warnings about fields this request did not touch
	}
	return specWarnings(&newCT.Spec, requestVersion(ctx))
}

// requestVersion is the example.com version the client wrote in, so that errors and warnings
// name the fields it sent; "" outside a request.
func requestVersion(ctx context.Context) string {
	if info, ok := genericapirequest.RequestInfoFrom(ctx); ok {
		return info.APIVersion
	}
	return ""
}

func (strategy) Canonicalize(runtime.Object) {}

func (strategy) AllowCreateOnUpdate(context.Context) bool { return false }

func (strategy) AllowUnconditionalUpdate(context.Context) bool { return true }

// statusStrategy holds the rules of crontabs/status: status is written here, spec is not.
type statusStrategy struct {
	strategy
}

// NewStatusStrategy returns the strategy of the status subresource.
func NewStatusStrategy(typer runtime.ObjectTyper) rest.RESTUpdateStrategy {
	return statusStrategy{strategy{typer, names.SimpleNameGenerator}}
}

var _ rest.ResetFieldsStrategy = statusStrategy{}

// GetResetFields tells server-side apply that spec belongs to the main resource.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return resetFields("spec")
}

func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	newCT, oldCT := obj.(*example.CronTab), old.(*example.CronTab)
	newCT.Spec = oldCT.Spec
	setSelector(newCT)
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return validation.ValidateCronTabStatusUpdate(obj.(*example.CronTab), old.(*example.CronTab))
}

func (statusStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

// resetFields is field, in every served version: server-side apply looks the reset fields
// up by the applier's version, so a v2 apply must not own what a v1 apply may not.
func resetFields(field string) map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		"example.com/v1": fieldpath.NewSet(fieldpath.MakePathOrDie(field)),
		"example.com/v2": fieldpath.NewSet(fieldpath.MakePathOrDie(field)),
	}
}

// Selector returns the label selector string of what a CronTab named name runs.
func Selector(name string) string {
	return labels.SelectorFromSet(labels.Set{example.CronTabSelectorLabel: name}).String()
}

// setSelector keeps status.selector server-owned: whatever a client sends, it is derived from the name.
func setSelector(ct *example.CronTab) {
	ct.Status.Selector = Selector(ct.Name)
}

// specWarnings warns about what a client of example.com/version wrote, by its path there.
func specWarnings(spec *example.CronTabSpec, version string) []string {
	var warnings []string
	if named, err := reference.ParseNormalizedNamed(spec.Image); err == nil && reference.IsNameOnly(named) {
		warnings = append(warnings, fmt.Sprintf("%s: %q has no tag or digest, so it means %q and may change under you",
			validation.FieldPath("spec.image", version), spec.Image, reference.TagNameOnly(named).String()))
	}
	if spec.Replicas == 0 {
		warnings = append(warnings, validation.FieldPath("spec.replicas", version)+": 0 means the schedule fires but nothing runs")
	}
	return warnings
}

// GetAttrs returns the labels and the selectable fields of a CronTab.
func GetAttrs(obj runtime.Object) (labels.Set, fields.Set, error) {
	ct, ok := obj.(*example.CronTab)
	if !ok {
		return nil, nil, fmt.Errorf("given object is not a CronTab: %T", obj)
	}
	return ct.Labels, SelectableFields(ct), nil
}

// SelectableFields returns the fields a field selector can match: metadata.name,
// metadata.namespace, spec.image and spec.cronSpec.
func SelectableFields(ct *example.CronTab) fields.Set {
	return generic.AddObjectMetaFieldsSet(fields.Set{
		example.CronTabImageField:    ct.Spec.Image,
		example.CronTabCronSpecField: ct.Spec.CronSpec,
	}, &ct.ObjectMeta, true)
}

// Match returns the storage predicate for a label and field selector.
func Match(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
	return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: GetAttrs}
}
