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
	"fmt"
	"strings"
	"time"
	// Embed the IANA database: time zones must resolve the same on every machine,
	// including minimal images without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
)

// parser accepts the standard five fields and descriptors such as @hourly, like the
// CronJob controller does.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron expression bound to a time zone.
type Schedule struct {
	schedule cron.Schedule
	location *time.Location
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
	return time.LoadLocation(name)
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
	t := from.In(s.location)
	for range count {
		t = s.schedule.Next(t)
		if t.IsZero() {
			break // the expression never fires again (e.g. February 30th)
		}
		runs = append(runs, t)
	}
	return runs
}
