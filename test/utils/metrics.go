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

package utils

import (
	"bytes"
	"testing"

	"k8s.io/component-base/metrics/testutil"
)

// Counter, for tests that check a server's metrics from outside it, returns the value of the counter name with exactly these labels in the Prometheus
// text data; 0 when the series has not been written yet.
func Counter(t testing.TB, data []byte, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := testutil.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parsing metrics: %v", err)
	}
	family, ok := families[name]
	if !ok {
		return 0
	}
	for _, m := range family.GetMetric() {
		if len(m.GetLabel()) == len(labels) && testutil.LabelsMatch(m, labels) {
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
