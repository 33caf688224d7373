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
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/example"
)

// storedCronTabs stands for the registry's lister: it filters by namespace and selector.
type storedCronTabs []example.CronTab

func (s storedCronTabs) ListCronTabs(_ context.Context, namespace string, selector labels.Selector) ([]example.CronTab, error) {
	var items []example.CronTab
	for _, ct := range s {
		if ct.Namespace == namespace && selector.Matches(labels.Set(ct.Labels)) {
			items = append(items, ct)
		}
	}
	return items, nil
}

func TestObjectsSource(t *testing.T) {
	var lister storedCronTabs
	add := func(ns, name, team string, replicas int32) {
		lister = append(lister, example.CronTab{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"team": team}}, Spec: example.CronTabSpec{Replicas: replicas}})
	}
	add("shop", "a", "red", 3)
	add("shop", "b", "red", 4)
	add("shop", "c", "blue", 1)
	add("other", "d", "red", 100)

	tests := []struct {
		metric    config.ObjectsMetric
		namespace string
		selector  string
		want      float64
	}{
		{config.CronTabCount, "shop", "", 3},
		{config.CronTabCount, "shop", "team=red", 2},
		{config.CronTabReplicas, "shop", "team=red", 7},
		{config.CronTabReplicas, "shop", "", 8},
		{config.CronTabReplicas, "empty", "", 0},
	}
	for _, tc := range tests {
		source, err := NewObjectsSource(tc.metric, lister)
		if err != nil {
			t.Fatal(err)
		}
		selector, _ := labels.Parse(tc.selector)
		samples, err := source.Query(context.Background(), tc.namespace, selector)
		if err != nil || len(samples) != 1 || samples[0].Value != tc.want {
			t.Errorf("%s in %s with %q: %+v, %v; want %v", tc.metric, tc.namespace, tc.selector, samples, err, tc.want)
		}
	}
	if _, err := NewObjectsSource("pods", lister); err == nil {
		t.Error("an unknown objects metric was accepted")
	}
}
