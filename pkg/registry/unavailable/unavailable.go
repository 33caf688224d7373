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

// Package unavailable turns "etcd cannot serve now" into 503 Service Unavailable: etcd
// unreachable, or a member without a leader or timing out while the cluster elects one. The
// generic store passes etcd client errors through, so these reached clients as 500 Internal
// Server Error, which says "bug" where it should say "try again".
package unavailable

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/client-go/tools/cache"
)

// RESTOptionsGetter decorates the storage of every resource it configures so that an
// unreachable etcd is a 503.
type RESTOptionsGetter struct {
	generic.RESTOptionsGetter
}

// GetRESTOptions returns the wrapped getter's options with the storage decorated.
func (g RESTOptionsGetter) GetRESTOptions(resource schema.GroupResource, example runtime.Object) (generic.RESTOptions, error) {
	opts, err := g.RESTOptionsGetter.GetRESTOptions(resource, example)
	if err != nil {
		return opts, err
	}
	decorate := opts.Decorator
	opts.Decorator = func(config *storagebackend.ConfigForResource, resourcePrefix string, keyFunc func(runtime.Object) (string, error),
		newFunc, newListFunc func() runtime.Object, getAttrs storage.AttrFunc, trigger storage.IndexerFuncs, indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		s, destroy, err := decorate(config, resourcePrefix, keyFunc, newFunc, newListFunc, getAttrs, trigger, indexers)
		if err != nil {
			return nil, nil, err
		}
		return &Storage{Interface: s, Resource: resource}, destroy, nil
	}
	return opts, nil
}

// Storage answers 503 for the requests etcd could not serve.
type Storage struct {
	storage.Interface
	Resource schema.GroupResource
}

// Create creates the object or says why not.
func (s *Storage) Create(ctx context.Context, key string, obj, out runtime.Object, ttl uint64) error {
	return s.translate(s.Interface.Create(ctx, key, obj, out, ttl))
}

// Delete deletes the object or says why not.
func (s *Storage) Delete(ctx context.Context, key string, out runtime.Object, preconditions *storage.Preconditions,
	validateDeletion storage.ValidateObjectFunc, cachedExistingObject runtime.Object, opts storage.DeleteOptions) error {
	return s.translate(s.Interface.Delete(ctx, key, out, preconditions, validateDeletion, cachedExistingObject, opts))
}

// Get reads the object or says why not.
func (s *Storage) Get(ctx context.Context, key string, opts storage.GetOptions, objPtr runtime.Object) error {
	return s.translate(s.Interface.Get(ctx, key, opts, objPtr))
}

// GetList lists the objects or says why not.
func (s *Storage) GetList(ctx context.Context, key string, opts storage.ListOptions, listObj runtime.Object) error {
	return s.translate(s.Interface.GetList(ctx, key, opts, listObj))
}

// GuaranteedUpdate updates the object or says why not.
func (s *Storage) GuaranteedUpdate(ctx context.Context, key string, destination runtime.Object, ignoreNotFound bool,
	preconditions *storage.Preconditions, tryUpdate storage.UpdateFunc, cachedExistingObject runtime.Object) error {
	return s.translate(s.Interface.GuaranteedUpdate(ctx, key, destination, ignoreNotFound, preconditions, tryUpdate, cachedExistingObject))
}

// translate makes an Unavailable from the etcd client a 503: a gRPC status when no member
// answers, or etcd's own error when one answers without a leader behind it ("etcdserver:
// request timed out", "leader changed", "no leader", which the client turns into
// rpctypes.EtcdError). Everything else, including the storage errors the store interprets
// (not found, conflict), passes unchanged.
func (s *Storage) translate(err error) error {
	var etcdErr rpctypes.EtcdError
	if err == nil || (status.Code(err) != codes.Unavailable && (!errors.As(err, &etcdErr) || etcdErr.Code() != codes.Unavailable)) {
		return err
	}
	return apierrors.NewServiceUnavailable(fmt.Sprintf("the storage of %s is unavailable, retry later: %v", s.Resource, err))
}
