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
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

const metricsSubsystem = "crontab_controller"

var (
	// The counters are by namespace, which alerts and dashboards name; a CronTab's own
	// counts are in its status.
	jobsCreated = metrics.NewCounterVec(&metrics.CounterOpts{
		Subsystem:      metricsSubsystem,
		Name:           "jobs_created_total",
		Help:           "Jobs created for scheduled runs of CronTabs, by namespace.",
		StabilityLevel: metrics.ALPHA,
	}, []string{"namespace"})
	runsMissed = metrics.NewCounterVec(&metrics.CounterOpts{
		Subsystem:      metricsSubsystem,
		Name:           "runs_missed_total",
		Help:           "Scheduled run times of CronTabs that got no run, by namespace: past their starting deadline, skipped by the Forbid policy, or passed over while the controller was down.",
		StabilityLevel: metrics.ALPHA,
	}, []string{"namespace"})
	runsFinished = metrics.NewCounterVec(&metrics.CounterOpts{
		Subsystem:      metricsSubsystem,
		Name:           "runs_finished_total",
		Help:           "Runs of CronTabs seen finished, by namespace and result (succeeded, failed).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"namespace", "result"})
	// scheduleLag has fine buckets below a second: a run a second late is the failure to see.
	scheduleLag = metrics.NewHistogram(&metrics.HistogramOpts{
		Subsystem:      metricsSubsystem,
		Name:           "schedule_lag_seconds",
		Help:           "Time from a run's scheduled time to its Job's creation returning, in seconds.",
		Buckets:        []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60, 300},
		StabilityLevel: metrics.ALPHA,
	})
	syncDuration = metrics.NewHistogram(&metrics.HistogramOpts{
		Subsystem:      metricsSubsystem,
		Name:           "sync_duration_seconds",
		Help:           "Time to sync one CronTab, in seconds.",
		Buckets:        metrics.ExponentialBuckets(0.001, 2, 15),
		StabilityLevel: metrics.ALPHA,
	})
)

var registerMetrics sync.Once

// RegisterMetrics registers the controller's metrics with the legacy registry that /metrics
// serves. Until then they count nothing.
func RegisterMetrics() {
	registerMetrics.Do(func() {
		legacyregistry.MustRegister(jobsCreated, runsMissed, runsFinished, scheduleLag, syncDuration)
	})
}
