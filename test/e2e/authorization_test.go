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
