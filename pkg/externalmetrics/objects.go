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
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/config"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	listers "example.com/example-apiserver/pkg/generated/listers/example/v1"
)

// objectsSource computes a metric from the informer's cache of CronTabs: always available,
// and no etcd read per request.
type objectsSource struct {
	metric   config.ObjectsMetric
	cronTabs listers.CronTabLister
}

// NewObjectsSource returns a source of metric computed from cronTabs.
func NewObjectsSource(metric config.ObjectsMetric, cronTabs listers.CronTabLister) (Source, error) {
	switch metric {
	case config.CronTabCount, config.CronTabReplicas:
		return &objectsSource{metric: metric, cronTabs: cronTabs}, nil
	default:
		return nil, fmt.Errorf("unknown objects metric %q: supported are %q", metric, config.ObjectsMetrics)
	}
}

func (s *objectsSource) Query(_ context.Context, namespace string, selector labels.Selector) ([]Sample, error) {
	items, err := s.cronTabs.CronTabs(namespace).List(selector)
	if err != nil {
		return nil, err
	}
	var value float64
	for _, ct := range items {
		value += s.valueOf(ct)
	}
	return []Sample{{Value: value}}, nil
}

func (s *objectsSource) valueOf(ct *examplev1.CronTab) float64 {
	if s.metric == config.CronTabReplicas {
		return float64(ptr.Deref(ct.Spec.Replicas, 1))
	}
	return 1
}
