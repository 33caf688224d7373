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

// Package helmchart runs the helm of make tools-helm on charts/example-apiserver, for make
// test-helm (lint, drift from artifacts/deploy), the e2e suite's server-side dry runs and make
// test-deploy's install on the real node.
package helmchart

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const (
	// Release is the release name the tests install and render as.
	Release = "example-apiserver"
	// Namespace is the namespace artifacts/deploy names, so renderings compare.
	Namespace = "example-system"
	// Default names the chart's values.yaml alone in ValueSets.
	Default = "default"
)

// Helm runs root's _output/bin/helm with its configuration, cache and data under home, so
// nothing of the user's ~/.config/helm is read or written.
type Helm struct {
	Root, Home string
	// Kubeconfig is the cluster of install, upgrade and uninstall; template and lint need none.
	Kubeconfig string
}

// Chart is the chart's directory.
func (h Helm) Chart() string { return filepath.Join(h.Root, "charts", "example-apiserver") }

// Run runs helm with args and a deadline and returns its standard output; the error holds its
// standard error (helm logs there, e.g. each link of files/ it follows).
func (h Helm) Run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(h.Root, "_output", "bin", "helm"), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CONFIG_HOME="+filepath.Join(h.Home, "config"), "HELM_CACHE_HOME="+filepath.Join(h.Home, "cache"),
		"HELM_DATA_HOME="+filepath.Join(h.Home, "data"), "KUBECONFIG="+h.Kubeconfig)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("helm %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// Template renders the chart as release Release in Namespace; args add -f or --set.
func (h Helm) Template(args ...string) (string, error) {
	return h.Run(append([]string{"template", Release, h.Chart(), "--namespace", Namespace}, args...)...)
}

// ValueSets are the value sets the chart offers and its checks render: Default, and each
// ci/NAME-values.yaml (chart-testing's convention) by NAME. The values are helm's -f arguments.
func (h Helm) ValueSets() (map[string][]string, error) {
	files, err := filepath.Glob(filepath.Join(h.Chart(), "ci", "*-values.yaml"))
	if err != nil {
		return nil, err
	}
	sets := map[string][]string{Default: nil}
	for _, f := range files {
		sets[strings.TrimSuffix(filepath.Base(f), "-values.yaml")] = []string{"-f", f}
	}
	return sets, nil
}

// Names returns the sets' names, sorted, for a stable order of subtests.
func Names(sets map[string][]string) []string {
	names := make([]string, 0, len(sets))
	for name := range sets {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// crdModules are the Go modules whose repositories hold the CRDs of the chart's optional
// objects (cert-manager's Issuers and Certificates, the Prometheus operator's ServiceMonitors
// and PrometheusRules), each with the CRD files in it.
var crdModules = map[string][]string{
	"github.com/cert-manager/cert-manager@v1.21.2": {"deploy/crds/cert-manager.io_issuers.yaml", "deploy/crds/cert-manager.io_certificates.yaml"},
	"github.com/prometheus-operator/prometheus-operator@v0.85.0": {
		"example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
		"example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
	},
}

// CRDs returns the files of those CRDs, downloaded into the Go module cache (no cluster needs
// cert-manager or the operator running for a server-side dry run of their objects).
func CRDs() ([]string, error) {
	var files []string
	for module, paths := range crdModules {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", module)
		// Outside any module: the download must not touch this repository's go.mod or go.sum.
		cmd.Dir = os.TempDir()
		out, err := cmd.Output()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("go mod download %s: %w\n%s", module, err, out)
		}
		var info struct{ Dir string }
		if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
			return nil, fmt.Errorf("go mod download %s: no directory in %s (%v)", module, out, err)
		}
		for _, p := range paths {
			files = append(files, filepath.Join(info.Dir, p))
		}
	}
	sort.Strings(files)
	return files, nil
}
