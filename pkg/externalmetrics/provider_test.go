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

package externalmetrics

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/custom-metrics-apiserver/pkg/provider"
)

// fakeSource returns what it is told and counts its queries.
type fakeSource struct {
	samples []Sample
	err     error
	queries int
}

func (f *fakeSource) Query(context.Context, string, labels.Selector) ([]Sample, error) {
	f.queries++
	return f.samples, f.err
}

func newTestProvider(t *testing.T, source Source, ttl time.Duration) (*Provider, *clocktesting.FakePassiveClock) {
	t.Helper()
	clk := clocktesting.NewFakePassiveClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	p, err := NewProvider([]Metric{{Name: "http_requests", Source: source, Window: time.Minute, CacheTTL: ttl}}, clk)
	if err != nil {
		t.Fatal(err)
	}
	return p, clk
}

func get(p *Provider, metric string) (float64, int, error) {
	list, err := p.GetExternalMetric(context.Background(), "default", labels.Everything(), provider.ExternalMetricInfo{Metric: metric})
	if err != nil {
		return 0, 0, err
	}
	return list.Items[0].Value.AsApproximateFloat64(), len(list.Items), nil
}

func TestGetExternalMetric(t *testing.T) {
	tests := []struct {
		name       string
		samples    []Sample
		err        error
		wantValue  float64
		wantItems  int
		wantStatus int32
	}{
		{name: "one value", samples: []Sample{{Value: 450}}, wantValue: 450, wantItems: 1},
		{name: "fractional value", samples: []Sample{{Value: 0.25}}, wantValue: 0.25, wantItems: 1},
		{name: "series keep their labels", samples: []Sample{{Labels: map[string]string{"pod": "a"}, Value: 1}, {Labels: map[string]string{"pod": "b"}, Value: 2}}, wantValue: 1, wantItems: 2},
		{name: "empty result is one zero", samples: nil, wantValue: 0, wantItems: 1},
		{name: "NaN is refused", samples: []Sample{{Value: math.NaN()}}, wantStatus: http.StatusServiceUnavailable},
		{name: "Inf is refused", samples: []Sample{{Value: math.Inf(1)}}, wantStatus: http.StatusServiceUnavailable},
		{name: "backend down", err: errors.New("connection refused"), wantStatus: http.StatusServiceUnavailable},
		{name: "status errors pass through", err: apierrors.NewBadRequest("bad selector"), wantStatus: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestProvider(t, &fakeSource{samples: tc.samples, err: tc.err}, 0)
			value, items, err := get(p, "http_requests")
			if tc.wantStatus != 0 {
				if status, ok := err.(apierrors.APIStatus); !ok || status.Status().Code != tc.wantStatus {
					t.Fatalf("got %v, want status %d", err, tc.wantStatus)
				}
				return
			}
			if err != nil || value != tc.wantValue || items != tc.wantItems {
				t.Errorf("got %v (%d items), %v; want %v (%d items)", value, items, err, tc.wantValue, tc.wantItems)
			}
		})
	}
}

func TestValuesCarryTimestampAndWindow(t *testing.T) {
	p, clk := newTestProvider(t, &fakeSource{samples: []Sample{{Value: 1}}}, 0)
	list, err := p.GetExternalMetric(context.Background(), "default", labels.Everything(), provider.ExternalMetricInfo{Metric: "http_requests"})
	if err != nil {
		t.Fatal(err)
	}
	item := list.Items[0]
	if !item.Timestamp.Time.Equal(clk.Now()) || item.WindowSeconds == nil || *item.WindowSeconds != 60 || item.MetricName != "http_requests" {
		t.Errorf("item %+v", item)
	}
}

func TestUnknownMetricIsNotFound(t *testing.T) {
	p, _ := newTestProvider(t, &fakeSource{}, 0)
	_, _, err := get(p, "no_such_metric")
	if !apierrors.IsNotFound(err) {
		t.Errorf("got %v, want 404", err)
	}
}

func TestDuplicateNamesAreRefused(t *testing.T) {
	m := Metric{Name: "twice", Source: &fakeSource{}}
	if _, err := NewProvider([]Metric{m, m}, clocktesting.NewFakePassiveClock(time.Now())); err == nil {
		t.Error("two metrics with one name were accepted")
	}
}

func TestListAllExternalMetricsIsSorted(t *testing.T) {
	p, err := NewProvider([]Metric{{Name: "b", Source: &fakeSource{}}, {Name: "a", Source: &fakeSource{}}}, clocktesting.NewFakePassiveClock(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ListAllExternalMetrics(); len(got) != 2 || got[0].Metric != "a" || got[1].Metric != "b" {
		t.Errorf("ListAllExternalMetrics = %v", got)
	}
}

func TestCache(t *testing.T) {
	source := &fakeSource{samples: []Sample{{Value: 1}}}
	p, clk := newTestProvider(t, source, 30*time.Second)

	step := func(advance time.Duration, want float64, wantQueries int, wantErr bool) {
		t.Helper()
		clk.SetTime(clk.Now().Add(advance))
		value, _, err := get(p, "http_requests")
		if (err != nil) != wantErr || (!wantErr && value != want) || source.queries != wantQueries {
			t.Fatalf("after +%s: value %v err %v queries %d; want %v err=%v queries %d", advance, value, err, source.queries, want, wantErr, wantQueries)
		}
	}
	step(0, 1, 1, false) // miss
	source.samples = []Sample{{Value: 2}}
	step(10*time.Second, 1, 1, false) // fresh hit: the backend is not asked
	step(25*time.Second, 2, 2, false) // expired: asked again
	source.err = errors.New("down")
	step(40*time.Second, 2, 3, false) // stale-while-error within one more TTL
	step(25*time.Second, 0, 4, true)  // older than two TTLs: the error shows
}
