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

package kubectlplugin

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestNext(t *testing.T) {
	interval := cronTab("default", "hourly", "@every 1h", "", nil, nil)
	interval.Status.LastScheduleTime = &metav1.Time{Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	objects := []runtime.Object{
		cronTab("default", "nightly", "0 3 * * *", "Asia/Shanghai", nil, nil),
		cronTab("default", "never", "0 0 30 2 *", "", nil, nil),
		interval,
	}
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{{
		name: "two runs in the CronTab's zone",
		args: []string{"next", "nightly", "--count", "2"},
		want: "CronTab default/nightly runs \"0 3 * * *\" (time zone Asia/Shanghai); next 2:\n" +
			"  2026-03-02 03:00:00 CST +08:00 Mon  (in 8h)\n" +
			"  2026-03-03 03:00:00 CST +08:00 Tue  (in 32h)\n",
	}, {
		name: "shown in another zone",
		args: []string{"next", "nightly", "--count", "1", "--timezone", "UTC"},
		want: "CronTab default/nightly runs \"0 3 * * *\" (time zone Asia/Shanghai); next 1:\n" +
			"  2026-03-01 19:00:00 UTC +00:00 Sun  (in 8h)\n",
	}, {
		name: "an interval counts from the last scheduled run, as the controller does",
		args: []string{"next", "hourly", "--count", "2"},
		want: "CronTab default/hourly runs \"@every 1h\" (time zone UTC); next 2:\n" +
			"  2026-03-01 11:00:00 UTC +00:00 Sun  (in 57m)\n" +
			"  2026-03-01 12:00:00 UTC +00:00 Sun  (in 117m)\n",
	}, {
		name: "an expression that never fires",
		args: []string{"next", "never"},
		want: "never: the expression matches no date",
	}, {
		name:    "bad count",
		args:    []string{"next", "nightly", "--count", "0"},
		wantErr: "--count must be between 1 and 1000",
	}, {
		name:    "bad zone",
		args:    []string{"next", "nightly", "--timezone", "Mars/Olympus"},
		wantErr: "--timezone",
	}, {
		name:    "name required",
		args:    []string{"next"},
		wantErr: "accepts 1 arg",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := run(t, newFakeFactory(objects...), tc.args...)
			checkErr(t, err, tc.wantErr)
			if !strings.Contains(out, tc.want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", out, tc.want)
			}
		})
	}
}
