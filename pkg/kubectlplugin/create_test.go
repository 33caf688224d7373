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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clienttesting "k8s.io/client-go/testing"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

func TestCreateCronTab(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       []string
		wantErr    string
		wantStored bool
		wantDryRun bool
	}{{
		name:       "created",
		args:       []string{"--schedule", "@hourly", "--image", "busybox", "--replicas", "3"},
		want:       []string{"crontab.example.com/backup created"},
		wantStored: true,
	}, {
		name: "client dry run prints a manifest",
		args: []string{"--schedule", "0 3 * * *", "--image", "busybox", "--timezone", "Asia/Shanghai", "--dry-run=client", "-o", "yaml"},
		want: []string{"apiVersion: example.com/v1\nkind: CronTab\nmetadata:\n  name: backup\n  namespace: default\nspec:\n  cronSpec: 0 3 * * *\n  image: busybox\n  timeZone: Asia/Shanghai\n"},
	}, {
		name: "bare --dry-run means client",
		args: []string{"--schedule", "@daily", "--image", "busybox", "--dry-run"},
		want: []string{"crontab.example.com/backup created (dry run)"},
	}, {
		name:       "server dry run",
		args:       []string{"--schedule", "@daily", "--image", "busybox", "--dry-run=server"},
		want:       []string{"crontab.example.com/backup created (server dry run)"},
		wantDryRun: true,
	}, {
		name:    "time zone checked offline, and blamed",
		args:    []string{"--schedule", "@daily", "--image", "busybox", "--timezone", "est"},
		wantErr: "--timezone \"est\": not a time zone",
	}, {
		name:    "schedule checked offline",
		args:    []string{"--schedule", "every day", "--image", "busybox"},
		wantErr: "--schedule \"every day\"",
	}, {
		name:    "image required",
		args:    []string{"--schedule", "@daily"},
		wantErr: "required flag(s) \"image\" not set",
	}, {
		name:    "bad dry run",
		args:    []string{"--schedule", "@daily", "--image", "x", "--dry-run=maybe"},
		wantErr: "Invalid dry-run value (maybe)",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFactory()
			out, _, err := run(t, f, append([]string{"create", "crontab", "backup"}, tc.args...)...)
			checkErr(t, err, tc.wantErr)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			var creates []clienttesting.CreateActionImpl
			for _, a := range f.example.Actions() {
				if c, ok := a.(clienttesting.CreateActionImpl); ok {
					creates = append(creates, c)
				}
			}
			if sent := tc.wantStored || tc.wantDryRun; sent != (len(creates) == 1) {
				t.Fatalf("create requests: %d, want one: %v", len(creates), sent)
			}
			if len(creates) == 1 {
				dryRun := len(creates[0].CreateOptions.DryRun) == 1 && creates[0].CreateOptions.DryRun[0] == metav1.DryRunAll
				if dryRun != tc.wantDryRun {
					t.Errorf("dry run sent: %v, want %v", dryRun, tc.wantDryRun)
				}
				ct := creates[0].Object.(*examplev1.CronTab)
				if tc.wantStored && (ct.Spec.Replicas == nil || *ct.Spec.Replicas != 3) {
					t.Errorf("replicas: %v", ct.Spec.Replicas)
				}
			}
		})
	}
}
