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
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/crontabrun"
	"example.com/example-apiserver/pkg/registry/table"
)

// tableConvertor prints the columns of `kubectl get cronjobs`: NAME SCHEDULE TIMEZONE SUSPEND
// ACTIVE LAST SCHEDULE NEXT RUN AGE, and CONTAINERS IMAGES REPLICAS SELECTOR with -o wide.
var tableConvertor = table.Convertor{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name", Description: "Name of the CronTab."},
		{Name: "Schedule", Type: "string", Description: "The cron expression, spec.cronSpec."},
		{Name: "Timezone", Type: "string", Description: "The time zone of the schedule, spec.timeZone; <none> means UTC."},
		{Name: "Suspend", Type: "boolean", Description: "Whether new runs are held back, spec.suspend."},
		{Name: "Active", Type: "integer", Description: "Number of runs whose Jobs have not finished, status.active."},
		{Name: "Last Schedule", Type: "string", Description: "Time since the latest run was scheduled, status.lastScheduleTime."},
		{Name: "Next Run", Type: "string", Description: "Time until the schedule next fires, in spec.timeZone; <suspended> while suspended."},
		{Name: "Age", Type: "string", Description: "Time since the CronTab was created."},
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of the containers of each run's pods, as a CronJob's."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images of the containers of each run's pods, as a CronJob's."},
		{Name: "Replicas", Type: "integer", Priority: 1, Description: "Pods each run starts at once: v2's spec.jobTemplate.spec.parallelism, v1's spec.replicas."},
		{Name: "Selector", Type: "string", Priority: 1, Description: "Label selector of what the CronTab runs, status.selector."},
	},
	Row: func(obj runtime.Object, name, age string) ([]any, error) {
		return tableRow(obj.(*example.CronTab), name, age, time.Now()), nil
	},
}

// tableRow returns the cells of one CronTab, with times relative to now.
func tableRow(ct *example.CronTab, name, age string, now time.Time) []any {
	timeZone := ct.Spec.TimeZone
	if timeZone == "" {
		timeZone = "<none>"
	}
	// As kubectl prints a CronJob's spec.suspend.
	suspend := "False"
	if ct.Spec.Suspend {
		suspend = "True"
	}
	lastSchedule := "<none>"
	if ct.Status.LastScheduleTime != nil {
		lastSchedule = duration.HumanDuration(now.Sub(ct.Status.LastScheduleTime.Time))
	}
	// As kubectl prints a CronJob's: the containers, init containers left out.
	var names, images []string
	for _, c := range ct.Spec.WholeJobTemplate().Spec.Template.Spec.Containers {
		names, images = append(names, c.Name), append(images, c.Image)
	}
	return []any{
		name, ct.Spec.CronSpec, timeZone, suspend,
		int64(len(ct.Status.Active)), lastSchedule, NextRun(ct, now), age,
		strings.Join(names, ","), strings.Join(images, ","), ct.Spec.Replicas, ct.Status.Selector,
	}
}

// NextRun describes when a CronTab's schedule next fires after now, e.g. "in 3m12s", or
// "<suspended>"; it is computed at read time so it is never stale. It follows the schedule the
// controller runs (crontabrun.Schedule): intervals from the last run, the stagger offset.
func NextRun(ct *example.CronTab, now time.Time) string {
	if ct.Spec.Suspend {
		return "<suspended>"
	}
	s, err := crontabrun.Schedule(ct)
	if err != nil {
		return "<invalid>"
	}
	next := s.NextAfter(now)
	if next.IsZero() {
		return "<never>"
	}
	return "in " + duration.HumanDuration(next.Sub(now))
}
