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
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAPIServiceRegistered(t *testing.T) {
	stack.Eventually(t, time.Minute, "APIService v1.example.com Available", func() (bool, string) {
		out, err := stack.Kubectl("get", "apiservice", "v1.example.com", "-o", `jsonpath={.status.conditions[?(@.type=="Available")].status}`)
		return err == nil && out == "True", out
	})

	var resources struct {
		GroupVersion string `json:"groupVersion"`
		Resources    []struct {
			Name       string   `json:"name"`
			ShortNames []string `json:"shortNames"`
			Namespaced bool     `json:"namespaced"`
		} `json:"resources"`
	}
	out := stack.MustKubectl(t, "get", "--raw", "/apis/example.com/v1")
	if err := json.Unmarshal([]byte(out), &resources); err != nil {
		t.Fatalf("decoding discovery: %v\n%s", err, out)
	}
	found := map[string]string{}
	for _, r := range resources.Resources {
		found[r.Name] = strings.Join(r.ShortNames, ",")
	}
	if found["crontabs"] != "ct" {
		t.Errorf("crontabs with short name ct missing from /apis/example.com/v1: %s", out)
	}
	if _, ok := found["customresources"]; !ok {
		t.Errorf("customresources missing from /apis/example.com/v1: %s", out)
	}

	// Aggregated discovery, what kubectl uses, must list the group's resources too.
	apiResources := stack.MustKubectl(t, "api-resources", "--api-group=example.com")
	for _, want := range []string{"crontabs", "ct", "customresources", "CronTab"} {
		if !strings.Contains(apiResources, want) {
			t.Errorf("kubectl api-resources lacks %q:\n%s", want, apiResources)
		}
	}
}
