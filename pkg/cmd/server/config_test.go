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

package server

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	logsapi "k8s.io/component-base/logs/api/v1"

	"example.com/example-apiserver/pkg/admission/plugin/crontabimagepolicy"
	"example.com/example-apiserver/pkg/admission/plugin/crontabnamespacelimits"
	configscheme "example.com/example-apiserver/pkg/apis/config/scheme"
)

// writeConfig writes a config file with the apiVersion and kind header and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	data := "apiVersion: config.example.com/v1alpha1\nkind: ExampleAPIServerConfiguration\n" + body
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// completed parses args and completes the options.
func completed(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	o := parsedOptions(t, args...)
	return o, o.Complete(args)
}

const fileWithEverything = `
etcd:
  servers: [http://file-etcd:2379]
  prefix: /from/file
cronTabPolicy:
  imagePolicy: {allowedPrefixes: [ghcr.io]}
  namespaceLimits: {defaultMaxCronTabs: 3}
logging:
  format: json
  verbosity: 4
  vmodule: [{filePattern: file, verbosity: 2}]
  options: {text: {splitStream: true}}
featureGates: {LoggingAlphaOptions: true, ContextualLogging: true}
`

// TestPrecedence: flags given on the command line > the --config file > the defaults.
func TestPrecedence(t *testing.T) {
	file := writeConfig(t, fileWithEverything)
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, o *Options)
	}{
		{name: "defaults without a file", check: func(t *testing.T, o *Options) {
			c := o.ComponentConfig
			if len(c.Etcd.Servers) != 0 || c.Etcd.Prefix != DefaultEtcdPathPrefix || c.Logging.Format != "text" ||
				len(c.CronTabPolicy.ImagePolicy.AllowedPrefixes) != 0 || len(c.FeatureGates) != 0 {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "flags without a file", args: []string{"--etcd-servers=http://flag-etcd:2379", "--etcd-prefix=/from/flag", "-v=3", "--feature-gates=LoggingBetaOptions=false"},
			check: func(t *testing.T, o *Options) {
				c := o.ComponentConfig
				if c.Etcd.Servers[0] != "http://flag-etcd:2379" || c.Etcd.Prefix != "/from/flag" || c.Logging.Verbosity != 3 || c.FeatureGates["LoggingBetaOptions"] {
					t.Errorf("flags: %+v", c)
				}
			}},
		{name: "file without flags", args: []string{"--config=" + file}, check: func(t *testing.T, o *Options) {
			c := o.ComponentConfig
			if c.Etcd.Servers[0] != "http://file-etcd:2379" || c.Etcd.Prefix != "/from/file" || c.Logging.Format != "json" ||
				c.Logging.Verbosity != 4 || len(c.Logging.VModule) != 1 || !c.Logging.Options.Text.SplitStream || !c.FeatureGates["LoggingAlphaOptions"] ||
				*c.CronTabPolicy.NamespaceLimits.DefaultMaxCronTabs != 3 {
				t.Errorf("file: %+v", c)
			}
			// The generic server's and embedded etcd's options follow the file.
			if s := o.RecommendedOptions.Etcd.StorageConfig; s.Transport.ServerList[0] != "http://file-etcd:2379" || s.Prefix != "/from/file" {
				t.Errorf("storage options do not follow the file: %+v %q", s.Transport.ServerList, s.Prefix)
			}
		}},
		{name: "flags win over the file", args: []string{"--config=" + file, "--etcd-servers=http://flag-etcd:2379", "-v=1",
			"--vmodule=flag=5", "--feature-gates=LoggingAlphaOptions=false"}, check: func(t *testing.T, o *Options) {
			c := o.ComponentConfig
			if c.Etcd.Servers[0] != "http://flag-etcd:2379" || len(c.Etcd.Servers) != 1 || o.RecommendedOptions.Etcd.StorageConfig.Transport.ServerList[0] != "http://flag-etcd:2379" {
				t.Errorf("--etcd-servers lost: %v", c.Etcd.Servers)
			}
			if c.Logging.Verbosity != 1 || len(c.Logging.VModule) != 1 || c.Logging.VModule[0].FilePattern != "flag" {
				t.Errorf("logging flags lost: %+v", c.Logging)
			}
			if c.FeatureGates["LoggingAlphaOptions"] || !c.FeatureGates["ContextualLogging"] {
				t.Errorf("--feature-gates must win gate by gate, keeping the file's others: %v", c.FeatureGates)
			}
			// What no flag gave stays the file's, including what binding flags would reset.
			if c.Etcd.Prefix != "/from/file" || c.Logging.Format != "json" || !c.Logging.Options.Text.SplitStream ||
				c.CronTabPolicy.ImagePolicy.AllowedPrefixes[0] != "ghcr.io" {
				t.Errorf("the file's other settings lost: %+v", c)
			}
		}},
		{name: "flag given with its default value still wins", args: []string{"--config=" + file, "--etcd-prefix=" + DefaultEtcdPathPrefix, "--logging-format=text"},
			check: func(t *testing.T, o *Options) {
				if c := o.ComponentConfig; c.Etcd.Prefix != DefaultEtcdPathPrefix || c.Logging.Format != "text" {
					t.Errorf("explicit default flags lost: %q %q", c.Etcd.Prefix, c.Logging.Format)
				}
			}},
		{name: "file beats the defaults where no flag is given", args: []string{"--config=" + writeConfig(t, "etcd: {embeddedDataDir: /from/file}\n"), "--etcd-prefix=/from/flag"},
			check: func(t *testing.T, o *Options) {
				if c := o.ComponentConfig; c.Etcd.EmbeddedDataDir != "/from/file" || o.EmbeddedEtcdDataDir != "/from/file" || c.Etcd.Prefix != "/from/flag" {
					t.Errorf("embedded etcd data dir %q (options %q), prefix %q", c.Etcd.EmbeddedDataDir, o.EmbeddedEtcdDataDir, c.Etcd.Prefix)
				}
			}},
		{name: "storage version: v1 by default, the file's, the flag's", args: []string{"--config=" + writeConfig(t, "etcd: {storageVersion: v2}\n")},
			check: func(t *testing.T, o *Options) {
				if got := o.ComponentConfig.Etcd.StorageVersion; got != "v2" {
					t.Errorf("storage version %q, want the file's v2", got)
				}
				for args, want := range map[string]string{"--storage-version=v2": "v2", "--storage-version=v1": "v1", "": "v1"} {
					flagged, err := completed(t, strings.Fields(args)...)
					if err != nil || flagged.ComponentConfig.Etcd.StorageVersion != want {
						t.Errorf("%q: storage version %q (%v), want %s", args, flagged.ComponentConfig.Etcd.StorageVersion, err, want)
					}
				}
			}},
		{name: "--embedded-etcd-data-dir beats the file", args: []string{"--config=" + writeConfig(t, "etcd: {embeddedDataDir: /from/file}\n"), "--embedded-etcd-data-dir=/from/flag"},
			check: func(t *testing.T, o *Options) {
				if c := o.ComponentConfig; c.Etcd.EmbeddedDataDir != "/from/flag" || o.EmbeddedEtcdDataDir != "/from/flag" {
					t.Errorf("embedded etcd data dir %q (options %q)", c.Etcd.EmbeddedDataDir, o.EmbeddedEtcdDataDir)
				}
			}},
		{name: "logging flags beat the file both ways: a boolean set false, a format back to text", args: []string{"--config=" + file, "--log-text-split-stream=false", "--logging-format=text", "-v=0"},
			check: func(t *testing.T, o *Options) {
				if l := o.ComponentConfig.Logging; l.Options.Text.SplitStream || l.Format != "text" || l.Verbosity != 0 || len(l.VModule) != 1 || l.VModule[0].FilePattern != "file" {
					t.Errorf("logging %+v", l)
				}
			}},
		{name: "logging flags set what the file leaves at its default", args: []string{"--config=" + writeConfig(t, "logging: {verbosity: 2}\n"), "--log-text-split-stream", "--vmodule=flag=3"},
			check: func(t *testing.T, o *Options) {
				if l := o.ComponentConfig.Logging; !l.Options.Text.SplitStream || l.Verbosity != 2 || len(l.VModule) != 1 || l.VModule[0].FilePattern != "flag" {
					t.Errorf("logging %+v", l)
				}
			}},
		{name: "feature gates with the kube: prefix beat the file's", args: []string{"--config=" + file, "--feature-gates=kube:ContextualLogging=false", "--feature-gates=kube:LoggingBetaOptions=true"},
			check: func(t *testing.T, o *Options) {
				if g := o.ComponentConfig.FeatureGates; g["ContextualLogging"] || !g["LoggingBetaOptions"] || !g["LoggingAlphaOptions"] {
					t.Errorf("gates %v, want ContextualLogging off, LoggingBetaOptions on (flags), LoggingAlphaOptions on (file)", g)
				}
			}},
		{name: "the file's feature gates beat the defaults; another component's gates are not ours", args: []string{"--config=" + file, "--feature-gates=wardle:BanFlunder=true"},
			check: func(t *testing.T, o *Options) {
				if g := o.ComponentConfig.FeatureGates; len(g) != 2 || !g["LoggingAlphaOptions"] || !g["ContextualLogging"] {
					t.Errorf("gates %v, want the file's two", g)
				}
			}},
		{name: "flag names with underscores, as the command normalizes them", args: []string{"--config=" + file, "--etcd_prefix=/from/flag"},
			check: func(t *testing.T, o *Options) {
				if c := o.ComponentConfig; c.Etcd.Prefix != "/from/flag" {
					t.Errorf("prefix %q", c.Etcd.Prefix)
				}
			}},
		{name: "empty --etcd-servers selects the embedded etcd", args: []string{"--config=" + file, "--etcd-servers="},
			check: func(t *testing.T, o *Options) {
				if !o.useEmbeddedEtcd() || len(o.ComponentConfig.Etcd.Servers) != 0 {
					t.Errorf("servers %v", o.ComponentConfig.Etcd.Servers)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := completed(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}

func TestConfigFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	tests := []struct {
		name    string
		file    string
		wantErr []string
	}{
		{name: "missing file", file: missing, wantErr: []string{"reading the --config file", missing, "no such file"}},
		{name: "unknown field", file: writeConfig(t, "etcd:\n  servers: []\n  endpoints: []\n"),
			wantErr: []string{"config file ", "config.yaml", `unknown field "etcd.endpoints"`}},
		{name: "duplicate field", file: writeConfig(t, "logging: {}\nlogging: {}\n"), wantErr: []string{"config.yaml", `"logging" already set`}},
		{name: "wrong kind", file: func() string {
			path := filepath.Join(t.TempDir(), "kubelet.yaml")
			_ = os.WriteFile(path, []byte("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"), 0o600)
			return path
		}(), wantErr: []string{"kubelet.yaml", `"kubelet.config.k8s.io/v1beta1"`, "want apiVersion config.example.com/v1alpha1, kind ExampleAPIServerConfiguration"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := completed(t, "--config="+tc.file)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not mention %q", err, want)
				}
			}
		})
	}
}

// TestValidationReportsEverything: every invalid field at once, with paths and the file.
func TestValidationReportsEverything(t *testing.T) {
	file := writeConfig(t, `
etcd: {prefix: nope}
cronTabPolicy:
  imagePolicy: {allowedPrefixes: [nginx]}
  namespaceLimits: {defaultMaxReplicas: -1}
featureGates: {NoSuchGate: true}
`)
	o, err := completed(t, "--config="+file, "--logging-format=xml")
	if err != nil {
		t.Fatal(err)
	}
	err = o.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"invalid configuration (config file " + file + " and flags)",
		`etcd.prefix: Invalid value: "nope": must start with /`,
		`cronTabPolicy.imagePolicy.allowedPrefixes[0]: Invalid value: "nginx"`,
		"cronTabPolicy.namespaceLimits.defaultMaxReplicas: Invalid value: -1: must be greater than or equal to 0",
		"featureGates[NoSuchGate]: Invalid value: true: unrecognized feature gate",
		`logging.format: Invalid value: "xml"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q\ndoes not mention %q", err, want)
		}
	}
}

func TestWriteConfig(t *testing.T) {
	file := writeConfig(t, "cronTabPolicy: {namespaceLimits: {defaultMaxReplicas: 9}}\n")
	out := filepath.Join(t.TempDir(), "effective.yaml")
	o, err := completed(t, "--config="+file, "--write-config-to="+out, "--etcd-prefix=/flag", "-v=2")
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	o.StdErr = &stderr
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := o.WriteConfig(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: ExampleAPIServerConfiguration", "prefix: /flag", "verbosity: 2", "defaultMaxReplicas: 9", "servers: []", "format: text"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("written configuration lacks %q:\n%s", want, data)
		}
	}
	if !strings.Contains(stderr.String(), out) {
		t.Errorf("no note of the written file: %q", stderr.String())
	}
	// What was written is a complete configuration that loads as it is.
	again, err := completed(t, "--config="+out)
	if err != nil {
		t.Fatal(err)
	}
	if again.ComponentConfig.Etcd.Prefix != "/flag" || *again.ComponentConfig.CronTabPolicy.NamespaceLimits.DefaultMaxReplicas != 9 {
		t.Errorf("reloaded %+v", again.ComponentConfig)
	}

	// "-" writes to standard output.
	var stdout bytes.Buffer
	o.WriteConfigTo, o.StdOut = "-", &stdout
	if err := o.WriteConfig(); err != nil {
		t.Fatal(err)
	}
	if _, err := configscheme.DecodeExampleAPIServerConfiguration(stdout.Bytes()); err != nil {
		t.Errorf("standard output is not a configuration: %v\n%s", err, stdout.String())
	}
}

// TestCommandWritesConfig runs the command itself: --write-config-to must exit before serving.
func TestCommandWritesConfig(t *testing.T) {
	var stdout bytes.Buffer
	cmd := NewCommand(t.Context(), NewOptions(&stdout, io.Discard))
	cmd.SetArgs([]string{"--config=" + filepath.Join("..", "..", "..", "artifacts", "config", "example-apiserver.yaml"), "--write-config-to=-"})
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "- docker.io/library") {
		t.Errorf("the example's allow list is not in the written configuration:\n%s", stdout.String())
	}
}

func TestAdmissionPluginOrder(t *testing.T) {
	o := parsedOptions(t)
	order := o.RecommendedOptions.Admission.RecommendedPluginOrder
	position := func(name string) int {
		i := slices.Index(order, name)
		if i < 0 {
			t.Fatalf("%s not in %v", name, order)
		}
		return i
	}
	own := []string{crontabimagepolicy.PluginName, crontabnamespacelimits.PluginName}
	for _, name := range own {
		if position(name) < position("NamespaceLifecycle") {
			t.Errorf("%s before NamespaceLifecycle in %v", name, order)
		}
		for _, upstream := range []string{"MutatingAdmissionPolicy", "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook"} {
			if position(name) > position(upstream) {
				t.Errorf("%s after %s in %v: our own plugins must run before the policies and webhooks", name, upstream, order)
			}
		}
		if o.RecommendedOptions.Admission.DefaultOffPlugins.Has(name) {
			t.Errorf("%s is off by default", name)
		}
	}
	// Validate checks that every registered plugin is ordered and every ordered one registered.
	if errs := o.RecommendedOptions.Admission.Validate(); len(errs) > 0 {
		t.Error(errs)
	}
}

// TestAdmissionPluginsReadTheComponentConfig: the plugins are configured from the completed
// configuration, at the time the chain is built.
func TestAdmissionPluginsReadTheComponentConfig(t *testing.T) {
	o, err := completed(t, "--config="+writeConfig(t, "cronTabPolicy: {imagePolicy: {allowedPrefixes: [ghcr.io]}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := o.cronTabPolicy().ImagePolicy.AllowedPrefixes; len(got) != 1 || got[0] != "ghcr.io" {
		t.Errorf("policy handed to the plugins: %v", got)
	}
}

// TestFeatureGatesApplied: the file's gates, with --feature-gates winning gate by gate, are
// what the server's feature gate ends up with.
func TestFeatureGatesApplied(t *testing.T) {
	file := writeConfig(t, "featureGates: {LoggingAlphaOptions: true, ContextualLogging: false}\n")
	o, err := completed(t, "--config="+file, "--feature-gates=ContextualLogging=true")
	if err != nil {
		t.Fatal(err)
	}
	o.featureGate = utilfeature.DefaultMutableFeatureGate.DeepCopy() // leave the process's gate alone
	if err := o.applyFeatureGates(); err != nil {
		t.Fatal(err)
	}
	if !o.featureGate.Enabled(logsapi.LoggingAlphaOptions) || !o.featureGate.Enabled(logsapi.ContextualLogging) {
		t.Errorf("gates: LoggingAlphaOptions=%v (file: true), ContextualLogging=%v (flag: true over file: false)",
			o.featureGate.Enabled(logsapi.LoggingAlphaOptions), o.featureGate.Enabled(logsapi.ContextualLogging))
	}
}

// TestListFromCacheSnapshotOffByDefault: the server turns the gate off by default (it keeps
// watch-cache snapshots a quiet server never lets go), and --feature-gates turns it back on.
func TestListFromCacheSnapshotOffByDefault(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{want: false},
		{args: []string{"--feature-gates=ListFromCacheSnapshot=true"}, want: true},
	} {
		o, err := completed(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		o.featureGate = utilfeature.DefaultMutableFeatureGate.DeepCopy() // leave the process's gate alone
		if err := o.applyFeatureGates(); err != nil {
			t.Fatal(err)
		}
		if got := o.featureGate.Enabled(features.ListFromCacheSnapshot); got != tc.want {
			t.Errorf("%v: ListFromCacheSnapshot=%v, want %v", tc.args, got, tc.want)
		}
	}
}
