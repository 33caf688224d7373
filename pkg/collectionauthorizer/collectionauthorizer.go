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

	"k8s.io/apiserver/pkg/authorization/authorizer"
)

// New returns an authorizer that first asks delegate about a named resource request without
// its name, the whole collection (in its namespace, for that verb and subresource), and allows
// the request when that is an unconditional allow; otherwise, and for every other request, it
// returns delegate's decision on the request as it is.
//
// That an allow for the collection allows every name in it is RBAC's rule (a rule without
// resourceNames matches every name) and ABAC's and the Node authorizer's; the delegated
// authorizer caches decisions by the whole request, so a client writing many objects (the
// controller's status writes) fills its cache with one entry per name without this. A deny
// or no opinion on the collection says nothing about one name (a resourceNames rule may allow
// it), and a conditional allow may depend on the object, so both are asked per name.
func New(delegate authorizer.Authorizer) authorizer.Authorizer {
	return &collectionAuthorizer{delegate: delegate}
}

type collectionAuthorizer struct {
	delegate authorizer.Authorizer
}

func (c *collectionAuthorizer) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if collection, ok := collectionOf(a); ok {
		if decision, reason, err := c.delegate.Authorize(ctx, collection); decision == authorizer.DecisionAllow && err == nil {
			return decision, reason, nil
		}
	}
	return c.delegate.Authorize(ctx, a)
}

func (c *collectionAuthorizer) ConditionsAwareAuthorize(ctx context.Context, a authorizer.Attributes) authorizer.ConditionsAwareDecision {
	if collection, ok := collectionOf(a); ok {
		if d := c.delegate.ConditionsAwareAuthorize(ctx, collection); d.IsAllow() && d.Error() == nil {
			return d
		}
	}
	return c.delegate.ConditionsAwareAuthorize(ctx, a)
}

func (c *collectionAuthorizer) EvaluateConditions(ctx context.Context, d authorizer.ConditionsAwareDecision, data authorizer.ConditionsData) (authorizer.Decision, string, error) {
	return c.delegate.EvaluateConditions(ctx, d, data)
}

// collectionOf returns a named resource request's attributes without the name.
func collectionOf(a authorizer.Attributes) (authorizer.Attributes, bool) {
	if !a.IsResourceRequest() || a.GetName() == "" {
		return nil, false
	}
	fieldSelector, fieldErr := a.GetFieldSelector()
	labelSelector, labelErr := a.GetLabelSelector()
	return authorizer.AttributesRecord{
		User:                      a.GetUser(),
		Verb:                      a.GetVerb(),
		Namespace:                 a.GetNamespace(),
		APIGroup:                  a.GetAPIGroup(),
		APIVersion:                a.GetAPIVersion(),
		Resource:                  a.GetResource(),
		Subresource:               a.GetSubresource(),
		ResourceRequest:           true,
		FieldSelectorRequirements: fieldSelector,
		FieldSelectorParsingErr:   fieldErr,
		LabelSelectorRequirements: labelSelector,
		LabelSelectorParsingErr:   labelErr,
	}, true
}
