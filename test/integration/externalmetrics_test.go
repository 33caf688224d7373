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

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// externalMetric GETs a metric the way the HPA controller does and returns its first value.
func externalMetric(ctx context.Context, namespace, metric, selector string) (float64, int, error) {
	var status int
	req := server.Client.ExampleV1().RESTClient().Get().AbsPath("/apis/external.metrics.k8s.io/v1beta1/namespaces", namespace, metric)
	if selector != "" {
		req = req.Param("labelSelector", selector)
	}
	body, err := req.Do(ctx).StatusCode(&status).Raw()
	if err != nil {
		return 0, status, err
	}
	var list struct {
		Items []struct {
			Value         string `json:"value"`
			Timestamp     string `json:"timestamp"`
			WindowSeconds *int64 `json:"window"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return 0, status, err
	}
	if len(list.Items) != 1 || list.Items[0].Timestamp == "" || list.Items[0].WindowSeconds == nil {
		return 0, status, fmt.Errorf("want one item with timestamp and window: %s", body)
	}
	var value float64
	_, err = fmt.Sscan(list.Items[0].Value, &value)
	return value, status, err
}

func TestExternalMetricsFromObjects(t *testing.T) {
	ctx := context.Background()
	ns := "metrics"
	for name, spec := range map[string]struct {
		tier     string
		replicas int32
	}{"a": {"batch", 2}, "b": {"batch", 3}, "c": {"web", 7}} {
		ct := seedCronTab(name)
		ct.Labels = map[string]string{"tier": spec.tier}
		ct.Spec.Replicas = ptr.To(spec.replicas)
		if _, err := server.Client.ExampleV1().CronTabs(ns).Create(ctx, ct, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		metric, selector string
		want             float64
	}{
		{"crontabs", "tier=batch", 2},
		{"crontabs", "", 3},
		{"crontab_replicas", "tier=batch", 5},
		{"crontab_replicas", "tier in (batch,web)", 12},
		{"crontabs", "tier=none", 0}, // one zero, never an empty list
	}
	for _, tc := range tests {
		// The values come from an informer's cache, which catches up with the writes above.
		var got float64
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			var err error
			got, _, err = externalMetric(ctx, ns, tc.metric, tc.selector)
			return err == nil && got == tc.want, nil
		})
		if err != nil {
			t.Errorf("%s{%s} = %v, want %v", tc.metric, tc.selector, got, tc.want)
		}
	}
}

func TestExternalMetricsErrors(t *testing.T) {
	ctx := context.Background()
	if _, status, _ := externalMetric(ctx, "default", "no_such_metric", ""); status != http.StatusNotFound {
		t.Errorf("unknown metric: status %d, want 404", status)
	}
	if _, status, _ := externalMetric(ctx, "default", "crontabs", "tier in (a"); status != http.StatusBadRequest {
		t.Errorf("malformed selector: status %d, want 400", status)
	}
}

func TestExternalMetricsDiscovery(t *testing.T) {
	ctx := context.Background()
	legacy, err := server.Client.ExampleV1().RESTClient().Get().AbsPath("/apis/external.metrics.k8s.io/v1beta1").DoRaw(ctx)
	if err != nil {
		t.Fatalf("GET /apis/external.metrics.k8s.io/v1beta1: %v", err)
	}
	for _, metric := range []string{`"name":"crontabs"`, `"name":"crontab_replicas"`} {
		if !strings.Contains(string(legacy), metric) {
			t.Errorf("per-group discovery lacks %s: %s", metric, legacy)
		}
	}

	// Aggregated discovery is what kube-aggregator and kubectl read.
	aggregated, err := server.Client.ExampleV1().RESTClient().Get().AbsPath("/apis").
		SetHeader("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").DoRaw(ctx)
	if err != nil {
		t.Fatalf("GET /apis (aggregated): %v", err)
	}
	var doc struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Versions []struct {
				Version   string `json:"version"`
				Resources []struct {
					Resource string `json:"resource"`
				} `json:"resources"`
			} `json:"versions"`
		} `json:"items"`
	}
	if err := json.Unmarshal(aggregated, &doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	var resources []string
	for _, group := range doc.Items {
		if group.Metadata.Name == "external.metrics.k8s.io" {
			for _, v := range group.Versions {
				for _, r := range v.Resources {
					resources = append(resources, r.Resource)
				}
			}
		}
	}
	if strings.Join(resources, ",") != "crontab_replicas,crontabs" {
		t.Errorf("aggregated discovery of external.metrics.k8s.io lists %v, want crontab_replicas and crontabs", resources)
	}
}
