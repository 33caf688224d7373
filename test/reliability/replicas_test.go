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

package reliability

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// write is one acknowledged write: the object and the resourceVersion the server returned.
type write struct {
	name string
	rv   uint64
}

// TestTwoReplicas runs two example-apiservers on one etcd, writes through both at once and
// watches through both: each watch must deliver every write, from either replica, exactly
// once and in resourceVersion order, also across a watch restarted from the last
// resourceVersion it delivered.
func TestTwoReplicas(t *testing.T) {
	const (
		ns      = "replicas"
		writers = 4 // per replica
		perW    = 40
	)
	certs := newPKI(t)
	etcd := startEtcd(t)
	a := startAPIServer(t, "example-apiserver-a", certs, etcd.URL)
	b := startAPIServer(t, "example-apiserver-b", certs, etcd.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	start, err := a.Client.ExampleV1().CronTabs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	watchA := startCollecting(ctx, t, a, ns, start.ResourceVersion)
	watchB := startCollecting(ctx, t, b, ns, start.ResourceVersion)

	// Creates and then an update of each object, through both replicas concurrently.
	var mu sync.Mutex
	var acked []write
	var wg sync.WaitGroup
	for _, s := range []*apiServer{a, b} {
		for w := range writers {
			wg.Go(func() {
				cronTabs := s.Client.ExampleV1().CronTabs(ns)
				for i := range perW {
					ct, err := cronTabs.Create(ctx, cronTab(fmt.Sprintf("%s-%d-%d", s.name, w, i)), metav1.CreateOptions{})
					if err != nil {
						t.Errorf("create through %s: %v", s.name, err)
						return
					}
					ct.Spec.Image = "registry.example.com/job:2.0"
					updated, err := cronTabs.Update(ctx, ct, metav1.UpdateOptions{})
					if err != nil {
						t.Errorf("update through %s: %v", s.name, err)
						return
					}
					mu.Lock()
					acked = append(acked, write{ct.Name, mustRV(t, ct)}, write{updated.Name, mustRV(t, updated)})
					mu.Unlock()
					if i == perW/2 && s == a && w == 0 {
						// Midway, B's watch is dropped and picked up again from the last
						// resourceVersion it delivered, while the writes go on.
						watchB.restart()
					}
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	want := map[uint64]string{}
	for _, w := range acked {
		want[w.rv] = w.name
	}
	for _, c := range []*collector{watchA, watchB} {
		eventually(t, 60*time.Second, c.server.name+"'s watch delivers every acknowledged write", func() (bool, string) {
			n := len(c.events())
			return n >= len(want), fmt.Sprintf("%d of %d events", n, len(want))
		})
		events := c.events()
		var last uint64
		for i, e := range events {
			if e.rv <= last {
				t.Errorf("%s's watch: event %d (%s at RV %d) after RV %d: out of order or repeated", c.server.name, i, e.name, e.rv, last)
			}
			last = e.rv
			if name, ok := want[e.rv]; !ok || name != e.name {
				t.Errorf("%s's watch: event %s at RV %d was not written (acknowledged: %q)", c.server.name, e.name, e.rv, name)
			}
		}
		if len(events) != len(want) {
			t.Errorf("%s's watch delivered %d events for %d writes", c.server.name, len(events), len(want))
		}
		if c.restarts > 0 {
			t.Logf("%s's watch was restarted %d times from the last delivered RV; %d events", c.server.name, c.restarts, len(events))
		}
	}
	if watchB.restarts == 0 {
		t.Error("B's watch was never restarted: the test did not cover resuming from a resourceVersion")
	}

	// A quorum read through either replica sees every object at its last written version.
	for _, s := range []*apiServer{a, b} {
		list, err := s.Client.ExampleV1().CronTabs(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != len(acked)/2 {
			t.Errorf("%s lists %d CronTabs, want %d", s.name, len(list.Items), len(acked)/2)
		}
		for _, ct := range list.Items {
			if ct.Spec.Image != "registry.example.com/job:2.0" {
				t.Errorf("%s lists %s with image %s, the value before the acknowledged update", s.name, ct.Name, ct.Spec.Image)
			}
		}
	}
	a.assertNoPanic(t)
	b.assertNoPanic(t)
}

func mustRV(t *testing.T, ct *examplev1.CronTab) uint64 {
	rv, err := strconv.ParseUint(ct.ResourceVersion, 10, 64)
	if err != nil {
		t.Errorf("resourceVersion %q of %s: %v", ct.ResourceVersion, ct.Name, err)
	}
	return rv
}

// collector keeps the events of a watch of one replica and can restart it from the last
// resourceVersion it delivered.
type collector struct {
	t        *testing.T
	ctx      context.Context
	server   *apiServer
	ns       string
	mu       sync.Mutex
	got      []write
	lastRV   string
	w        watch.Interface
	restarts int
	stopping bool
	done     chan struct{} // closed when the current watch's reader has stopped
}

func startCollecting(ctx context.Context, t *testing.T, s *apiServer, ns, rv string) *collector {
	c := &collector{t: t, ctx: ctx, server: s, ns: ns, lastRV: rv}
	c.start()
	t.Cleanup(func() { c.stop() })
	return c
}

func (c *collector) start() {
	c.mu.Lock()
	rv := c.lastRV
	c.stopping = false
	c.mu.Unlock()
	w, err := c.server.Client.ExampleV1().CronTabs(c.ns).Watch(c.ctx, metav1.ListOptions{ResourceVersion: rv})
	if err != nil {
		c.t.Errorf("watch %s from RV %s: %v", c.server.name, rv, err)
		return
	}
	c.w, c.done = w, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		for e := range w.ResultChan() {
			ct, ok := e.Object.(*examplev1.CronTab)
			if !ok {
				c.mu.Lock()
				stopping := c.stopping
				c.mu.Unlock()
				if stopping || c.ctx.Err() != nil {
					continue // client-go reports the stream we closed ourselves as an ERROR event
				}
				c.t.Errorf("%s's watch: %s event with %T: %v", c.server.name, e.Type, e.Object, e.Object)
				continue
			}
			c.mu.Lock()
			c.got = append(c.got, write{ct.Name, mustRV(c.t, ct)})
			c.lastRV = ct.ResourceVersion
			c.mu.Unlock()
		}
	}(c.done)
}

func (c *collector) stop() {
	c.mu.Lock()
	c.stopping = true
	c.mu.Unlock()
	if c.w != nil {
		c.w.Stop()
		<-c.done
	}
}

// restart stops the watch, waits until its reader is done, and watches again from the last
// delivered resourceVersion: what was written in between must arrive, nothing twice.
func (c *collector) restart() {
	c.stop()
	c.restarts++
	c.start()
}

func (c *collector) events() []write {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]write(nil), c.got...)
}
