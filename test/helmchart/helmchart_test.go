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

package helmchart_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	configscheme "example.com/example-apiserver/pkg/apis/config/scheme"
	"example.com/example-apiserver/pkg/cmd/server"
	"example.com/example-apiserver/test/helmchart"
	"example.com/example-apiserver/test/utils"
)

func newHelm(t *testing.T) helmchart.Helm {
	t.Helper()
	root, err := utils.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "_output", "bin", "helm")); err != nil {
		t.Fatalf("no helm (make tools-helm builds it): %v", err)
	}
	return helmchart.Helm{Root: root, Home: t.TempDir()}
}

// TestLint runs helm lint --strict with every value set the chart offers.
func TestLint(t *testing.T) {
	h := newHelm(t)
	sets, err := h.ValueSets()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range helmchart.Names(sets) {
		t.Run(name, func(t *testing.T) {
			if out, err := h.Run(append([]string{"lint", "--strict", h.Chart()}, sets[name]...)...); err != nil {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
}

// TestChartMatchesArtifactsDeploy renders the chart and kubectl's kustomize of artifacts/deploy
// with the same settings and compares the objects. The kustomization stays the reference that
// users apply and the other suites test; the chart templates what values change (replicas,
// images, etcd, certificates...) and takes what they never change from artifacts/ itself
// (files/ links to them). What may differ is listed in normalize, each difference with why.
func TestChartMatchesArtifactsDeploy(t *testing.T) {
	h := newHelm(t)
	for _, tc := range []struct {
		values string
		// extra files applied beside the kustomization.
		extra []string
	}{
		{values: "reference"},
		{values: "cert-manager", extra: []string{"artifacts/deploy/cert-manager/certificates.yaml"}},
	} {
		t.Run(tc.values, func(t *testing.T) {
			chart, err := h.Template("-f", filepath.Join(h.Chart(), "ci", tc.values+"-values.yaml"))
			if err != nil {
				t.Fatalf("%v\n%s", err, chart)
			}
			out, err := exec.Command(filepath.Join(h.Root, "_output", "bin", "kubectl"), "kustomize", filepath.Join(h.Root, "artifacts", "deploy")).CombinedOutput()
			if err != nil {
				t.Fatalf("kubectl kustomize artifacts/deploy (make tools builds kubectl): %v\n%s", err, out)
			}
			want, got := decode(t, string(out)), decode(t, chart)
			for _, f := range tc.extra {
				b, err := os.ReadFile(filepath.Join(h.Root, f))
				if err != nil {
					t.Fatal(err)
				}
				// Applied with -f beside the kustomization, these lack the label its
				// labels: gives every object; the chart's have it, as all of its objects.
				for key, o := range decode(t, string(b)) {
					o.SetLabels(map[string]string{"app.kubernetes.io/part-of": "example-apiserver"})
					want[key] = o
				}
			}
			normalize(t, want, got)
			for key, w := range want {
				g, ok := got[key]
				if !ok {
					t.Errorf("the chart lacks %s", key)
					continue
				}
				if diff := cmp.Diff(w.Object, g.Object); diff != "" {
					t.Errorf("%s differs (-artifacts/deploy +chart):\n%s", key, diff)
				}
			}
			for key := range got {
				if _, ok := want[key]; !ok {
					t.Errorf("the chart renders %s, artifacts/deploy does not", key)
				}
			}
		})
	}
}

// helmLabels are the labels Helm's convention puts on every object (_helpers.tpl).
var helmLabels = []string{"app.kubernetes.io/managed-by", "app.kubernetes.io/instance", "app.kubernetes.io/version", "helm.sh/chart"}

// kustomizeHash is the suffix configMapGenerator appends to a generated ConfigMap's name.
var kustomizeHash = regexp.MustCompile(`^(example-apiserver-audit-policy)-[a-z0-9]{10}$`)

// normalize removes the differences that are the two tools' own:
//   - Namespace example-system: Helm's release namespace exists before the release
//     (helm install --create-namespace, or yours with its Pod Security labels): a chart that
//     rendered it would fail to install into it.
//   - Helm's labels on the chart's objects.
//   - the generated ConfigMap's hash suffix, in its name and where pods mount it; the chart
//     rolls the pods with a checksum annotation instead.
func normalize(t *testing.T, want, got map[string]*unstructured.Unstructured) {
	t.Helper()
	delete(want, "v1/Namespace//"+helmchart.Namespace)
	for key, o := range want {
		if m := kustomizeHash.FindStringSubmatch(o.GetName()); m != nil {
			delete(want, key)
			o.SetName(m[1])
			want[objectKey(o)] = o
		}
		volumes, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "volumes")
		for _, v := range volumes {
			if name, _, _ := unstructured.NestedString(v.(map[string]any), "configMap", "name"); kustomizeHash.MatchString(name) {
				_ = unstructured.SetNestedField(v.(map[string]any), kustomizeHash.FindStringSubmatch(name)[1], "configMap", "name")
			}
		}
		if volumes != nil {
			_ = unstructured.SetNestedSlice(o.Object, volumes, "spec", "template", "spec", "volumes")
		}
	}
	for key, o := range got {
		labels := o.GetLabels()
		for _, l := range helmLabels {
			if _, ok := labels[l]; !ok {
				t.Errorf("%s lacks Helm's label %s", key, l)
			}
			delete(labels, l)
		}
		o.SetLabels(labels)
		annotations, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "metadata", "annotations")
		if _, ok := annotations["checksum/config"]; ok {
			delete(annotations, "checksum/config")
			if len(annotations) == 0 {
				unstructured.RemoveNestedField(o.Object, "spec", "template", "metadata", "annotations")
			} else {
				_ = unstructured.SetNestedStringMap(o.Object, annotations, "spec", "template", "metadata", "annotations")
			}
		}
	}
}

func objectKey(o *unstructured.Unstructured) string {
	return o.GetAPIVersion() + "/" + o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}

// decode reads a stream of YAML documents into objects by apiVersion/kind/namespace/name.
func decode(t *testing.T, manifests string) map[string]*unstructured.Unstructured {
	t.Helper()
	objects := map[string]*unstructured.Unstructured{}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(manifests)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objects
		}
		if err != nil {
			t.Fatal(err)
		}
		o := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &o.Object); err != nil {
			t.Fatalf("decoding %s: %v", doc, err)
		}
		if len(o.Object) == 0 {
			continue
		}
		key := objectKey(o)
		if _, dup := objects[key]; dup {
			t.Errorf("%s rendered twice", key)
		}
		objects[key] = o
	}
}

// TestPackagedChart packages the chart as it would be published and renders the archive: files/
// links to artifacts/, and the archive must hold their contents, not dangling links.
func TestPackagedChart(t *testing.T) {
	h := newHelm(t)
	dir := t.TempDir()
	if out, err := h.Run("package", h.Chart(), "--destination", dir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	archives, _ := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if len(archives) != 1 {
		t.Fatalf("helm package wrote %v, want one archive", archives)
	}
	values := filepath.Join(h.Chart(), "ci", "monitoring-values.yaml")
	fromDir, err := h.Template("-f", values)
	if err != nil {
		t.Fatalf("%v\n%s", err, fromDir)
	}
	fromArchive, err := h.Run("template", helmchart.Release, archives[0], "--namespace", helmchart.Namespace, "-f", values)
	if err != nil {
		t.Fatalf("%v\n%s", err, fromArchive)
	}
	if diff := cmp.Diff(fromDir, fromArchive); diff != "" {
		t.Errorf("the packaged chart renders differently (-directory +archive):\n%s", diff)
	}
}

// TestPrometheusRule checks that the PrometheusRule's spec is artifacts/monitoring/rules.yaml,
// the file promtool tests and the e2e suite's Prometheus fires.
func TestPrometheusRule(t *testing.T) {
	h := newHelm(t)
	out, err := h.Template("-f", filepath.Join(h.Chart(), "ci", "monitoring-values.yaml"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rule := decode(t, out)["monitoring.coreos.com/v1/PrometheusRule/"+helmchart.Namespace+"/example-apiserver"]
	if rule == nil {
		t.Fatalf("no PrometheusRule example-apiserver with monitoring.prometheusRule.enabled:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(h.Root, "artifacts", "monitoring", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules map[string]any
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rules, rule.Object["spec"]); diff != "" {
		t.Errorf("PrometheusRule spec is not rules.yaml (-rules.yaml +chart):\n%s", diff)
	}
}

// TestComponentConfig decodes the configuration file each value set renders as the server does
// (strictly: an unknown field is an error) and validates it, so a value set that renders a
// file the server refuses fails here rather than in a crash-looping pod.
func TestComponentConfig(t *testing.T) {
	h := newHelm(t)
	sets, err := h.ValueSets()
	if err != nil {
		t.Fatal(err)
	}
	rendered := 0
	for _, name := range helmchart.Names(sets) {
		out, err := h.Template(sets[name]...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		cm := decode(t, out)["v1/ConfigMap/"+helmchart.Namespace+"/example-apiserver-config"]
		if cm == nil {
			continue
		}
		rendered++
		data, _, _ := unstructured.NestedString(cm.Object, "data", "config.yaml")
		cfg, err := configscheme.DecodeExampleAPIServerConfiguration([]byte(data))
		if err != nil {
			t.Errorf("value set %s: the server would not read its configuration: %v\n%s", name, err, data)
			continue
		}
		if errs := server.ValidateComponentConfig(cfg, nil); len(errs) > 0 {
			t.Errorf("value set %s: %v\n%s", name, errs.ToAggregate(), data)
		}
	}
	if rendered == 0 {
		t.Error("no value set renders a configuration file")
	}
}

// TestServiceMonitorCredentials checks that each ServiceMonitor authenticates through
// authorization (the Prometheus operator deprecates bearerTokenFile and bearerTokenSecret) with
// the token of a Secret the chart renders, of a ServiceAccount bound to the metrics-reader
// ClusterRole: the operator reads only Secrets of the ServiceMonitor's namespace.
func TestServiceMonitorCredentials(t *testing.T) {
	h := newHelm(t)
	out, err := h.Template("-f", filepath.Join(h.Chart(), "ci", "monitoring-values.yaml"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	objects := decode(t, out)
	// ServiceAccounts (namespace/name) bound to the metrics-reader ClusterRole.
	readers := map[string]bool{}
	for _, o := range objects {
		if role, _, _ := unstructured.NestedString(o.Object, "roleRef", "name"); o.GetKind() != "ClusterRoleBinding" || role != "example-apiserver:metrics-reader" {
			continue
		}
		subjects, _, _ := unstructured.NestedSlice(o.Object, "subjects")
		for _, s := range subjects {
			subject := s.(map[string]any)
			if subject["kind"] == "ServiceAccount" {
				readers[fmt.Sprintf("%v/%v", subject["namespace"], subject["name"])] = true
			}
		}
	}
	monitors := 0
	for key, o := range objects {
		if o.GetKind() != "ServiceMonitor" {
			continue
		}
		monitors++
		endpoints, _, _ := unstructured.NestedSlice(o.Object, "spec", "endpoints")
		for i, e := range endpoints {
			endpoint := e.(map[string]any)
			for _, deprecated := range []string{"bearerTokenFile", "bearerTokenSecret"} {
				if _, ok := endpoint[deprecated]; ok {
					t.Errorf("%s endpoint %d: %s is deprecated, authorization replaces it", key, i, deprecated)
				}
			}
			name, _, _ := unstructured.NestedString(endpoint, "authorization", "credentials", "name")
			tokenKey, _, _ := unstructured.NestedString(endpoint, "authorization", "credentials", "key")
			secret := objects["v1/Secret/"+o.GetNamespace()+"/"+name]
			if secret == nil || tokenKey != "token" {
				t.Errorf("%s endpoint %d: authorization.credentials %q/%q is not the key token of a Secret the chart renders", key, i, name, tokenKey)
				continue
			}
			account := o.GetNamespace() + "/" + secret.GetAnnotations()["kubernetes.io/service-account.name"]
			if secret.Object["type"] != "kubernetes.io/service-account-token" || !readers[account] {
				t.Errorf("%s endpoint %d: Secret %s is not the token of a ServiceAccount bound to example-apiserver:metrics-reader (type %v, account %s, bound: %v)",
					key, i, name, secret.Object["type"], account, readers)
			}
		}
	}
	if monitors != 2 {
		t.Errorf("monitoring.serviceMonitor.enabled rendered %d ServiceMonitors, want example-apiserver's and example-controller-manager's", monitors)
	}
}
