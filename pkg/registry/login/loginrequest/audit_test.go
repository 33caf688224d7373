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

package loginrequest

import (
	"path/filepath"
	"testing"

	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	"k8s.io/apiserver/pkg/audit/policy"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	"example.com/example-apiserver/test/utils"
)

// The audit policies we ship never record a login's body (the password) nor its answer (the
// token), nor a TokenReview's.
func TestAuditPoliciesDropLoginBodies(t *testing.T) {
	root, err := utils.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	anonymous := &user.DefaultInfo{Name: user.Anonymous, Groups: []string{user.AllUnauthenticated}}
	requests := map[string]authorizer.AttributesRecord{
		"create loginrequests": {User: anonymous, Verb: "create", APIGroup: "login.example.com", APIVersion: "v1alpha1",
			Resource: "loginrequests", ResourceRequest: true},
		"TokenReview webhook": {User: &user.DefaultInfo{Name: "kube-apiserver"}, Verb: "post", Path: "/authenticate/tokenreview"},
	}
	for _, file := range []string{"artifacts/local/audit-policy.yaml", "artifacts/deploy/audit-policy.yaml"} {
		p, err := policy.LoadPolicyFromFile(filepath.Join(root, file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		evaluator := policy.NewPolicyRuleEvaluator(p)
		for name, attrs := range requests {
			level := evaluator.EvaluatePolicyRule(&attrs).Level
			if level.GreaterOrEqual(auditinternal.LevelRequest) {
				t.Errorf("%s records %s at level %s: the body would be in the audit log", file, name, level)
			}
		}
	}
}
