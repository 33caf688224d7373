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
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	basecompatibility "k8s.io/component-base/compatibility"
	logsapi "k8s.io/component-base/logs/api/v1"

	"example.com/example-apiserver/pkg/apis/config"
	configscheme "example.com/example-apiserver/pkg/apis/config/scheme"
	configv1alpha1 "example.com/example-apiserver/pkg/apis/config/v1alpha1"
)

// Flags that overlap the component configuration. When one is given on the command line it
// wins over the --config file, as with kubelet.
const (
	flagEtcdServers         = "etcd-servers"
	flagEtcdPrefix          = "etcd-prefix"
	flagEmbeddedEtcdDataDir = "embedded-etcd-data-dir"
	flagFeatureGates        = "feature-gates"
)

// resolveComponentConfig returns the effective component configuration: the --config file
// (defaulted), overridden by the overlapping flags given on the command line. Without a file
// it is the defaults overridden by every overlapping option, given or not (their defaults are
// the configuration's).
func (o *Options) resolveComponentConfig() (*config.ExampleAPIServerConfiguration, error) {
	if o.ConfigFile == "" {
		cfg, err := configscheme.DecodeExampleAPIServerConfiguration([]byte(
			"apiVersion: " + configv1alpha1.SchemeGroupVersion.String() + "\nkind: ExampleAPIServerConfiguration\n"))
		if err != nil {
			return nil, fmt.Errorf("defaulting the configuration: %w", err)
		}
		return cfg, o.overrideWithFlags(cfg, func(string) bool { return true })
	}
	data, err := os.ReadFile(o.ConfigFile)
	if err != nil {
		return nil, fmt.Errorf("reading the --config file: %w", err)
	}
	cfg, err := configscheme.DecodeExampleAPIServerConfiguration(data)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", o.ConfigFile, err)
	}
	return cfg, o.overrideWithFlags(cfg, o.flagGiven)
}

// flagGiven reports whether the command line set the flag.
func (o *Options) flagGiven(name string) bool {
	return o.flags != nil && o.flags.Changed(name)
}

// overrideWithFlags copies into cfg the options whose flags given reports.
func (o *Options) overrideWithFlags(cfg *config.ExampleAPIServerConfiguration, given func(flag string) bool) error {
	storage := o.RecommendedOptions.Etcd.StorageConfig
	if given(flagEtcdServers) {
		cfg.Etcd.Servers = append([]string{}, storage.Transport.ServerList...)
	}
	if given(flagEtcdPrefix) {
		cfg.Etcd.Prefix = storage.Prefix
	}
	if given(flagEmbeddedEtcdDataDir) {
		cfg.Etcd.EmbeddedDataDir = o.EmbeddedEtcdDataDir
	}

	if o.ConfigFile == "" || o.flags == nil {
		cfg.Logging = *o.Logs.DeepCopy()
	} else if err := copyLoggingFlags(o.flags, &cfg.Logging); err != nil {
		return err
	}

	// --feature-gates wins gate by gate: the file's other gates stay.
	gates, err := o.flagFeatureGates()
	if err != nil {
		return err
	}
	if len(gates) > 0 && cfg.FeatureGates == nil {
		cfg.FeatureGates = map[string]bool{}
	}
	for name, enabled := range gates {
		cfg.FeatureGates[name] = enabled
	}
	return nil
}

// copyLoggingFlags sets the fields of to whose logging flags (-v, --logging-format, ...) the
// command line gave; the others keep the file's values.
func copyLoggingFlags(from *pflag.FlagSet, to *logsapi.LoggingConfiguration) error {
	// Binding flags to a configuration resets its boolean fields to the flags' defaults, so
	// bind a copy and write back only what the command line gave.
	scratch := to.DeepCopy()
	var bound pflag.FlagSet
	logsapi.AddFlags(scratch, &bound)
	*scratch = *to.DeepCopy()
	var err error
	bound.VisitAll(func(f *pflag.Flag) {
		given := from.Lookup(f.Name)
		if err != nil || given == nil || !given.Changed {
			return
		}
		if f.Name == "vmodule" {
			scratch.VModule = nil // the flag replaces the file's list rather than extending it
		}
		if setErr := f.Value.Set(given.Value.String()); setErr != nil {
			err = fmt.Errorf("--%s: %w", f.Name, setErr)
		}
	})
	if err != nil {
		return err
	}
	*to = *scratch
	return nil
}

// flagFeatureGates returns the gates --feature-gates gave for our (the "kube") component.
func (o *Options) flagFeatureGates() (map[string]bool, error) {
	if o.flags == nil || !o.flags.Changed(flagFeatureGates) {
		return nil, nil
	}
	gates := map[string]bool{}
	// The flag's value reads "component:Gate=bool,..." with an empty component for "kube".
	for _, item := range strings.Split(o.flags.Lookup(flagFeatureGates).Value.String(), ",") {
		component, gate, _ := strings.Cut(item, ":")
		if item == "" || (component != "" && component != basecompatibility.DefaultKubeComponent) {
			continue // another component's gates are its registry's business
		}
		name, value, ok := strings.Cut(gate, "=")
		enabled, err := strconv.ParseBool(strings.TrimSpace(value))
		if !ok || err != nil {
			return nil, fmt.Errorf("--%s: invalid value %q for %s", flagFeatureGates, value, name)
		}
		gates[strings.TrimSpace(name)] = enabled
	}
	return gates, nil
}

// WriteConfig writes the effective configuration as config.example.com/v1alpha1 YAML to
// WriteConfigTo ("-" for standard output), for users to start a --config file from.
func (o *Options) WriteConfig() error {
	data, err := configscheme.EncodeYAML(o.ComponentConfig, configv1alpha1.SchemeGroupVersion)
	if err != nil {
		return err
	}
	data = append([]byte("# The effective configuration of example-apiserver: defaults, the --config file and flags.\n"), data...)
	if o.WriteConfigTo == "-" {
		_, err = o.StdOut.Write(data)
		return err
	}
	if err := os.WriteFile(o.WriteConfigTo, data, 0o644); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.StdErr, "Wrote the effective configuration to %s\n", o.WriteConfigTo)
	return err
}
