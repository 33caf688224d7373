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

package querytemplate

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		query   string
		want    string // rendered with namespace "ns" and matchers `a="b"`; empty when refused
		wantErr string
	}{
		{query: `sum(up{ {{- .LabelMatchers -}} })`, want: `sum(up{a="b"})`},
		{query: `up{namespace="{{.Namespace}}"}`, want: `up{namespace="ns"}`},
		{query: "up", want: "up"},
		{query: " \t", wantErr: "empty query"},
		{query: "up{ {{.LabelMatchers}", wantErr: "query template"},
		{query: "up{ {{.NoSuchField}} }", wantErr: "NoSuchField"},
		{query: `{{index .Namespace 99}}`, wantErr: "index out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			tmpl, err := Parse(tc.query)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse(%q) = %v, want an error containing %q", tc.query, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			if err := tmpl.Execute(&out, Data{Namespace: "ns", LabelMatchers: `a="b"`}); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("rendered %q, want %q", out.String(), tc.want)
			}
		})
	}
}
