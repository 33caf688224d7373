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

package kubectlplugin

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/version"
)

func TestVersion(t *testing.T) {
	f := newFakeFactory()
	f.discovery.FakedServerVersion = &version.Info{GitVersion: "v1.37.2"}
	f.discovery.Resources = []*metav1.APIResourceList{exampleResources}
	out, _, err := run(t, f, "version")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Plugin Version: ", "Kubernetes Version: v1.37.2 (kube-apiserver)\n", "example.com: v1\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}

	f.discovery.Resources = nil
	out, _, _ = run(t, f, "version", "-o", "yaml")
	if !strings.Contains(out, "kubernetes:\n  buildDate") || !strings.Contains(out, "gitVersion: v1.37.2") || strings.Contains(out, "exampleVersions") {
		t.Errorf("yaml without example.com:\n%s", out)
	}
	out, _, _ = run(t, f, "version")
	if !strings.Contains(out, "example.com: not served") {
		t.Errorf("no hint when example.com is not served:\n%s", out)
	}
}
