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

// Package schedule parses CronTab schedules. The server validates with it and the kubectl
// plugin computes next runs with it, so the two can never disagree about a cron expression.
package schedule

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"sync"
	"time"
	// Embed the IANA database: time zones must resolve the same on every machine,
	// including minimal images without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// parser accepts the standard five fields and descriptors such as @hourly, like the
// CronJob controller does.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron expression bound to a time zone.
type Schedule struct {
	schedule cron.Schedule
	location *time.Location
	// origin is where an interval schedule's runs count from; zero: from whatever instant
	// the schedule is asked about.
	origin time.Time
	// offset moves every run time of a wall-clock schedule later (Staggered).
	offset time.Duration
}

// Parse parses a cron expression. A time zone must be given through LoadLocation, never
// inside the expression (CRON_TZ= or TZ=), as for Kubernetes CronJobs.
func Parse(expression string) (cron.Schedule, error) {
	trimmed := strings.TrimSpace(expression)
	if trimmed == "" {
		return nil, fmt.Errorf("empty cron expression")
	}
	if strings.HasPrefix(trimmed, "TZ=") || strings.HasPrefix(trimmed, "CRON_TZ=") {
		return nil, fmt.Errorf("time zones in the expression (TZ=, CRON_TZ=) are not supported; use spec.timeZone")
	}
	return parser.Parse(trimmed)
}

// LoadLocation resolves an IANA time zone name; empty means UTC. "Local" is refused because
// it would mean a different zone on every machine.
func LoadLocation(name string) (*time.Location, error) {
	switch name {
	case "":
		return time.UTC, nil
	case "Local":
		return nil, fmt.Errorf("\"Local\" is not a portable time zone; use an IANA name such as \"Asia/Shanghai\"")
	}
	return locations.load(name)
}

var errUnknownZone = errors.New(`not a time zone of the IANA database, such as "Asia/Shanghai"`)

// maxCachedLocations bounds the cache above the IANA database's few hundred names, so the
// cache holds every zone in use while names sent to fill it cannot grow it further.
const maxCachedLocations = 1024

// locations caches loaded zones: time.LoadLocation reads and parses the zone's file on every
// call, and a table of thousands of CronTabs resolves a zone per row. Only zones that
// loaded are kept; a *time.Location is safe for concurrent use.
var locations = locationCache{byName: map[string]*time.Location{}}

type locationCache struct {
	mu     sync.RWMutex
	byName map[string]*time.Location
}

func (c *locationCache) load(name string) (*time.Location, error) {
	c.mu.RLock()
	loc, ok := c.byName[name]
	c.mu.RUnlock()
	if ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time's own message repeats the name, which every caller already shows beside it.
		return nil, errUnknownZone
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cached, ok := c.byName[name]; ok {
		return cached, nil // loaded meanwhile by another caller: one location per name
	}
	if len(c.byName) < maxCachedLocations {
		c.byName[name] = loc
	}
	return loc, nil
}

// New parses expression and timeZone together.
func New(expression, timeZone string) (*Schedule, error) {
	s, err := Parse(expression)
	if err != nil {
		return nil, err
	}
	loc, err := LoadLocation(timeZone)
	if err != nil {
		return nil, err
	}
	return &Schedule{schedule: s, location: loc}, nil
}

// Next returns the first count run times strictly after from, in the schedule's time zone.
// A count below one returns an empty slice.
func (s *Schedule) Next(from time.Time, count int) []time.Time {
	runs := make([]time.Time, 0, max(count, 0))
	t := from
	for range count {
		t = s.next(t)
		if t.IsZero() {
			break // the expression never fires again (e.g. February 30th)
		}
		runs = append(runs, t)
	}
	return runs
}

// Anchored returns the schedule of an object whose latest scheduled run was at lastScheduled
// (nil: none yet) and which was created at created. An interval schedule ("@every 1h") runs
// whole intervals after its latest scheduled run, or after the creation before the first, as
// CronJob counts: an interval after the previous run's end, or after whenever a controller
// looks, drifts by as long as each run takes. Wall-clock schedules are unaffected.
func (s *Schedule) Anchored(lastScheduled *metav1.Time, created metav1.Time) *Schedule {
	anchored := *s
	anchored.origin = created.Time
	if lastScheduled != nil {
		anchored.origin = lastScheduled.Time
	}
	return &anchored
}

// IsInterval says whether the schedule runs at intervals ("@every 90s") rather than at
// wall-clock times.
func (s *Schedule) IsInterval() bool {
	_, interval := s.schedule.(cron.ConstantDelaySchedule)
	return interval
}

// StaggerOffset is the offset a stagger window of windowSeconds gives the runs of the object
// key (its UID): a hash of the key, so every controller replica and restart computes the same
// offset and objects sharing a schedule spread evenly over the window. It is whole seconds in
// [0, windowSeconds), and below startingDeadlineSeconds when that is set, so a run is never
// moved to where its starting deadline has passed; 0 for no window.
func StaggerOffset(key string, windowSeconds int64, startingDeadlineSeconds *int64) time.Duration {
	span := windowSeconds
	if startingDeadlineSeconds != nil {
		span = min(span, *startingDeadlineSeconds)
	}
	if span <= 1 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return time.Duration(h.Sum64()%uint64(span)) * time.Second
}

// Staggered returns the schedule with every run time moved offset later. Interval schedules
// are returned as they are: their runs count from their object's creation, which spreads
// them already (validation refuses a stagger window on them).
func (s *Schedule) Staggered(offset time.Duration) *Schedule {
	if s.IsInterval() {
		return s
	}
	staggered := *s
	staggered.offset = offset
	return &staggered
}

// Nominal returns the unstaggered time of the run time run: where the starting deadline
// counts from.
func (s *Schedule) Nominal(run time.Time) time.Time {
	return run.Add(-s.offset)
}

// NextAfter returns the first run time strictly after from, or the zero time when the
// expression never fires again.
func (s *Schedule) NextAfter(from time.Time) time.Time {
	return s.next(from)
}

// WindowFrom returns the instant after which run is the first run time, for a run time run:
// a window (WindowFrom(run), now] holds run. For wall-clock schedules that is the instant
// before run; an interval schedule ("@every 90s") runs an interval after where it starts.
func (s *Schedule) WindowFrom(run time.Time) time.Time {
	if interval, ok := s.schedule.(cron.ConstantDelaySchedule); ok {
		return run.Add(-interval.Delay)
	}
	return run.Add(-time.Nanosecond)
}

// next is the one place run times come from. Daylight saving time follows wall clocks, as
// cron does, with one correction to robfig/cron:
//   - a wall-clock time that does not exist (clocks jump from 02:00 to 03:00) is skipped:
//     "30 2 * * *" does not run that day, "0 * * * *" runs at 01:00 and 03:00;
//   - a wall-clock time that occurs twice (clocks fall back from 03:00 to 02:00) runs once,
//     at its first occurrence. robfig/cron would run it again an hour later, and a nightly
//     job that runs twice does more harm than one that runs an hour apart from usual.
//
// Schedules such as "@every 90s" are intervals, not wall-clock times: their runs are the
// origin plus whole intervals (see Anchored). A stagger offset moves every wall-clock run time
// by the same amount, so the run times keep their order and spacing.
func (s *Schedule) next(from time.Time) time.Time {
	if s.offset == 0 {
		return s.nominalNext(from)
	}
	t := s.nominalNext(from.Add(-s.offset))
	if t.IsZero() {
		return t
	}
	return t.Add(s.offset)
}

func (s *Schedule) nominalNext(from time.Time) time.Time {
	if interval, ok := s.schedule.(cron.ConstantDelaySchedule); ok {
		return s.nextInterval(from, interval.Delay)
	}
	t := s.schedule.Next(from.In(s.location))
	if _, wallClock := s.schedule.(*cron.SpecSchedule); !wallClock {
		return t
	}
	for !t.IsZero() && occurredBefore(t) {
		t = s.schedule.Next(t)
	}
	return t
}

// nextInterval returns the first origin + k·interval strictly after from.
func (s *Schedule) nextInterval(from time.Time, interval time.Duration) time.Time {
	elapsed := from.Sub(s.origin)
	if s.origin.IsZero() || elapsed == math.MaxInt64 || elapsed == math.MinInt64 {
		// No origin, or one centuries away that a Duration cannot span: an interval from now.
		return s.schedule.Next(from.In(s.location))
	}
	intervals := elapsed / interval
	if elapsed < 0 && elapsed%interval != 0 {
		intervals-- // rounded down, not towards zero
	}
	return s.origin.Add(intervals * interval).Add(interval).In(s.location)
}

// daylightSavingShifts are the clock changes the IANA database holds: 30 minutes (Lord Howe
// Island), one hour, and two hours (Troll station).
var daylightSavingShifts = []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour}

// occurredBefore says whether t's wall-clock time already occurred earlier that day: some
// instant shift earlier shows the same wall clock because its UTC offset was shift larger.
func occurredBefore(t time.Time) bool {
	_, offset := t.Zone()
	for _, shift := range daylightSavingShifts {
		_, earlierOffset := t.Add(-shift).Zone()
		if time.Duration(earlierOffset-offset)*time.Second == shift {
			return true
		}
	}
	return false
}

// WithinStartingDeadline says whether a run scheduled at scheduled may still start at now:
// at most deadlineSeconds after its time. A nil deadline never passes.
func WithinStartingDeadline(scheduled, now time.Time, deadlineSeconds *int64) bool {
	return deadlineSeconds == nil || !now.After(scheduled.Add(time.Duration(*deadlineSeconds)*time.Second))
}

// MaxCountedRuns bounds the work Due does in a long window (a controller down for a week
// owes "* * * * *" 10080 runs): past it, Due extrapolates the count instead of walking.
const MaxCountedRuns = 1000

// Due is what a schedule owes in a window of time (after, now].
type Due struct {
	// Latest is the most recent run time in the window; zero when the window holds none.
	Latest time.Time
	// Previous is the run time before Latest in the window; zero when Count < 2.
	Previous time.Time
	// Count is how many run times the window holds.
	Count int64
	// Estimated says Count was extrapolated from the first MaxCountedRuns run times at
	// their average interval, because the window held more.
	Estimated bool
}

// Due returns the run times in (after, now]: the latest two and how many. Its work is bounded
// however long the window: it counts up to MaxCountedRuns run times, then finds the latest
// ones by searching back from now.
func (s *Schedule) Due(after, now time.Time) Due {
	var due Due
	var first time.Time
	for t := after; due.Count < MaxCountedRuns; {
		t = s.next(t)
		if t.IsZero() || t.After(now) {
			return due
		}
		if due.Count == 0 {
			first = t
		}
		due.Previous, due.Latest = due.Latest, t
		due.Count++
	}
	counted := due.Latest
	previous, latest := s.latestTwo(counted, now)
	if latest.IsZero() {
		return due // the walk stopped exactly at the latest run time
	}
	averageInterval := counted.Sub(first) / time.Duration(due.Count-1)
	due.Count += max(1, int64(latest.Sub(counted)/max(averageInterval, time.Second)))
	due.Estimated = true
	due.Latest = latest
	if previous.IsZero() {
		previous = counted
	}
	due.Previous = previous
	return due
}

// latestTwo returns the last two run times in (after, now], searching back from now in
// windows that double: each window walked holds at most the run times of half of it plus one.
func (s *Schedule) latestTwo(after, now time.Time) (previous, latest time.Time) {
	for back := time.Minute; ; back *= 2 {
		from := now.Add(-back)
		// robfig/cron looks five years ahead at most; past a century the search is over anyway.
		reachedAfter := !from.After(after) || back > 100*365*24*time.Hour
		if reachedAfter {
			from = after
		}
		previous, latest = time.Time{}, time.Time{}
		for t := s.next(from); !t.IsZero() && !t.After(now); t = s.next(t) {
			previous, latest = latest, t
		}
		if !previous.IsZero() || reachedAfter {
			return previous, latest
		}
	}
}
