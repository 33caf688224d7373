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

// Package e2e tests example-apiserver as users meet it: registered behind a real
// kube-apiserver (with kube-controller-manager) by hack/local-up.sh, driven by the built
// kubectl and client-go, with a real Prometheus behind its external metrics. With
// E2E_KUBECONFIG it targets an existing cluster instead, where artifacts/deploy is applied.
package e2e

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"example.com/example-apiserver/pkg/apis/config/v1alpha1"
	"example.com/example-apiserver/test/e2e/framework"
	"example.com/example-apiserver/test/utils"
)

// Started once for the package; tests use their own namespaces.
var (
	stack *framework.Stack
	// exporter serves the http_requests values the tests set; prometheus scrapes it every
	// second and example-apiserver serves the metric http_requests from prometheus. Both are
	// nil on an existing cluster, whose example-apiserver knows neither.
	exporter   *framework.Exporter
	prometheus *framework.Prometheus
)

func TestMain(m *testing.M) {
	flag.Parse()
	runAllParallelTestsAtOnce()
	os.Exit(run(m))
}

// runAllParallelTestsAtOnce raises go test's -parallel, unless given, from GOMAXPROCS to more
// than the suite has parallel tests: they spend minutes waiting for minute boundaries while
// the stack does the work, and their waits only overlap if they run at the same time.
func runAllParallelTestsAtOnce() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", "32")
	}
}

// existingClusterVariable names the kubeconfig of an existing cluster to run the suite against.
// Not KUBECONFIG: a developer's shell often sets it, and a run of make test-e2e should not
// reach whatever cluster that is unless asked to.
const existingClusterVariable = "E2E_KUBECONFIG"

func run(m *testing.M) int {
	if kubeconfig := os.Getenv(existingClusterVariable); kubeconfig != "" {
		var err error
		if stack, err = framework.Existing(kubeconfig); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", existingClusterVariable, err)
			return 1
		}
		return m.Run()
	}
	return runOnLocalStack(m)
}

// runOnLocalStack brings up the local stack, with the suite's own Prometheus behind the metric
// http_requests, runs the tests and stops it.
func runOnLocalStack(m *testing.M) int {
	exporter = framework.NewExporter()
	defer exporter.Close()
	scratch, err := os.MkdirTemp("", "example-apiserver-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(scratch)
	prometheus, err = framework.StartPrometheus(filepath.Join(scratch, "prometheus"), nil, framework.ScrapeConfig{
		JobName:       "e2e",
		StaticConfigs: []framework.StaticConfig{{Targets: []string{exporter.Listener.Addr().String()}}},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting prometheus: %v\n", err)
		return 1
	}
	defer prometheus.Stop()
	config, err := writeServerConfig(scratch, prometheus.URL)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	// A state directory of its own: neither a stack a developer has up in _output/local nor a
	// concurrent run is ever touched.
	stack, err = framework.Up("_output/e2e", "EXAMPLE_APISERVER_CONFIG="+config, "KUBE_CONTROLLER_MANAGER_EXTRA_FLAGS="+utils.HPAControllerFlags,
		"LOCAL_UP_LDAP=1", "LOCAL_UP_LOGIN_TOKEN_LIFETIME="+loginTokenLifetime)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bringing up the local control plane: %v\n", err)
		return 1
	}
	return stack.RunTests(m)
}

// writeServerConfig writes the example configuration (artifacts/config), which the admission
// tests rely on, plus the metric http_requests from prometheusURL, with a short cache so that
// a stopped Prometheus shows at once, and the images that make pods fail or hang on the fake
// Node allowed, for CronTabs to run them.
func writeServerConfig(dir, prometheusURL string) (string, error) {
	root, err := utils.RepoRoot()
	if err != nil {
		return "", err
	}
	cfg, err := utils.ExampleServerConfig(root, strings.Split(utils.FailImage, "/")[0])
	if err != nil {
		return "", err
	}
	cfg.ExternalMetrics = append(cfg.ExternalMetrics, v1alpha1.ExternalMetric{
		Name:     "http_requests",
		CacheTTL: &metav1.Duration{Duration: time.Second},
		Prometheus: &v1alpha1.PrometheusMetricSource{
			URL:   prometheusURL,
			Query: "sum(http_requests{ {{- .LabelMatchers -}} })",
		},
	})
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "example-apiserver.yaml")
	return path, os.WriteFile(path, out, 0o644)
}
