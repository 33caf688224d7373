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

// Package storagecodec shapes the objects the server decodes from etcd, which its watch cache
// then holds for as long as they exist.
package storagecodec

import (
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// WithSharedManagedFields returns codec, decoding objects whose managedFields share one copy
// of each field set and name with every other object decoded with the same value. Objects
// written by one client carry identical field sets — a few hundred bytes of JSON each, their
// largest part once decoded — and the watch cache keeps every object decoded, so without this
// it holds the same bytes once per object.
//
// Sharing is safe because nothing writes into a decoded object's field sets or strings:
// managedFields are replaced, never edited in place, and DeepCopy copies the bytes.
func WithSharedManagedFields(codec runtime.Codec) runtime.Codec {
	return sharingCodec{Codec: codec, names: newSharedValues[string](maxInterned), fieldSets: newSharedValues[[]byte](maxInterned)}
}

type sharingCodec struct {
	runtime.Codec
	names     *sharedValues[string]
	fieldSets *sharedValues[[]byte]
}

func (c sharingCodec) Decode(data []byte, defaults *schema.GroupVersionKind, into runtime.Object) (runtime.Object, *schema.GroupVersionKind, error) {
	obj, gvk, err := c.Codec.Decode(data, defaults, into)
	if err != nil {
		return obj, gvk, err
	}
	if accessor, err := meta.Accessor(obj); err == nil {
		// The slice is the object's own, just decoded: its entries are ours to point elsewhere.
		entries := accessor.GetManagedFields()
		for i := range entries {
			e := &entries[i]
			e.Manager = c.names.get(e.Manager)
			e.APIVersion = c.names.get(e.APIVersion)
			e.FieldsType = c.names.get(e.FieldsType)
			e.Subresource = c.names.get(e.Subresource)
			if e.FieldsV1 != nil {
				e.FieldsV1.Raw = c.fieldSets.get(e.FieldsV1.Raw)
			}
		}
	}
	return obj, gvk, nil
}

const (
	// maxInterned bounds the shared values: field sets differ by the fields clients set (each
	// label key is one), so a hostile client could make every one distinct.
	maxInterned = 4096
	// maxInternedSize leaves large field sets alone: a value is kept once more as its key.
	maxInternedSize = 4 << 10
)

// sharedValues holds one copy of each value seen, up to max of them; when full it starts
// afresh, and objects decoded before keep the copies they have.
type sharedValues[V string | []byte] struct {
	max int
	mu  sync.RWMutex
	m   map[string]V
}

func newSharedValues[V string | []byte](max int) *sharedValues[V] {
	return &sharedValues[V]{max: max, m: map[string]V{}}
}

// get returns the kept copy of v, keeping v if there is none.
func (s *sharedValues[V]) get(v V) V {
	if len(v) == 0 || len(v) > maxInternedSize {
		return v
	}
	s.mu.RLock()
	shared, ok := s.m[string(v)]
	s.mu.RUnlock()
	if ok {
		return shared
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if shared, ok := s.m[string(v)]; ok {
		return shared
	}
	if len(s.m) >= s.max {
		clear(s.m)
	}
	s.m[string(v)] = v
	return v
}
