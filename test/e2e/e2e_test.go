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
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
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

// createNamespace creates a namespace for one test and deletes it afterwards.
func createNamespace(t *testing.T, name string) {
	t.Helper()
	stack.MustKubectl(t, "create", "namespace", name)
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "namespace", name, "--wait=false") })
}

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

func TestSeedCronTabThroughKubectl(t *testing.T) {
	ns := "e2e-seed"
	createNamespace(t, ns)
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
	ns := "e2e-invalid"
	createNamespace(t, ns)
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
	ns := "e2e-scale"
	createNamespace(t, ns)
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

func TestDefaultCustomResourceMessage(t *testing.T) {
	stack.MustKubectl(t, "apply", "-f", filepath.Join(stack.Root, "artifacts", "examples", "hello-customresource.yaml"))
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "customresource", "hello", "--ignore-not-found") })
	out := stack.MustKubectl(t, "get", "--raw", "/apis/example.com/v1/customresources/hello")
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

func TestDelegatedAuthentication(t *testing.T) {
	ns := "e2e-auth"
	createNamespace(t, ns)
	user := "e2e-alice"

	// Without RBAC the user is refused by example-apiserver's SubjectAccessReview.
	out, err := stack.Kubectl("get", "ct", "-n", ns, "--as="+user)
	if err == nil || !strings.Contains(out, "Forbidden") || !strings.Contains(out, user) {
		t.Fatalf("kubectl get ct as %s without RBAC: err=%v, want 403 Forbidden naming the user:\n%s", user, err, out)
	}

	stack.MustKubectl(t, "create", "role", "crontab-reader", "-n", ns, "--verb=get,list,watch", "--resource=crontabs.example.com")
	stack.MustKubectl(t, "create", "rolebinding", "alice-reads-crontabs", "-n", ns, "--role=crontab-reader", "--user="+user)
	stack.Eventually(t, 30*time.Second, user+" may list crontabs after the RoleBinding", func() (bool, string) {
		out, err := stack.Kubectl("get", "ct", "-n", ns, "--as="+user)
		return err == nil, out
	})
	if out, err := stack.Kubectl("delete", "ct", "anything", "-n", ns, "--as="+user); err == nil || !strings.Contains(out, "Forbidden") {
		t.Errorf("a read-only user may delete: %v\n%s", err, out)
	}

	// The request reached example-apiserver as that user: its audit log says so.
	stack.RequireLocal(t, "reads example-apiserver's audit log, after the RBAC checks passed")
	stack.Eventually(t, 30*time.Second, "example-apiserver's audit log names "+user, func() (bool, string) {
		data, err := os.ReadFile(stack.LogPath("example-apiserver-audit"))
		if err != nil {
			return false, err.Error()
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, `"username":"`+user+`"`) && strings.Contains(line, `"resource":"crontabs"`) && strings.Contains(line, `"code":200`) {
				return true, ""
			}
		}
		return false, "no 200 crontabs line for " + user
	})
}

// TestAuthorizationByName checks, with kube-apiserver's RBAC, that deciding a named request
// by its collection (--authorization-collection-decisions) keeps RBAC's answers: a rule with
// resourceNames allows its names only, one without allows every name.
func TestAuthorizationByName(t *testing.T) {
	ns := "e2e-authz-names"
	createNamespace(t, ns)
	user := "e2e-bob"
	for _, name := range []string{"allowed", "other"} {
		stack.MustKubectlWithInput(t, []byte(`apiVersion: example.com/v1
kind: CronTab
metadata:
  name: `+name+`
spec:
  cronSpec: "*/10 * * * *"
  image: my-awesome-cron-image
`), "apply", "-n", ns, "-f", "-")
	}
	get := func(name string) (string, error) {
		return stack.Kubectl("get", "ct", name, "-n", ns, "--as="+user, "-o", "name")
	}

	stack.MustKubectl(t, "create", "role", "one-crontab", "-n", ns, "--verb=get", "--resource=crontabs.example.com", "--resource-name=allowed")
	stack.MustKubectl(t, "create", "rolebinding", "bob-one-crontab", "-n", ns, "--role=one-crontab", "--user="+user)
	stack.Eventually(t, 30*time.Second, user+" may get the CronTab its rule names", func() (bool, string) {
		out, err := get("allowed")
		return err == nil, out
	})
	for _, args := range [][]string{{"get", "ct", "other"}, {"get", "ct"}} {
		if out, err := stack.Kubectl(append(args, "-n", ns, "--as="+user)...); err == nil || !strings.Contains(out, "Forbidden") {
			t.Errorf("kubectl %s with a rule for one name only: err=%v, want 403 Forbidden:\n%s", strings.Join(args, " "), err, out)
		}
	}

	stack.MustKubectl(t, "create", "role", "all-crontabs", "-n", ns, "--verb=get", "--resource=crontabs.example.com")
	stack.MustKubectl(t, "create", "rolebinding", "bob-all-crontabs", "-n", ns, "--role=all-crontabs", "--user="+user)
	stack.Eventually(t, 30*time.Second, user+" may get every CronTab once a rule without names allows it", func() (bool, string) {
		out, err := get("other")
		return err == nil, out
	})
	if out, err := stack.Kubectl("delete", "ct", "other", "-n", ns, "--as="+user); err == nil || !strings.Contains(out, "Forbidden") {
		t.Errorf("delete with get rules only: err=%v, want 403 Forbidden:\n%s", err, out)
	}
}

func TestForgedIdentityHeadersAreRejected(t *testing.T) {
	stack.RequireLocal(t, "calls example-apiserver directly with the stack's serving CA")
	caPEM, err := os.ReadFile(filepath.Join(stack.Dir, "pki", "example-serving-ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	// Straight to example-apiserver's port, claiming to be an admin, without the
	// front-proxy client certificate that makes X-Remote-* headers trustworthy.
	req, err := http.NewRequest(http.MethodGet, stack.Env["EXAMPLE_APISERVER_URL"]+"/apis/example.com/v1/crontabs", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Remote-User", "admin")
	req.Header.Set("X-Remote-Group", "system:masters")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("request to example-apiserver: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged X-Remote-User: status %d, want 401 or 403\n%s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), `"kind":"CronTabList"`) {
		t.Errorf("forged headers were trusted:\n%s", body)
	}
}

func TestNamespaceDeletionRemovesCronTabs(t *testing.T) {
	ns := "e2e-nsdelete"
	stack.MustKubectl(t, "create", "namespace", ns)
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

func TestBuiltInRolesCoverCronTabs(t *testing.T) {
	ns := "e2e-roles"
	createNamespace(t, ns)
	stack.MustKubectl(t, "create", "rolebinding", "viewer", "-n", ns, "--clusterrole=view", "--user=e2e-viewer")
	stack.MustKubectl(t, "create", "rolebinding", "editor", "-n", ns, "--clusterrole=edit", "--user=e2e-editor")

	// The aggregation controller merges our rules into view and edit shortly after start-up.
	stack.Eventually(t, time.Minute, "edit may create CronTabs", func() (bool, string) {
		out, err := stack.KubectlWithInput(cronTabManifest(ns, "edited", "@daily"), "apply", "-f", "-", "--as=e2e-editor")
		return err == nil, out
	})
	stack.MustKubectl(t, "scale", "ct", "edited", "-n", ns, "--replicas=2", "--as=e2e-editor")
	stack.Eventually(t, time.Minute, "view may list CronTabs", func() (bool, string) {
		out, err := stack.Kubectl("get", "ct", "-n", ns, "--as=e2e-viewer")
		return err == nil && strings.Contains(out, "edited"), out
	})
	if out, err := stack.Kubectl("delete", "ct", "edited", "-n", ns, "--as=e2e-viewer"); err == nil || !strings.Contains(out, "Forbidden") {
		t.Errorf("view may delete a CronTab: %v\n%s", err, out)
	}
}
