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
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The plugins as users meet them: kubectl-example found on PATH by the real kubectl, and
// example-credential-plugin run by kubectl from a kubeconfig's users[].user.exec.

// buildPlugins builds kubectl-example and example-credential-plugin from this checkout into
// a directory for the test, with the completion helper beside them.
func buildPlugins(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", dir+string(os.PathSeparator), "./cmd/kubectl-example", "./cmd/example-credential-plugin")
	build.Dir = stack.Root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	script, err := os.ReadFile(filepath.Join(stack.Root, "hack", "kubectl_complete-example"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kubectl_complete-example"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyAdminKubeconfig is a copy of the stack's admin kubeconfig, for a test that adds users
// or contexts to it without touching the one every test shares.
func copyAdminKubeconfig(t *testing.T) string {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	admin, err := os.ReadFile(stack.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kubeconfig, admin, 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// pluginEnv is the environment of a user who put the plugins on PATH: the plugins read the
// kubeconfig from $KUBECONFIG because kubectl refuses flags before a plugin's name, and a
// private KUBECACHEDIR keeps the test's caches out of the home directory.
type pluginEnv struct {
	binDir, kubeconfig, cacheDir string
}

func newPluginEnv(t *testing.T, binDir string) *pluginEnv {
	return &pluginEnv{binDir: binDir, kubeconfig: stack.Kubeconfig, cacheDir: t.TempDir()}
}

// kubectl runs the real kubectl with args and returns its combined output.
func (e *pluginEnv) kubectl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(stack.Root, "_output", "bin", "kubectl"), args...)
	cmd.Env = append(os.Environ(),
		"PATH="+e.binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"KUBECONFIG="+e.kubeconfig,
		"KUBECACHEDIR="+e.cacheDir,
	)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *pluginEnv) mustKubectl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := e.kubectl(args...)
	if err != nil {
		stack.Fatalf(t, "kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func wantContains(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

func TestKubectlExamplePlugin(t *testing.T) {
	ns := stack.Namespace(t, "e2e-plugins")
	bin := buildPlugins(t)
	e := newPluginEnv(t, bin)
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "namespace", ns, "--wait=false") })

	out, _ := e.kubectl("plugin", "list")
	wantContains(t, "kubectl plugin list", out, filepath.Join(bin, "kubectl-example"))

	out = e.mustKubectl(t, "example", "version")
	wantContains(t, "kubectl example version", out, "Plugin Version: ", "Kubernetes Version: v1.", "example.com: v2, v1\n")

	config, err := stack.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	out = e.mustKubectl(t, "example", "config")
	wantContains(t, "kubectl example config", out, stack.Kubeconfig+"  ($KUBECONFIG)", "Server:           "+config.Host+"\n", "Namespace:        default")

	out = e.mustKubectl(t, "example", "status")
	wantContains(t, "kubectl example status", out,
		"APIService v1.example.com: Available=True",
		"APIService v1beta1.external.metrics.k8s.io: ",
		"APIService v1alpha1.login.example.com: ",
		"Discovery /apis/example.com/v1: OK (crontabs, customresources)")

	// create: for real, and dry runs on either side that store nothing.
	out = e.mustKubectl(t, "example", "create", "crontab", "nightly", "-n", ns, "--schedule", "0 3 * * *", "--image", "busybox:1.36", "--timezone", "Asia/Shanghai")
	wantContains(t, "create crontab", out, "crontab.example.com/nightly created")
	out = e.mustKubectl(t, "example", "create", "crontab", "dry", "-n", ns, "--schedule", "*/5 * * * *", "--image", "busybox:1.36", "--dry-run=server", "-o", "yaml")
	// The server defaulted the completions: the object went through its whole write path.
	wantContains(t, "create --dry-run=server", out, "kind: CronTab", "name: dry", "completions: 1")
	out = e.mustKubectl(t, "example", "create", "crontab", "dry", "-n", ns, "--schedule", "@hourly", "--image", "busybox:1.36", "--dry-run=client", "-o", "yaml")
	wantContains(t, "create --dry-run=client", out, "apiVersion: example.com/v2", "cronSpec: '@hourly'")
	if out, err := stack.Kubectl("get", "ct", "dry", "-n", ns); err == nil || !strings.Contains(out, "NotFound") {
		t.Errorf("a dry run stored the CronTab: %v\n%s", err, out)
	}
	// The server rejects what the plugin's offline check would: same parser.
	if out, err := e.kubectl("example", "create", "crontab", "bad", "-n", ns, "--schedule", "61 * * * *", "--image", "x"); err == nil || !strings.Contains(out, "end of range (61) above maximum (59)") {
		t.Errorf("an invalid schedule was accepted: %v\n%s", err, out)
	}

	out = e.mustKubectl(t, "example", "ct", "-A")
	wantContains(t, "kubectl example ct -A", out, "NAMESPACE", "TIMEZONE", "LAST SCHEDULE", "NEXT RUN")
	found := false
	for _, line := range strings.Split(out, "\n") {
		// NAMESPACE NAME, five schedule fields, TIMEZONE SUSPEND ACTIVE LAST-SCHEDULE, then "in 8h".
		f := strings.Fields(line)
		if len(f) >= 12 && f[0] == ns && f[1] == "nightly" && strings.Join(f[2:7], " ") == "0 3 * * *" &&
			f[7] == "Asia/Shanghai" && f[8] == "False" && f[11] == "in" {
			found = true
		}
	}
	if !found {
		t.Errorf("kubectl example ct -A has no row for %s/nightly with its schedule and next run:\n%s", ns, out)
	}
	out = e.mustKubectl(t, "example", "crontabs", "-n", ns, "-o", "name")
	if strings.TrimSpace(out) != "crontab.example.com/nightly" {
		t.Errorf("kubectl example crontabs -o name: %q", out)
	}

	out = e.mustKubectl(t, "example", "next", "nightly", "-n", ns, "--count", "2")
	wantContains(t, "kubectl example next", out, "CronTab "+ns+"/nightly runs \"0 3 * * *\" (time zone Asia/Shanghai); next 2:")
	if n := strings.Count(out, " 03:00:00 CST +08:00 "); n != 2 {
		t.Errorf("kubectl example next: %d runs at 03:00 Shanghai time, want 2:\n%s", n, out)
	}

	out = e.mustKubectl(t, "example", "validate", "*/5 * * * *")
	wantContains(t, "kubectl example validate", out, "valid: \"*/5 * * * *\"")
	if out, err := e.kubectl("example", "validate", "* * *"); err == nil || !strings.Contains(out, "invalid") {
		t.Errorf("kubectl example validate accepted \"* * *\": %v\n%s", err, out)
	}

	// Completion: kubectl runs kubectl_complete-example, which asks kubectl-example.
	out = e.mustKubectl(t, "__complete", "example", "next", "-n", ns, "")
	wantContains(t, "kubectl __complete example next", out, "nightly\n")

	// External metrics: the names configured on the server, then the values of one.
	out = e.mustKubectl(t, "example", "metrics")
	wants := []string{"NAME\n"}
	for _, metric := range servedMetrics() {
		wants = append(wants, metric+"\n")
	}
	wantContains(t, "kubectl example metrics", out, wants...)
	out = e.mustKubectl(t, "example", "metrics", "crontabs", "-n", ns)
	wantContains(t, "kubectl example metrics crontabs", out, "NAME", "VALUE", "WINDOW", "crontabs")
	stack.Eventually(t, time.Minute, "kubectl example metrics crontabs counts the CronTab nightly", func() (bool, string) {
		out, _ := e.kubectl("example", "metrics", "crontabs", "-n", ns)
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "crontabs" && f[2] == "1" { // NAME LABELS VALUE ...
				return true, out
			}
		}
		return false, out
	})
}

// execKubeconfig is the admin kubeconfig's cluster with a user that runs the credential
// plugin with args.
func execKubeconfig(t *testing.T, plugin string, args ...string) string {
	t.Helper()
	admin, err := clientcmd.LoadFromFile(stack.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cluster := admin.Contexts[admin.CurrentContext].Cluster
	config := clientcmdapi.NewConfig()
	config.Clusters["local"] = admin.Clusters[cluster]
	config.AuthInfos["plugin"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion:      "client.authentication.k8s.io/v1",
		Command:         plugin,
		Args:            args,
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
		InstallHint:     "example-credential-plugin is built by the test",
	}}
	config.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "plugin"}
	config.CurrentContext = "local"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*config, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCredentialPluginServiceAccount(t *testing.T) {
	ns := stack.Namespace(t, "e2e-plugins-auth")
	bin := buildPlugins(t)
	plugin := filepath.Join(bin, "example-credential-plugin")
	admin := newPluginEnv(t, bin)
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "namespace", ns, "--wait=false") })
	stack.MustKubectl(t, "create", "serviceaccount", "e2e-reader", "-n", ns)
	stack.MustKubectl(t, "create", "serviceaccount", "e2e-nobody", "-n", ns)
	stack.MustKubectl(t, "create", "role", "crontab-reader", "-n", ns, "--verb=get,list,watch", "--resource=crontabs.example.com")
	stack.MustKubectl(t, "create", "rolebinding", "e2e-reader-reads-crontabs", "-n", ns, "--role=crontab-reader", "--serviceaccount="+ns+":e2e-reader")
	admin.mustKubectl(t, "example", "create", "crontab", "visible", "-n", ns, "--schedule", "@daily", "--image", "busybox:1.36")

	// The reader's kubeconfig: get-token requests its tokens with the admin kubeconfig.
	args := []string{"get-token", "--service-account", ns + "/e2e-reader", "--bootstrap-kubeconfig", stack.Kubeconfig, "--expiration", "10m", "--verbose"}
	reader := newPluginEnv(t, bin)
	reader.kubeconfig = execKubeconfig(t, plugin, args...)

	var outputs []string
	stack.Eventually(t, 30*time.Second, "the reader ServiceAccount lists crontabs through the aggregator", func() (bool, string) {
		out, err := reader.kubectl("get", "ct", "-n", ns)
		outputs = append(outputs, out)
		return err == nil && strings.Contains(out, "visible"), out
	})
	out := reader.mustKubectl(t, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
	outputs = append(outputs, out)
	if !strings.Contains(out, "system:serviceaccount:"+ns+":e2e-reader") {
		t.Errorf("kubectl auth whoami: %s", out)
	}
	for range 3 {
		outputs = append(outputs, reader.mustKubectl(t, "get", "ct", "visible", "-n", ns))
	}
	all := strings.Join(outputs, "")
	if n := strings.Count(all, "running the source: TokenRequest for ServiceAccount "+ns+"/e2e-reader"); n != 1 {
		t.Errorf("the TokenRequest ran %d times for %d kubectl calls, want once (cache):\n%s", n, len(outputs), all)
	}
	if n := strings.Count(all, "using the cached credential"); n != len(outputs)-1 {
		t.Errorf("%d cache hits for %d kubectl calls, want %d", n, len(outputs), len(outputs)-1)
	}
	cached := cachedToken(t, reader.cacheDir)

	// --force-refresh runs the source again, and the cache holds the new token.
	forced := newPluginEnv(t, bin)
	forced.cacheDir = reader.cacheDir
	forced.kubeconfig = execKubeconfig(t, plugin, append(args, "--force-refresh")...)
	out = forced.mustKubectl(t, "get", "ct", "visible", "-n", ns)
	if !strings.Contains(out, "running the source: TokenRequest") {
		t.Errorf("--force-refresh did not run the source:\n%s", out)
	}
	if refreshed := cachedToken(t, reader.cacheDir); refreshed == cached {
		t.Error("--force-refresh left the cached token unchanged")
	}

	// A ServiceAccount without RBAC authenticates but is forbidden.
	nobody := newPluginEnv(t, bin)
	nobody.kubeconfig = execKubeconfig(t, plugin, "get-token", "--service-account", ns+"/e2e-nobody", "--bootstrap-kubeconfig", stack.Kubeconfig)
	out, err := nobody.kubectl("get", "ct", "-n", ns)
	if err == nil || !strings.Contains(out, "Forbidden") || !strings.Contains(out, "system:serviceaccount:"+ns+":e2e-nobody") {
		t.Errorf("a ServiceAccount without RBAC: err=%v, want 403 Forbidden naming it:\n%s", err, out)
	}

	// A bootstrap kubeconfig that runs the plugin itself is refused, in one line on stderr.
	loop := newPluginEnv(t, bin)
	loop.kubeconfig = execKubeconfig(t, plugin, "get-token", "--service-account", ns+"/e2e-reader", "--bootstrap-kubeconfig", reader.kubeconfig)
	out, err = loop.kubectl("get", "ct", "-n", ns)
	if err == nil || !strings.Contains(out, "example-credential-plugin: the bootstrap kubeconfig") || !strings.Contains(out, "that would recurse") {
		t.Errorf("a recursive bootstrap kubeconfig: err=%v\n%s", err, out)
	}
}

// cachedToken returns the token of the one credential in the plugin's cache, checking that
// the cache is private.
func cachedToken(t *testing.T, cacheDir string) string {
	t.Helper()
	dir := filepath.Join(cacheDir, "example-credential-plugin")
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("cache directory %s: %v %v", dir, info, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	if info, err := os.Stat(files[0]); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("cache file %s: %v %v", files[0], info, err)
	}
	token := cacheFileToken(t, files[0])
	if token == "" {
		t.Fatalf("cache file %s holds no token", files[0])
	}
	return token
}

// cacheFileToken is the token of one of the credential plugin's cache files (an
// ExecCredential).
func cacheFileToken(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entry struct {
		Status struct {
			Token string `json:"token"`
		} `json:"status"`
	}
	if err := json.Unmarshal(data, &entry); err != nil {
		t.Fatalf("cache file %s: %v", path, err)
	}
	return entry.Status.Token
}
