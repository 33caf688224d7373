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

package framework

import (
	"strings"
	"testing"
)

func TestShortenRules(t *testing.T) {
	for _, tc := range []struct {
		name, rules, want, wantErr string
	}{{
		name: "for and every range selector divided, the rest kept",
		rules: `groups:
- name: g
  interval: 1m
  rules:
  - alert: A
    expr: sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[1h])) > 0.1
    for: 10m
    labels: {severity: warning}
  - record: r
    expr: increase(y[30m])
`,
		want: `groups:
- interval: 1m
  name: g
  rules:
  - alert: A
    expr: sum(rate(x{code=~"5.."}[30s])) / sum(rate(x[6m])) > 0.1
    for: 1m
    labels:
      severity: warning
  - expr: increase(y[3m])
    record: r
`,
	}, {
		name:    "an unknown field is refused, not dropped",
		rules:   "groups: []\nextra: 1\n",
		wantErr: "unknown field",
	}, {
		name:    "a bad for: names its alert",
		rules:   "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: soon\n",
		wantErr: "rule A: for:",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ShortenRules([]byte(tc.rules), 10)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
