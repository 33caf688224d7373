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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
)

// generateNames makes the fake clientset name a Job from its generateName, as the API
// server does; the suffix is fixed so tests can expect it.
func generateNames(f *fakeFactory) {
	f.kube.PrependReactor("create", "jobs", func(action clienttesting.Action) (bool, runtime.Object, error) {
		job := action.(clienttesting.CreateAction).GetObject().(*batchv1.Job)
		if job.Name == "" && job.GenerateName != "" {
			job.Name = job.GenerateName + "x7k2p"
		}
		return false, nil, nil
	})
}

func TestRun(t *testing.T) {
	report := cronTab("default", "report", "*/5 * * * *", "", ptr.To[int32](2), nil)
	report.UID = types.UID("report-uid")
	report.Spec.Command = []string{"sh", "-c"}
	report.Spec.Args = []string{"date"}
	tests := []struct {
		name       string
		args       []string
		namespace  string
		want       []string
		wantErr    string
		wantJob    string // name, or generateName, of the Job sent to the server; "" for none sent
		wantDryRun bool
	}{{
		name:    "generated name",
		args:    []string{"run", "report"},
		want:    []string{"job.batch/report-manual-x7k2p created\n"},
		wantJob: "report-manual-",
	}, {
		name:    "chosen name, -o name",
		args:    []string{"run", "report", "--name", "report-test", "-o", "name"},
		want:    []string{"job.batch/report-test\n"},
		wantJob: "report-test",
	}, {
		name:      "namespace from the flags",
		args:      []string{"run", "report", "-n", "other"},
		namespace: "other",
		wantErr:   `CronTab "report" not found in namespace "other"`,
	}, {
		name:    "missing CronTab",
		args:    []string{"run", "nope"},
		wantErr: `CronTab "nope" not found in namespace "default" (kubectl example ct -n default lists them): crontabs.example.com "nope" not found`,
	}, {
		name: "client dry run prints the Job and sends nothing",
		args: []string{"run", "report", "--dry-run=client", "-o", "yaml"},
		want: []string{"apiVersion: batch/v1\nkind: Job\n", "generateName: report-manual-\n", "example.com/run: manual", "example.com/crontab: report",
			"kind: CronTab\n    name: report\n    uid: report-uid\n", "parallelism: 2", "image: busybox:1.36"},
	}, {
		name: "bare --dry-run means client",
		args: []string{"run", "report", "--name", "report-now", "--dry-run"},
		want: []string{"job.batch/report-now created (dry run)\n"},
	}, {
		name:       "server dry run",
		args:       []string{"run", "report", "--dry-run=server"},
		want:       []string{"job.batch/report-manual-x7k2p created (server dry run)\n"},
		wantJob:    "report-manual-",
		wantDryRun: true,
	}, {
		name:    "a scheduled run's name is refused",
		args:    []string{"run", "report", "--name", "report-29537940"},
		wantErr: `--name "report-29537940" has the form of a scheduled run's name`,
	}, {
		name:    "an invalid name is refused offline",
		args:    []string{"run", "report", "--name", "Report_Now"},
		wantErr: `--name "Report_Now" is not a valid Job name`,
	}, {
		name:    "bad dry run",
		args:    []string{"run", "report", "--dry-run=maybe"},
		wantErr: "Invalid dry-run value (maybe)",
	}, {
		name:    "CronTab name required",
		args:    []string{"run"},
		wantErr: "accepts 1 arg",
	}, {
		name:    "unknown output",
		args:    []string{"run", "report", "-o", "xml"},
		wantErr: "unable to match a printer",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFactory(report)
			if tc.namespace != "" {
				f.namespace = tc.namespace
			}
			generateNames(f)
			out, _, err := run(t, f, tc.args...)
			checkErr(t, err, tc.wantErr)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			var creates []clienttesting.CreateActionImpl
			for _, a := range f.kube.Actions() {
				if c, ok := a.(clienttesting.CreateActionImpl); ok {
					creates = append(creates, c)
				}
			}
			if sent := tc.wantJob != ""; sent != (len(creates) == 1) || len(creates) > 1 {
				t.Fatalf("create requests: %d, want one: %v", len(creates), sent)
			}
			if len(creates) == 0 {
				return
			}
			if dryRun := len(creates[0].CreateOptions.DryRun) == 1 && creates[0].CreateOptions.DryRun[0] == metav1.DryRunAll; dryRun != tc.wantDryRun {
				t.Errorf("dry run sent: %v, want %v", dryRun, tc.wantDryRun)
			}
			job := creates[0].Object.(*batchv1.Job)
			if sent := job.Name + job.GenerateName; sent != tc.wantJob || creates[0].Namespace != "default" {
				t.Errorf("created %s/%s, want default/%s", creates[0].Namespace, sent, tc.wantJob)
			}
			// The Job is crontabrun's manual run, whatever its name: what the controller reads.
			if !crontabrun.IsManual(job) || !metav1.IsControlledBy(job, report) || job.Labels["example.com/crontab"] != "report" {
				t.Errorf("not a manual run controlled by the CronTab: %+v", job.ObjectMeta)
			}
			if _, scheduled := crontabrun.ScheduledTime(job); scheduled {
				t.Errorf("a manual run has a scheduled time: %v", job.Annotations)
			}
		})
	}
}

// TestRunJobTemplate: a CronTab written as v2 reads as v1 with its job template in an
// annotation; its manual run is built from the whole template, as the controller builds one.
func TestRunJobTemplate(t *testing.T) {
	in := internal(cronTab("default", "report", "*/5 * * * *", "", ptr.To[int32](1), nil))
	pod := &in.Spec.JobTemplate.Spec.Template.Spec
	pod.ServiceAccountName = "reporter"
	pod.Containers = []corev1.Container{{Name: "report", Env: []corev1.EnvVar{{Name: "DB_HOST", Value: "db.internal"}}}}
	report := &examplev1.CronTab{}
	if err := examplev1.Convert_example_CronTab_To_v1_CronTab(in, report, nil); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, newFakeFactory(report), "run", "report", "--dry-run=client", "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serviceAccountName: reporter", "name: DB_HOST", "value: db.internal", "name: report\n", "image: busybox:1.36"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
