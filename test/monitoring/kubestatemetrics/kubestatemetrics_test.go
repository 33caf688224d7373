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

package kubestatemetrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/kube-state-metrics/v2/pkg/customresourcestate"
	"k8s.io/utils/ptr"
	yaml "sigs.k8s.io/yaml/goyaml.v3"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// kubeStateMetricsSeries renders the series kube-state-metrics makes of ct with the
// configuration in artifacts/monitoring, through kube-state-metrics' own config compiler and
// metric generators, decoded as its --custom-resource-state-config-file is (strictly, here).
func kubeStateMetricsSeries(t *testing.T, ct *examplev1.CronTab) []string {
	t.Helper()
	data, err := os.ReadFile("../../../artifacts/monitoring/kube-state-metrics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	decoder.KnownFields(true)
	var config struct {
		// The kind ksm's documentation gives such files, which it ignores.
		Kind                        string `yaml:"kind"`
		customresourcestate.Metrics `yaml:",inline"`
	}
	if err := decoder.Decode(&config); err != nil {
		t.Fatalf("kube-state-metrics.yaml: %v", err)
	}
	if len(config.Spec.Resources) != 1 {
		t.Fatalf("kube-state-metrics.yaml configures %d resources, want the CronTab alone", len(config.Spec.Resources))
	}
	factory, err := customresourcestate.NewCustomResourceMetrics(config.Spec.Resources[0])
	if err != nil {
		t.Fatalf("kube-state-metrics.yaml: %v", err)
	}

	// The object as the server serves it: the API types' JSON.
	raw, err := json.Marshal(ct)
	if err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	for _, generator := range factory.MetricFamilyGenerators() {
		text.Write(generator.Generate(obj).ByteSlice())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(&text)
	if err != nil {
		t.Fatalf("kube-state-metrics' output does not parse: %v\n%s", err, text.String())
	}
	var series []string
	for name, family := range families {
		for _, m := range family.GetMetric() {
			var labels []string
			for _, label := range m.GetLabel() {
				switch label.GetName() {
				case "customresource_group", "customresource_version", "customresource_kind":
					continue // the same on every series
				}
				labels = append(labels, fmt.Sprintf("%s=%q", label.GetName(), label.GetValue()))
			}
			sort.Strings(labels)
			series = append(series, fmt.Sprintf("%s{%s} %s", name, strings.Join(labels, ","), strconv.FormatFloat(m.GetUntyped().GetValue(), 'f', -1, 64)))
		}
	}
	sort.Strings(series)
	return series
}

func TestKubeStateMetricsCronTabSeries(t *testing.T) {
	// Times at whole seconds, as the API serializes them; the series are their Unix times.
	at := func(minute, second int) *metav1.Time {
		return ptr.To(metav1.NewTime(time.Date(2026, 12, 7, 10, minute, second, 0, time.UTC)))
	}
	unix := func(tm *metav1.Time) string { return strconv.FormatInt(tm.Unix(), 10) }
	lastSchedule, lastSuccess, next, lastMissed := at(0, 0), at(-5, 2), at(15, 0), at(10, 0)
	for _, tc := range []struct {
		name string
		ct   examplev1.CronTab
		want []string
	}{{
		name: "a Forbid CronTab whose run hangs: active, missing runs",
		ct: examplev1.CronTab{
			TypeMeta:   metav1.TypeMeta{APIVersion: "example.com/v1", Kind: "CronTab"},
			ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "report"},
			Spec: examplev1.CronTabSpec{CronSpec: "*/5 * * * *", Image: "report:1", TimeZone: "Europe/Berlin",
				ConcurrencyPolicy: examplev1.ForbidConcurrent},
			Status: examplev1.CronTabStatus{
				Active:             []corev1.ObjectReference{{Kind: "Job", Namespace: "team", Name: "report-29433600"}},
				RunningPods:        1,
				LastScheduleTime:   lastSchedule,
				LastSuccessfulTime: lastSuccess,
				NextScheduleTime:   next,
				LastMissedTime:     lastMissed,
				MissedRuns:         2,
			},
		},
		want: []string{
			`kube_crontab_info{concurrency_policy="Forbid",crontab="report",namespace="team",schedule="*/5 * * * *",time_zone="Europe/Berlin"} 1`,
			`kube_crontab_next_schedule_time{crontab="report",namespace="team"} ` + unix(next),
			`kube_crontab_spec_suspend{crontab="report",namespace="team"} 0`,
			`kube_crontab_status_active{crontab="report",job_name="report-29433600",namespace="team"} 1`,
			`kube_crontab_status_last_missed_time{crontab="report",namespace="team"} ` + unix(lastMissed),
			`kube_crontab_status_last_schedule_time{crontab="report",namespace="team"} ` + unix(lastSchedule),
			`kube_crontab_status_last_successful_time{crontab="report",namespace="team"} ` + unix(lastSuccess),
			`kube_crontab_status_missed_runs{crontab="report",namespace="team"} 2`,
			`kube_crontab_status_running_pods{crontab="report",namespace="team"} 1`,
		},
	}, {
		name: "a suspended CronTab that never ran: no times, no active runs, no errors",
		ct: examplev1.CronTab{
			TypeMeta:   metav1.TypeMeta{APIVersion: "example.com/v1", Kind: "CronTab"},
			ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "paused"},
			Spec:       examplev1.CronTabSpec{CronSpec: "@hourly", Image: "paused:1", Suspend: ptr.To(true)},
		},
		want: []string{
			`kube_crontab_info{crontab="paused",namespace="team",schedule="@hourly"} 1`,
			`kube_crontab_spec_suspend{crontab="paused",namespace="team"} 1`,
			`kube_crontab_status_missed_runs{crontab="paused",namespace="team"} 0`,
			`kube_crontab_status_running_pods{crontab="paused",namespace="team"} 0`,
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := kubeStateMetricsSeries(t, &tc.ct)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
