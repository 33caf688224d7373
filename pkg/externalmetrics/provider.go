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

// Package externalmetrics is example-apiserver's external.metrics.k8s.io provider: the metrics
// an HPA of type External reads, each computed by a Source (our own objects, a Prometheus
// query) behind a per-metric cache.
package externalmetrics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/metrics/pkg/apis/external_metrics"
	"k8s.io/utils/clock"
	"sigs.k8s.io/custom-metrics-apiserver/pkg/provider"
)

// Sample is one value of a metric; Labels tell series of one metric apart.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Source computes the current samples of one metric for a namespace and the HPA's selector.
type Source interface {
	Query(ctx context.Context, namespace string, selector labels.Selector) ([]Sample, error)
}

// Metric is a configured external metric.
type Metric struct {
	// Name is the metric's name in the URL: a lowercase path segment.
	Name string
	// Source computes its value.
	Source Source
	// Window is the time span the value describes, reported to clients as window.
	Window time.Duration
	// CacheTTL is how long an answer is reused; zero disables the cache.
	CacheTTL time.Duration
}

// Provider serves the configured metrics.
type Provider struct {
	metrics map[string]*cachedMetric
	names   []provider.ExternalMetricInfo
	clock   clock.PassiveClock
}

var _ provider.ExternalMetricsProvider = &Provider{}

// NewProvider returns a provider of metrics, which must have distinct names.
func NewProvider(metrics []Metric, clk clock.PassiveClock) (*Provider, error) {
	p := &Provider{metrics: map[string]*cachedMetric{}, clock: clk}
	for _, m := range metrics {
		if _, dup := p.metrics[m.Name]; dup {
			return nil, fmt.Errorf("external metric %q is declared twice", m.Name)
		}
		p.metrics[m.Name] = &cachedMetric{Metric: m, entries: map[string]*cacheEntry{}}
		p.names = append(p.names, provider.ExternalMetricInfo{Metric: m.Name})
	}
	sort.Slice(p.names, func(i, j int) bool { return p.names[i].Metric < p.names[j].Metric })
	return p, nil
}

// ListAllExternalMetrics lists every configured metric, so discovery shows what exists.
func (p *Provider) ListAllExternalMetrics() []provider.ExternalMetricInfo {
	return p.names
}

// GetExternalMetric returns the metric's current values. An unknown metric is a 404, a failing
// backend a 503, and an empty result one value of 0: the HPA treats an empty list as an error.
func (p *Provider) GetExternalMetric(ctx context.Context, namespace string, selector labels.Selector, info provider.ExternalMetricInfo) (*external_metrics.ExternalMetricValueList, error) {
	m, ok := p.metrics[info.Metric]
	if !ok {
		return nil, provider.NewMetricNotFoundError(external_metrics.Resource(info.Metric), info.Metric)
	}
	samples, observed, err := m.get(ctx, p.clock.Now(), namespace, selector)
	if err != nil {
		return nil, err
	}
	list := &external_metrics.ExternalMetricValueList{}
	window := int64(m.Window / time.Second)
	timestamp := metav1.NewTime(observed)
	if len(samples) == 0 {
		samples = []Sample{{Value: 0}}
	}
	for _, s := range samples {
		list.Items = append(list.Items, external_metrics.ExternalMetricValue{
			MetricName:    info.Metric,
			MetricLabels:  s.Labels,
			Timestamp:     timestamp,
			WindowSeconds: &window,
			Value:         *resource.NewMilliQuantity(int64(math.Round(s.Value*1000)), resource.DecimalSI),
		})
	}
	return list, nil
}

// cachedMetric answers from its cache while an answer is younger than the TTL; when the source
// fails, a stale answer is served for at most one more TTL (stale-while-error).
type cachedMetric struct {
	Metric
	mu      sync.Mutex
	entries map[string]*cacheEntry
	// inflight makes concurrent misses of one key share a single query of the source.
	inflight singleflight.Group
}

type cacheEntry struct {
	samples  []Sample
	observed time.Time
}

func (m *cachedMetric) get(ctx context.Context, now time.Time, namespace string, selector labels.Selector) ([]Sample, time.Time, error) {
	key := namespace + "\x00" + selector.String()
	m.mu.Lock()
	entry := m.entries[key]
	m.mu.Unlock()
	if entry != nil && now.Sub(entry.observed) < m.CacheTTL {
		return entry.samples, entry.observed, nil
	}

	result, err, _ := m.inflight.Do(key, func() (any, error) {
		samples, err := m.Source.Query(ctx, namespace, selector)
		if err == nil {
			err = checkFinite(samples)
		}
		return samples, err
	})
	if err != nil {
		if entry != nil && now.Sub(entry.observed) < 2*m.CacheTTL {
			return entry.samples, entry.observed, nil
		}
		if _, ok := err.(apierrors.APIStatus); ok {
			return nil, time.Time{}, err // already a proper status, e.g. 400 for a selector
		}
		return nil, time.Time{}, apierrors.NewServiceUnavailable(fmt.Sprintf("external metric %q: %v", m.Name, err))
	}
	samples := result.([]Sample)
	if m.CacheTTL > 0 {
		m.mu.Lock()
		m.entries[key] = &cacheEntry{samples: samples, observed: now}
		m.mu.Unlock()
	}
	return samples, now, nil
}

// checkFinite refuses NaN and infinities: an autoscaler must not act on them, and the HPA
// keeps the current scale when the metric errors.
func checkFinite(samples []Sample) error {
	for _, s := range samples {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			return fmt.Errorf("the source returned %v for labels %v", s.Value, s.Labels)
		}
	}
	return nil
}
