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

package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	testingclock "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/pkg/login/token"
	"example.com/example-apiserver/test/utils"
)

// FuzzServeHTTP posts arbitrary bodies to the TokenReview webhook, seeded with reviews of a
// valid token in both versions and malformed ones. Whatever the body, the answer must be a
// TokenReview (200) or a client error (400, 413), never a panic or a 5xx; a TokenReview answer
// is in the request's apiVersion, never repeats the token, and authenticates only the user
// the valid token was issued for. `go test` replays the corpus; `make fuzz` explores further.
func FuzzServeHTTP(f *testing.F) {
	clk := testingclock.NewFakeClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	keys, err := token.ParseKeys(utils.NewKeyPEM(f))
	if err != nil {
		f.Fatal(err)
	}
	valid, _, err := token.NewIssuer(keys, "example-apiserver", "example-apiserver-login", time.Hour, clk).
		Issue(token.User{Username: "alice", UID: "u-1", Groups: []string{"ldap:readers"}})
	if err != nil {
		f.Fatal(err)
	}
	h := &Handler{Verifier: token.NewVerifier(keys, "example-apiserver", "example-apiserver-login", clk)}
	for _, seed := range []string{
		review("authentication.k8s.io/v1", valid),
		review("authentication.k8s.io/v1beta1", valid),
		review("authentication.k8s.io/v1", "some-other-token"),
		review("authentication.k8s.io/v2", valid),
		`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":null,"audiences":[1]}}`,
		`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":"x"}`,
		`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{"authenticated":true,"user":{"username":"admin"}}}`,
		`{"apiVersion":"authentication.k8s.io/v1","kind":"SubjectAccessReview"}`,
		`[]`, `null`, `{`, "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body)))
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			return
		default:
			t.Fatalf("answered %d to %q: %s", rec.Code, body, rec.Body)
		}
		var asked, answered authenticationv1.TokenReview
		if err := json.Unmarshal(body, &asked); err != nil {
			t.Fatalf("answered 200 to a body that is no TokenReview (%v): %q", err, body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answered); err != nil {
			t.Fatalf("the answer is no TokenReview (%v): %s", err, rec.Body)
		}
		if answered.Kind != "TokenReview" || answered.APIVersion != asked.APIVersion {
			t.Fatalf("answered %s %s to %s", answered.APIVersion, answered.Kind, asked.APIVersion)
		}
		if tok := asked.Spec.Token; len(tok) >= 8 && bytes.Contains(rec.Body.Bytes(), []byte(tok)) {
			t.Fatalf("the answer repeats the token: %s", rec.Body)
		}
		if answered.Status.Authenticated != (answered.Status.User.Username == "alice") {
			t.Fatalf("answered %+v to %q; only alice's token authenticates", answered.Status, body)
		}
	})
}
