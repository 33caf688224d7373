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

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	examplev2 "example.com/example-apiserver/pkg/apis/example/v2"
)

// nightlyCronJob is a CronJob a team would turn into a CronTab.
func nightlyCronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: "default", Labels: map[string]string{"team": "data"}},
		Spec: batchv1.CronJobSpec{
			Schedule:                   "0 3 * * *",
			TimeZone:                   ptr.To("Asia/Shanghai"),
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr.To[int64](300),
			SuccessfulJobsHistoryLimit: ptr.To[int32](5),
			FailedJobsHistoryLimit:     ptr.To[int32](2),
			Suspend:                    ptr.To(false),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"job": "nightly"}},
				Spec: batchv1.JobSpec{
					TTLSecondsAfterFinished: ptr.To[int32](3600),
					Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
						RestartPolicy:      corev1.RestartPolicyOnFailure,
						ServiceAccountName: "report",
						Containers:         []corev1.Container{{Name: "report", Image: "registry.example.com/report:1.0"}},
					}},
				},
			},
		},
	}
}

func TestCreateCronTab(t *testing.T) {
	// container is the one container the flags describe, as the create sends it.
	container := func(edit func(*corev1.Container)) corev1.Container {
		c := corev1.Container{Name: "crontab", Image: "busybox"}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string
		// wantSent is the spec of the CronTab sent to the server, nil when nothing is sent.
		wantSent   *examplev2.CronTabSpec
		wantDryRun bool
		wantErr    string
	}{{
		name: "created",
		args: []string{"--schedule", "@hourly", "--image", "busybox", "--replicas", "3"},
		want: []string{"crontab.example.com/backup created"},
		wantSent: &examplev2.CronTabSpec{CronSpec: "@hourly", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			// v1's replicas: three pods, each to completion, not a work queue.
			Parallelism: ptr.To[int32](3), Completions: ptr.To[int32](3),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{container(nil)}}},
		}}},
	}, {
		name: "env, env from secrets, requests and a service account",
		args: []string{"--schedule", "@daily", "--image", "busybox", "--env", "MODE=nightly", "-e", "EMPTY=", "--env", "URL=http://x/?a=b",
			"--env-from-secret", "db", "--env-from-secret", "s3", "--requests", "cpu=100m,memory=64Mi", "--service-account", "report"},
		want: []string{"crontab.example.com/backup created"},
		wantSent: &examplev2.CronTabSpec{CronSpec: "@daily", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{ServiceAccountName: "report", Containers: []corev1.Container{container(func(c *corev1.Container) {
				c.Env = []corev1.EnvVar{{Name: "MODE", Value: "nightly"}, {Name: "EMPTY"}, {Name: "URL", Value: "http://x/?a=b"}}
				c.EnvFrom = []corev1.EnvFromSource{
					{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}}},
					{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "s3"}}},
				}
				c.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}
			})}}},
		}}},
	}, {
		name:  "env from stdin, as kubectl set env reads it",
		args:  []string{"--schedule", "@daily", "--image", "busybox", "--env", "-"},
		stdin: "A=1\n# a comment\nB=two\n",
		want:  []string{"crontab.example.com/backup created"},
		wantSent: &examplev2.CronTabSpec{CronSpec: "@daily", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{container(func(c *corev1.Container) {
				c.Env = []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "two"}}
			})}}},
		}}},
	}, {
		name: "from a CronJob: its schedule, policies, limits, labels and template",
		args: []string{"--from-cronjob", "nightly"},
		want: []string{"crontab.example.com/backup created"},
		wantSent: &examplev2.CronTabSpec{
			CronSpec: "0 3 * * *", TimeZone: "Asia/Shanghai", Suspend: ptr.To(false), ConcurrencyPolicy: examplev2.ForbidConcurrent,
			StartingDeadlineSeconds: ptr.To[int64](300), SuccessfulJobsHistoryLimit: ptr.To[int32](5), FailedJobsHistoryLimit: ptr.To[int32](2),
			JobTemplate: nightlyCronJob().Spec.JobTemplate,
		},
	}, {
		name:       "from a CronJob, server dry run",
		args:       []string{"--from-cronjob", "nightly", "--dry-run=server"},
		want:       []string{"crontab.example.com/backup created (server dry run)"},
		wantSent:   &examplev2.CronTabSpec{CronSpec: "0 3 * * *"},
		wantDryRun: true,
	}, {
		name: "from a CronJob, client dry run prints it",
		args: []string{"--from-cronjob", "nightly", "--dry-run=client", "-o", "yaml"},
		want: []string{"apiVersion: example.com/v2\nkind: CronTab\nmetadata:\n  labels:\n    team: data\n  name: backup\n", "cronSpec: 0 3 * * *", "image: registry.example.com/report:1.0", "ttlSecondsAfterFinished: 3600"},
	}, {
		name:    "from a CronJob that does not exist",
		args:    []string{"--from-cronjob", "weekly"},
		wantErr: `--from-cronjob: cronjobs.batch "weekly" not found`,
	}, {
		name:    "from a CronJob, with flags the CronJob says",
		args:    []string{"--from-cronjob", "nightly", "--image", "busybox", "--env", "A=1"},
		wantErr: "--from-cronjob takes the schedule and job template from the CronJob; --image, --env cannot be given with it",
	}, {
		name: "client dry run prints a v2 manifest",
		args: []string{"--schedule", "0 3 * * *", "--image", "busybox", "--timezone", "Asia/Shanghai", "--dry-run=client", "-o", "yaml"},
		want: []string{"apiVersion: example.com/v2\nkind: CronTab\nmetadata:\n  name: backup\n  namespace: default\nspec:\n  cronSpec: 0 3 * * *\n  jobTemplate:\n",
			"containers:\n          - image: busybox\n            name: crontab\n", "timeZone: Asia/Shanghai\n"},
	}, {
		name: "bare --dry-run means client",
		args: []string{"--schedule", "@daily", "--image", "busybox", "--dry-run"},
		want: []string{"crontab.example.com/backup created (dry run)"},
	}, {
		name:       "server dry run",
		args:       []string{"--schedule", "@daily", "--image", "busybox", "--dry-run=server"},
		want:       []string{"crontab.example.com/backup created (server dry run)"},
		wantSent:   &examplev2.CronTabSpec{CronSpec: "@daily"},
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
		wantErr: "--image is required (or --from-cronjob)",
	}, {
		name:    "schedule required",
		args:    []string{"--image", "busybox"},
		wantErr: "--schedule is required (or --from-cronjob)",
	}, {
		name:    "env name checked offline",
		args:    []string{"--schedule", "@daily", "--image", "busybox", "--env", "1A=x"},
		wantErr: `--env: "1A" is not a valid key name`,
	}, {
		name:    "env without a value",
		args:    []string{"--schedule", "@daily", "--image", "busybox", "--env", "MODE"},
		wantErr: "--env: unknown environment variable: MODE",
	}, {
		name:    "env removal makes no sense on create",
		args:    []string{"--schedule", "@daily", "--image", "busybox", "--env", "MODE-"},
		wantErr: "--env MODE-: a new CronTab has no variables to remove",
	}, {
		name:    "request not a quantity",
		args:    []string{"--schedule", "@daily", "--image", "busybox", "--requests", "cpu=lots"},
		wantErr: "--requests cpu=lots: quantities must match the regular expression",
	}, {
		name:    "bad dry run",
		args:    []string{"--schedule", "@daily", "--image", "x", "--dry-run=maybe"},
		wantErr: "Invalid dry-run value (maybe)",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFactory(nightlyCronJob())
			f.stdin = tc.stdin
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
			if sent := tc.wantSent != nil; sent != (len(creates) == 1) {
				t.Fatalf("create requests: %d, want one: %v", len(creates), sent)
			}
			if len(creates) == 0 {
				return
			}
			dryRun := len(creates[0].CreateOptions.DryRun) == 1 && creates[0].CreateOptions.DryRun[0] == metav1.DryRunAll
			if dryRun != tc.wantDryRun {
				t.Errorf("dry run sent: %v, want %v", dryRun, tc.wantDryRun)
			}
			ct := creates[0].Object.(*examplev2.CronTab)
			if ct.Spec.CronSpec != tc.wantSent.CronSpec {
				t.Errorf("sent schedule %q, want %q", ct.Spec.CronSpec, tc.wantSent.CronSpec)
			}
			if !tc.wantDryRun && !apiequality.Semantic.DeepEqual(ct.Spec, *tc.wantSent) {
				t.Errorf("sent spec\n%+v\nwant\n%+v", ct.Spec, *tc.wantSent)
			}
		})
	}
}
