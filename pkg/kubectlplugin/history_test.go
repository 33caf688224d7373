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

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
)

// scheduledRun is ct's Job for the run at scheduled, created then and started a second later.
func scheduledRun(ct *examplev1.CronTab, scheduled time.Time) *batchv1.Job {
	job := crontabrun.NewJob(internal(ct), scheduled)
	job.CreationTimestamp = metav1.NewTime(scheduled)
	job.Status.StartTime = &metav1.Time{Time: scheduled.Add(time.Second)}
	return job
}

// internal is ct as crontabrun reads it.
func internal(ct *examplev1.CronTab) *example.CronTab {
	in, err := crontabrun.FromV1(ct)
	if err != nil {
		panic(err) // only a test CronTab with a broken job template annotation gets here
	}
	return in
}

// manualRun is ct's Job for a run started by hand at created.
func manualRun(ct *examplev1.CronTab, name string, created time.Time) *batchv1.Job {
	job := crontabrun.NewManualJob(internal(ct))
	job.Name, job.GenerateName = name, ""
	job.CreationTimestamp = metav1.NewTime(created)
	job.Status.StartTime = &metav1.Time{Time: created.Add(time.Second)}
	return job
}

// ended gives job its final condition after it ran for took.
func ended(job *batchv1.Job, condition batchv1.JobConditionType, took time.Duration) *batchv1.Job {
	end := metav1.NewTime(job.Status.StartTime.Add(took))
	job.Status.Conditions = []batchv1.JobCondition{{Type: condition, Status: corev1.ConditionTrue, LastTransitionTime: end}}
	if condition == batchv1.JobComplete {
		job.Status.CompletionTime = &end
	}
	return job
}

func TestHistory(t *testing.T) {
	nightly := cronTab("default", "nightly", "0 3 * * *", "Asia/Shanghai", nil, nil)
	nightly.UID = types.UID("nightly-uid")
	// A namesake deleted before nightly was created: the garbage collector has not removed
	// its Job yet, which carries the same label.
	namesake := nightly.DeepCopy()
	namesake.UID = types.UID("namesake-uid")
	other := cronTab("default", "other", "@hourly", "", nil, nil)
	other.UID = types.UID("other-uid")
	idle := cronTab("default", "idle", "@hourly", "", nil, nil)

	// now is 2026-03-01 10:02:30 UTC; 03:00 in Shanghai is 19:00 UTC the day before.
	twoDaysAgo := time.Date(2026, 2, 27, 19, 0, 0, 0, time.UTC)
	yesterday := time.Date(2026, 2, 28, 19, 0, 0, 0, time.UTC)
	objects := []runtime.Object{
		nightly, other, idle,
		ended(scheduledRun(nightly, twoDaysAgo), batchv1.JobFailed, 30*time.Second),
		ended(scheduledRun(nightly, yesterday), batchv1.JobComplete, 2*time.Minute),
		manualRun(nightly, "nightly-manual-ab12c", now.Add(-time.Minute)),
		ended(manualRun(nightly, "nightly-manual-zz99x", now.Add(-time.Hour)), batchv1.JobComplete, 5*time.Second),
		scheduledRun(namesake, time.Date(2026, 2, 26, 19, 0, 0, 0, time.UTC)),
		scheduledRun(other, now.Add(-2*time.Minute)),
	}
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
		wantLog string
	}{{
		name: "table, newest first, in the CronTab's zone",
		args: []string{"history", "nightly"},
		want: "" +
			"SCHEDULED                   JOB                    RESULT      DURATION   AGE\n" +
			"manual                      nightly-manual-ab12c   Running     59s        60s\n" +
			"manual                      nightly-manual-zz99x   Succeeded   5s         60m\n" +
			"2026-03-01T03:00:00+08:00   nightly-29538420       Succeeded   2m         15h\n" +
			"2026-02-28T03:00:00+08:00   nightly-29536980       Failed      30s        39h\n",
	}, {
		name: "no headers",
		args: []string{"history", "nightly", "--no-headers"},
		want: "manual                      nightly-manual-ab12c   Running     59s   60s\n",
	}, {
		name: "names",
		args: []string{"history", "nightly", "-o", "name"},
		want: "job.batch/nightly-manual-ab12c\njob.batch/nightly-manual-zz99x\njob.batch/nightly-29538420\njob.batch/nightly-29536980\n",
	}, {
		name: "a JobList as yaml",
		args: []string{"history", "nightly", "-o", "yaml"},
		want: "apiVersion: batch/v1\nitems:\n- apiVersion: batch/v1\n  kind: Job\n",
	}, {
		name: "jsonpath over the items",
		args: []string{"history", "nightly", "-o", "jsonpath={.items[*].metadata.annotations.example\\.com/run}"},
		want: "manual manual",
	}, {
		name:    "no runs yet",
		args:    []string{"history", "idle"},
		wantLog: "No runs of CronTab idle in default namespace.\n",
	}, {
		name:    "missing CronTab",
		args:    []string{"history", "nope"},
		wantErr: `CronTab "nope" not found in namespace "default"`,
	}, {
		name:    "unknown output",
		args:    []string{"history", "nightly", "-o", "xml"},
		wantErr: "unable to match a printer",
	}, {
		name:    "CronTab name required",
		args:    []string{"history"},
		wantErr: "accepts 1 arg",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := run(t, newFakeFactory(objects...), tc.args...)
			checkErr(t, err, tc.wantErr)
			if !strings.Contains(out, tc.want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", out, tc.want)
			}
			if !strings.Contains(errOut, tc.wantLog) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tc.wantLog)
			}
			if strings.Contains(out, "nightly-29535540") || strings.Contains(out, "other-") {
				t.Errorf("history shows another CronTab's run:\n%s", out)
			}
		})
	}
}

func TestHistoryCells(t *testing.T) {
	start := metav1.NewTime(now.Add(-90 * time.Second))
	failedAt := metav1.NewTime(now.Add(-30 * time.Second))
	tests := []struct {
		name                                    string
		job                                     batchv1.Job
		wantScheduled, wantResult, wantDuration string
	}{{
		name:          "pending",
		job:           batchv1.Job{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{crontabrun.ScheduledTimeAnnotation: "2026-03-01T10:00:00Z"}}},
		wantScheduled: "2026-03-01T10:00:00Z", wantResult: "Running", wantDuration: "<pending>",
	}, {
		name:          "running so far",
		job:           batchv1.Job{Status: batchv1.JobStatus{StartTime: &start}},
		wantScheduled: "<unknown>", wantResult: "Running", wantDuration: "90s",
	}, {
		name: "failed at its condition's time",
		job: batchv1.Job{Status: batchv1.JobStatus{StartTime: &start, Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: failedAt}}}},
		wantScheduled: "<unknown>", wantResult: "Failed", wantDuration: "60s",
	}, {
		name: "failed without ever starting",
		job: batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: failedAt}}}},
		wantScheduled: "<unknown>", wantResult: "Failed", wantDuration: "<none>",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := scheduledCell(&tc.job, time.UTC); got != tc.wantScheduled {
				t.Errorf("SCHEDULED %q, want %q", got, tc.wantScheduled)
			}
			if got := resultCell(&tc.job); got != tc.wantResult {
				t.Errorf("RESULT %q, want %q", got, tc.wantResult)
			}
			if got := durationCell(&tc.job, now); got != tc.wantDuration {
				t.Errorf("DURATION %q, want %q", got, tc.wantDuration)
			}
		})
	}
}
