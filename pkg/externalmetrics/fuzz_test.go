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

package externalmetrics

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
)

// matcher is one PromQL label matcher: a name, an operator and a double-quoted string.
var matcher = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(".*")$`)

// FuzzRenderQuery feeds the namespace and label selector of an external metric request, which
// any client of the API chooses, through the query rendering: never a panic, a selector
// PromQL cannot express is a 400, and every rendered matcher is exactly one label matcher
// whose quoted string reads back as the value asked for, so nothing in a request can add to
// the query.
func FuzzRenderQuery(f *testing.F) {
	for _, seed := range [][2]string{
		{"default", "app=web"},
		{"team-a", "app in (web,api),tier!=db"},
		{"x", "!canary,env notin (dev)"},
		{"x", "version>1"},
		{`a"}or vector(1)#`, "app"},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	query, err := ParseQuery(`sum(up{ {{.LabelMatchers}} })`)
	if err != nil {
		f.Fatal(err)
	}
	source := &prometheusSource{query: query, opts: PrometheusOptions{NamespaceLabel: "namespace"}}
	f.Fuzz(func(t *testing.T, namespace, selectorText string) {
		selector, err := labels.Parse(selectorText)
		if err != nil {
			return // the API refuses it before any source sees it
		}
		rendered, err := source.RenderQuery(namespace, selector)
		if err != nil {
			if !apierrors.IsBadRequest(err) {
				t.Fatalf("selector %q: %v, want a 400", selectorText, err)
			}
			return
		}
		matchers, err := LabelMatchers(selector)
		if err != nil {
			t.Fatalf("rendered %q, yet LabelMatchers: %v", rendered, err)
		}
		reqs, _ := selector.Requirements()
		if len(matchers) != len(reqs) {
			t.Fatalf("%d matchers for %d requirements: %q", len(matchers), len(reqs), matchers)
		}
		want := "sum(up{ " + strings.Join(append([]string{"namespace=" + strconv.Quote(namespace)}, matchers...), ",") + " })"
		if rendered != want {
			t.Fatalf("rendered %q, want %q", rendered, want)
		}
		if got := unquoted(t, "namespace="+strconv.Quote(namespace)); got != namespace {
			t.Fatalf("namespace %q reads back as %q", namespace, got)
		}
		for i, m := range matchers {
			value := unquoted(t, m)
			for _, v := range reqs[i].Values().List() {
				if strings.Contains(m, "~") {
					if !regexp.MustCompile("^(?:" + value + ")$").MatchString(v) {
						t.Fatalf("matcher %s does not match its value %q", m, v)
					}
				} else if value != v {
					t.Fatalf("matcher %s reads back as %q, want %q", m, value, v)
				}
			}
		}
	})
}

// unquoted checks that m is one label matcher and returns its string's value.
func unquoted(t *testing.T, m string) string {
	t.Helper()
	parts := matcher.FindStringSubmatch(m)
	if parts == nil {
		t.Fatalf("%q is not one label matcher", m)
	}
	value, err := strconv.Unquote(parts[3])
	if err != nil {
		t.Fatalf("%q: the string %s is not one quoted string: %v", m, parts[3], err)
	}
	return value
}
