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
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/testutil"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// TestSyncCounts checks the counters the alerts read (artifacts/monitoring): each names the
// CronTab's namespace, and a finished run counts once, by its result.
func TestSyncCounts(t *testing.T) {
	RegisterMetrics()
	tests := []struct {
		name    string
		now     string
		cronTab func(ct *examplev1.CronTab)
		jobs    func(ct *examplev1.CronTab) []*batchv1.Job
		counter metrics.CounterMetric
		want    float64
	}{
		{
			name: "a created run", now: "12:05",
			counter: jobsCreated.WithLabelValues("team"), want: 1,
		},
		{
			name: "a failed run", now: "12:04",
			cronTab: func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			jobs: func(ct *examplev1.CronTab) []*batchv1.Job {
				return []*batchv1.Job{run(ct, at(t, "12:00"), failedAt(at(t, "12:01")))}
			},
			counter: runsFinished.WithLabelValues("team", "failed"), want: 1,
		},
		{
			name: "a succeeded run", now: "12:04",
			cronTab: func(ct *examplev1.CronTab) { ct.Status.Active = activeRefs(run(ct, at(t, "12:00"))) },
			jobs: func(ct *examplev1.CronTab) []*batchv1.Job {
				return []*batchv1.Job{run(ct, at(t, "12:00"), succeededAt(at(t, "12:01")))}
			},
			counter: runsFinished.WithLabelValues("team", "succeeded"), want: 1,
		},
		{
			name: "runs missed while the controller was down", now: "12:05:21",
			cronTab: func(ct *examplev1.CronTab) {
				ct.Status.LastScheduleTime, ct.Status.NextScheduleTime = mtime(at(t, "10:00")), mtime(at(t, "10:05"))
			},
			jobs:    func(ct *examplev1.CronTab) []*batchv1.Job { return []*batchv1.Job{run(ct, at(t, "12:05"))} },
			counter: runsMissed.WithLabelValues("team"), want: 24, // 10:05 ... 12:00
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := cronTab(t)
			if tc.cronTab != nil {
				tc.cronTab(ct)
			}
			var jobs []*batchv1.Job
			if tc.jobs != nil {
				jobs = tc.jobs(ct)
			}
			before := counterValue(t, tc.counter)
			c, _, _, _ := newTestController(t, at(t, tc.now), ct, jobs, nil, nil)
			if _, err := c.sync(context.Background(), "team/report"); err != nil {
				t.Fatalf("sync: %v", err)
			}
			if got := counterValue(t, tc.counter) - before; got != tc.want {
				t.Errorf("counted %v, want %v", got, tc.want)
			}
		})
	}
}

func counterValue(t *testing.T, counter metrics.CounterMetric) float64 {
	t.Helper()
	v, err := testutil.GetCounterMetricValue(counter)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
