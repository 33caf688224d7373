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
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	testingclock "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/pkg/login/token"
	"example.com/example-apiserver/test/utils"
)

func TestServeHTTP(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Now())
	keys, err := token.ParseKeys(utils.NewKeyPEM(t))
	if err != nil {
		t.Fatal(err)
	}
	issuer := token.NewIssuer(keys, "example-apiserver", "example-apiserver-login", time.Minute, clk)
	valid, _, err := issuer.Issue(token.User{Username: "alice", UID: "u-1", Groups: []string{"ldap:readers"}})
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Verifier: token.NewVerifier(keys, "example-apiserver", "example-apiserver-login", clk)}

	tests := []struct {
		name, method, body string
		wantCode           int
		wantUser           string
	}{
		{name: "v1, ours", method: "POST", body: review("authentication.k8s.io/v1", valid), wantCode: 200, wantUser: "alice"},
		{name: "v1beta1, ours", method: "POST", body: review("authentication.k8s.io/v1beta1", valid), wantCode: 200, wantUser: "alice"},
		{name: "not ours", method: "POST", body: review("authentication.k8s.io/v1", "some-other-token"), wantCode: 200},
		{name: "GET", method: "GET", wantCode: http.StatusMethodNotAllowed},
		{name: "not JSON", method: "POST", body: "{", wantCode: http.StatusBadRequest},
		{name: "another kind", method: "POST", body: `{"apiVersion":"authentication.k8s.io/v1","kind":"SubjectAccessReview"}`, wantCode: http.StatusBadRequest},
		{name: "too large", method: "POST", body: review("authentication.k8s.io/v1", strings.Repeat("x", maxBodyBytes)), wantCode: http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, Path, strings.NewReader(tt.body)))
			if rec.Code != tt.wantCode {
				t.Fatalf("code %d, want %d: %s", rec.Code, tt.wantCode, rec.Body)
			}
			if tt.wantCode != 200 {
				return
			}
			var got authenticationv1.TokenReview
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Kind != "TokenReview" || !strings.HasPrefix(got.APIVersion, "authentication.k8s.io/") {
				t.Errorf("answered %s %s", got.APIVersion, got.Kind)
			}
			if got.Status.Authenticated != (tt.wantUser != "") || got.Status.User.Username != tt.wantUser {
				t.Fatalf("status %+v, want user %q", got.Status, tt.wantUser)
			}
			if tt.wantUser != "" && (got.Status.User.UID != "u-1" || strings.Join(got.Status.User.Groups, ",") != "ldap:readers") {
				t.Errorf("user %+v, want UID u-1 and group ldap:readers", got.Status.User)
			}
			if strings.Contains(rec.Body.String(), valid) {
				t.Error("the answer repeats the token")
			}
		})
	}
}

func review(apiVersion, tok string) string {
	data, _ := json.Marshal(map[string]any{
		"apiVersion": apiVersion, "kind": "TokenReview",
		"spec": map[string]any{"token": tok, "audiences": []string{"https://kubernetes.default.svc"}},
	})
	return string(data)
}
