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

package schedule

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name       string
		expression string
		wantErr    string // substring of the error; empty means the expression is accepted
	}{
		{name: "every 5th day of week", expression: "* * * * */5"},
		{name: "every five minutes", expression: "*/5 * * * *"},
		{name: "hourly descriptor", expression: "@hourly"},
		{name: "every descriptor", expression: "@every 90s"},
		{name: "weekdays at nine", expression: "0 9 * * 1-5"},
		{name: "surrounding whitespace", expression: "  0 9 * * 1-5\t"},
		{name: "minute out of range", expression: "61 * * * *", wantErr: "above maximum"},
		{name: "four fields", expression: "* * * *", wantErr: "expected exactly 5 fields"},
		{name: "six fields (seconds are not accepted)", expression: "0 * * * * *", wantErr: "expected exactly 5 fields"},
		{name: "empty", expression: "", wantErr: "empty cron expression"},
		{name: "only whitespace", expression: "   ", wantErr: "empty cron expression"},
		{name: "TZ prefix", expression: "TZ=UTC * * * * *", wantErr: "spec.timeZone"},
		{name: "CRON_TZ prefix", expression: "CRON_TZ=Asia/Shanghai 0 * * * *", wantErr: "spec.timeZone"},
		{name: "unknown descriptor", expression: "@fortnightly", wantErr: "unrecognized descriptor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse(tc.expression)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse(%q) returned error %v, want none", tc.expression, err)
				}
				if s == nil {
					t.Fatalf("Parse(%q) returned a nil schedule", tc.expression)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error containing %q", tc.expression, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tc.expression, err, tc.wantErr)
			}
		})
	}
}

func TestLoadLocation(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		wantName string // expected location name; empty means an error is expected
		wantErr  string // the whole error; callers name the zone themselves
	}{
		{name: "empty means UTC", zone: "", wantName: "UTC"},
		{name: "explicit UTC", zone: "UTC", wantName: "UTC"},
		{name: "IANA name", zone: "Asia/Shanghai", wantName: "Asia/Shanghai"},
		{name: "Local is not portable", zone: "Local"},
		{name: "unknown zone", zone: "Mars/Olympus", wantErr: `not a time zone of the IANA database, such as "Asia/Shanghai"`},
		{name: "path traversal", zone: "../../etc/passwd"},
		{name: "absolute path", zone: "/etc/localtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := LoadLocation(tc.zone)
			if tc.wantName == "" {
				if err == nil {
					t.Fatalf("LoadLocation(%q) = %v, want an error", tc.zone, loc)
				}
				if tc.wantErr != "" && err.Error() != tc.wantErr {
					t.Errorf("LoadLocation(%q) error = %q, want %q", tc.zone, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadLocation(%q) returned error %v", tc.zone, err)
			}
			if loc.String() != tc.wantName {
				t.Errorf("LoadLocation(%q) = %q, want %q", tc.zone, loc, tc.wantName)
			}
		})
	}
	if loc, _ := LoadLocation(""); loc != time.UTC {
		t.Errorf("LoadLocation(\"\") = %v, want time.UTC itself", loc)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name       string
		expression string
		zone       string
		wantErr    bool
	}{
		{name: "valid expression and zone", expression: "0 9 * * *", zone: "Asia/Shanghai"},
		{name: "valid expression, default zone", expression: "@daily"},
		{name: "invalid expression", expression: "61 * * * *", zone: "UTC", wantErr: true},
		{name: "invalid zone", expression: "0 9 * * *", zone: "Mars/Olympus", wantErr: true},
		{name: "Local zone", expression: "0 9 * * *", zone: "Local", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.expression, tc.zone)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("New(%q, %q) succeeded, want an error", tc.expression, tc.zone)
				}
				if s != nil {
					t.Errorf("New(%q, %q) returned a schedule along with an error", tc.expression, tc.zone)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q, %q) returned error %v", tc.expression, tc.zone, err)
			}
		})
	}
}

func TestNext(t *testing.T) {
	from := time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)
	utc := func(s string) time.Time {
		t.Helper()
		parsed, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("bad test time %q: %v", s, err)
		}
		return parsed
	}
	tests := []struct {
		name       string
		expression string
		zone       string
		from       time.Time
		count      int
		want       []time.Time
		wantZone   string
	}{
		{
			name:       "nine in Shanghai is one in UTC",
			expression: "0 9 * * *",
			zone:       "Asia/Shanghai",
			from:       from,
			count:      3,
			want:       []time.Time{utc("2025-01-01T01:00:00Z"), utc("2025-01-02T01:00:00Z"), utc("2025-01-03T01:00:00Z")},
			wantZone:   "Asia/Shanghai",
		},
		{
			name:       "nine in UTC",
			expression: "0 9 * * *",
			from:       from,
			count:      2,
			want:       []time.Time{utc("2025-01-01T09:00:00Z"), utc("2025-01-02T09:00:00Z")},
			wantZone:   "UTC",
		},
		{
			name:       "strictly after from",
			expression: "*/5 * * * *",
			from:       utc("2025-01-01T12:05:00Z"),
			count:      2,
			want:       []time.Time{utc("2025-01-01T12:10:00Z"), utc("2025-01-01T12:15:00Z")},
			wantZone:   "UTC",
		},
		{
			name:       "every 90 seconds",
			expression: "@every 90s",
			from:       from,
			count:      3,
			want:       []time.Time{utc("2025-01-01T00:01:30Z"), utc("2025-01-01T00:03:00Z"), utc("2025-01-01T00:04:30Z")},
		},
		{
			name:       "weekdays only: Friday is followed by Monday",
			expression: "0 9 * * 1-5",
			from:       utc("2025-01-03T10:00:00Z"), // a Friday
			count:      1,
			want:       []time.Time{utc("2025-01-06T09:00:00Z")},
		},
		{
			name:       "count of one",
			expression: "@hourly",
			from:       from,
			count:      1,
			want:       []time.Time{utc("2025-01-01T01:00:00Z")},
		},
		{
			name:       "count of zero",
			expression: "@hourly",
			from:       from,
			count:      0,
			want:       []time.Time{},
		},
		{
			name:       "negative count",
			expression: "@hourly",
			from:       from,
			count:      -1,
			want:       []time.Time{},
		},
		{
			name:       "February 30th never fires",
			expression: "0 0 30 2 *",
			from:       from,
			count:      5,
			want:       []time.Time{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.expression, tc.zone)
			if err != nil {
				t.Fatalf("New(%q, %q) returned error %v", tc.expression, tc.zone, err)
			}
			done := make(chan []time.Time, 1)
			go func() { done <- s.Next(tc.from, tc.count) }()
			var got []time.Time
			select {
			case got = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("Next(%v, %d) did not return", tc.from, tc.count)
			}
			if got == nil {
				t.Fatalf("Next(%v, %d) returned nil, want a non-nil slice", tc.from, tc.count)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Next(%v, %d) returned %d runs %v, want %d %v", tc.from, tc.count, len(got), got, len(tc.want), tc.want)
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) {
					t.Errorf("run %d = %v, want %v", i, got[i].UTC(), tc.want[i])
				}
				if tc.wantZone != "" && got[i].Location().String() != tc.wantZone {
					t.Errorf("run %d is in %q, want %q", i, got[i].Location(), tc.wantZone)
				}
			}
		})
	}
}

// TestNextDaylightSaving pins what runs on the days clocks change in America/New_York
// (2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00) and Europe/Berlin (2026-03-29
// 02:00 → 03:00, 2026-10-25 03:00 → 02:00).
func TestNextDaylightSaving(t *testing.T) {
	utc := func(s string) time.Time {
		parsed, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("bad test time %q: %v", s, err)
		}
		return parsed
	}
	tests := []struct {
		name       string
		expression string
		zone       string
		from       string
		want       []string // UTC
	}{
		{
			name: "New York: 01:30 occurs twice and runs once", expression: "30 1 * * *", zone: "America/New_York",
			from: "2026-10-31T12:00:00Z",
			want: []string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
		},
		{
			name: "New York: hourly skips the repeated 01:00", expression: "0 * * * *", zone: "America/New_York",
			from: "2026-11-01T04:30:00Z",
			want: []string{"2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"},
		},
		{
			name: "New York: 02:30 does not exist on the spring day and does not run", expression: "30 2 * * *", zone: "America/New_York",
			from: "2026-03-07T12:00:00Z",
			want: []string{"2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"},
		},
		{
			name: "Berlin: 02:30 occurs twice and runs once", expression: "30 2 * * *", zone: "Europe/Berlin",
			from: "2026-10-24T12:00:00Z",
			want: []string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
		},
		{
			name: "Berlin: 02:30 does not exist on the spring day and does not run", expression: "30 2 * * *", zone: "Europe/Berlin",
			from: "2026-03-28T12:00:00Z",
			want: []string{"2026-03-30T00:30:00Z"},
		},
		{
			name: "Berlin: the last minute of the repeated hour runs once", expression: "59 2 * * *", zone: "Europe/Berlin",
			from: "2026-10-25T00:00:00Z",
			want: []string{"2026-10-25T00:59:00Z", "2026-10-26T01:59:00Z"},
		},
		{
			name: "intervals ignore wall clocks", expression: "@every 1h", zone: "America/New_York",
			from: "2026-11-01T04:00:00Z",
			want: []string{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.expression, tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Next(utc(tc.from), len(tc.want))
			if len(got) != len(tc.want) {
				t.Fatalf("Next = %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(utc(tc.want[i])) {
					t.Errorf("run %d = %s, want %s", i, got[i].UTC().Format(time.RFC3339), tc.want[i])
				}
			}
		})
	}
}

func TestDue(t *testing.T) {
	at := func(s string) time.Time {
		parsed, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("bad test time %q: %v", s, err)
		}
		return parsed
	}
	tests := []struct {
		name          string
		expression    string
		after, now    string
		wantLatest    string // empty: nothing due
		wantPrevious  string
		wantCount     int64
		wantEstimated bool
	}{
		{name: "nothing due yet", expression: "*/5 * * * *", after: "2026-01-01T12:00:00Z", now: "2026-01-01T12:04:59Z"},
		{name: "after is exclusive", expression: "*/5 * * * *", after: "2026-01-01T12:05:00Z", now: "2026-01-01T12:05:00Z"},
		{name: "now is inclusive", expression: "*/5 * * * *", after: "2026-01-01T12:00:00Z", now: "2026-01-01T12:05:00Z",
			wantLatest: "2026-01-01T12:05:00Z", wantCount: 1},
		{name: "three due, the latest two named", expression: "*/5 * * * *", after: "2026-01-01T12:00:00Z", now: "2026-01-01T12:17:00Z",
			wantLatest: "2026-01-01T12:15:00Z", wantPrevious: "2026-01-01T12:10:00Z", wantCount: 3},
		{name: "a week down on every minute: bounded and estimated", expression: "* * * * *", after: "2026-01-01T00:00:00Z", now: "2026-01-08T00:00:30Z",
			wantLatest: "2026-01-08T00:00:00Z", wantPrevious: "2026-01-07T23:59:00Z", wantCount: 7 * 24 * 60, wantEstimated: true},
		{name: "ten years down on a leap-day schedule", expression: "0 0 29 2 *", after: "2020-03-01T00:00:00Z", now: "2030-01-01T00:00:00Z",
			wantLatest: "2028-02-29T00:00:00Z", wantPrevious: "2024-02-29T00:00:00Z", wantCount: 2},
		{name: "weekdays over a long window end on the latest Friday", expression: "0 9 * * 1-5", after: "2020-01-01T00:00:00Z", now: "2026-01-04T12:00:00Z",
			wantLatest: "2026-01-02T09:00:00Z", wantPrevious: "2026-01-01T09:00:00Z", wantEstimated: true},
		{name: "never fires", expression: "0 0 30 2 *", after: "2026-01-01T00:00:00Z", now: "2027-01-01T00:00:00Z"},
		// CronJob's estimate steps back from now by the gap between the first two run times
		// after the last one (Thursday 10:30 and 11:30: an hour) and finds none in (15:30, 16:30].
		{name: "the latest weekday run, whatever the gaps between runs", expression: "30 10,11,12 * * 1-5",
			after: "2026-01-01T10:30:00Z", now: "2026-01-02T16:30:00Z", // Thursday to Friday
			wantLatest: "2026-01-02T12:30:00Z", wantPrevious: "2026-01-02T11:30:00Z", wantCount: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.expression, "")
			if err != nil {
				t.Fatal(err)
			}
			due := s.Due(at(tc.after), at(tc.now))
			if tc.wantLatest == "" {
				if due.Count != 0 || !due.Latest.IsZero() {
					t.Fatalf("Due = %+v, want nothing due", due)
				}
				return
			}
			if !due.Latest.Equal(at(tc.wantLatest)) {
				t.Errorf("Latest = %s, want %s", due.Latest, tc.wantLatest)
			}
			if tc.wantPrevious != "" && !due.Previous.Equal(at(tc.wantPrevious)) {
				t.Errorf("Previous = %s, want %s", due.Previous, tc.wantPrevious)
			}
			if tc.wantPrevious == "" && !due.Previous.IsZero() {
				t.Errorf("Previous = %s, want none", due.Previous)
			}
			if due.Estimated != tc.wantEstimated {
				t.Errorf("Estimated = %v, want %v", due.Estimated, tc.wantEstimated)
			}
			if tc.wantCount != 0 && due.Count != tc.wantCount {
				t.Errorf("Count = %d, want %d", due.Count, tc.wantCount)
			}
			if tc.wantEstimated && due.Count <= MaxCountedRuns {
				t.Errorf("Count = %d, want more than the %d counted", due.Count, MaxCountedRuns)
			}
		})
	}
}

// BenchmarkDue bounds the work a controller does for a CronTab after a year of downtime.
func BenchmarkDue(b *testing.B) {
	s, err := New("* * * * *", "Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	after := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := after.AddDate(1, 0, 0)
	for b.Loop() {
		s.Due(after, now)
	}
}

func TestAnchored(t *testing.T) {
	utc := func(s string) time.Time {
		parsed, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("bad test time %q: %v", s, err)
		}
		return parsed
	}
	created := utc("2026-01-01T10:00:00Z")
	tests := []struct {
		name          string
		expression    string
		lastScheduled string // empty: none yet
		from          string
		want          []string
	}{
		{name: "before the first run: intervals after the creation", expression: "@every 1h",
			from: "2026-01-01T10:00:01Z", want: []string{"2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z"}},
		{name: "a run that ended five minutes late does not move the next", expression: "@every 1h", lastScheduled: "2026-01-01T11:00:00Z",
			from: "2026-01-01T11:05:00Z", want: []string{"2026-01-01T12:00:00Z", "2026-01-01T13:00:00Z"}},
		{name: "a run time itself is not after it", expression: "@every 1h", lastScheduled: "2026-01-01T11:00:00Z",
			from: "2026-01-01T12:00:00Z", want: []string{"2026-01-01T13:00:00Z"}},
		{name: "runs missed since stay on the same intervals", expression: "@every 7m", lastScheduled: "2026-01-01T11:00:00Z",
			from: "2026-01-01T13:00:00Z", want: []string{"2026-01-01T13:06:00Z", "2026-01-01T13:13:00Z"}},
		{name: "a new interval counts from the last scheduled run", expression: "@every 30m", lastScheduled: "2026-01-01T11:00:00Z",
			from: "2026-01-01T11:10:00Z", want: []string{"2026-01-01T11:30:00Z", "2026-01-01T12:00:00Z"}},
		{name: "before the origin: the same intervals", expression: "@every 1h", lastScheduled: "2026-01-01T11:00:00Z",
			from: "2026-01-01T08:30:00Z", want: []string{"2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z"}},
		{name: "wall-clock schedules have no origin", expression: "*/5 * * * *", lastScheduled: "2026-01-01T11:00:00Z",
			from: "2026-01-01T11:07:00Z", want: []string{"2026-01-01T11:10:00Z", "2026-01-01T11:15:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.expression, "Europe/Berlin")
			if err != nil {
				t.Fatal(err)
			}
			var lastScheduled *metav1.Time
			if tc.lastScheduled != "" {
				lastScheduled = &metav1.Time{Time: utc(tc.lastScheduled)}
			}
			got := s.Anchored(lastScheduled, metav1.NewTime(created)).Next(utc(tc.from), len(tc.want))
			if len(got) != len(tc.want) {
				t.Fatalf("Next = %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].Equal(utc(tc.want[i])) {
					t.Errorf("run %d = %s, want %s", i, got[i].UTC().Format(time.RFC3339), tc.want[i])
				}
			}
		})
	}
}

// TestAnchoredDue checks that the search Due falls back to in a long window keeps an interval
// schedule's run times on its intervals.
func TestAnchoredDue(t *testing.T) {
	utc := func(s string) time.Time {
		parsed, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("bad test time %q: %v", s, err)
		}
		return parsed
	}
	s, err := New("@every 7m", "")
	if err != nil {
		t.Fatal(err)
	}
	origin := utc("2026-01-01T00:00:00Z")
	now := origin.Add(7*24*time.Hour + 30*time.Second)
	due := s.Anchored(&metav1.Time{Time: origin}, metav1.NewTime(origin)).Due(origin, now)
	intervals := int64(now.Sub(origin) / (7 * time.Minute))
	if !due.Estimated || due.Count != intervals {
		t.Errorf("Count = %d (estimated %v), want %d, estimated", due.Count, due.Estimated, intervals)
	}
	if want := origin.Add(time.Duration(intervals) * 7 * time.Minute); !due.Latest.Equal(want) || !due.Previous.Equal(want.Add(-7*time.Minute)) {
		t.Errorf("Latest, Previous = %s, %s; want %s and the run 7m before", due.Latest, due.Previous, want)
	}
}

func TestWindowFrom(t *testing.T) {
	run := time.Date(2026, 1, 1, 12, 5, 0, 0, time.UTC)
	for _, expression := range []string{"*/5 * * * *", "@every 90s", "@every 5m"} {
		t.Run(expression, func(t *testing.T) {
			s, err := New(expression, "Europe/Berlin")
			if err != nil {
				t.Fatal(err)
			}
			due := s.Due(s.WindowFrom(run), run)
			if due.Count != 1 || !due.Latest.Equal(run) {
				t.Errorf("Due(WindowFrom(%s), %s) = %+v, want exactly that run", run, run, due)
			}
		})
	}
}

func TestWithinStartingDeadline(t *testing.T) {
	scheduled := time.Date(2026, 1, 1, 12, 5, 0, 0, time.UTC)
	seconds := func(s int64) *int64 { return &s }
	tests := []struct {
		name     string
		now      time.Time
		deadline *int64
		want     bool
	}{
		{name: "no deadline, a year late", now: scheduled.AddDate(1, 0, 0), want: true},
		{name: "on time, zero deadline", now: scheduled, deadline: seconds(0), want: true},
		{name: "a nanosecond late, zero deadline", now: scheduled.Add(time.Nanosecond), deadline: seconds(0)},
		{name: "at the deadline", now: scheduled.Add(10 * time.Second), deadline: seconds(10), want: true},
		{name: "past the deadline", now: scheduled.Add(10*time.Second + time.Millisecond), deadline: seconds(10)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := WithinStartingDeadline(scheduled, tc.now, tc.deadline); got != tc.want {
				t.Errorf("WithinStartingDeadline = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestLoadLocationCached checks that a zone is read once: time.LoadLocation reads and parses
// the zone's file on every call, which a table of thousands of CronTabs pays per row.
func TestLoadLocationCached(t *testing.T) {
	first, err := LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		if again, err := LoadLocation("Europe/Berlin"); err != nil || again != first {
			t.Fatalf("LoadLocation again = %p, %v; want the same location %p", again, err, first)
		}
	}); allocs != 0 {
		t.Errorf("LoadLocation of a loaded zone allocates %.0f times, want 0: it is loaded again", allocs)
	}
	if _, err := LoadLocation("Nowhere/Zone"); err == nil {
		t.Error("LoadLocation(Nowhere/Zone) succeeded, want an error")
	}
}

func BenchmarkLoadLocation(b *testing.B) {
	for b.Loop() {
		if _, err := LoadLocation("America/New_York"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestStaggerOffset(t *testing.T) {
	seconds := func(s int64) *int64 { return &s }
	tests := []struct {
		name     string
		window   int64
		deadline *int64
		// below is the bound the offset must stay under.
		below time.Duration
	}{
		{name: "a five-minute window", window: 300, below: 300 * time.Second},
		{name: "a one-second window has one offset", window: 1, below: time.Nanosecond},
		{name: "a deadline shorter than the window bounds it", window: 3600, deadline: seconds(60), below: 60 * time.Second},
		{name: "a zero deadline leaves no room", window: 3600, deadline: seconds(0), below: time.Nanosecond},
		{name: "a deadline longer than the window changes nothing", window: 300, deadline: seconds(3600), below: 300 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			distinct := map[time.Duration]bool{}
			for i := range 200 {
				uid := fmt.Sprintf("0b5c7e4a-%04d-4d4e-9f3a-5d2b1c9e8f70", i)
				offset := StaggerOffset(uid, tc.window, tc.deadline)
				if offset < 0 || offset >= tc.below || offset%time.Second != 0 {
					t.Fatalf("StaggerOffset(%s) = %s, want whole seconds in [0, %s)", uid, offset, tc.below)
				}
				if again := StaggerOffset(uid, tc.window, tc.deadline); again != offset {
					t.Fatalf("StaggerOffset(%s) = %s, then %s: not stable", uid, offset, again)
				}
				distinct[offset] = true
			}
			// 200 UIDs over a window of 60 s or more must spread, not cluster.
			if tc.below >= time.Minute && len(distinct) < 40 {
				t.Errorf("200 UIDs got %d distinct offsets, want them spread over the window", len(distinct))
			}
		})
	}
}

func TestStaggered(t *testing.T) {
	from := time.Date(2026, 1, 1, 11, 30, 0, 0, time.UTC)
	tests := []struct {
		name, expression string
		offset           time.Duration
		want             []time.Time
	}{
		{name: "hourly, 90 s later", expression: "0 * * * *", offset: 90 * time.Second,
			want: []time.Time{from.Add(30*time.Minute + 90*time.Second), from.Add(90*time.Minute + 90*time.Second)}},
		{name: "a run whose nominal time passed still comes", expression: "25 * * * *", offset: 10 * time.Minute,
			want: []time.Time{from.Add(5 * time.Minute), from.Add(65 * time.Minute)}},
		{name: "no offset", expression: "0 * * * *",
			want: []time.Time{from.Add(30 * time.Minute), from.Add(90 * time.Minute)}},
		{name: "an interval is not moved", expression: "@every 1h", offset: 90 * time.Second,
			want: []time.Time{from.Add(time.Hour), from.Add(2 * time.Hour)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.expression, "")
			if err != nil {
				t.Fatal(err)
			}
			staggered := s.Staggered(tc.offset)
			got := staggered.Anchored(nil, metav1.NewTime(from)).Next(from, len(tc.want))
			if !slices.EqualFunc(got, tc.want, time.Time.Equal) {
				t.Fatalf("Next = %v, want %v", got, tc.want)
			}
			for _, run := range got {
				if due := staggered.Due(staggered.WindowFrom(run), run); due.Count != 1 || !due.Latest.Equal(run) {
					t.Errorf("Due(WindowFrom(%s), %s) = %+v, want exactly that run", run, run, due)
				}
			}
			if !s.IsInterval() {
				if nominal := staggered.Nominal(got[0]); !nominal.Equal(s.NextAfter(from.Add(-tc.offset))) {
					t.Errorf("Nominal(%s) = %s, want the unstaggered run time", got[0], nominal)
				}
			}
		})
	}
}
