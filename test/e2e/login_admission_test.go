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
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoginMutatingAdmission: neither a mutating webhook registered for every resource (as
// policy engines are) nor a MutatingAdmissionPolicy on loginrequests sees a login's password.
func TestLoginMutatingAdmission(t *testing.T) {
	stack.RequireLocal(t, "reads the directory's passwords and serves its webhook on this machine's loopback")
	ns := stack.Namespace(t, "e2e-login-admission")
	passwordBytes, err := os.ReadFile(filepath.Join(stack.Env["LDAP_DIR"], "alice.password"))
	if err != nil {
		t.Fatal(err)
	}
	password := string(passwordBytes)
	// The answer's name and user name are the request's after mutating admission.
	login := func(what string) string {
		t.Helper()
		out, err := stack.KubectlWithInput(fmt.Appendf(nil, "apiVersion: login.example.com/v1alpha1\nkind: LoginRequest\nspec: {username: alice, password: %q}\n", password),
			"create", "-f", "-", "-o", "jsonpath={.metadata.name} {.status.user.username}")
		if err != nil || !strings.HasSuffix(out, " ldap:alice") {
			t.Errorf("login %s: %v\n%s", what, err, strings.ReplaceAll(out, password, "<password>"))
		}
		return out
	}

	hook := startDenyingWebhook(t)
	applyAdmissionObjects(t, fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: %s-record
webhooks:
- name: record.e2e-login-admission.example.com
  clientConfig:
    url: %s/mutate
    caBundle: %s
  rules:
  - apiGroups: ["*"]
    apiVersions: ["*"]
    operations: ["CREATE"]
    resources: ["*"]
  sideEffects: None
  admissionReviewVersions: ["v1"]
  failurePolicy: Ignore
  timeoutSeconds: 5
`, ns, hook.url, base64.StdEncoding.EncodeToString(hook.caPEM)))
	// The webhook is in example-apiserver's chain once it reviews one of its CronTabs.
	stack.Eventually(t, time.Minute, "the recording webhook called by example-apiserver", func() (bool, string) {
		out, _ := createCronTab(ns, "probe", "busybox:1.36", 1, "--dry-run=server")
		return hook.saw("probe"), out
	})
	login("with a mutating webhook for every resource")
	for _, object := range hook.sawObjects() {
		if bytes.Contains(object, passwordBytes) {
			t.Errorf("the mutating webhook received a LoginRequest with the password: %s", bytes.ReplaceAll(object, passwordBytes, []byte("<password>")))
			break
		}
	}

	// A policy that names a LoginRequest after whether it carries a password, then one that
	// labels CronTabs, applied after it, to tell when the policies are loaded.
	applyAdmissionObjects(t, fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata:
  name: %[1]s-password
spec:
  failurePolicy: Fail
  reinvocationPolicy: Never
  matchConstraints:
    resourceRules:
    - apiGroups: ["login.example.com"]
      apiVersions: ["*"]
      operations: ["CREATE"]
      resources: ["loginrequests"]
  mutations:
  - patchType: JSONPatch
    jsonPatch:
      expression: '[JSONPatch{op: "add", path: "/metadata/name", value: has(object.spec.password) ? "saw-a-password" : "saw-no-password"}]'
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata:
  name: %[1]s-password
spec:
  policyName: %[1]s-password
`, ns))
	applyCronTabLabelPolicy(t, ns+"-probe", ns, "e2e-login-admission")
	if out := login("with a MutatingAdmissionPolicy on loginrequests"); strings.HasPrefix(out, "saw-a-password ") {
		t.Errorf("the MutatingAdmissionPolicy saw the LoginRequest's password: the answer is named %q", strings.Fields(out)[0])
	}
}
