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

package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// phase is the outcome of N operations by C workers.
type phase struct {
	Ops     int     `json:"ops"`
	Errors  int     `json:"errors"`
	Seconds float64 `json:"seconds"`
	PerSec  float64 `json:"per_sec"`
	P50ms   float64 `json:"p50_ms"`
	P99ms   float64 `json:"p99_ms"`
	// FirstError explains a phase with errors.
	FirstError string `json:"first_error,omitempty"`
}

// latency is a distribution of durations.
type latency struct {
	N     int     `json:"n"`
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms,omitempty"`
}

// run is one target's workload once: the figures of one cell of one round. A metrics run
// (client "metrics") has only Get: the GETs of the external metric.
type run struct {
	Target string `json:"target"`
	Client string `json:"client"`
	Create phase  `json:"create"`
	Get    phase  `json:"get"`
	Update phase  `json:"update"`
	Delete phase  `json:"delete"`
	// ListMs is a full LIST of the N objects; ListPagedMs walks them with limit=500.
	ListMs      float64 `json:"list_ms"`
	ListPagedMs float64 `json:"list_paged_ms"`
	// Watch is write start -> event seen, for the updates, through one watch.
	Watch latency `json:"watch"`
	// CPUSeconds is what each server process spent during the run; RSSBytes its resident
	// memory once the N objects are stored.
	CPUSeconds map[string]float64 `json:"cpu_seconds"`
	RSSBytes   map[string]int64   `json:"rss_bytes"`
	// OpCPUSeconds is what each process spent during the create, get, update and delete
	// phases alone (Ops operations, the LISTs excluded): the CPU per operation.
	OpCPUSeconds map[string]float64 `json:"op_cpu_seconds,omitempty"`
	Ops          int                `json:"ops,omitempty"`
	// OpenLoop is a metrics run's GETs at a fixed rate, timed from their scheduled start.
	OpenLoop *openLoop `json:"open_loop,omitempty"`
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return float64(sorted[i]) / float64(time.Millisecond)
}

func summarize(durations []time.Duration) latency {
	slices.Sort(durations)
	return latency{N: len(durations), P50ms: percentile(durations, 0.50), P99ms: percentile(durations, 0.99), MaxMs: percentile(durations, 1)}
}

// runPhase calls op for i in [0, n) from c workers and measures each call.
func runPhase(n, c int, op func(i int) error) phase {
	return timePhase(n, c, op).phase()
}

// phaseTimes are the raw measurements of a phase, which add up over its parts.
type phaseTimes struct {
	latencies []time.Duration
	errors    int
	first     string
	elapsed   time.Duration
}

// add appends the measurements of another part of the same phase.
func (p *phaseTimes) add(q phaseTimes) {
	p.latencies = append(p.latencies, q.latencies...)
	p.errors += q.errors
	if p.first == "" {
		p.first = q.first
	}
	p.elapsed += q.elapsed
}

func (p phaseTimes) phase() phase {
	n := len(p.latencies)
	l := summarize(p.latencies)
	return phase{
		Ops: n, Errors: p.errors, Seconds: p.elapsed.Seconds(), PerSec: float64(n) / p.elapsed.Seconds(),
		P50ms: l.P50ms, P99ms: l.P99ms, FirstError: p.first,
	}
}

// timePhase calls op for i in [0, n) from c workers and times each call.
func timePhase(n, c int, op func(i int) error) phaseTimes {
	latencies := make([]time.Duration, n)
	var next atomic.Int64
	var errs atomic.Int64
	var firstErr sync.Once
	var first string
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				err := op(i)
				latencies[i] = time.Since(t0)
				if err != nil {
					errs.Add(1)
					firstErr.Do(func() { first = err.Error() })
				}
			}
		})
	}
	wg.Wait()
	return phaseTimes{latencies: latencies, errors: int(errs.Load()), first: first, elapsed: time.Since(start)}
}

// openLoop is a fixed rate of requests, each sent at its scheduled time whether or not the
// earlier ones were answered, so a slow answer delays no later request's clock (no
// coordinated omission): latency counts from the scheduled time, not from the send.
type openLoop struct {
	Rate    float64 `json:"rate"`
	Seconds float64 `json:"seconds"`
	Latency latency `json:"latency"`
	Errors  int     `json:"errors"`
	// FirstError explains a run with errors.
	FirstError string `json:"first_error,omitempty"`
	// Floor is /livez of the same server at a tenth of the rate, open loop, at the same
	// time: what the machine alone adds to a request's latency.
	Floor *latency `json:"floor,omitempty"`
}

// runOpenLoop calls op rate times a second for d, each call in a goroutine of its own.
func runOpenLoop(rate float64, d time.Duration, op func() error) openLoop {
	n := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	latencies := make([]time.Duration, n)
	var errs atomic.Int64
	var firstErr sync.Once
	var first string
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		scheduled := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(scheduled))
		wg.Go(func() {
			err := op()
			latencies[i] = time.Since(scheduled)
			if err != nil {
				errs.Add(1)
				firstErr.Do(func() { first = err.Error() })
			}
		})
	}
	wg.Wait()
	return openLoop{Rate: rate, Seconds: d.Seconds(), Latency: summarize(latencies), Errors: int(errs.Load()), FirstError: first}
}

// timeIt returns the median of reps calls of op, in milliseconds.
func timeIt(reps int, op func() error) (float64, error) {
	var ds []time.Duration
	for range reps {
		t0 := time.Now()
		if err := op(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t0))
	}
	return summarize(ds).P50ms, nil
}

// runWorkload creates n objects, reads each, lists them (whole and in pages of 500),
// updates each while a watch measures how soon the update is seen, and deletes them.
func runWorkload(ctx context.Context, t target, s *stack, ns string, n, c int) (run, error) {
	r := run{Target: t.Name(), Client: t.Client(), RSSBytes: map[string]int64{}, CPUSeconds: map[string]float64{}, OpCPUSeconds: map[string]float64{}}
	before := s.snapshot()
	// counted runs one phase of single operations and adds its CPU to r.OpCPUSeconds.
	counted := func(op func(i int) error) phase {
		from := s.snapshot()
		p := runPhase(n, c, op)
		for name, st := range s.snapshot() {
			r.OpCPUSeconds[name] += st.CPUSeconds - from[name].CPUSeconds
		}
		r.Ops += n
		return p
	}

	objects := make([]any, n)
	r.Create = counted(func(i int) error {
		obj, err := t.Create(ctx, ns, i)
		objects[i] = obj
		return err
	})
	if r.Create.Errors > 0 {
		return r, fmt.Errorf("%s/%s create: %d errors, e.g. %s", t.Name(), t.Client(), r.Create.Errors, r.Create.FirstError)
	}
	for name, st := range s.snapshot() {
		r.RSSBytes[name] = st.RSSBytes
	}
	r.Get = counted(func(i int) error { return t.Get(ctx, ns, i) })

	var err error
	listAll := func(limit int64) func() error {
		return func() error {
			total, cont := 0, ""
			for {
				items, next, err := t.List(ctx, ns, limit, cont)
				if err != nil {
					return err
				}
				total += items
				if cont = next; cont == "" {
					break
				}
			}
			if total != n {
				return fmt.Errorf("listed %d objects, want %d", total, n)
			}
			return nil
		}
	}
	if r.ListMs, err = timeIt(5, listAll(0)); err != nil {
		return r, fmt.Errorf("%s/%s list: %w", t.Name(), t.Client(), err)
	}
	if r.ListPagedMs, err = timeIt(5, listAll(500)); err != nil {
		return r, fmt.Errorf("%s/%s paginated list: %w", t.Name(), t.Client(), err)
	}

	// The updates, with one watch open from before the first of them.
	rv, err := t.ResourceVersion(ctx, ns)
	if err != nil {
		return r, fmt.Errorf("%s/%s resourceVersion: %w", t.Name(), t.Client(), err)
	}
	events, stopWatch, err := t.Watch(ctx, ns, rv)
	if err != nil {
		return r, fmt.Errorf("%s/%s watch: %w", t.Name(), t.Client(), err)
	}
	started := make([]atomic.Int64, n) // unix nanoseconds each update was sent
	seen := make(chan []time.Duration, 1)
	go func() {
		var lat []time.Duration
		got := make([]bool, n)
		for i := range events {
			if i < 0 || i >= n || got[i] || started[i].Load() == 0 {
				continue
			}
			got[i] = true
			lat = append(lat, time.Duration(time.Now().UnixNano()-started[i].Load()))
			if len(lat) == n {
				break
			}
		}
		seen <- lat
		// Drain until the watch is stopped, so its decoder never blocks on us.
		for range events {
		}
	}()
	r.Update = counted(func(i int) error {
		started[i].Store(time.Now().UnixNano())
		return t.Update(ctx, ns, objects[i])
	})
	var watchLatencies []time.Duration
	select {
	case watchLatencies = <-seen:
	case <-time.After(30 * time.Second):
		logf("%s/%s: the watch did not deliver every update within 30s", t.Name(), t.Client())
	}
	stopWatch()
	r.Watch = summarize(watchLatencies)

	r.Delete = counted(func(i int) error { return t.Delete(ctx, ns, i) })

	after := s.snapshot()
	for name, st := range after {
		r.CPUSeconds[name] = st.CPUSeconds - before[name].CPUSeconds
	}
	for _, p := range []phase{r.Get, r.Update, r.Delete} {
		if p.Errors > 0 {
			return r, fmt.Errorf("%s/%s: %d errors, e.g. %s", t.Name(), t.Client(), p.Errors, p.FirstError)
		}
	}
	if r.Watch.N != n {
		return r, fmt.Errorf("%s/%s: the watch delivered %d of %d updates", t.Name(), t.Client(), r.Watch.N, n)
	}
	return r, nil
}

// runMetrics measures reading an external metric: it stores n CronTabs (every other one
// matching the selector) on example-apiserver's port, waits until the metric counts them,
// then GETs the metric gets times from c workers, checking every value, and deletes the
// CronTabs. The run's Get phase holds the metric GETs; its CPU seconds are theirs alone.
// Repeated GETs of one namespace and selector are what HPAs do every 15 s; the server
// answers them from its per-selector cache (cacheTTL) over the informer's store.
//
// Then, if rate > 0, it GETs the metric at that fixed rate for rateFor (open loop).
func runMetrics(ctx context.Context, t *metricsTarget, s *stack, ns string, n, c, gets int, rate float64, rateFor time.Duration) (run, error) {
	r := run{Target: t.Name(), Client: t.Client(), RSSBytes: map[string]int64{}, CPUSeconds: map[string]float64{}}
	create := runPhase(n, c, func(i int) error { _, err := t.counted.Create(ctx, ns, i); return err })
	if create.Errors > 0 {
		return r, fmt.Errorf("%s/%s storing the CronTabs: %d errors, e.g. %s", t.Name(), t.Client(), create.Errors, create.FirstError)
	}
	want := t.matching(n)
	// The server's informer sees the CronTabs a moment after they are stored, and a value
	// read too early is cached for cacheTTL (10 s by default): give the informer a second,
	// then poll for up to three TTLs.
	time.Sleep(time.Second)
	start := time.Now()
	for {
		got, err := t.Value(ns)
		if err == nil && got == want {
			break
		}
		if time.Since(start) > 30*time.Second {
			return r, fmt.Errorf("%s/%s: metric %s is %d (error %v), want %d", t.Name(), t.Client(), metricName, got, err, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if waited := time.Since(start); waited > time.Second {
		logf("%s/%s: the metric counted the %d CronTabs after %.1fs more", t.Name(), t.Client(), n, waited.Seconds())
	}
	for name, st := range s.snapshot() {
		r.RSSBytes[name] = st.RSSBytes
	}

	value := func() error {
		got, err := t.Value(ns)
		if err == nil && got != want {
			err = fmt.Errorf("metric %s is %d, want %d", metricName, got, want)
		}
		return err
	}
	before := s.snapshot()
	r.Get = runPhase(gets, c, func(int) error { return value() })
	for name, st := range s.snapshot() {
		r.CPUSeconds[name] = st.CPUSeconds - before[name].CPUSeconds
	}
	if rate > 0 {
		var floor openLoop
		var wg sync.WaitGroup
		wg.Go(func() { floor = runOpenLoop(rate/10, rateFor, func() error { return t.Livez(ctx) }) })
		ol := runOpenLoop(rate, rateFor, value)
		wg.Wait()
		if floor.Errors > 0 {
			return r, fmt.Errorf("%s/%s /livez at %.0f/s: %d errors, e.g. %s", t.Name(), t.Client(), floor.Rate, floor.Errors, floor.FirstError)
		}
		ol.Floor = &floor.Latency
		r.OpenLoop = &ol
	}

	del := runPhase(n, c, func(i int) error { return t.counted.Delete(ctx, ns, i) })
	for what, p := range map[string]phase{"metric GET": r.Get, "deleting the CronTabs": del} {
		if p.Errors > 0 {
			return r, fmt.Errorf("%s/%s %s: %d errors, e.g. %s", t.Name(), t.Client(), what, p.Errors, p.FirstError)
		}
	}
	if ol := r.OpenLoop; ol != nil && ol.Errors > 0 {
		return r, fmt.Errorf("%s/%s metric GETs at %.0f/s: %d errors, e.g. %s", t.Name(), t.Client(), ol.Rate, ol.Errors, ol.FirstError)
	}
	return r, nil
}
