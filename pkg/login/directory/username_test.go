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

package directory

import "testing"

func TestFoldUsername(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "alice", want: "alice"},
		{name: "case", in: "ALICE", want: "alice"},
		{name: "dotted capital I", in: "ALİCE", want: "alice"},
		{name: "long s", in: "ſam", want: "sam"},
		{name: "spaces at the ends", in: "  alice  ", want: "alice"},
		{name: "spaces inside collapse", in: "mary  \t jane", want: "mary jane"},
		{name: "no-break and ideographic spaces", in: "\u3000alice\u00a0", want: "alice"},
		{name: "fullwidth", in: "ａｌｉｃｅ", want: "alice"},
		{name: "invisible characters", in: "ali\u200bc\u00ade\ufe0f", want: "alice"},
		{name: "control characters", in: "ali\x00ce\x7f", want: "alice"},
		{name: "composed and decomposed", in: "jose\u0301", want: "jos\u00e9"},
		{name: "ligature", in: "ﬁona", want: "fiona"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FoldUsername(tt.in); got != tt.want {
				t.Errorf("FoldUsername(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
