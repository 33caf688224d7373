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
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/util/keyutil"
	testingclock "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/test/utils"
)

func mustKeys(t *testing.T, pems ...[]byte) *Keys {
	t.Helper()
	keys, err := ParseKeys(bytes.Join(pems, nil))
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func mustIssue(t *testing.T, keys *Keys, issuer, audience string, lifetime time.Duration, clk *testingclock.FakeClock) string {
	t.Helper()
	tok, _, err := NewIssuer(keys, issuer, audience, lifetime, clk).Issue(User{Username: "alice", UID: "u-1", Groups: []string{"ldap:cron-admins"}})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	ours, theirs := utils.NewKeyPEM(t), utils.NewKeyPEM(t)
	tests := []struct {
		name string
		// signedWith signs; verifyWith verifies.
		signedWith, verifyWith [][]byte
		issuer, audience       string
		lifetime, age          time.Duration
		tamper                 func(string) string
		wantErr                string
	}{
		{name: "our token", signedWith: [][]byte{ours}, verifyWith: [][]byte{ours}},
		{name: "signed by the old key after rotation", signedWith: [][]byte{ours}, verifyWith: [][]byte{theirs, ours}},
		{name: "another signer", signedWith: [][]byte{theirs}, verifyWith: [][]byte{ours}, wantErr: "unknown key"},
		{name: "expired", signedWith: [][]byte{ours}, verifyWith: [][]byte{ours}, age: 16 * time.Minute, wantErr: "expired"},
		{name: "another audience", signedWith: [][]byte{ours}, verifyWith: [][]byte{ours}, audience: "kubernetes", wantErr: "audience"},
		{name: "another issuer", signedWith: [][]byte{ours}, verifyWith: [][]byte{ours}, issuer: "someone-else", wantErr: "issuer"},
		{name: "payload changed", signedWith: [][]byte{ours}, verifyWith: [][]byte{ours}, wantErr: "signature",
			tamper: func(s string) string {
				parts := strings.Split(s, ".")
				// A payload of another signed token: only the signature can tell.
				parts[1] = strings.Split(mustIssue(t, mustKeys(t, ours), "example-apiserver", "example-apiserver-login", time.Hour, testingclock.NewFakeClock(now)), ".")[1]
				return strings.Join(parts, ".")
			}},
		{name: "not a JWT", signedWith: [][]byte{ours}, verifyWith: [][]byte{ours}, wantErr: "not a signed JWT",
			tamper: func(string) string { return "abc.def" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issuer, audience := "example-apiserver", "example-apiserver-login"
			if tt.issuer != "" {
				issuer = tt.issuer
			}
			if tt.audience != "" {
				audience = tt.audience
			}
			clk := testingclock.NewFakeClock(now)
			tok := mustIssue(t, mustKeys(t, tt.signedWith...), issuer, audience, 15*time.Minute, clk)
			if tt.tamper != nil {
				tok = tt.tamper(tok)
			}
			clk.Step(tt.age)
			v := NewVerifier(mustKeys(t, tt.verifyWith...), "example-apiserver", "example-apiserver-login", clk)
			user, err := v.Verify(tok)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Verify: got %v, want ErrInvalid with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if user.Username != "alice" || user.UID != "u-1" || len(user.Groups) != 1 || user.Groups[0] != "ldap:cron-admins" {
				t.Errorf("user %+v", user)
			}
		})
	}
}

func TestIssueExpiry(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Date(2026, 11, 30, 8, 0, 0, 500, time.UTC))
	keys := mustKeys(t, utils.NewKeyPEM(t))
	tok, expiry, err := NewIssuer(keys, "i", "a", time.Minute, clk).Issue(User{Username: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 30, 8, 1, 0, 0, time.UTC); !expiry.Equal(want) {
		t.Errorf("expiry %s, want %s (whole seconds, as the token has it)", expiry, want)
	}
	v := NewVerifier(keys, "i", "a", clk)
	clk.SetTime(expiry.Add(leeway + time.Second))
	if _, err := v.Verify(tok); err == nil {
		t.Error("a token past its expiry and the leeway verified")
	}
}

func TestParseKeys(t *testing.T) {
	rsaSmall, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaSmallPEM, _ := keyutil.MarshalPrivateKeyToPEM(rsaSmall)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	edDER, err := x509.MarshalPKCS8PrivateKey(ed)
	if err != nil {
		t.Fatal(err)
	}
	edPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edDER})
	ca := utils.NewCA(t, "ca")
	tests := []struct {
		name, data, wantErr string
		want                int
	}{
		{name: "two keys", data: string(utils.NewKeyPEM(t)) + string(edPEM), want: 2},
		{name: "empty", data: "", wantErr: "no PEM private key"},
		{name: "a certificate", data: string(ca.CertPEM), wantErr: "PEM block 1 (CERTIFICATE)"},
		{name: "small RSA", data: string(rsaSmallPEM), wantErr: "at least 2048 bits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseKeys([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(keys.keys) != tt.want {
				t.Errorf("%d keys, want %d", len(keys.keys), tt.want)
			}
		})
	}
}
