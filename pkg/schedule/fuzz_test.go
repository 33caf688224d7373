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
	"testing"
	"time"
)

// FuzzNew feeds arbitrary schedules and time zones to the parser the server validates with:
// it must answer with a schedule or an error, never panic, and a schedule it accepts must
// yield run times strictly after the start, in order. `go test` replays the corpus; `make fuzz`
// explores further.
func FuzzNew(f *testing.F) {
	for _, input := range []struct{ expression, timeZone string }{
		{"* * * * */5", ""}, // artifacts/examples/my-crontab.yaml
		{"*/5 * * * *", "UTC"},
		{"0 3 * * 1-5", "Asia/Shanghai"},
		{"@hourly", ""},
		{"@every 90s", ""},
		{"@every -1s", ""},
		{"0 0 30 2 *", ""}, // never fires
		{"61 * * * *", ""},
		{"*/0 * * * *", ""},
		{"5-1 * * * *", ""},
		{"0-59/300 * * * *", ""},
		{"? ? ? ? ?", ""},
		{"TZ=UTC * * * * *", ""},
		{"CRON_TZ=Asia/Tokyo 0 * * * *", ""},
		{"* * * * *", "Local"},
		{"* * * * *", "../../../etc/passwd"},
		{"JAN-DEC * * * *", ""},
		{"0 0 * JAN-DEC SUN-SAT", "America/New_York"},
		{"\x00", "\xff"},
	} {
		f.Add(input.expression, input.timeZone)
	}
	start := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC) // a DST change in Europe
	f.Fuzz(func(t *testing.T, expression, timeZone string) {
		s, err := New(expression, timeZone)
		if err != nil {
			if s != nil {
				t.Fatalf("New(%q, %q) returned a schedule with error %v", expression, timeZone, err)
			}
			return
		}
		prev := start
		for _, run := range s.Next(start, 3) {
			if !run.After(prev) {
				t.Fatalf("New(%q, %q): run %s not after %s", expression, timeZone, run, prev)
			}
			prev = run
		}
	})
}
