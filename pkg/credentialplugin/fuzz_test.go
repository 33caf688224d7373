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

package credentialplugin

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// FuzzExecInfo feeds arbitrary KUBERNETES_EXEC_INFO values, which come from whatever runs the
// plugin: never a panic, only a supported apiVersion or an error, and the answer in that
// apiVersion is one ExecCredential of it.
func FuzzExecInfo(f *testing.F) {
	for _, seed := range []string{
		"",
		`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`,
		`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{}}`,
		`{"apiVersion":"client.authentication.k8s.io/v1alpha1"}`,
		`{"spec":{"interactive":"yes"}}`,
		`[1,2]`, `null`, "{", " \n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, info string) {
		_ = Interactive(info)
		version, err := ResponseAPIVersion(info)
		if err != nil {
			return
		}
		if version != APIVersionV1 && version != APIVersionV1beta1 {
			t.Fatalf("ResponseAPIVersion(%q) = %q, not a supported version", info, version)
		}
		out, err := EncodeExecCredential(version, &Credential{Token: "t", ExpirationTimestamp: &metav1.Time{}})
		if err != nil {
			t.Fatalf("encoding in %q: %v", version, err)
		}
		var answer metav1.TypeMeta
		if err := json.Unmarshal(out, &answer); err != nil || answer.APIVersion != version || answer.Kind != "ExecCredential" {
			t.Fatalf("answer %s for %q: %v", out, info, err)
		}
	})
}

// FuzzCacheRead puts arbitrary bytes in a cache file, which any process of the user may have
// written or damaged: Read never panics, returns nothing or an entry with an expiry, and an
// entry it returns survives a Write and a Read unchanged.
func FuzzCacheRead(f *testing.F) {
	for _, seed := range []string{
		`{"source":"token file /t","fetchedAt":"2026-12-07T10:00:00Z","status":{"expirationTimestamp":"2026-12-07T11:00:00Z","token":"abc"}}`,
		`{"status":{"expirationTimestamp":null}}`,
		`{"status":{"expirationTimestamp":"not a time"}}`,
		`{"fetchedAt":"99999-01-01T00:00:00Z","status":{"expirationTimestamp":"2026-12-07T11:00:00Z"}}`,
		"\x00\xff", "", "{}",
	} {
		f.Add([]byte(seed))
	}
	cache := &Cache{Dir: f.TempDir()}
	if err := cache.ensureDir(); err != nil {
		f.Fatal(err)
	}
	const key = "fuzz"
	dataPath, _ := cache.paths(key)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(dataPath, data, 0o600); err != nil {
			t.Fatal(err)
		}
		entry := cache.Read(key)
		if entry == nil {
			return
		}
		if entry.Status == nil || entry.Status.ExpirationTimestamp == nil {
			t.Fatalf("Read returned an entry without an expiry: %+v", entry)
		}
		want, err := json.Marshal(entry)
		if err != nil {
			return // a time beyond JSON's range: Write refuses it, the next fetch replaces it
		}
		if err := cache.Write(key, entry); err != nil {
			t.Fatalf("writing back what was read: %v", err)
		}
		again := cache.Read(key)
		if again == nil {
			t.Fatalf("Read after Write of %s found nothing", want)
		}
		if got, _ := json.Marshal(again); !bytes.Equal(got, want) {
			t.Fatalf("written %s, read back %s", want, got)
		}
	})
}
