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

package validation

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/config"
)

func TestValidateExternalMetrics(t *testing.T) {
	objects := func(name, metric string) config.ExternalMetric {
		return config.ExternalMetric{Name: name, Window: metav1.Duration{Duration: time.Minute}, Objects: &config.ObjectsMetricSource{Metric: metric}}
	}
	prometheus := func(name, url, query string) config.ExternalMetric {
		return config.ExternalMetric{Name: name, Prometheus: &config.PrometheusMetricSource{URL: url, Query: query, Timeout: metav1.Duration{Duration: 5 * time.Second}}}
	}
	tests := []struct {
		name    string
		metrics []config.ExternalMetric
		want    []string // "type path" of each expected error
	}{
		{name: "defaults", metrics: []config.ExternalMetric{objects("crontabs", "crontabs"), objects("crontab_replicas", "crontab_replicas")}},
		{name: "prometheus", metrics: []config.ExternalMetric{prometheus("http_requests", "http://127.0.0.1:9090", "sum(http_requests{ {{- .LabelMatchers -}} })")}},
		{name: "none", metrics: []config.ExternalMetric{}},
		{name: "duplicate name", metrics: []config.ExternalMetric{objects("a", "crontabs"), objects("a", "crontabs")}, want: []string{"FieldValueDuplicate externalMetrics[1].name"}},
		{name: "uppercase name", metrics: []config.ExternalMetric{objects("HTTP_Requests", "crontabs")}, want: []string{"FieldValueInvalid externalMetrics[0].name"}},
		{name: "slash in name", metrics: []config.ExternalMetric{objects("http/requests", "crontabs")}, want: []string{"FieldValueInvalid externalMetrics[0].name"}},
		{name: "missing name", metrics: []config.ExternalMetric{objects("", "crontabs")}, want: []string{"FieldValueRequired externalMetrics[0].name"}},
		{name: "no source", metrics: []config.ExternalMetric{{Name: "x"}}, want: []string{"FieldValueRequired externalMetrics[0]"}},
		{name: "two sources", metrics: []config.ExternalMetric{{Name: "x", Objects: &config.ObjectsMetricSource{Metric: "crontabs"}, Prometheus: &config.PrometheusMetricSource{}}}, want: []string{"FieldValueForbidden externalMetrics[0].prometheus"}},
		{name: "unknown objects metric", metrics: []config.ExternalMetric{objects("pods", "pods")}, want: []string{"FieldValueNotSupported externalMetrics[0].objects.metric"}},
		{name: "negative cache TTL", metrics: []config.ExternalMetric{func() config.ExternalMetric {
			m := objects("x", "crontabs")
			m.CacheTTL = &metav1.Duration{Duration: -time.Second}
			return m
		}()}, want: []string{"FieldValueInvalid externalMetrics[0].cacheTTL"}},
		{name: "bad prometheus source", metrics: []config.ExternalMetric{prometheus("x", "ftp://host", "up{ {{.Nope}} }")}, want: []string{
			"FieldValueInvalid externalMetrics[0].prometheus.url", "FieldValueInvalid externalMetrics[0].prometheus.query"}},
		{name: "empty query", metrics: []config.ExternalMetric{prometheus("x", "https://prom:9090", " ")}, want: []string{"FieldValueInvalid externalMetrics[0].prometheus.query"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := ValidateExternalMetrics(tc.metrics, field.NewPath("externalMetrics"))
			var got []string
			for _, err := range errs {
				got = append(got, string(err.Type)+" "+err.Field)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("errors %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("error %d: %s, want %s", i, got[i], tc.want[i])
				}
			}
		})
	}
}
