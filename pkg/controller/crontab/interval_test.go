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

package crontab

import (
	"context"
	"slices"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	clienttesting "k8s.io/client-go/testing"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
)

// TestSyncIntervalSchedule drives one CronTab through hours of syncs on the fake clock: every
// requeue is honoured, every run's Job finishes runDuration after it starts (and syncs the
// CronTab then, as its event does), and an edit lands at editAt. An interval schedule's runs
// must stay an interval after the last scheduled run however long runs take, and each sync's
// requeue must wake at the status.nextScheduleTime it wrote.
func TestSyncIntervalSchedule(t *testing.T) {
	tests := []struct {
		name        string
		cronSpec    string
		runDuration time.Duration
		editAt      time.Time
		editTo      string
		until       time.Time
		wantStarts  []time.Time // clock times of the Job creates; each is also its scheduled time
	}{
		{
			name: "runs of five minutes do not push the next ones", cronSpec: "@every 1h", runDuration: 5 * time.Minute,
			until:      at(t, "13:30"),
			wantStarts: []time.Time{at(t, "11:00"), at(t, "12:00"), at(t, "13:00")},
		},
		{
			name: "a run longer than the interval does not push the next ones", cronSpec: "@every 10m", runDuration: 25 * time.Minute,
			until:      at(t, "10:45"),
			wantStarts: []time.Time{at(t, "10:10"), at(t, "10:20"), at(t, "10:30"), at(t, "10:40")},
		},
		{
			name: "a faster cadence counts from the last scheduled run", cronSpec: "@every 1h", runDuration: 5 * time.Minute,
			editAt: at(t, "11:10"), editTo: "@every 30m", until: at(t, "12:45"),
			wantStarts: []time.Time{at(t, "11:00"), at(t, "11:30"), at(t, "12:00"), at(t, "12:30")},
		},
		{
			name: "a faster cadence starts no run for a time before the edit", cronSpec: "@every 1h", runDuration: 5 * time.Minute,
			editAt: at(t, "11:40"), editTo: "@every 30m", until: at(t, "12:45"),
			wantStarts: []time.Time{at(t, "11:00"), at(t, "12:00"), at(t, "12:30")},
		},
		{
			name: "a slower cadence counts from the last scheduled run", cronSpec: "@every 1h", runDuration: 5 * time.Minute,
			editAt: at(t, "11:10"), editTo: "@every 2h", until: at(t, "15:30"),
			wantStarts: []time.Time{at(t, "11:00"), at(t, "13:00"), at(t, "15:00")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := cronTab(t)
			ct.CreationTimestamp.Time = at(t, "10:00")
			ct.Spec.CronSpec = tc.cronSpec
			ct.Status = examplev1.CronTabStatus{}
			var jobs []*batchv1.Job
			var starts []time.Time
			wakeAt := at(t, "10:00:01") // the CronTab's add event
			for now := wakeAt; !now.After(tc.until); {
				if !tc.editAt.IsZero() && !now.Before(tc.editAt) && ct.Spec.CronSpec != tc.editTo {
					ct.Spec.CronSpec, ct.Generation = tc.editTo, ct.Generation+1
				}
				for i, job := range jobs {
					if scheduled, _ := crontabrun.ScheduledTime(job); !crontabrun.OutcomeOf(job).Finished && !now.Before(scheduled.Add(tc.runDuration)) {
						jobs[i] = run(ct, scheduled, succeededAt(scheduled.Add(tc.runDuration)))
					}
				}
				c, kubeClient, exampleClient, recorder := newTestController(t, now, ct, jobs, nil, nil)
				requeue, err := c.sync(context.Background(), "team/report")
				if err != nil {
					t.Fatalf("sync at %s: %v", now.Format(time.TimeOnly), err)
				}
				eventReasons(recorder) // drained: missed runs are asserted through the starts
				for _, action := range kubeClient.Actions() {
					if create, ok := action.(clienttesting.CreateAction); ok && action.GetResource().Resource == "jobs" {
						job := create.GetObject().(*batchv1.Job)
						if scheduled, _ := crontabrun.ScheduledTime(job); !scheduled.Equal(now) {
							t.Errorf("at %s created the run scheduled at %s", now.Format(time.TimeOnly), scheduled.Format(time.TimeOnly))
						}
						jobs = append(jobs, run(ct, now))
						starts = append(starts, now)
					}
				}
				if requeue == nil {
					t.Fatalf("at %s: no requeue", now.Format(time.TimeOnly))
				}
				if status, updated := updatedStatus(t, exampleClient); updated {
					ct.Status = status
				}
				// A sync that creates a Job leaves the status to the one a moment later.
				created := len(starts) > 0 && starts[len(starts)-1].Equal(now)
				if next := ct.Status.NextScheduleTime; !created && (next == nil || !now.Add(*requeue).Equal(next.Time)) {
					t.Errorf("at %s: requeue after %v, status.nextScheduleTime %v: they must agree", now.Format(time.TimeOnly), *requeue, next)
				}
				// The next wake: the requeue, a run finishing, or the edit.
				next := now.Add(*requeue)
				for _, job := range jobs {
					if scheduled, _ := crontabrun.ScheduledTime(job); !crontabrun.OutcomeOf(job).Finished {
						if end := scheduled.Add(tc.runDuration); end.After(now) && end.Before(next) {
							next = end
						}
					}
				}
				if tc.editAt.After(now) && tc.editAt.Before(next) {
					next = tc.editAt
				}
				now = next
			}
			if !slices.EqualFunc(starts, tc.wantStarts, time.Time.Equal) {
				t.Errorf("runs started at %s, want %s", clockTimes(starts), clockTimes(tc.wantStarts))
			}
		})
	}
}

func clockTimes(times []time.Time) []string {
	var clocks []string
	for _, t := range times {
		clocks = append(clocks, t.Format(time.TimeOnly))
	}
	return clocks
}
