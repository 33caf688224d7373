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

// Package loadcheck is what the fault tests (test/reliability, test/ha) share: writers that
// create CronTabs under load and record every answer with its time, watches that resume from
// the last resourceVersion they delivered, and the checks that no acknowledged write was lost
// and that every watch delivered each of them exactly once, in order.
package loadcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/http2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// Write is one write as a watch or a writer saw it: the object and its resourceVersion.
type Write struct {
	Name string
	RV   uint64
}

// failure is one request that got no success, when it was sent and answered.
type failure struct {
	start, end time.Time
	answer     string
}

// Outcome counts what a load generator saw.
type Outcome struct {
	mu        sync.Mutex
	acked     map[string]Write  // the acknowledged writes by name
	attempted map[string]bool   // every name a write was sent for, answered or not
	failures  []failure         // in the order they were answered
	samples   map[string]string // an error message for each kind of failure
	slowest   time.Duration     // the longest any request took
}

// NewOutcome returns an empty Outcome.
func NewOutcome() *Outcome {
	return &Outcome{acked: map[string]Write{}, attempted: map[string]bool{}, samples: map[string]string{}}
}

// Sending records that a write of name is sent: it may take effect even if its answer is
// lost, the request abandoned.
func (o *Outcome) Sending(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempted[name] = true
}

// Record records the answer to the write of name sent at start: rv is the resourceVersion of
// a success, code the HTTP status of a failure (0 when there was none).
func (o *Outcome) Record(name, rv string, start time.Time, code int, err error) {
	end := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.attempted[name] = true
	o.slowest = max(o.slowest, end.Sub(start))
	if status, ok := err.(apierrors.APIStatus); ok && code == 0 {
		// client-go leaves the code unset when it cannot decode the error's body.
		code = int(status.Status().Code)
	}
	var answer string
	switch {
	case err == nil:
		parsed, parseErr := strconv.ParseUint(rv, 10, 64)
		if parseErr == nil {
			o.acked[name] = Write{Name: name, RV: parsed}
			return
		}
		answer, err = "resourceVersion "+rv, parseErr
	case code != 0:
		answer = strconv.Itoa(code)
	default:
		answer = "transport: " + transportError(err)
	}
	o.failures = append(o.failures, failure{start: start, end: end, answer: answer})
	if _, ok := o.samples[answer]; !ok {
		o.samples[answer] = err.Error()
	}
}

// StreamReset is how a client sees the generic server's timeout filter end a request whose
// handler had already started its response when the deadline passed: it cannot send a 504
// any more, so it resets the HTTP/2 stream (k8s.io/apiserver/pkg/server/filters/timeout.go).
const StreamReset = "stream reset by the server"

// transportError names a failure without an HTTP answer in a way that does not vary with
// ports or addresses.
func transportError(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "EOF"
	case errors.Is(err, context.DeadlineExceeded), os.IsTimeout(err):
		return "timeout"
	case errors.As(err, new(http2.StreamError)):
		return StreamReset
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120] + "..."
	}
	return msg
}

// Acked returns the acknowledged writes by name.
func (o *Outcome) Acked() map[string]Write {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.acked)
}

// AckedCount is the number of acknowledged writes.
func (o *Outcome) AckedCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.acked)
}

// Attempted returns every name a write was sent for, answered or not.
func (o *Outcome) Attempted() map[string]bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.attempted)
}

// FailureCount is the number of failed writes.
func (o *Outcome) FailureCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.failures)
}

// Failures counts the failed writes by answer: an HTTP status code, or "transport: " and
// what went wrong.
func (o *Outcome) Failures() map[string]int {
	return o.FailuresBetween(time.Time{}, time.Now())
}

// FailuresBetween is Failures of the writes answered between from and to.
func (o *Outcome) FailuresBetween(from, to time.Time) map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	counts := map[string]int{}
	for _, f := range o.failures {
		if !f.end.Before(from) && !f.end.After(to) {
			counts[f.answer]++
		}
	}
	return counts
}

// ErrorWindow is how long writes were failing among those answered between from and to: the
// union of their spans, each from its sending to its answer, so that two outages in the
// period count apart and the successes between them do not count. Zero when none failed.
func (o *Outcome) ErrorWindow(from, to time.Time) time.Duration {
	o.mu.Lock()
	var spans []failure
	for _, f := range o.failures {
		if !f.end.Before(from) && !f.end.After(to) {
			spans = append(spans, f)
		}
	}
	o.mu.Unlock()
	slices.SortFunc(spans, func(a, b failure) int { return a.start.Compare(b.start) })
	var total time.Duration
	var current failure
	for i, f := range spans {
		switch {
		case i == 0:
			current = f
		case f.start.After(current.end):
			total += current.end.Sub(current.start)
			current = f
		case f.end.After(current.end):
			current.end = f.end
		}
	}
	if len(spans) > 0 {
		total += current.end.Sub(current.start)
	}
	return total
}

// Sample returns the message of one of the failures answered answer.
func (o *Outcome) Sample(answer string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.samples[answer]
}

// Slowest is the longest any write took to be answered.
func (o *Outcome) Slowest() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.slowest
}

func (o *Outcome) String() string {
	failures := o.Failures()
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprintf("%d acknowledged, failures %v (e.g. %q), slowest %s", len(o.acked), failures, o.samples, o.slowest.Round(time.Millisecond))
}

// CronTab is a small valid CronTab. It is suspended: where a controller runs, thousands of
// them must not start thousands of Jobs at the next five minutes.
func CronTab(name string) *examplev1.CronTab {
	return &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       examplev1.CronTabSpec{CronSpec: "*/5 * * * *", Image: "registry.example.com/job:1.0", Suspend: ptr.To(true)},
	}
}

// CreateLoad starts workers that create CronTabs <prefix>-<worker>-<n> in ns, one after
// another, until ctx is done. Each request asks the server to give up after serverTimeout
// (?timeout=) and is never retried by client-go, so o sees every answer as it was. The
// returned function waits for the workers to stop.
func CreateLoad(ctx context.Context, client clientset.Interface, ns, prefix string, workers int, serverTimeout time.Duration, o *Outcome) (wait func()) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				name := fmt.Sprintf("%s-%d-%d", prefix, w, n)
				o.Sending(name)
				start := time.Now()
				var code int
				// The client waits well past the server's timeout: a hang shows as a request
				// slower than serverTimeout, not as a client-side timeout at the same moment.
				reqCtx, cancel := context.WithTimeout(ctx, serverTimeout+30*time.Second)
				created := &examplev1.CronTab{}
				err := client.ExampleV1().RESTClient().Post().Namespace(ns).Resource("crontabs").
					// Param, not Timeout: that would give up on the client side too.
					Param("timeout", serverTimeout.String()).MaxRetries(0).Body(CronTab(name)).
					Do(reqCtx).StatusCode(&code).Into(created)
				cancel()
				if ctx.Err() != nil {
					return // the answer to a request we abandoned says nothing about the server
				}
				o.Record(name, created.ResourceVersion, start, code, err)
				if err != nil && code == 0 {
					// Nothing listens (yet): do not spin on connection refused.
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
	return wg.Wait
}

// Lost returns the acknowledged writes of outcomes that stored lacks (names an API server or
// etcd holds), sorted.
func Lost(stored map[string]bool, outcomes ...*Outcome) []string {
	var lost []string
	for _, o := range outcomes {
		for name := range o.Acked() {
			if !stored[name] {
				lost = append(lost, name)
			}
		}
	}
	slices.Sort(lost)
	return lost
}

// summarize shortens a list of problems for a failure message.
func summarize(problems []string) string {
	if len(problems) > 10 {
		problems = append(problems[:10:10], fmt.Sprintf("... and %d more", len(problems)-10))
	}
	return strings.Join(problems, "; ")
}
