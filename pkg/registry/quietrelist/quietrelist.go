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

// Package quietrelist gives memory back after a burst of writes: once the watch cache of a
// resource has taken many events and then none for its history window, it relists from etcd,
// which empties the event history and drops the objects that only the history held. The
// watch cache (k8s.io/apiserver's cacher) resizes its history only when an event arrives, so
// without this a quiet server keeps the burst's history, deleted objects included, for good.
package quietrelist

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	cacherstorage "k8s.io/apiserver/pkg/storage/cacher"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
)

// RESTOptionsGetter builds every watch cache it configures with a Storage between the cacher
// and etcd. Resources without a watch cache are left as they are.
type RESTOptionsGetter struct {
	generic.RESTOptionsGetter
	// MinEvents is how many events since the last relist make the history worth dropping:
	// a relist re-reads every object from etcd and makes each watch resuming from an older
	// resourceVersion relist too, which a small history does not pay for. 0 disables.
	MinEvents int
	// Clock times the quiet period; nil is the real one.
	Clock clock.WithTicker
}

// GetRESTOptions returns the wrapped getter's options with the watch cache built on a Storage.
func (g RESTOptionsGetter) GetRESTOptions(resource schema.GroupResource, example runtime.Object) (generic.RESTOptions, error) {
	opts, err := g.RESTOptionsGetter.GetRESTOptions(resource, example)
	// The etcd options decorate with the cacher or with UndecoratedStorage (--watch-cache=false,
	// or a size of 0 in --watch-cache-sizes); a func is comparable only by its code pointer.
	undecorated := reflect.ValueOf(opts.Decorator).Pointer() == reflect.ValueOf(generic.UndecoratedStorage).Pointer()
	if err != nil || g.MinEvents <= 0 || undecorated {
		return opts, err
	}
	opts.Decorator = g.storageWithCacher()
	return opts, nil
}

// storageWithCacher is k8s.io/apiserver's registry.StorageWithCacher with one difference: the
// cacher lists and watches etcd through a Storage. The library has no hook for that storage;
// reads and writes the cacher delegates still go to etcd directly.
func (g RESTOptionsGetter) storageWithCacher() generic.StorageDecorator {
	return func(config *storagebackend.ConfigForResource, resourcePrefix string, keyFunc func(runtime.Object) (string, error),
		newFunc, newListFunc func() runtime.Object, getAttrs storage.AttrFunc, triggers storage.IndexerFuncs,
		indexers *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		s, destroy, err := generic.NewRawStorage(config, newFunc, newListFunc, resourcePrefix)
		if err != nil {
			return s, destroy, err
		}
		clk := g.Clock
		if clk == nil {
			clk = clock.RealClock{}
		}
		cacher, err := cacherstorage.NewCacherFromConfig(cacherstorage.Config{
			Storage:             New(s, config.GroupResource, config.EventsHistoryWindow, g.MinEvents, clk),
			Versioner:           storage.APIObjectVersioner{},
			GroupResource:       config.GroupResource,
			EventsHistoryWindow: config.EventsHistoryWindow,
			ResourcePrefix:      resourcePrefix,
			KeyFunc:             keyFunc,
			NewFunc:             newFunc,
			NewListFunc:         newListFunc,
			GetAttrsFunc:        getAttrs,
			IndexerFuncs:        triggers,
			Indexers:            indexers,
			Codec:               config.Codec,
		})
		if err != nil {
			destroy()
			return nil, func() {}, err
		}
		delegator := cacherstorage.NewCacheDelegator(cacher, s)
		var once sync.Once
		return delegator, func() {
			once.Do(func() {
				delegator.Stop()
				cacher.Stop()
				destroy()
			})
		}, nil
	}
}

// Storage is what a cacher lists and watches. It counts the events its watches pass on since
// the last relist, and once at least minEvents came and then none for quiet, it ends the
// watch with 410 Expired: the cacher's reflector answers that by relisting, which resets the
// watch cache's history. A watch of the cacher from a resourceVersion older than that list
// then gets 410 and relists: never a gap.
type Storage struct {
	storage.Interface
	resource  schema.GroupResource
	quiet     time.Duration
	minEvents int
	clock     clock.WithTicker

	lock sync.Mutex
	// events is how many events the history took since the last relist; last is when the
	// newest came.
	events int
	last   time.Time
}

// New returns s for a cacher of resource whose history window is quiet.
func New(s storage.Interface, resource schema.GroupResource, quiet time.Duration, minEvents int, clk clock.WithTicker) *Storage {
	return &Storage{Interface: s, resource: resource, quiet: quiet, minEvents: minEvents, clock: clk, last: clk.Now()}
}

// GetList is the cacher's relist: the history starts empty.
func (s *Storage) GetList(ctx context.Context, key string, opts storage.ListOptions, listObj runtime.Object) error {
	s.reset()
	return s.Interface.GetList(ctx, key, opts, listObj)
}

// Watch watches etcd and ends the watch with 410 Expired once the history is worth dropping.
func (s *Storage) Watch(ctx context.Context, key string, opts storage.ListOptions) (watch.Interface, error) {
	w, err := s.Interface.Watch(ctx, key, opts)
	if err != nil {
		return w, err
	}
	q := &quietWatch{storage: s, inner: w, result: make(chan watch.Event), stop: make(chan struct{}),
		initialEvents: opts.SendInitialEvents != nil && *opts.SendInitialEvents}
	go q.run()
	return q, nil
}

func (s *Storage) reset() {
	s.lock.Lock()
	defer s.lock.Unlock()
	s.events, s.last = 0, s.clock.Now()
}

func (s *Storage) observe() {
	s.lock.Lock()
	defer s.lock.Unlock()
	s.events++
	s.last = s.clock.Now()
}

// due says whether the history is worth dropping now, or else how long until it may be.
func (s *Storage) due() (bool, time.Duration) {
	s.lock.Lock()
	defer s.lock.Unlock()
	if wait := s.quiet - s.clock.Since(s.last); wait > 0 {
		return false, wait
	}
	return s.events >= s.minEvents, s.quiet
}

// quietWatch passes the events of inner on until the history is worth dropping.
type quietWatch struct {
	storage *Storage
	inner   watch.Interface
	result  chan watch.Event
	stop    chan struct{}
	once    sync.Once
	// initialEvents: the watch starts with the current state, then a bookmark ends it (a
	// watch-list, the reflector's list): its events are not history.
	initialEvents bool
}

func (q *quietWatch) ResultChan() <-chan watch.Event { return q.result }

func (q *quietWatch) Stop() { q.once.Do(func() { close(q.stop) }) }

func (q *quietWatch) run() {
	defer close(q.result)
	defer q.inner.Stop()
	if q.initialEvents {
		q.storage.reset()
	}
	timer := q.storage.clock.NewTimer(q.storage.quiet)
	defer timer.Stop()
	for {
		select {
		case event, ok := <-q.inner.ResultChan():
			if !ok {
				return
			}
			q.count(event)
			select {
			case q.result <- event:
			case <-q.stop:
				return
			}
		case <-timer.C():
			due, wait := q.storage.due()
			if !due {
				timer.Reset(wait)
				continue
			}
			// The cacher has every event passed on so far; the relist reads the rest.
			expired := apierrors.NewResourceExpired(fmt.Sprintf("the watch cache of %s relists to drop the history of a burst its watchers no longer need", q.storage.resource))
			select {
			case q.result <- watch.Event{Type: watch.Error, Object: &expired.ErrStatus}:
			case <-q.stop:
			}
			return
		case <-q.stop:
			return
		}
	}
}

// count records an event that enters the history: not a bookmark (progress), nor an error,
// nor one of a watch-list's initial events, whose closing bookmark starts the history.
func (q *quietWatch) count(event watch.Event) {
	switch event.Type {
	case watch.Added, watch.Modified, watch.Deleted:
		if !q.initialEvents {
			q.storage.observe()
		}
	case watch.Bookmark:
		if q.initialEvents && endsInitialEvents(event.Object) {
			q.initialEvents = false
			q.storage.reset()
		}
	}
}

func endsInitialEvents(obj runtime.Object) bool {
	if wrapped, ok := obj.(storage.WatchEventWithRecordTime); ok {
		obj = wrapped.Unwrap()
	}
	accessor, err := meta.Accessor(obj)
	return err == nil && accessor.GetAnnotations()[metav1.InitialEventsAnnotationKey] == "true"
}
