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

package collectionauthorizer

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// decision is what the delegate answers for one set of attributes.
type decision struct {
	authorizer.ConditionsAwareDecision
}

// delegate answers the collection (no name) and each named request from its table, and
// records the names it was asked about ("" for the collection).
type delegate struct {
	collection decision
	named      decision
	asked      []string
	seen       []authorizer.Attributes
}

func (d *delegate) answer(a authorizer.Attributes) authorizer.ConditionsAwareDecision {
	d.asked = append(d.asked, a.GetName())
	d.seen = append(d.seen, a)
	if a.GetName() == "" {
		return d.collection.ConditionsAwareDecision
	}
	return d.named.ConditionsAwareDecision
}

func (d *delegate) Authorize(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	c := d.answer(a)
	switch {
	case c.IsAllow():
		return authorizer.DecisionAllow, c.Reason(), c.Error()
	case c.IsNoOpinion():
		return authorizer.DecisionNoOpinion, c.Reason(), c.Error()
	default: // a deny, or conditions the unconditional interface cannot express: fail closed
		return authorizer.DecisionDeny, c.Reason(), c.Error()
	}
}

func (d *delegate) ConditionsAwareAuthorize(_ context.Context, a authorizer.Attributes) authorizer.ConditionsAwareDecision {
	return d.answer(a)
}

func (d *delegate) EvaluateConditions(context.Context, authorizer.ConditionsAwareDecision, authorizer.ConditionsData) (authorizer.Decision, string, error) {
	return authorizer.DecisionDeny, "", authorizer.ErrorConditionEvaluationNotSupported
}

var (
	allow     = decision{authorizer.ConditionsAwareDecisionAllow("rbac: allowed", nil)}
	deny      = decision{authorizer.ConditionsAwareDecisionDeny("denied", nil)}
	noOpinion = decision{authorizer.ConditionsAwareDecisionNoOpinion("", nil)}
	// allowWithError is an allow the authorizer could not vouch for (e.g. a partial evaluation).
	allowWithError = decision{authorizer.ConditionsAwareDecisionAllow("allowed", errors.New("rbac: a role binding could not be read"))}
	// conditional allows only objects that satisfy a condition: it says nothing about a name.
	conditional = decision{authorizer.ConditionsAwareDecisionConditionsMap(nil, nil, []authorizer.Condition{authorizer.GenericCondition{
		ID: "example.com/owner", Condition: "object.metadata.labels.owner == request.user",
	}})}
)

func TestAuthorize(t *testing.T) {
	controller := &user.DefaultInfo{Name: "system:serviceaccount:example-system:example-controller-manager", Groups: []string{"system:serviceaccounts"}}
	statusWrite := authorizer.AttributesRecord{
		User: controller, Verb: "update", Namespace: "team-a", APIGroup: "example.com", APIVersion: "v1",
		Resource: "crontabs", Subresource: "status", Name: "nightly", ResourceRequest: true,
		Path: "/apis/example.com/v1/namespaces/team-a/crontabs/nightly/status",
	}
	list := statusWrite
	list.Verb, list.Subresource, list.Name, list.Path = "list", "", "", "/apis/example.com/v1/namespaces/team-a/crontabs"
	nonResource := authorizer.AttributesRecord{User: controller, Verb: "get", Path: "/metrics"}

	tests := []struct {
		name                  string
		attributes            authorizer.Attributes
		collection, named     decision
		wantAllowed, wantDeny bool
		// wantAsked are the names the delegate was asked about, in order ("" the collection).
		wantAsked []string
	}{
		{name: "the collection is allowed: every name is, with one decision", attributes: statusWrite,
			collection: allow, named: deny, wantAllowed: true, wantAsked: []string{""}},
		{name: "the collection is denied, the name allowed (a resourceNames rule)", attributes: statusWrite,
			collection: deny, named: allow, wantAllowed: true, wantAsked: []string{"", "nightly"}},
		{name: "no opinion on the collection: the name is asked and its deny stands", attributes: statusWrite,
			collection: noOpinion, named: deny, wantDeny: true, wantAsked: []string{"", "nightly"}},
		{name: "no opinion on both", attributes: statusWrite,
			collection: noOpinion, named: noOpinion, wantAsked: []string{"", "nightly"}},
		{name: "an allow with an error is not trusted for other names", attributes: statusWrite,
			collection: allowWithError, named: deny, wantDeny: true, wantAsked: []string{"", "nightly"}},
		{name: "a conditional allow of the collection is not an allow of the name", attributes: statusWrite,
			collection: conditional, named: noOpinion, wantAsked: []string{"", "nightly"}},
		{name: "a request without a name goes through as it is", attributes: list,
			collection: deny, named: allow, wantDeny: true, wantAsked: []string{""}},
		{name: "a non-resource request goes through as it is", attributes: nonResource,
			collection: noOpinion, named: allow, wantAsked: []string{""}},
	}
	for _, tc := range tests {
		for _, conditionsAware := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				d := &delegate{collection: tc.collection, named: tc.named}
				a := New(d)
				var allowed, denied bool
				if conditionsAware {
					got := a.ConditionsAwareAuthorize(context.Background(), tc.attributes)
					allowed, denied = got.IsAllow(), got.IsDeny()
				} else {
					got, _, _ := a.Authorize(context.Background(), tc.attributes)
					allowed, denied = got == authorizer.DecisionAllow, got == authorizer.DecisionDeny
				}
				if allowed != tc.wantAllowed || denied != tc.wantDeny {
					t.Errorf("conditions-aware %v: allowed %v denied %v, want allowed %v denied %v", conditionsAware, allowed, denied, tc.wantAllowed, tc.wantDeny)
				}
				if !reflect.DeepEqual(d.asked, tc.wantAsked) {
					t.Errorf("conditions-aware %v: the delegate was asked about %q, want %q", conditionsAware, d.asked, tc.wantAsked)
				}
				if tc.attributes.GetName() == "" || !tc.attributes.IsResourceRequest() {
					return
				}
				// The collection is the same request without its name: same user, verb, namespace,
				// group, version, resource and subresource.
				c := d.seen[0]
				if c.GetName() != "" || !c.IsResourceRequest() || c.GetUser() != tc.attributes.GetUser() ||
					c.GetVerb() != tc.attributes.GetVerb() || c.GetNamespace() != tc.attributes.GetNamespace() ||
					c.GetAPIGroup() != tc.attributes.GetAPIGroup() || c.GetAPIVersion() != tc.attributes.GetAPIVersion() ||
					c.GetResource() != tc.attributes.GetResource() || c.GetSubresource() != tc.attributes.GetSubresource() {
					t.Errorf("the collection asked about is %#v, for the request %#v", c, tc.attributes)
				}
			})
		}
	}
}
