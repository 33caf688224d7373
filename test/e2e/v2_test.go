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
	"strings"
	"testing"
)

// v2Manifest is a v2 CronTab with what v1 has no field for.
const v2Manifest = `apiVersion: example.com/v2
kind: CronTab
metadata:
  name: nightly
spec:
  cronSpec: "0 3 * * *"
  jobTemplate:
    metadata:
      labels: {job: nightly}
    spec:
      parallelism: 2
      ttlSecondsAfterFinished: 3600
      template:
        spec:
          serviceAccountName: report
          restartPolicy: Never
          volumes:
          - name: config
            configMap: {name: report}
          containers:
          - name: report
            image: registry.example.com/report:1.0
            env:
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
            resources: {requests: {cpu: 100m}}
            volumeMounts:
            - {name: config, mountPath: /etc/report, readOnly: true}
          - name: sidecar
            image: registry.example.com/uploader:1.0
`

// v2Fields are what the v2 object must keep, as a jsonpath of kubectl get and its value.
var v2Fields = []struct{ path, want string }{
	{"{.spec.jobTemplate.metadata.labels.job}", "nightly"},
	{"{.spec.jobTemplate.spec.ttlSecondsAfterFinished}", "3600"},
	{"{.spec.jobTemplate.spec.template.spec.serviceAccountName}", "report"},
	{"{.spec.jobTemplate.spec.template.spec.volumes[0].configMap.name}", "report"},
	{"{.spec.jobTemplate.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name}", "db"},
	{"{.spec.jobTemplate.spec.template.spec.containers[0].resources.requests.cpu}", "100m"},
	{"{.spec.jobTemplate.spec.template.spec.containers[0].volumeMounts[0].mountPath}", "/etc/report"},
	{"{.spec.jobTemplate.spec.template.spec.containers[1].image}", "registry.example.com/uploader:1.0"},
	// A work queue: parallelism without completions.
	{"{.spec.jobTemplate.spec.completions}", ""},
}

func assertV2Fields(t *testing.T, ns, step string) {
	t.Helper()
	for _, f := range v2Fields {
		got, err := stack.Kubectl("get", "crontabs.v2.example.com", "nightly", "-n", ns, "-o", "jsonpath="+f.path)
		if err != nil || got != f.want {
			t.Errorf("%s: %s = %q (%v), want %q", step, f.path, got, err, f.want)
		}
	}
}

// TestV2CronTabThroughV1Clients applies a v2 CronTab with kubectl and writes it back as v1,
// with kubectl replace and a v1 kubectl apply: every v2 field stays.
func TestV2CronTabThroughV1Clients(t *testing.T) {
	ns := stack.Namespace(t, "e2e-v2")
	stack.MustKubectlWithInput(t, []byte(v2Manifest), "apply", "-n", ns, "-f", "-")
	assertV2Fields(t, ns, "applied as v2")
	if got := stack.MustKubectl(t, "get", "ct", "nightly", "-n", ns, "-o", "jsonpath={.apiVersion}"); got != "example.com/v2" {
		t.Errorf("kubectl get ct speaks %q, want the preferred example.com/v2", got)
	}

	// A v1 manifest applied over it; kubectl's last applied configuration is the v2 one.
	v1Manifest := "apiVersion: example.com/v1\nkind: CronTab\nmetadata:\n  name: nightly\nspec:\n  cronSpec: '0 5 * * *'\n  image: registry.example.com/report:1.1\n  replicas: 3\n"
	stack.MustKubectlWithInput(t, []byte(v1Manifest), "apply", "-n", ns, "-f", "-")
	assertV2Fields(t, ns, "applied as v1")
	got := stack.MustKubectl(t, "get", "crontabs.v2.example.com", "nightly", "-n", ns, "-o",
		"jsonpath={.spec.cronSpec}|{.spec.jobTemplate.spec.parallelism}|{.spec.jobTemplate.spec.template.spec.containers[0].image}")
	if got != "0 5 * * *|3|registry.example.com/report:1.1" {
		t.Errorf("after the v1 apply: schedule|parallelism|image = %q", got)
	}

	// A v1 client's read-modify-write. (kubectl replace also records what it wrote as the last
	// applied configuration, so it comes last: a later apply would delete what it lacks.)
	v1 := stack.MustKubectl(t, "get", "crontabs.v1.example.com", "nightly", "-n", ns, "-o", "yaml")
	if !strings.Contains(v1, "image: registry.example.com/report:1.1") || !strings.Contains(v1, "replicas: 3") {
		t.Errorf("the v1 view lacks the first container's image or the parallelism:\n%s", v1)
	}
	v1 = strings.Replace(v1, "cronSpec: 0 5 * * *", "cronSpec: 0 4 * * *", 1)
	stack.MustKubectlWithInput(t, []byte(v1), "replace", "-f", "-")
	assertV2Fields(t, ns, "replaced as v1")
	if got := stack.MustKubectl(t, "get", "ct", "nightly", "-n", ns, "-o", "jsonpath={.spec.cronSpec}"); got != "0 4 * * *" {
		t.Errorf("after the v1 replace: schedule %q", got)
	}

	explain := stack.MustKubectl(t, "explain", "crontab.spec.jobTemplate.spec.template.spec.containers.env")
	if !strings.Contains(explain, "valueFrom") {
		t.Errorf("kubectl explain crontab.spec.jobTemplate.spec.template.spec.containers.env:\n%s", explain)
	}
}
