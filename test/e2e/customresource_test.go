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
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultCustomResourceMessage(t *testing.T) {
	example, err := os.ReadFile(filepath.Join(stack.Root, "artifacts", "examples", "hello-customresource.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// CustomResources are cluster-scoped: the example under a generated name is this run's
	// alone, whatever the README's test or an earlier run left.
	manifest := bytes.Replace(example, []byte("\n  name: hello\n"), []byte("\n  generateName: hello-\n"), 1)
	if bytes.Equal(manifest, example) {
		t.Fatalf("hello-customresource.yaml no longer names its object hello:\n%s", example)
	}
	name := strings.TrimSpace(stack.MustKubectlWithInput(t, manifest, "create", "-f", "-", "-o", "jsonpath={.metadata.name}"))
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "customresource", name, "--ignore-not-found") })
	out := stack.MustKubectl(t, "get", "--raw", "/apis/example.com/v1/customresources/"+name)
	var cr struct {
		Spec struct {
			Message string `json:"message"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(out), &cr); err != nil {
		t.Fatalf("decoding: %v\n%s", err, out)
	}
	if cr.Spec.Message != "Hello from Custom Resource API!" {
		t.Errorf("message %q, want the default\n%s", cr.Spec.Message, out)
	}
}
