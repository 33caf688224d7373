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

// Package crontab is the storage of crontabs and their status and scale subresources.
package crontab

import (
	"context"
	"fmt"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	"k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	scalescheme "k8s.io/client-go/scale/scheme"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/validation"
)

// Storage is the REST storage of crontabs and its subresources.
type Storage struct {
	CronTab *REST
	Status  *StatusREST
	Scale   *ScaleREST
}

// Resources returns the storage keyed by resource path, as an API group's storage map wants it.
func (s *Storage) Resources() map[string]rest.Storage {
	return map[string]rest.Storage{
		"crontabs":        s.CronTab,
		"crontabs/status": s.Status,
		"crontabs/scale":  s.Scale,
	}
}

// NewStorage returns the storage of crontabs backed by the given REST options (etcd, watch cache).
func NewStorage(scheme *runtime.Scheme, optsGetter generic.RESTOptionsGetter) (*Storage, error) {
	store := &genericregistry.Store{
		NewFunc:                   func() runtime.Object { return &example.CronTab{} },
		NewListFunc:               func() runtime.Object { return &example.CronTabList{} },
		PredicateFunc:             Match,
		DefaultQualifiedResource:  example.Resource("crontabs"),
		SingularQualifiedResource: example.Resource("crontab"),

		CreateStrategy:      NewStrategy(scheme),
		UpdateStrategy:      NewStrategy(scheme),
		DeleteStrategy:      NewStrategy(scheme),
		ResetFieldsStrategy: NewStrategy(scheme).(rest.ResetFieldsStrategy),

		TableConvertor: tableConvertor,
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: GetAttrs}); err != nil {
		return nil, fmt.Errorf("crontabs storage: %w", err)
	}

	statusStore := *store
	statusStore.UpdateStrategy = NewStatusStrategy(scheme)
	statusStore.ResetFieldsStrategy = NewStatusStrategy(scheme).(rest.ResetFieldsStrategy)

	return &Storage{
		CronTab: &REST{store},
		Status:  &StatusREST{store: &statusStore},
		Scale:   &ScaleREST{store: store},
	}, nil
}

// REST is the storage of the main crontabs resource.
type REST struct {
	*genericregistry.Store
}

var (
	_ rest.ShortNamesProvider = &REST{}
	_ rest.CategoriesProvider = &REST{}
)

// ShortNames lets "kubectl get ct" work, as with the CronTab CRD.
func (*REST) ShortNames() []string { return []string{"ct"} }

// Categories puts crontabs into "kubectl get all".
func (*REST) Categories() []string { return []string{"all"} }

// StatusREST is the storage of crontabs/status.
type StatusREST struct {
	store *genericregistry.Store
}

var (
	_ rest.Patcher                  = &StatusREST{}
	_ rest.ResetFieldsStrategy      = &StatusREST{}
	_ rest.TableConvertor           = &StatusREST{}
	_ rest.SingularNameProvider     = &StatusREST{}
	_ rest.GroupVersionKindProvider = &ScaleREST{}
)

// New returns an empty CronTab.
func (r *StatusREST) New() runtime.Object { return &example.CronTab{} }

// Destroy does nothing: the main resource owns the underlying store.
func (r *StatusREST) Destroy() {}

// Get returns the CronTab, for a read of the status subresource.
func (r *StatusREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

// Update writes status only; the status strategy keeps the stored spec.
func (r *StatusREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	// Subresources never create the object.
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}

// GetResetFields returns the fields server-side apply resets on the status subresource.
func (r *StatusREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}

// ConvertToTable lets "kubectl get --subresource=status" print the usual columns.
func (r *StatusREST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, object, tableOptions)
}

// GetSingularName returns the singular name of the parent resource.
func (r *StatusREST) GetSingularName() string { return r.store.GetSingularName() }

// ScaleREST is the storage of crontabs/scale: an autoscaling/v1 Scale view of spec.replicas,
// status.replicas and status.selector, for kubectl scale and the HorizontalPodAutoscaler.
type ScaleREST struct {
	store *genericregistry.Store
}

// GroupVersionKind makes the subresource speak autoscaling/v1 Scale whatever the parent's version.
func (r *ScaleREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return autoscalingv1.SchemeGroupVersion.WithKind("Scale")
}

// New returns an empty internal Scale.
func (r *ScaleREST) New() runtime.Object { return &scalescheme.Scale{} }

// Destroy does nothing: the main resource owns the underlying store.
func (r *ScaleREST) Destroy() {}

// GetSingularName returns the singular name of the parent resource.
func (r *ScaleREST) GetSingularName() string { return r.store.GetSingularName() }

// Get returns the Scale of a CronTab.
func (r *ScaleREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	obj, err := r.store.Get(ctx, name, options)
	if err != nil {
		return nil, err
	}
	return scaleFromCronTab(obj.(*example.CronTab))
}

// Update changes spec.replicas from a Scale; admission and validation see Scales, the store a CronTab.
func (r *ScaleREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	obj, _, err := r.store.Update(ctx, name, &scaleUpdatedObjectInfo{name: name, reqObjInfo: objInfo},
		toScaleCreateValidation(createValidation), toScaleUpdateValidation(updateValidation), false, options)
	if err != nil {
		return nil, false, err
	}
	scale, err := scaleFromCronTab(obj.(*example.CronTab))
	if err != nil {
		return nil, false, err
	}
	return scale, false, nil
}

// ConvertToTable prints a Scale with the default columns.
func (r *ScaleREST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return rest.NewDefaultTableConvertor(example.Resource("crontabs/scale")).ConvertToTable(ctx, object, tableOptions)
}

func toScaleCreateValidation(f rest.ValidateObjectFunc) rest.ValidateObjectFunc {
	return func(ctx context.Context, obj runtime.Object) error {
		scale, err := scaleFromCronTab(obj.(*example.CronTab))
		if err != nil {
			return err
		}
		return f(ctx, scale)
	}
}

func toScaleUpdateValidation(f rest.ValidateObjectUpdateFunc) rest.ValidateObjectUpdateFunc {
	return func(ctx context.Context, obj, old runtime.Object) error {
		newScale, err := scaleFromCronTab(obj.(*example.CronTab))
		if err != nil {
			return err
		}
		oldScale, err := scaleFromCronTab(old.(*example.CronTab))
		if err != nil {
			return err
		}
		return f(ctx, newScale, oldScale)
	}
}

// scaleFromCronTab returns the Scale view of a CronTab.
func scaleFromCronTab(ct *example.CronTab) (*scalescheme.Scale, error) {
	selector, err := metav1.ParseToLabelSelector(Selector(ct.Name))
	if err != nil {
		return nil, errors.NewInternalError(fmt.Errorf("selector of crontab %s: %w", ct.Name, err))
	}
	return &scalescheme.Scale{
		ObjectMeta: metav1.ObjectMeta{
			Name:              ct.Name,
			Namespace:         ct.Namespace,
			UID:               ct.UID,
			ResourceVersion:   ct.ResourceVersion,
			CreationTimestamp: ct.CreationTimestamp,
		},
		Spec:   scalescheme.ScaleSpec{Replicas: ct.Spec.Replicas},
		Status: scalescheme.ScaleStatus{Replicas: ct.Status.Replicas, Selector: selector},
	}, nil
}

// scaleUpdatedObjectInfo turns the stored CronTab into a Scale, lets the request update that
// Scale, and writes the new replicas back into the CronTab.
type scaleUpdatedObjectInfo struct {
	name       string
	reqObjInfo rest.UpdatedObjectInfo
}

func (i *scaleUpdatedObjectInfo) Preconditions() *metav1.Preconditions {
	return i.reqObjInfo.Preconditions()
}

func (i *scaleUpdatedObjectInfo) UpdatedObject(ctx context.Context, oldObj runtime.Object) (runtime.Object, error) {
	ct, ok := oldObj.DeepCopyObject().(*example.CronTab)
	if !ok {
		return nil, errors.NewBadRequest(fmt.Sprintf("expected existing object type to be CronTab, got %T", oldObj))
	}
	// A zero resourceVersion means the store found nothing: scale never creates.
	if ct.ResourceVersion == "" {
		return nil, errors.NewNotFound(example.Resource("crontabs/scale"), i.name)
	}
	oldScale, err := scaleFromCronTab(ct)
	if err != nil {
		return nil, err
	}
	obj, err := i.reqObjInfo.UpdatedObject(ctx, oldScale)
	if err != nil {
		return nil, err
	}
	scale, ok := obj.(*scalescheme.Scale)
	if !ok {
		return nil, errors.NewBadRequest(fmt.Sprintf("expected input object type to be Scale, but %T", obj))
	}
	if errs := validation.ValidateScaleReplicas(scale.Spec.Replicas); len(errs) > 0 {
		return nil, errors.NewInvalid(autoscalingv1.SchemeGroupVersion.WithKind("Scale").GroupKind(), scale.Name, errs)
	}
	ct.Spec.Replicas = scale.Spec.Replicas
	ct.ResourceVersion = scale.ResourceVersion
	return ct, nil
}
