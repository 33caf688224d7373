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
	"testing"
	"time"
)

func TestErrorWindow(t *testing.T) {
	at := func(seconds float64) time.Time {
		return time.Unix(1000, 0).Add(time.Duration(seconds * float64(time.Second)))
	}
	type span struct{ start, end float64 }
	tests := []struct {
		name     string
		failures []span
		want     time.Duration
	}{
		{name: "none", want: 0},
		{name: "one", failures: []span{{1, 1.5}}, want: 500 * time.Millisecond},
		{name: "overlapping count once", failures: []span{{1, 8}, {1.2, 8.1}, {2, 3}}, want: 7100 * time.Millisecond},
		{name: "two outages apart, the successes between them do not count", failures: []span{{1, 1.2}, {5, 5.5}}, want: 700 * time.Millisecond},
		{name: "outside the period", failures: []span{{1, 1.2}, {20, 21}}, want: 200 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOutcome()
			for _, f := range tc.failures {
				o.failures = append(o.failures, failure{start: at(f.start), end: at(f.end), answer: "503"})
			}
			if got := o.ErrorWindow(at(0), at(10)); got != tc.want {
				t.Errorf("ErrorWindow = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCheckEvents(t *testing.T) {
	acked := []Write{{"a", 10}, {"b", 11}, {"a", 12}}
	tests := []struct {
		name      string
		events    []Write
		attempted map[string]bool
		want      EventCheck // Problems not compared, only counted
	}{
		{name: "every write once, in order", events: []Write{{"a", 10}, {"b", 11}, {"a", 12}}, want: EventCheck{Delivered: 3}},
		{name: "a gap", events: []Write{{"a", 10}, {"a", 12}}, want: EventCheck{Delivered: 2, Missing: 1}},
		{name: "a duplicate after a resume", events: []Write{{"a", 10}, {"b", 11}, {"b", 11}, {"a", 12}}, want: EventCheck{Delivered: 3, Duplicates: 1}},
		{name: "out of order", events: []Write{{"b", 11}, {"a", 10}, {"a", 12}}, want: EventCheck{Delivered: 3, OutOfOrder: 1}},
		{name: "a write nobody acknowledged", events: []Write{{"a", 10}, {"b", 11}, {"a", 12}, {"c", 13}}, want: EventCheck{Delivered: 3, Unwritten: 1}},
		{
			name:   "another writer's change of a written object, or a write whose answer was lost",
			events: []Write{{"a", 10}, {"b", 11}, {"a", 12}, {"b", 13}, {"lost", 14}}, attempted: map[string]bool{"a": true, "b": true, "lost": true},
			want: EventCheck{Delivered: 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckEvents(tc.events, acked, tc.attempted)
			problems := got.Missing + got.Duplicates + got.OutOfOrder + got.Unwritten
			if len(got.Problems) != problems || got.OK() != (problems == 0) {
				t.Errorf("%d problems described for %d found: %v", len(got.Problems), problems, got.Problems)
			}
			got.Problems = nil
			if got.Delivered != tc.want.Delivered || got.Missing != tc.want.Missing || got.Duplicates != tc.want.Duplicates ||
				got.OutOfOrder != tc.want.OutOfOrder || got.Unwritten != tc.want.Unwritten {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
