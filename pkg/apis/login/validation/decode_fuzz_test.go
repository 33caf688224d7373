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

package validation

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/internal/decodefuzz"
	"example.com/example-apiserver/pkg/apis/login"
	"example.com/example-apiserver/pkg/apis/login/install"
	loginv1alpha1 "example.com/example-apiserver/pkg/apis/login/v1alpha1"
)

// FuzzDecodeAndValidateLoginRequest is what the server does with a LoginRequest body before
// it asks the directory: decode JSON, YAML or protobuf, convert to the internal type,
// validate. Whatever the bytes (anyone may send them, unauthenticated), it must not panic;
// every validation error must name a field and never quote the password; and a request that
// validates must survive a JSON and a protobuf round trip unchanged and still valid.
// `go test` replays the corpus; `make fuzz` explores further.
func FuzzDecodeAndValidateLoginRequest(f *testing.F) {
	harness := decodefuzz.New(f, install.Install, loginv1alpha1.SchemeGroupVersion)
	for _, input := range []string{
		`{"apiVersion":"login.example.com/v1alpha1","kind":"LoginRequest","spec":{"username":"alice","password":"s3cret-pass"}}`,
		`{"apiVersion":"login.example.com/v1alpha1","kind":"LoginRequest","metadata":{"name":"x","namespace":"y","labels":{"a":"b"}},"spec":{"username":" ａlice ","password":"` + strings.Repeat("p", 1025) + `"}}`,
		`{"apiVersion":"login.example.com/v1alpha1","kind":"LoginRequest","spec":{"username":"","password":""},"status":{"token":"t","expirationTimestamp":"2026-01-01T00:00:00Z","user":{"username":"admin","groups":["system:masters"]}}}`,
		`{"apiVersion":"login.example.com/v1alpha1","kind":"LoginRequest","spec":{"username":1,"password":null}}`,
		`{"apiVersion":"login.example.com/v1alpha1","kind":"LoginRequest","spec":"alice"}`,
		`{"apiVersion":"login.example.com/v1alpha1","kind":"LoginRequest","spec":{"username":"\u0000","password":"\ud800"}}`,
		`{"apiVersion":"login.example.com/v1","kind":"LoginRequest"}`,
		"apiVersion: login.example.com/v1alpha1\nkind: LoginRequest\nspec: &s {username: bob, password: *s}\n",
		"apiVersion: login.example.com/v1alpha1\nkind: LoginRequest\nspec:\n  username: [a\n",
		`{"kind":"LoginRequest"}`, "", "null",
	} {
		harness.AddSeeds(f, []byte(input))
	}
	harness.Fuzz(f, func(t *testing.T, obj runtime.Object) (field.ErrorList, bool) {
		req, ok := obj.(*login.LoginRequest)
		if !ok {
			return nil, false
		}
		errs := ValidateLoginRequest(req)
		for _, e := range errs {
			if password := req.Spec.Password; len(password) >= 4 && strings.Contains(e.Error(), password) {
				t.Fatalf("validation error %q quotes the password", e.Error())
			}
		}
		return errs, true
	})
}
