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

package main

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// tableList is what `kubectl get crontabs` of many CronTabs costs example-apiserver: a LIST
// as a Table (every row's columns, NEXT RUN computed in the row's time zone) against a plain
// JSON LIST of the same objects.
type tableList struct {
	Objects int `json:"objects"`
	// TableMs and ListMs are the median time of a LIST; TableCPUMs and ListCPUMs
	// example-apiserver's CPU time per LIST.
	TableMs    float64 `json:"table_ms"`
	ListMs     float64 `json:"list_ms"`
	TableCPUMs float64 `json:"table_cpu_ms"`
	ListCPUMs  float64 `json:"list_cpu_ms"`
}

// tableListZones are the time zones the CronTabs rotate through: UTC and three that resolve
// through the zone database.
var tableListZones = []string{"", "Europe/Berlin", "America/New_York", "Asia/Shanghai"}

// tableRowCPUGoal is the goal on the server CPU a table row costs beyond the plain LIST's
// share of it.
const tableRowCPUGoal = 25e-3 // ms

// perRowCPUMs is example-apiserver's extra CPU per table row, in milliseconds.
func (t tableList) perRowCPUMs() float64 {
	return (t.TableCPUMs - t.ListCPUMs) / float64(t.Objects)
}

func (t tableList) goal() goal {
	perRow := t.perRowCPUMs()
	met := perRow <= tableRowCPUGoal
	return goal{
		Goal: fmt.Sprintf("a table LIST of %d CronTabs costs the server ≤ %.0f µs a row more than a JSON LIST", t.Objects, tableRowCPUGoal*1e3),
		Measured: fmt.Sprintf("%.1f µs a row: table %.0f ms (%.0f ms server CPU), JSON %.0f ms (%.0f ms server CPU)",
			perRow*1e3, t.TableMs, t.TableCPUMs, t.ListMs, t.ListCPUMs),
		Met: &met,
	}
}

// measureTableList creates n CronTabs in a namespace of their own on example-apiserver's port
// (deleted afterwards), then times five LISTs of them as a Table and five as JSON.
func measureTableList(ctx context.Context, kube kubernetes.Interface, directConfig *rest.Config, s *stack, n, c int) (tableList, error) {
	result := tableList{Objects: n}
	client, err := clientset.NewForConfig(directConfig)
	if err != nil {
		return result, err
	}
	const ns = "bench-table-list"
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return result, err
	}
	defer func() { _ = kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}) }()
	created := runPhase(n, c, func(i int) error {
		ct := &examplev1.CronTab{
			ObjectMeta: metav1.ObjectMeta{Name: objectName(i)},
			Spec: examplev1.CronTabSpec{
				CronSpec: "*/5 * * * *", TimeZone: tableListZones[i%len(tableListZones)],
				Image: exampleImage, Replicas: ptr.To[int32](1),
			},
		}
		_, err := client.ExampleV1().CronTabs(ns).Create(ctx, ct, metav1.CreateOptions{})
		return err
	})
	if created.Errors > 0 {
		return result, fmt.Errorf("creating %d CronTabs: %d errors, e.g. %s", n, created.Errors, created.FirstError)
	}
	list := func(accept string) func() error {
		return func() error {
			raw, err := client.ExampleV1().RESTClient().Get().Namespace(ns).Resource("crontabs").
				SetHeader("Accept", accept).Do(ctx).Raw()
			if err != nil {
				return err
			}
			var counted struct {
				Items []json.RawMessage `json:"items"`
				Rows  []json.RawMessage `json:"rows"`
			}
			if err := json.Unmarshal(raw, &counted); err != nil {
				return err
			}
			if got := len(counted.Items) + len(counted.Rows); got != n {
				return fmt.Errorf("listed %d CronTabs, want %d", got, n)
			}
			return nil
		}
	}
	const reps = 5
	for _, m := range []struct {
		accept    string
		ms, cpuMs *float64
	}{
		{"application/json;as=Table;v=v1;g=meta.k8s.io", &result.TableMs, &result.TableCPUMs},
		{"application/json", &result.ListMs, &result.ListCPUMs},
	} {
		before := s.snapshot()["example-apiserver"].CPUSeconds
		if *m.ms, err = timeIt(reps, list(m.accept)); err != nil {
			return result, fmt.Errorf("LIST as %s: %w", m.accept, err)
		}
		*m.cpuMs = (s.snapshot()["example-apiserver"].CPUSeconds - before) * 1e3 / reps
	}
	return result, nil
}
