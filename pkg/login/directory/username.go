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

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

var fold = cases.Fold()

// FoldUsername is username as a directory compares it to a case-ignoring attribute such as
// uid (RFC 4518's string preparation), or coarser: spaces of every kind are one space, none at
// either end; invisible and control characters are dropped; then compatibility forms (NFKC)
// and case are folded. Names the directory takes for one entry fold alike, so that a limit
// keyed on the folded name holds for every spelling; that a few names the directory tells
// apart fold alike too only shares their limits.
func FoldUsername(username string) string {
	mapped := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp):
			return ' '
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Variation_Selector) || r == '\u034f' || r == '\ufffc':
			return -1
		}
		return r
	}, username)
	// ToLower first: it maps İ to i, as directories do, where full case folding keeps a dot.
	folded := norm.NFKC.String(fold.String(strings.ToLower(norm.NFKC.String(mapped))))
	return strings.Join(strings.Fields(folded), " ")
}
