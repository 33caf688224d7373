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
	"fmt"

	"k8s.io/apimachinery/pkg/labels"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/registry/example/crontab"
)

// objectsSource computes a metric from the server's own storage of CronTabs (its watch
// cache): always available, no copy of the objects of its own, and no etcd read of them.
type objectsSource struct {
	metric   config.ObjectsMetric
	cronTabs crontab.Lister
}

// NewObjectsSource returns a source of metric computed from cronTabs.
func NewObjectsSource(metric config.ObjectsMetric, cronTabs crontab.Lister) (Source, error) {
	switch metric {
	case config.CronTabCount, config.CronTabReplicas:
		return &objectsSource{metric: metric, cronTabs: cronTabs}, nil
	default:
		return nil, fmt.Errorf("unknown objects metric %q: supported are %q", metric, config.ObjectsMetrics)
	}
}

func (s *objectsSource) Query(ctx context.Context, namespace string, selector labels.Selector) ([]Sample, error) {
	items, err := s.cronTabs.ListCronTabs(ctx, namespace, selector)
	if err != nil {
		return nil, err
	}
	var value float64
	for i := range items {
		value += s.valueOf(&items[i])
	}
	return []Sample{{Value: value}}, nil
}

func (s *objectsSource) valueOf(ct *example.CronTab) float64 {
	if s.metric == config.CronTabReplicas {
		return float64(ct.Spec.Replicas)
	}
	return 1
}
