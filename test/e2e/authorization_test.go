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
	"os"
	"strings"
	"testing"
	"time"
)

func TestDelegatedAuthentication(t *testing.T) {
	ns := stack.Namespace(t, "e2e-auth")
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

func TestBuiltInRolesCoverCronTabs(t *testing.T) {
	ns := stack.Namespace(t, "e2e-roles")
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

// TestAuthorizationByName checks, with kube-apiserver's RBAC, that deciding a named request
// by its collection (--authorization-collection-decisions) keeps RBAC's answers: a rule with
// resourceNames allows its names only, one without allows every name.
func TestAuthorizationByName(t *testing.T) {
	ns := stack.Namespace(t, "e2e-authz-names")
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
