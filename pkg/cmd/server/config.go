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
	"io"
	"maps"
	"os"

	"github.com/spf13/pflag"
	cliflag "k8s.io/component-base/cli/flag"
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
	flagStorageVersion      = "storage-version"
	flagFeatureGates        = "feature-gates"
	flagVModule             = "vmodule"
)

// resolveComponentConfig returns the effective component configuration: the --config file, or
// the defaults without one, with the command line args parsed again onto it.
func (o *Options) resolveComponentConfig(args []string) (*config.ExampleAPIServerConfiguration, error) {
	data := []byte("apiVersion: " + configv1alpha1.SchemeGroupVersion.String() + "\nkind: ExampleAPIServerConfiguration\n")
	if o.ConfigFile != "" {
		var err error
		if data, err = os.ReadFile(o.ConfigFile); err != nil {
			return nil, fmt.Errorf("reading the --config file: %w", err)
		}
	}
	cfg, err := configscheme.DecodeExampleAPIServerConfiguration(data)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", o.ConfigFile, err)
	}
	// The command's other flags, bound to options thrown away, so that args parse as they did.
	if err := parseFlagsOnto(cfg, args, NewOptions(io.Discard, io.Discard).Flags()); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseFlagsOnto parses args again onto cfg, as kubelet does with its configuration file:
// the flags that overlap the configuration are bound to cfg's fields with cfg's values as
// their defaults, so a flag the command line gives wins and the others leave cfg as it is.
// The other flags of args are parsed into others.
func parseFlagsOnto(cfg *config.ExampleAPIServerConfiguration, args []string, others cliflag.NamedFlagSets) error {
	fs := pflag.NewFlagSet("component configuration", pflag.ContinueOnError)
	fs.SetNormalizeFunc(cliflag.WordSepNormalizeFunc)
	// No usage texts: --help prints the command's flag set.
	fs.StringSliceVar(&cfg.Etcd.Servers, flagEtcdServers, cfg.Etcd.Servers, "")
	fs.StringVar(&cfg.Etcd.Prefix, flagEtcdPrefix, cfg.Etcd.Prefix, "")
	fs.StringVar(&cfg.Etcd.EmbeddedDataDir, flagEmbeddedEtcdDataDir, cfg.Etcd.EmbeddedDataDir, "")
	fs.StringVar(&cfg.Etcd.StorageVersion, flagStorageVersion, cfg.Etcd.StorageVersion, "")

	// Binding the logging flags sets the split-stream options to false, and --vmodule adds to
	// the list it is bound to: keep the file's options, and let --vmodule replace its list.
	flagLogging := toLogsAPI(&cfg.Logging)
	flagLogging.VModule = nil
	logsapi.AddFlags(flagLogging, fs)
	flagLogging.Options = toLogsAPI(&cfg.Logging).Options

	// --feature-gates reads "component:Gate=bool,...", as ComponentGlobalsRegistry's flag does;
	// our gates are those of the default component, named or not.
	var gatesByComponent map[string][]string
	fs.Var(cliflag.NewColonSeparatedMultimapStringStringAllowDefaultEmptyKey(&gatesByComponent), flagFeatureGates, "")

	for _, section := range others.FlagSets {
		section.VisitAll(func(f *pflag.Flag) {
			if fs.Lookup(f.Name) == nil {
				fs.AddFlag(f)
			}
		})
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	fileVModule := cfg.Logging.VModule
	cfg.Logging = fromLogsAPI(flagLogging)
	if !fs.Changed(flagVModule) {
		cfg.Logging.VModule = fileVModule
	}
	// Gate by gate, as kubelet merges them: the file's other gates stay.
	flagGates := map[string]bool{}
	gates := cliflag.NewMapStringBool(&flagGates)
	for _, component := range []string{"", basecompatibility.DefaultKubeComponent} {
		for _, items := range gatesByComponent[component] {
			if err := gates.Set(items); err != nil {
				return fmt.Errorf("--%s: %w", flagFeatureGates, err)
			}
		}
	}
	if len(flagGates) > 0 && cfg.FeatureGates == nil {
		cfg.FeatureGates = map[string]bool{}
	}
	maps.Copy(cfg.FeatureGates, flagGates)
	return nil
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
