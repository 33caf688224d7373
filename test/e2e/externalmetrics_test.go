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

package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hpaTimeout bounds a scaling step: Prometheus scrapes every second, the cache lives a
// second, and the HPA controller syncs every second; the rest is slack for a busy machine.
const hpaTimeout = 2 * time.Minute

// servedMetrics are the external metrics example-apiserver serves: its own of every
// configuration, and on the local stack http_requests from the Prometheus the suite configures.
func servedMetrics() []string {
	if stack.Local() {
		return []string{"crontabs", "crontab_replicas", "http_requests"}
	}
	return []string{"crontabs", "crontab_replicas"}
}

func TestExternalMetricsAPIService(t *testing.T) {
	stack.Eventually(t, time.Minute, "APIService v1beta1.external.metrics.k8s.io Available", func() (bool, string) {
		out, err := stack.Kubectl("get", "apiservice", "v1beta1.external.metrics.k8s.io", "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`)
		return err == nil && out == "True", out
	})
	discovery := stack.MustKubectl(t, "get", "--raw", "/apis/external.metrics.k8s.io/v1beta1")
	for _, metric := range servedMetrics() {
		if !strings.Contains(discovery, `"name":"`+metric+`"`) {
			t.Errorf("discovery lacks %s:\n%s", metric, discovery)
		}
	}
	if resources := stack.MustKubectl(t, "api-resources", "--api-group=external.metrics.k8s.io"); !strings.Contains(resources, "crontab_replicas") {
		t.Errorf("kubectl api-resources (aggregated discovery) lacks the metrics:\n%s", resources)
	}

	// Delegated authorization: a user without RBAC may not read metrics.
	out, err := stack.Kubectl("get", "--raw", "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/crontabs", "--as=e2e-nobody")
	if err == nil || !strings.Contains(out, "Forbidden") {
		t.Errorf("a user without RBAC read an external metric: %v\n%s", err, out)
	}
	// An unknown metric is a 404 naming it.
	out, err = stack.Kubectl("get", "--raw", "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/no_such_metric")
	if err == nil || !strings.Contains(out, "NotFound") || !strings.Contains(out, "no_such_metric") {
		t.Errorf("unknown metric: %v\n%s", err, out)
	}
}

// replicas polls until the object's spec.replicas is want.
func waitForReplicas(t *testing.T, ns, resource, name string, want int) {
	t.Helper()
	stack.Eventually(t, hpaTimeout, fmt.Sprintf("%s/%s scaled to %d", resource, name, want), func() (bool, string) {
		out, err := stack.Kubectl("get", resource, name, "-n", ns, "-o", "jsonpath={.spec.replicas}")
		if err != nil {
			return false, out
		}
		status, _ := stack.Kubectl("get", "hpa", "-n", ns, "-o", "wide")
		return out == fmt.Sprint(want), "replicas " + out + "\n" + status
	})
}

// TestHPAScalesDeploymentOnPrometheusMetric is the seed's example: a Deployment scaled on the
// external metric http_requests with target AverageValue 100.
func TestHPAScalesDeploymentOnPrometheusMetric(t *testing.T) {
	stack.RequireLocal(t, "sets the metric in the Prometheus the suite starts, and stops it")
	ns := stack.Namespace(t, "e2e-hpa")
	series := fmt.Sprintf(`http_requests{namespace=%q}`, ns)
	exporter.Set(series, 450)
	stack.MustKubectl(t, "apply", "-n", ns, "-f", filepath.Join(stack.Root, "artifacts", "examples", "hpa-http-requests.yaml"))

	waitForReplicas(t, ns, "deployment", "my-app", 5) // ceil(450 / 100)
	exporter.Set(series, 150)
	waitForReplicas(t, ns, "deployment", "my-app", 2) // ceil(150 / 100)

	// Prometheus down: the metric is a 503 with the backend's error, and the HPA holds.
	prometheus.Stop()
	stack.Eventually(t, time.Minute, "http_requests is 503 while Prometheus is down", func() (bool, string) {
		out, err := stack.Kubectl("get", "--raw", "/apis/external.metrics.k8s.io/v1beta1/namespaces/"+ns+"/http_requests")
		return err != nil && strings.Contains(out, "ServiceUnavailable"), out
	})
	if err := prometheus.Restart(); err != nil {
		t.Fatalf("restarting prometheus: %v", err)
	}
	exporter.Set(series, 300)
	waitForReplicas(t, ns, "deployment", "my-app", 3) // scaling resumes
}

// TestHPAScalesCronTab scales a CronTab through its scale subresource on the objects metric
// crontabs: three CronTabs labelled tier=batch, target one per replica.
func TestHPAScalesCronTab(t *testing.T) {
	ns := stack.Namespace(t, "e2e-hpa-crontab")
	stack.MustKubectl(t, "apply", "-n", ns, "-f", filepath.Join(stack.Root, "artifacts", "examples", "my-crontab.yaml"))
	for i := range 3 {
		manifest := cronTabManifest(ns, fmt.Sprintf("batch-%d", i), "@hourly")
		if out, err := stack.KubectlWithInput(manifest, "apply", "-f", "-"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		stack.MustKubectl(t, "label", "ct", fmt.Sprintf("batch-%d", i), "-n", ns, "tier=batch")
	}
	stack.MustKubectl(t, "apply", "-n", ns, "-f", filepath.Join(stack.Root, "artifacts", "examples", "hpa-crontab.yaml"))
	waitForReplicas(t, ns, "crontabs.v1.example.com", "my-new-cron-object", 3)

	// The HPA divides the metric by the replicas the scale subresource reports, which come
	// from the status example-controller-manager writes: three CronTabs over three replicas
	// is one each, not <unknown> as with no status, nor a division by zero.
	stack.Eventually(t, hpaTimeout, "kubectl get hpa shows the current value 1 of target 1 at 3 replicas", func() (bool, string) {
		out, err := stack.Kubectl("get", "hpa", "my-crontab-hpa", "-n", ns, "--no-headers",
			"-o", "custom-columns=TARGETS:.status.currentMetrics[0].external.current.averageValue,REPLICAS:.status.currentReplicas")
		table, _ := stack.Kubectl("get", "hpa", "my-crontab-hpa", "-n", ns)
		return err == nil && strings.Join(strings.Fields(out), " ") == "1 3" && strings.Contains(table, "1/1 (avg)"), out + "\n" + table
	})
}

// TestHPAReportsMissingMetric: a metric that does not exist shows in the HPA's conditions.
func TestHPAReportsMissingMetric(t *testing.T) {
	ns := stack.Namespace(t, "e2e-hpa-missing")
	hpa := `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: missing
spec:
  scaleTargetRef: {apiVersion: example.com/v1, kind: CronTab, name: my-new-cron-object}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: External
    external:
      metric: {name: no_such_metric}
      target: {type: AverageValue, averageValue: "1"}
`
	stack.MustKubectl(t, "apply", "-n", ns, "-f", filepath.Join(stack.Root, "artifacts", "examples", "my-crontab.yaml"))
	if out, err := stack.KubectlWithInput([]byte(hpa), "apply", "-n", ns, "-f", "-"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	stack.Eventually(t, hpaTimeout, "HPA condition ScalingActive=False FailedGetExternalMetric", func() (bool, string) {
		out, _ := stack.Kubectl("get", "hpa", "missing", "-n", ns, "-o", `jsonpath={.status.conditions[?(@.type=="ScalingActive")].reason}`)
		return out == "FailedGetExternalMetric", out
	})
}
