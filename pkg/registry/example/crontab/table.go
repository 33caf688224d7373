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
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/registry/table"
	"example.com/example-apiserver/pkg/schedule"
)

// tableConvertor prints NAME SCHEDULE NEXT RUN IMAGE REPLICAS AGE, and SELECTOR with -o wide.
var tableConvertor = table.Convertor{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name", Description: "Name of the CronTab."},
		{Name: "Schedule", Type: "string", Description: "The cron expression, spec.cronSpec."},
		{Name: "Next Run", Type: "string", Description: "Time until the schedule next fires, in spec.timeZone."},
		{Name: "Image", Type: "string", Description: "The image run, spec.image."},
		{Name: "Replicas", Type: "integer", Description: "Copies run on each schedule, spec.replicas."},
		{Name: "Age", Type: "string", Description: "Time since the CronTab was created."},
		{Name: "Selector", Type: "string", Priority: 1, Description: "Label selector of what the CronTab runs, status.selector."},
	},
	Row: func(obj runtime.Object, name, age string) ([]interface{}, error) {
		ct := obj.(*example.CronTab)
		return []interface{}{name, ct.Spec.CronSpec, NextRun(&ct.Spec, time.Now()), ct.Spec.Image, ct.Spec.Replicas, age, ct.Status.Selector}, nil
	},
}

// NextRun describes when a schedule next fires after now, e.g. "in 3m12s"; it is computed at
// read time so it is never stale.
func NextRun(spec *example.CronTabSpec, now time.Time) string {
	s, err := schedule.New(spec.CronSpec, spec.TimeZone)
	if err != nil {
		return "<invalid>"
	}
	next := s.Next(now, 1)
	if len(next) == 0 {
		return "<never>"
	}
	return "in " + duration.HumanDuration(next[0].Sub(now))
}
