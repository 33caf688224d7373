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
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/config"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	listers "example.com/example-apiserver/pkg/generated/listers/example/v1"
)

func TestObjectsSource(t *testing.T) {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	add := func(ns, name, team string, replicas *int32) {
		ct := &examplev1.CronTab{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"team": team}}, Spec: examplev1.CronTabSpec{Replicas: replicas}}
		if err := indexer.Add(ct); err != nil {
			t.Fatal(err)
		}
	}
	add("shop", "a", "red", ptr.To[int32](3))
	add("shop", "b", "red", ptr.To[int32](4))
	add("shop", "c", "blue", nil) // not defaulted in the cache: counts as the default 1
	add("other", "d", "red", ptr.To[int32](100))
	lister := listers.NewCronTabLister(indexer)

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
