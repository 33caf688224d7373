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

package loadcheck

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// Collector keeps the events of a watch of CronTabs and, as a client should, resumes it from
// the last resourceVersion it delivered whenever it ends: the server went away, it sent an
// error, or Restart ended it. What it delivers must then be every write once, in order.
type Collector struct {
	Name   string
	client clientset.Interface
	ns     string
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	got      []Write
	lastRV   string
	current  watch.Interface
	resumed  []time.Time       // when each watch ended to be opened again
	errors   map[string]int    // why watches ended or could not start, by reason
	samples  map[string]string // an error message for each reason
	problems []string          // what breaks the delivery of every write: a resourceVersion too old
}

// Collect watches the CronTabs of ns from resourceVersion rv until Stop.
func Collect(ctx context.Context, name string, client clientset.Interface, ns, rv string) *Collector {
	ctx, cancel := context.WithCancel(ctx)
	c := &Collector{Name: name, client: client, ns: ns, lastRV: rv, cancel: cancel, done: make(chan struct{}), errors: map[string]int{}, samples: map[string]string{}}
	go c.run(ctx)
	return c
}

func (c *Collector) run(ctx context.Context) {
	defer close(c.done)
	for ctx.Err() == nil {
		c.mu.Lock()
		rv := c.lastRV
		c.mu.Unlock()
		w, err := c.client.ExampleV1().CronTabs(c.ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
		if err != nil {
			if c.ended(err) {
				return
			}
			time.Sleep(100 * time.Millisecond) // the server is away: try again, from the same point
			continue
		}
		c.mu.Lock()
		c.current = w
		c.mu.Unlock()
		if !c.consume(ctx, w) {
			return
		}
		// Counted when the watch ends, so that a resume belongs to the fault that caused it.
		c.mu.Lock()
		c.resumed = append(c.resumed, time.Now())
		c.mu.Unlock()
	}
}

// consume collects the events of w until it ends; false when the watch cannot be resumed.
func (c *Collector) consume(ctx context.Context, w watch.Interface) bool {
	defer w.Stop()
	for e := range w.ResultChan() {
		switch e.Type {
		case watch.Added, watch.Modified, watch.Deleted:
			ct, ok := e.Object.(*examplev1.CronTab)
			rv, err := uint64(0), error(nil)
			if ok {
				rv, err = strconv.ParseUint(ct.ResourceVersion, 10, 64)
			}
			c.mu.Lock()
			if !ok || err != nil {
				c.problems = append(c.problems, fmt.Sprintf("%s event with %T %v", e.Type, e.Object, err))
			} else {
				c.got = append(c.got, Write{Name: ct.Name, RV: rv})
				c.lastRV = ct.ResourceVersion
			}
			c.mu.Unlock()
		case watch.Error:
			if ctx.Err() != nil {
				return false // client-go reports the stream we closed ourselves as an ERROR event
			}
			return !c.ended(apierrors.FromObject(e.Object))
		}
	}
	return ctx.Err() == nil
}

// ended records why a watch ended or could not start; true when it cannot be resumed.
func (c *Collector) ended(err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		c.problems = append(c.problems, fmt.Sprintf("cannot resume from resourceVersion %s: %v", c.lastRV, err))
		return true
	}
	reason := "transport: " + transportError(err)
	if status, ok := err.(apierrors.APIStatus); ok {
		reason = fmt.Sprintf("%d %s", status.Status().Code, status.Status().Reason)
	}
	c.errors[reason]++
	if _, ok := c.samples[reason]; !ok {
		c.samples[reason] = err.Error()
	}
	return false
}

// Restart ends the current watch; the collector resumes from the last resourceVersion it
// delivered: what was written in between must arrive, nothing twice.
func (c *Collector) Restart() {
	c.mu.Lock()
	w := c.current
	c.mu.Unlock()
	if w != nil {
		w.Stop()
	}
}

// Stop ends the watch for good and waits for the collector.
func (c *Collector) Stop() {
	c.cancel()
	c.Restart()
	<-c.done
}

// Events returns what the watch delivered so far.
func (c *Collector) Events() []Write {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Write(nil), c.got...)
}

// Resumes returns when the watch ended to be opened again from the last resourceVersion it
// delivered.
func (c *Collector) Resumes() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.resumed)
}

// Errors counts why watches ended with an error or could not be opened, with a message for
// each reason.
func (c *Collector) Errors() (counts map[string]int, samples map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.errors), maps.Clone(c.samples)
}

// EventCheck compares what a watch delivered with the writes.
type EventCheck struct {
	// Delivered is the number of acknowledged writes delivered.
	Delivered int
	// Missing are acknowledged writes the watch never delivered: gaps.
	Missing int
	// Duplicates are events delivered again, at a resourceVersion already delivered.
	Duplicates int
	// OutOfOrder are events at a resourceVersion below one delivered before.
	OutOfOrder int
	// Unwritten are events of writes that were never sent.
	Unwritten int
	// Problems describe the above, and why a watch could not be resumed.
	Problems []string
}

// OK says whether the watch delivered every acknowledged write exactly once, in order, and
// nothing that was not written.
func (e EventCheck) OK() bool { return len(e.Problems) == 0 }

func (e EventCheck) String() string {
	return fmt.Sprintf("%d delivered, %d missing, %d duplicated, %d out of order, %d never written: %s",
		e.Delivered, e.Missing, e.Duplicates, e.OutOfOrder, e.Unwritten, summarize(e.Problems))
}

// Check compares the collector's events with the acknowledged writes. Objects named in
// attempted may also change without an acknowledged write: the answer to a write was lost,
// or another client wrote them (a controller their status); those events may come or not,
// but only once. With attempted nil, every event must be an acknowledged write.
func (c *Collector) Check(acked []Write, attempted map[string]bool) EventCheck {
	c.mu.Lock()
	problems := append([]string(nil), c.problems...)
	c.mu.Unlock()
	check := CheckEvents(c.Events(), acked, attempted)
	check.Problems = append(problems, check.Problems...)
	return check
}

// CheckEvents compares events, as a watch delivered them, with the acknowledged writes and
// the names of writes sent without an acknowledgement.
func CheckEvents(events, acked []Write, attempted map[string]bool) EventCheck {
	var check EventCheck
	want := map[uint64]string{}
	for _, w := range acked {
		want[w.RV] = w.Name
	}
	seen := map[uint64]bool{}
	var last uint64
	for i, e := range events {
		switch {
		case seen[e.RV]:
			check.Duplicates++
			check.Problems = append(check.Problems, fmt.Sprintf("event %d (%s at RV %d) delivered again", i, e.Name, e.RV))
			continue
		case e.RV < last:
			check.OutOfOrder++
			check.Problems = append(check.Problems, fmt.Sprintf("event %d (%s at RV %d) after RV %d", i, e.Name, e.RV, last))
		}
		seen[e.RV] = true
		last = max(last, e.RV)
		if name, ok := want[e.RV]; ok && name == e.Name {
			check.Delivered++
		} else if !attempted[e.Name] {
			check.Unwritten++
			check.Problems = append(check.Problems, fmt.Sprintf("event %s at RV %d was not written (acknowledged there: %q)", e.Name, e.RV, name))
		}
	}
	for _, w := range acked {
		if !seen[w.RV] {
			check.Missing++
			check.Problems = append(check.Problems, fmt.Sprintf("acknowledged write of %s at RV %d never delivered", w.Name, w.RV))
		}
	}
	return check
}
