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
	"errors"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/metrics/pkg/apis/external_metrics"
	externalmetricsv1beta1 "k8s.io/metrics/pkg/apis/external_metrics/v1beta1"
	fakeexternalmetrics "k8s.io/metrics/pkg/client/external_metrics/fake"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/custom-metrics-apiserver/pkg/provider"
)

func TestMetricsNotRegistered(t *testing.T) {
	for _, args := range [][]string{{"metrics"}, {"metrics", "crontab_runs", "-l", "crontab=backup"}} {
		_, _, err := run(t, newFakeFactory(), args...)
		if !errors.Is(err, ErrMetricsNotRegistered) {
			t.Fatalf("%v: error %v, want ErrMetricsNotRegistered", args, err)
		}
		if !strings.Contains(err.Error(), "the external metrics API (external.metrics.k8s.io/v1beta1) is not registered") {
			t.Errorf("message: %v", err)
		}
	}
}

// servedValue is one value of an external metric, in a namespace.
type servedValue struct {
	namespace string
	value     externalmetricsv1beta1.ExternalMetricValue
}

// serveExternalMetrics serves external.metrics.k8s.io/v1beta1 from f as our server does: discovery
// lists each metric as a resource, and reading a metric returns its values in the namespace that
// match the selector, or the server's NotFound for a metric it does not serve.
func serveExternalMetrics(f *fakeFactory, metrics map[string][]servedValue) {
	list := &metav1.APIResourceList{GroupVersion: externalmetricsv1beta1.SchemeGroupVersion.String()}
	for name := range metrics { // map order: the command must sort
		list.APIResources = append(list.APIResources, metav1.APIResource{Name: name, Namespaced: true, Kind: "ExternalMetricValueList", Verbs: metav1.Verbs{"get"}})
	}
	f.discovery.Resources = append(f.discovery.Resources, list)

	f.externalMetrics = &fakeexternalmetrics.FakeExternalMetricsClient{}
	f.externalMetrics.AddReactor("list", "*", func(action clienttesting.Action) (bool, runtime.Object, error) {
		metric := action.GetResource().Resource
		values, ok := metrics[metric]
		if !ok {
			return true, nil, provider.NewMetricNotFoundError(external_metrics.Resource(metric), metric)
		}
		selector := action.(clienttesting.ListAction).GetListRestrictions().Labels
		out := &externalmetricsv1beta1.ExternalMetricValueList{}
		for _, v := range values {
			if v.namespace == action.GetNamespace() && selector.Matches(labels.Set(v.value.MetricLabels)) {
				out.Items = append(out.Items, *v.value.DeepCopy())
			}
		}
		return true, out, nil
	})
}

// metricValue is a value of the metric name in ns, observed age before now (never when zero).
func metricValue(ns, name string, lbls map[string]string, value string, window *int64, age time.Duration) servedValue {
	v := externalmetricsv1beta1.ExternalMetricValue{MetricName: name, MetricLabels: lbls, Value: resource.MustParse(value), WindowSeconds: window}
	if age > 0 {
		v.Timestamp = metav1.NewTime(now.Add(-age))
	}
	return servedValue{namespace: ns, value: v}
}

func TestMetricsServed(t *testing.T) {
	metrics := map[string][]servedValue{
		"crontab_runs": {
			metricValue("team-a", "crontab_runs", map[string]string{"crontab": "backup"}, "3", ptr.To[int64](300), 30*time.Second),
			metricValue("team-a", "crontab_runs", map[string]string{"crontab": "report"}, "1500m", nil, 0),
			metricValue("other", "crontab_runs", map[string]string{"crontab": "backup"}, "7", ptr.To[int64](300), 30*time.Second),
		},
		"http_requests": {metricValue("team-a", "http_requests", nil, "42", ptr.To[int64](60), 2*time.Minute)},
		"crontabs":      {metricValue("other", "crontabs", nil, "1", nil, 0)},
	}
	tests := []struct {
		name string
		args []string
		// want is the whole output when exact, else substrings of it.
		want       []string
		exact      bool
		notWant    []string
		wantStderr string
		// wantRead is the metric read, as "namespace/metric?selector"; empty when none is.
		wantRead string
		wantErr  string
	}{{
		name:  "names from discovery, sorted",
		args:  []string{"metrics"},
		want:  []string{"NAME\ncrontab_runs\ncrontabs\nhttp_requests\n"},
		exact: true,
	}, {
		name: "names as the server's APIResourceList",
		args: []string{"metrics", "-o", "json"},
		want: []string{"\"kind\": \"APIResourceList\",\n    \"apiVersion\": \"v1\",\n    \"groupVersion\": \"external.metrics.k8s.io/v1beta1\""},
	}, {
		name:  "names through jsonpath",
		args:  []string{"metrics", "-o", "jsonpath={.resources[*].name}"},
		want:  []string{"crontab_runs crontabs http_requests"},
		exact: true,
	}, {
		name: "values matching the selector in the namespace",
		args: []string{"metrics", "crontab_runs", "-l", "crontab=backup"},
		want: []string{
			"NAME           LABELS           VALUE   WINDOW   AGE\n" +
				"crontab_runs   crontab=backup   3       5m0s     30s\n",
		},
		exact:    true,
		wantRead: "team-a/crontab_runs?crontab=backup",
	}, {
		name: "every value in the namespace, without window or timestamp",
		args: []string{"metrics", "crontab_runs"},
		want: []string{
			"NAME           LABELS           VALUE   WINDOW   AGE\n" +
				"crontab_runs   crontab=backup   3       5m0s     30s\n" +
				"crontab_runs   crontab=report   1500m   <none>   <unknown>\n",
		},
		exact:    true,
		wantRead: "team-a/crontab_runs?",
	}, {
		name: "a value without labels",
		args: []string{"metrics", "http_requests"},
		want: []string{
			"NAME            LABELS   VALUE   WINDOW   AGE\n" +
				"http_requests   <none>   42      1m0s     2m\n",
		},
		exact:    true,
		wantRead: "team-a/http_requests?",
	}, {
		name:       "a metric with no value in the namespace",
		args:       []string{"metrics", "crontabs"},
		want:       []string{""},
		exact:      true,
		wantStderr: "No resources found in team-a namespace.\n",
		wantRead:   "team-a/crontabs?",
	}, {
		name: "yaml is an ExternalMetricValueList",
		args: []string{"metrics", "crontab_runs", "-l", "crontab in (backup)", "-o", "yaml"},
		want: []string{
			"apiVersion: external.metrics.k8s.io/v1beta1\n",
			"kind: ExternalMetricValueList\n",
			"items:\n- metricLabels:\n    crontab: backup\n  metricName: crontab_runs\n  timestamp: \"2026-03-01T10:02:00Z\"\n  value: \"3\"\n  window: 300\n",
		},
		notWant:  []string{"report", `"7"`},
		wantRead: "team-a/crontab_runs?crontab in (backup)",
	}, {
		name:     "an unknown metric is the server's NotFound",
		args:     []string{"metrics", "no_such_metric"},
		wantErr:  `reading external metric "no_such_metric" in namespace team-a: the server could not find the metric no_such_metric for no_such_metric.external.metrics.k8s.io`,
		wantRead: "team-a/no_such_metric?",
	}, {
		name:    "a selector needs a metric",
		args:    []string{"metrics", "-l", "crontab=backup"},
		wantErr: "-l selects the values of one metric: give its NAME",
	}, {
		name:    "bad selector",
		args:    []string{"metrics", "crontab_runs", "-l", "crontab==="},
		wantErr: `-l "crontab==="`,
	}, {
		name:    "bad output",
		args:    []string{"metrics", "crontab_runs", "-o", "wide"},
		wantErr: `unable to match a printer suitable for the output format "wide"`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFactory()
			f.namespace = "team-a"
			serveExternalMetrics(f, metrics)
			out, errOut, err := run(t, f, tc.args...)
			checkErr(t, err, tc.wantErr)
			if errOut != tc.wantStderr {
				t.Errorf("stderr: %q, want %q", errOut, tc.wantStderr)
			}
			if tc.wantErr != "" && tc.wantRead != "" && !apierrors.IsNotFound(err) {
				t.Errorf("error %v does not wrap the server's NotFound", err)
			}
			for _, w := range tc.want {
				if tc.exact && out != w {
					t.Errorf("got:\n%s\nwant:\n%s", out, w)
				} else if !tc.exact && !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}

			var reads []string
			for _, a := range f.externalMetrics.Actions() {
				l := a.(clienttesting.ListAction)
				reads = append(reads, l.GetNamespace()+"/"+l.GetResource().Resource+"?"+l.GetListRestrictions().Labels.String())
			}
			if got := strings.Join(reads, " "); got != tc.wantRead {
				t.Errorf("metrics read: %q, want %q", got, tc.wantRead)
			}
		})
	}
}
