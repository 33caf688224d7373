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

// cronTabManifest is a CronTab in namespace ns, applied from stdin.
func cronTabManifest(ns, name, cronSpec string) []byte {
	return fmt.Appendf(nil, `apiVersion: example.com/v1
kind: CronTab
metadata:
  name: %s
  namespace: %s
spec:
  cronSpec: %q
  image: my-awesome-cron-image
`, name, ns, cronSpec)
}

func TestSeedCronTabThroughKubectl(t *testing.T) {
	ns := stack.Namespace(t, "e2e-seed")
	example := filepath.Join(stack.Root, "artifacts", "examples", "my-crontab.yaml")
	stack.MustKubectl(t, "apply", "-n", ns, "-f", example)

	table := stack.MustKubectl(t, "get", "ct", "-n", ns)
	header := strings.Fields(strings.Split(table, "\n")[0])
	if strings.Join(header, " ") != "NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE NEXT RUN AGE" {
		t.Errorf("kubectl get ct header %q", header)
	}
	if !strings.Contains(table, "my-new-cron-object") || !strings.Contains(table, "* * * * */5") || !strings.Contains(table, " in ") {
		t.Errorf("kubectl get ct:\n%s", table)
	}
	if wide := stack.MustKubectl(t, "get", "crontabs", "-n", ns, "-o", "wide"); !strings.Contains(wide, "example.com/crontab=my-new-cron-object") {
		t.Errorf("kubectl get crontabs -o wide lacks the selector:\n%s", wide)
	}

	// v2 is preferred; the seed speaks v1, as its clients do.
	yaml := stack.MustKubectl(t, "get", "crontabs.v1.example.com", "my-new-cron-object", "-n", ns, "-o", "yaml")
	for _, want := range []string{"apiVersion: example.com/v1", "kind: CronTab", "cronSpec: '* * * * */5'", "image: my-awesome-cron-image", "replicas: 1"} {
		if !strings.Contains(yaml, want) {
			t.Errorf("-o yaml lacks %q:\n%s", want, yaml)
		}
	}
	// The YAML round-trips: writing back what we read is accepted and changes no spec.
	if out, err := stack.KubectlWithInput([]byte(yaml), "replace", "-f", "-"); err != nil || !strings.Contains(out, "replaced") {
		t.Errorf("kubectl replace with the -o yaml output: %v\n%s", err, out)
	}
	if gen := stack.MustKubectl(t, "get", "crontab", "my-new-cron-object", "-n", ns, "-o", "jsonpath={.metadata.generation}"); gen != "1" {
		t.Errorf("generation after writing back the same spec = %s, want 1", gen)
	}

	explain := stack.MustKubectl(t, "explain", "crontab.spec.cronSpec")
	if !strings.Contains(explain, "cron format") {
		t.Errorf("kubectl explain crontab.spec.cronSpec:\n%s", explain)
	}
}

func TestInvalidCronSpecIsRejected(t *testing.T) {
	ns := stack.Namespace(t, "e2e-invalid")
	out, err := stack.KubectlWithInput(cronTabManifest(ns, "bad", "61 * * * *"), "apply", "-f", "-")
	if err == nil {
		t.Fatalf("a CronTab with cronSpec 61 * * * * was accepted:\n%s", out)
	}
	for _, want := range []string{"is invalid", "spec.cronSpec", "61 * * * *", "above maximum"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl's error lacks %q:\n%s", want, out)
		}
	}
	if _, err := stack.Kubectl("get", "ct", "bad", "-n", ns); err == nil {
		t.Error("the invalid CronTab was stored")
	}
}

func TestScaleApplyPatchAndWatch(t *testing.T) {
	ns := stack.Namespace(t, "e2e-scale")
	stack.MustKubectl(t, "apply", "-n", ns, "-f", filepath.Join(stack.Root, "artifacts", "examples", "my-crontab.yaml"))

	stack.MustKubectl(t, "scale", "ct", "my-new-cron-object", "-n", ns, "--replicas=3")
	if got := stack.MustKubectl(t, "get", "crontabs.v1.example.com", "my-new-cron-object", "-n", ns, "-o", "jsonpath={.spec.replicas}"); got != "3" {
		t.Errorf("spec.replicas after kubectl scale = %q, want 3", got)
	}

	// Watch in the background, then change the object: the watch must print the update.
	watch, err := stack.StartKubectl("get", "crontabs.v1.example.com", "-n", ns, "-w", "--output-watch-events",
		"-o", "custom-columns=EVENT:.type,NAME:.object.metadata.name,IMAGE:.object.spec.image")
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Stop()
	stack.Eventually(t, 30*time.Second, "kubectl get ct -w lists the CronTab", func() (bool, string) {
		return strings.Contains(watch.Output(), "ADDED"), watch.Output()
	})

	applied, err := stack.KubectlWithInput([]byte(`apiVersion: example.com/v1
kind: CronTab
metadata:
  name: my-new-cron-object
spec:
  cronSpec: "*/10 * * * *"
  image: my-awesome-cron-image:2.0
`), "apply", "--server-side", "--field-manager=e2e", "--force-conflicts", "-n", ns, "-f", "-")
	if err != nil {
		t.Fatalf("kubectl apply --server-side: %v\n%s", err, applied)
	}
	stack.MustKubectl(t, "patch", "ct", "my-new-cron-object", "-n", ns, "--type=merge", "-p", `{"metadata":{"labels":{"edited":"yes"}}}`)

	got := stack.MustKubectl(t, "get", "crontabs.v1.example.com", "my-new-cron-object", "-n", ns, "-o", "jsonpath={.spec.cronSpec}|{.spec.image}|{.metadata.labels.edited}")
	if got != "*/10 * * * *|my-awesome-cron-image:2.0|yes" {
		t.Errorf("after apply --server-side and patch: %q", got)
	}
	managers := stack.MustKubectl(t, "get", "ct", "my-new-cron-object", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}")
	if !strings.Contains(managers, "e2e") {
		t.Errorf("managedFields lack the server-side apply manager e2e: %q", managers)
	}

	stack.Eventually(t, 30*time.Second, "kubectl get ct -w prints the update", func() (bool, string) {
		out := watch.Output()
		return strings.Contains(out, "MODIFIED") && strings.Contains(out, "my-awesome-cron-image:2.0"), out
	})
}

func TestNamespaceDeletionRemovesCronTabs(t *testing.T) {
	ns := stack.Namespace(t, "e2e-nsdelete")
	stack.MustKubectl(t, "apply", "-n", ns, "-f", filepath.Join(stack.Root, "artifacts", "examples", "my-crontab.yaml"))
	stack.MustKubectl(t, "delete", "namespace", ns, "--wait=false")

	stack.Eventually(t, 90*time.Second, "namespace "+ns+" and its CronTabs are gone", func() (bool, string) {
		out, err := stack.Kubectl("get", "namespace", ns)
		return err != nil && strings.Contains(out, "NotFound"), out
	})
	// Read straight from the aggregated API: nothing is left in the namespace.
	out := stack.MustKubectl(t, "get", "--raw", "/apis/example.com/v1/namespaces/"+ns+"/crontabs")
	if strings.Contains(out, "my-new-cron-object") {
		t.Errorf("CronTab survived its namespace:\n%s", out)
	}
}
