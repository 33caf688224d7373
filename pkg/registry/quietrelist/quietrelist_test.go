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

package quietrelist

import (
	"context"
	"reflect"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/apiserver/pkg/storage/storagebackend/factory"
	"k8s.io/client-go/tools/cache"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

const window = 75 * time.Second

// etcd is the storage under the cacher: each Watch returns a fake watcher the test feeds.
type etcd struct {
	storage.Interface
	watches chan *watch.FakeWatcher
}

func (e *etcd) Watch(context.Context, string, storage.ListOptions) (watch.Interface, error) {
	w := watch.NewFakeWithChanSize(10, false)
	e.watches <- w
	return w, nil
}

func (e *etcd) GetList(context.Context, string, storage.ListOptions, runtime.Object) error {
	return nil
}

// harness is the cacher's side of one watch through a Storage.
type harness struct {
	t     *testing.T
	clock *testingclock.FakeClock
	s     *Storage
	etcd  *watch.FakeWatcher
	w     watch.Interface
}

func newHarness(t *testing.T, minEvents int, opts storage.ListOptions) *harness {
	e := &etcd{watches: make(chan *watch.FakeWatcher, 1)}
	h := &harness{t: t, clock: testingclock.NewFakeClock(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))}
	h.s = New(e, schema.GroupResource{Group: "example.com", Resource: "crontabs"}, window, minEvents, h.clock)
	w, err := h.s.Watch(context.Background(), "/crontabs", opts)
	if err != nil {
		t.Fatal(err)
	}
	h.w, h.etcd = w, <-e.watches
	t.Cleanup(w.Stop)
	h.armed()
	return h
}

func object(rv string, annotations map[string]string) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "c", ResourceVersion: rv, Annotations: annotations}}
}

// send makes etcd send an event and waits until the cacher has it.
func (h *harness) send(eventType watch.EventType, annotations map[string]string) {
	h.t.Helper()
	h.etcd.Action(eventType, object("1", annotations))
	select {
	case e := <-h.w.ResultChan():
		if e.Type != eventType {
			h.t.Fatalf("the cacher got a %s event, want %s", e.Type, eventType)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatalf("the cacher never got the %s event", eventType)
	}
}

func (h *harness) events(n int) {
	for range n {
		h.send(watch.Modified, nil)
	}
}

// armed waits until the watch waits on its timer again.
func (h *harness) armed() {
	h.t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return h.clock.HasWaiters(), nil
	}); err != nil {
		h.t.Fatal("the watch does not wait for the quiet period")
	}
}

// step moves the clock and, if the watch goes on, waits until it waits again.
func (h *harness) step(d time.Duration, wantExpired bool) {
	h.t.Helper()
	h.clock.Step(d)
	if !wantExpired {
		h.armed()
		select {
		case e := <-h.w.ResultChan():
			h.t.Fatalf("the cacher got %v after %s, want nothing", e, d)
		default:
		}
		return
	}
	select {
	case e := <-h.w.ResultChan():
		if err := apierrors.FromObject(e.Object); e.Type != watch.Error || !apierrors.IsResourceExpired(err) {
			h.t.Fatalf("the cacher got %s %v, want a 410 Expired error", e.Type, err)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("the watch never ended with 410 Expired")
	}
	select {
	case e, ok := <-h.w.ResultChan():
		if ok {
			h.t.Fatalf("the cacher got %v after the 410, want the watch closed", e)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("the watch stayed open after the 410")
	}
	if !h.etcd.IsStopped() {
		h.t.Fatal("the etcd watch was not stopped")
	}
}

func TestQuietWatch(t *testing.T) {
	initialEventsEnd := map[string]string{metav1.InitialEventsAnnotationKey: "true"}
	for _, tc := range []struct {
		name string
		opts storage.ListOptions
		run  func(h *harness)
	}{{
		name: "a burst, then a quiet window, ends the watch with 410",
		run: func(h *harness) {
			h.events(3)
			h.step(window, true)
		},
	}, {
		name: "fewer events than the minimum never end it",
		run: func(h *harness) {
			h.events(2)
			h.step(window, false)
			h.step(10*window, false)
		},
	}, {
		name: "an event inside the window starts the quiet again",
		run: func(h *harness) {
			h.events(3)
			h.step(window-time.Second, false)
			h.events(1)
			h.step(time.Second, false)
			h.step(window-2*time.Second, false)
			h.step(time.Second, true)
		},
	}, {
		name: "a relist starts the count again",
		run: func(h *harness) {
			h.events(3)
			if err := h.s.GetList(context.Background(), "/crontabs", storage.ListOptions{}, nil); err != nil {
				h.t.Fatal(err)
			}
			h.step(window, false)
			h.events(3)
			h.step(window, true)
		},
	}, {
		name: "bookmarks neither count nor break the quiet",
		run: func(h *harness) {
			h.events(2)
			for range 5 {
				h.send(watch.Bookmark, nil)
			}
			h.step(window, false)
			h.events(1)
			h.step(window-time.Second, false)
			h.send(watch.Bookmark, nil)
			h.step(time.Second, true)
		},
	}, {
		name: "a watch-list's initial events are not history",
		opts: storage.ListOptions{SendInitialEvents: ptr.To(true)},
		run: func(h *harness) {
			for range 5 {
				h.send(watch.Added, nil)
			}
			h.send(watch.Bookmark, initialEventsEnd)
			h.step(window, false)
			h.events(3)
			h.step(window, true)
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(newHarness(t, 3, tc.opts))
		})
	}
}

func TestStopEndsTheEtcdWatch(t *testing.T) {
	h := newHarness(t, 3, storage.ListOptions{})
	h.w.Stop()
	if _, ok := <-h.w.ResultChan(); ok {
		t.Fatal("an event after Stop, want the channel closed")
	}
	if err := wait.PollUntilContextTimeout(context.Background(), time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		return h.etcd.IsStopped(), nil
	}); err != nil {
		t.Fatal("the etcd watch was not stopped")
	}
}

type getter struct{ decorator generic.StorageDecorator }

func (g getter) GetRESTOptions(schema.GroupResource, runtime.Object) (generic.RESTOptions, error) {
	return generic.RESTOptions{Decorator: g.decorator}, nil
}

func TestRESTOptionsGetter(t *testing.T) {
	cacher := func(*storagebackend.ConfigForResource, string, func(runtime.Object) (string, error), func() runtime.Object, func() runtime.Object,
		storage.AttrFunc, storage.IndexerFuncs, *cache.Indexers) (storage.Interface, factory.DestroyFunc, error) {
		return nil, nil, nil
	}
	for _, tc := range []struct {
		name      string
		decorator generic.StorageDecorator
		minEvents int
		replaced  bool
	}{
		{"the watch cache is built on a Storage", cacher, 1000, true},
		{"0 leaves the watch cache as the library builds it", cacher, 0, false},
		{"a resource without a watch cache keeps none", generic.UndecoratedStorage, 1000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := RESTOptionsGetter{RESTOptionsGetter: getter{tc.decorator}, MinEvents: tc.minEvents}.GetRESTOptions(schema.GroupResource{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if replaced := reflect.ValueOf(opts.Decorator).Pointer() != reflect.ValueOf(tc.decorator).Pointer(); replaced != tc.replaced {
				t.Fatalf("decorator replaced: %v, want %v", replaced, tc.replaced)
			}
		})
	}
}
