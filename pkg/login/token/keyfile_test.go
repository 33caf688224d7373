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
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/test/utils"
)

// Rotation without a restart: a new key put first signs, the old one verifies until it is
// removed; a broken file changes nothing.
func TestKeyFileRotation(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Now())
	path := filepath.Join(t.TempDir(), "keys.pem")
	oldKey, newKey := utils.NewKeyPEM(t), utils.NewKeyPEM(t)
	write := func(data ...[]byte) {
		t.Helper()
		writeKeyFile(t, clk, path, data...)
	}
	write(oldKey)
	keys, err := NewKeyFile(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	issuer := NewIssuer(keys, "i", "a", time.Hour, clk)
	verifier := NewVerifier(keys, "i", "a", clk)
	issue := func() string {
		t.Helper()
		tok, _, err := issuer.Issue(User{Username: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	signedByOld := issue()

	write(newKey, oldKey)
	signedByNew := issue()
	if keys.Current().keys[0].id == mustKeys(t, oldKey).keys[0].id {
		t.Fatal("the new key put first does not sign")
	}
	for name, tok := range map[string]string{"old": signedByOld, "new": signedByNew} {
		if _, err := verifier.Verify(tok); err != nil {
			t.Errorf("after rotation, a token of the %s key: %v", name, err)
		}
	}

	write([]byte("not PEM"))
	if _, err := verifier.Verify(signedByOld); err != nil {
		t.Errorf("a broken file dropped the keys: %v", err)
	}

	write(newKey)
	if _, err := verifier.Verify(signedByOld); !errors.Is(err, ErrInvalid) {
		t.Errorf("the removed old key still verifies: %v", err)
	}
	if _, err := verifier.Verify(signedByNew); err != nil {
		t.Error(err)
	}
}

// writeKeyFile writes the keys to path and steps clk past the KeyFile's check interval.
func writeKeyFile(t *testing.T, clk *testingclock.FakeClock, path string, data ...[]byte) {
	t.Helper()
	var all []byte
	for _, d := range data {
		all = append(all, d...)
	}
	if err := os.WriteFile(path, all, 0o600); err != nil {
		t.Fatal(err)
	}
	// The file's modification time is the change the KeyFile looks for; make it differ
	// from the last write's on file systems with coarse timestamps.
	mtime := clk.Now().Add(time.Duration(len(all)) * time.Second)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	clk.Step(keyFileCheckInterval)
}

// A revocation that does not take: the file that drops a key cannot be read or parsed, so the
// keys read before, the revoked one included, stay in force. Err says so until the file
// yields keys again.
func TestKeyFileErr(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(path string) error
	}{
		{name: "deleted", spoil: os.Remove},
		{name: "not PEM", spoil: func(path string) error { return os.WriteFile(path, []byte("not PEM"), 0o600) }},
		{name: "empty", spoil: func(path string) error { return os.WriteFile(path, nil, 0o600) }},
		{name: "a certificate", spoil: func(path string) error {
			return os.WriteFile(path, []byte("-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n"), 0o600)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := testingclock.NewFakeClock(time.Now())
			path := filepath.Join(t.TempDir(), "keys.pem")
			kept, revoked := utils.NewKeyPEM(t), utils.NewKeyPEM(t)
			writeKeyFile(t, clk, path, kept, revoked)
			keys, err := NewKeyFile(path, clk)
			if err != nil {
				t.Fatal(err)
			}
			if err := keys.Err(); err != nil {
				t.Fatalf("a good file: %v", err)
			}

			if err := tc.spoil(path); err != nil {
				t.Fatal(err)
			}
			clk.Step(keyFileCheckInterval)
			if err := keys.Err(); err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("the file %s and the keys read before still in force: Err() = %v, want an error naming the file", tc.name, err)
			}
			if len(keys.Current().keys) != 2 {
				t.Fatalf("the keys in force changed: %d", len(keys.Current().keys))
			}
			clk.Step(keyFileCheckInterval)
			if keys.Err() == nil {
				t.Fatal("Err() cleared while the file is still bad")
			}

			writeKeyFile(t, clk, path, kept)
			if err := keys.Err(); err != nil {
				t.Fatalf("the file fixed: %v", err)
			}
			if ks := keys.Current().keys; len(ks) != 1 || ks[0].id != mustKeys(t, kept).keys[0].id {
				t.Fatalf("after the fix %d keys in force, want the kept one", len(ks))
			}
		})
	}
}
