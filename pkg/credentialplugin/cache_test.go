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
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cache holds tokens: it lives only where the user alone can write, never in a
// directory another local user could have planted (a shared /tmp) or pointed elsewhere.
func TestCacheDirectoryRefused(t *testing.T) {
	// Whatever the process's own home, the plugin reads the harness's environment.
	t.Setenv("HOME", "")
	tests := []struct {
		name string
		// prepare returns the plugin's environment and --cache-dir ("": the default).
		prepare func(t *testing.T, dir string) (env map[string]string, cacheDir string)
		// wantErr is "" for a login that is cached in wantCache.
		wantErr   string
		wantCache string
	}{{
		name:    "no home and no KUBECACHEDIR",
		prepare: func(*testing.T, string) (map[string]string, string) { return map[string]string{}, "" },
		wantErr: "no cache directory: neither $HOME nor $KUBECACHEDIR is set",
	}, {
		name: "KUBECACHEDIR without a home",
		prepare: func(_ *testing.T, dir string) (map[string]string, string) {
			return map[string]string{"KUBECACHEDIR": filepath.Join(dir, "kubecache")}, ""
		},
		wantCache: "kubecache/" + cacheSubdir,
	}, {
		name: "the home's default",
		prepare: func(_ *testing.T, dir string) (map[string]string, string) {
			return map[string]string{"HOME": filepath.Join(dir, "home")}, ""
		},
		wantCache: "home/.kube/cache/" + cacheSubdir,
	}, {
		name: "a symbolic link",
		prepare: func(t *testing.T, dir string) (map[string]string, string) {
			target := filepath.Join(dir, "elsewhere")
			if err := os.Mkdir(target, 0o700); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "cache")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			return map[string]string{}, link
		},
		wantErr: "is a symbolic link",
	}, {
		name: "not a directory",
		prepare: func(t *testing.T, dir string) (map[string]string, string) {
			return map[string]string{}, writeFile(t, filepath.Join(dir, "cache"), "")
		},
		wantErr: "is not a directory",
	}, {
		name: "another user's",
		prepare: func(t *testing.T, dir string) (map[string]string, string) {
			if os.Getuid() != 0 {
				t.Skip("only root can give a directory to another user")
			}
			cache := filepath.Join(dir, "cache")
			if err := os.Mkdir(cache, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(cache, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return map[string]string{}, cache
		},
		wantErr: "is owned by user 65534, not by this user (0)",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := newHarness(t)
			h.env, h.cache = tc.prepare(t, dir)
			api := newFakeLoginAPI(t, h.clock.Now)
			passwordFile := writeFile(t, filepath.Join(t.TempDir(), "password"), "right-password\n")
			_, stderr, err := h.run("get-token", "--login", api.URL, "--login-certificate-authority", api.caFile,
				"--username", "alice", "--password-file", passwordFile)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if api.logins.Load() != 0 {
					t.Errorf("logged in %d times with no cache to keep the token", api.logins.Load())
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			files, _ := filepath.Glob(filepath.Join(dir, tc.wantCache, "*.json"))
			if len(files) != 1 {
				t.Errorf("%d cache files in %s, want 1", len(files), tc.wantCache)
			}
		})
	}
}

func TestCleanWithoutAHome(t *testing.T) {
	t.Setenv("HOME", "")
	h := newHarness(t)
	if _, _, err := h.run("clean"); err == nil || !strings.Contains(err.Error(), "no cache directory") {
		t.Fatalf("clean without a home: %v, want the missing directory named", err)
	}
}
