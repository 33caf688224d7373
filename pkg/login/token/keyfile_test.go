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
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/test/certs"
)

// Rotation without a restart: a new key put first signs, the old one verifies until it is
// removed; a broken file changes nothing.
func TestKeyFileRotation(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Now())
	path := filepath.Join(t.TempDir(), "keys.pem")
	oldKey, newKey := certs.NewKeyPEM(t), certs.NewKeyPEM(t)
	write := func(data ...[]byte) {
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
