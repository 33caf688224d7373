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

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loginTokenLifetime is the login tokens' lifetime in the suite's stack: short, so that a
// test sees one expire.
const loginTokenLifetime = "30s"

// loginUser is a kubeconfig user that logs in with a directory account through
// example-credential-plugin, with a cache of its own.
type loginUser struct {
	name, cacheDir string
	env            *pluginEnv
}

// setupLoginUser writes kubeconfig user NAME (and context NAME) running get-token --login as
// username with passwordFile, through the plugin's own setup command.
func setupLoginUser(t *testing.T, e *pluginEnv, name, username, passwordFile string) *loginUser {
	t.Helper()
	plugin := filepath.Join(e.binDir, "example-credential-plugin")
	out, err := exec.Command(plugin, "setup", "--user", name, "--cluster", "local", "--context", name,
		"--login", stack.Env["KUBE_APISERVER_URL"], "--login-certificate-authority", filepath.Join(stack.Env["LOCAL_UP_PKI_DIR"], "ca.crt"),
		"--username", username, "--password-file", passwordFile, "--command", plugin).CombinedOutput()
	if err != nil {
		t.Fatalf("example-credential-plugin setup: %v\n%s", err, out)
	}
	sh := exec.Command("sh", "-e")
	sh.Stdin = bytes.NewReader(out)
	sh.Env = append(os.Environ(), "KUBECONFIG="+e.kubeconfig, "PATH="+filepath.Join(stack.Root, "_output", "bin")+":"+os.Getenv("PATH"))
	if shOut, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("running setup's commands: %v\n%s\n%s", err, out, shOut)
	}
	return &loginUser{name: name, cacheDir: t.TempDir(), env: e}
}

// kubectl runs kubectl as the user.
func (u *loginUser) kubectl(args ...string) (string, error) {
	e := *u.env
	e.cacheDir = u.cacheDir
	return e.kubectl(append([]string{"--context", u.name}, args...)...)
}

// cachedTokens are the tokens in the user's plugin cache.
func (u *loginUser) cachedTokens(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(u.cacheDir, "example-credential-plugin", "*.json"))
	var tokens []string
	for _, f := range files {
		tokens = append(tokens, cacheFileToken(t, f))
	}
	return tokens
}

// The login end to end: the plugin logs alice in through kube-apiserver (anonymously, to the
// aggregated login API), kube-apiserver accepts the token through example-apiserver's
// webhook, RBAC binds her directory group; then wrong passwords, expiry, a stopped directory,
// and no password anywhere on disk.
func TestLogin(t *testing.T) {
	stack.RequireLocal(t, "reads the directory's passwords and stops its slapd")
	t.Parallel()
	ns := stack.Namespace(t, "e2e-login")
	ldapDir := stack.Env["LDAP_DIR"]
	password := func(name string) string {
		data, err := os.ReadFile(filepath.Join(ldapDir, name+".password"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	passwords := []string{password("alice"), password("bob"), "wrong-" + password("alice")}

	bin := buildPlugins(t)
	kubeconfig := copyAdminKubeconfig(t)
	e := &pluginEnv{binDir: bin, kubeconfig: kubeconfig}
	wrongPasswordFile := filepath.Join(t.TempDir(), "wrong.password")
	if err := os.WriteFile(wrongPasswordFile, []byte(passwords[2]), 0o600); err != nil {
		t.Fatal(err)
	}
	alice := setupLoginUser(t, e, "ldap-alice", "alice", filepath.Join(ldapDir, "alice.password"))
	bob := setupLoginUser(t, e, "ldap-bob", "bob", filepath.Join(ldapDir, "bob.password"))
	wrong := setupLoginUser(t, e, "ldap-alice-wrong", "alice", wrongPasswordFile)

	out, err := alice.kubectl("auth", "whoami")
	if err != nil {
		stack.Fatalf(t, "kubectl --user ldap-alice auth whoami: %v\n%s", err, out)
	}
	wantContains(t, "alice's whoami", out, "Username    ldap:alice", "[ldap:cron-admins ldap:readers system:authenticated]")
	out, err = bob.kubectl("auth", "whoami")
	if err != nil {
		stack.Fatalf(t, "kubectl --user ldap-bob auth whoami: %v\n%s", err, out)
	}
	wantContains(t, "bob's whoami", out, "Username    ldap:bob", "[ldap:readers system:authenticated]")

	// RBAC on the directory group: cron-admins edit CronTabs (user-roles.yaml folds them into edit).
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "namespace", ns, "--wait=false") })
	stack.MustKubectl(t, "create", "rolebinding", "cron-admins", "-n", ns, "--clusterrole=edit", "--group=ldap:cron-admins")
	manifest := func(name string) string {
		path := filepath.Join(t.TempDir(), name+".yaml")
		if err := os.WriteFile(path, cronTabManifest(ns, name, "@hourly"), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// RBAC reaches example-apiserver's authorizer through its SubjectAccessReview cache.
	stack.Eventually(t, 30*time.Second, "alice (ldap:cron-admins) creates a CronTab in "+ns, func() (bool, string) {
		out, err := alice.kubectl("create", "-f", manifest("alices"))
		return err == nil, out
	})
	out, err = bob.kubectl("create", "-f", manifest("bobs"))
	if err == nil || !strings.Contains(out, `User "ldap:bob" cannot create resource "crontabs"`) {
		stack.Fatalf(t, "bob, not in cron-admins, created a CronTab or failed otherwise: %v\n%s", err, out)
	}

	// A wrong password: the directory's uniform refusal, and nothing cached.
	out, err = wrong.kubectl("auth", "whoami")
	if err == nil || !strings.Contains(out, "login as alice at "+stack.Env["KUBE_APISERVER_URL"]+" refused: invalid username or password") {
		stack.Fatalf(t, "a wrong password: %v\n%s", err, out)
	}
	if tokens := wrong.cachedTokens(t); len(tokens) > 0 {
		t.Errorf("a refused login cached %d token(s)", len(tokens))
	}

	// Expiry: the plugin logs in again by itself before the cached token expires, and
	// kube-apiserver refuses the old token once it has (and its 10s webhook cache has).
	first := alice.cachedTokens(t)
	if len(first) != 1 {
		t.Fatalf("%d tokens cached for alice, want 1", len(first))
	}
	stack.Eventually(t, 90*time.Second, "alice's plugin logs in again as her "+loginTokenLifetime+" token nears expiry", func() (bool, string) {
		out, err := alice.kubectl("auth", "whoami")
		if err != nil {
			stack.Fatalf(t, "alice's kubectl failed while her token aged: %v\n%s", err, out)
		}
		now := alice.cachedTokens(t)
		return len(now) == 1 && now[0] != first[0], "still the first token"
	})
	stack.Eventually(t, 90*time.Second, "kube-apiserver refuses alice's expired first token", func() (bool, string) {
		out, err := kubectlWithToken(first[0], "auth", "whoami")
		return err != nil && strings.Contains(out, "Unauthorized"), out
	})

	// Only kube-apiserver may ask the webhook about a token: no oracle for anyone else.
	for caller, want := range map[string]int{"": http.StatusForbidden, "kwok": http.StatusForbidden, "kube-apiserver-authn-webhook": http.StatusOK} {
		if got := postTokenReview(t, caller, first[0]); got != want {
			t.Errorf("a TokenReview from %q: HTTP %d, want %d", caller, got, want)
		}
	}

	// The directory stopped: a cached token still works (the webhook needs no directory), a
	// new login fails with a clear 503.
	if err := stack.StopComponent("ldap"); err != nil {
		t.Fatal(err)
	}
	if out, err := alice.kubectl("auth", "whoami"); err != nil {
		stack.Fatalf(t, "alice's cached token stopped working with the directory: %v\n%s", err, out)
	}
	caches := []string{alice.cacheDir, bob.cacheDir, wrong.cacheDir}
	alice.cacheDir = t.TempDir()
	caches = append(caches, alice.cacheDir)
	out, err = alice.kubectl("auth", "whoami")
	if err == nil || !strings.Contains(out, "the directory that checks passwords is unavailable") {
		stack.Fatalf(t, "a login with the directory stopped: %v\n%s", err, out)
	}

	// No password anywhere: component logs (example-apiserver's audit log included), etcd's
	// data, the plugin's caches.
	audit, err := os.ReadFile(stack.LogPath("example-apiserver-audit"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(audit, []byte(`"resource":"loginrequests"`)) {
		t.Error("the audit log has no login event: the password check below would prove nothing")
	}
	for _, dir := range append([]string{filepath.Join(stack.Dir, "logs"), filepath.Join(stack.Dir, "data")}, caches...) {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, p := range passwords {
				if bytes.Contains(data, []byte(p)) {
					t.Errorf("a password is in %s", path)
				}
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
}

// kubectlWithToken runs kubectl against the stack's kube-apiserver with only a bearer token.
func kubectlWithToken(token string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(stack.Root, "_output", "bin", "kubectl"), append([]string{
		"--kubeconfig", os.DevNull, "--server", stack.Env["KUBE_APISERVER_URL"],
		"--certificate-authority", filepath.Join(stack.Env["LOCAL_UP_PKI_DIR"], "ca.crt"), "--token", token,
	}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// postTokenReview posts a TokenReview of token to example-apiserver's webhook with the client
// certificate pki/<cert>.crt ("" for none) and returns the HTTP status.
func postTokenReview(t *testing.T, cert, token string) int {
	t.Helper()
	var pair *tls.Certificate
	if cert != "" {
		pki := stack.Env["LOCAL_UP_PKI_DIR"]
		loaded, err := tls.LoadX509KeyPair(filepath.Join(pki, cert+".crt"), filepath.Join(pki, cert+".key"))
		if err != nil {
			t.Fatal(err)
		}
		pair = &loaded
	}
	client := stack.ExampleAPIServerHTTPClient(t, pair)
	body := `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"` + token + `"}}`
	resp, err := client.Post(stack.Env["EXAMPLE_APISERVER_URL"]+"/authenticate/tokenreview", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}
