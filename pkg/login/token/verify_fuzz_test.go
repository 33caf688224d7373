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

package token

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/test/utils"
)

// FuzzVerify feeds arbitrary strings to the verifier behind the TokenReview webhook, seeded
// with a token it accepts and JWS/JWT look-alikes built from it. Whatever the input, Verify
// must not panic, must refuse with ErrInvalid (the one answer the webhook gives) without
// quoting the input, and may accept only the user a token was issued for: a mutation that
// still verifies would be a forgery. `go test` replays the corpus; `make fuzz` explores further.
func FuzzVerify(f *testing.F) {
	clk := testingclock.NewFakeClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	keys, err := ParseKeys(utils.NewKeyPEM(f))
	if err != nil {
		f.Fatal(err)
	}
	issued := User{Username: "alice", UID: "u-1", Groups: []string{"ldap:cron-admins"}}
	valid, _, err := NewIssuer(keys, "example-apiserver", "example-apiserver-login", time.Hour, clk).Issue(issued)
	if err != nil {
		f.Fatal(err)
	}
	verifier := NewVerifier(keys, "example-apiserver", "example-apiserver-login", clk)

	parts := strings.Split(valid, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	for _, seed := range []string{
		valid,
		parts[0] + "." + parts[1] + ".", // signature stripped
		b64([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",             // alg none
		b64([]byte(`{"alg":"HS256"}`)) + "." + parts[1] + "." + parts[2], // algorithm confusion
		b64([]byte(`{"alg":"ES256","kid":"x"}`)) + "." + parts[1] + "." + parts[2],
		parts[0] + "." + b64([]byte(`{"sub":"root","exp":9999999999}`)) + "." + parts[2], // claims swapped
		valid + "." + parts[2],
		strings.Repeat(".", 3),
		`{"protected":"` + parts[0] + `","payload":"` + parts[1] + `","signature":"` + parts[2] + `"}`, // JWS JSON
		"",
		"not-a-token",
		"eyJ.eyJ.",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		user, err := verifier.Verify(token)
		if err != nil {
			if user != nil {
				t.Fatalf("Verify returned a user with the error %v", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Verify refused with %v, not ErrInvalid", err)
			}
			if len(token) >= 8 && strings.Contains(err.Error(), token) {
				t.Fatalf("the error %q quotes the token", err)
			}
			return
		}
		if user == nil || user.Username != issued.Username || user.UID != issued.UID || !slices.Equal(user.Groups, issued.Groups) {
			t.Fatalf("Verify accepted %q as %+v; only the issued token's user %+v may pass", token, user, issued)
		}
	})
}
