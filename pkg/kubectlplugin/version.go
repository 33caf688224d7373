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

package kubectlplugin

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	apimachineryversion "k8s.io/apimachinery/pkg/version"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/version"
)

// VersionInfo is what "kubectl example version -o json|yaml" prints.
type VersionInfo struct {
	// Plugin is the build of kubectl-example (stamped by the Makefile's ldflags).
	Plugin apimachineryversion.Info `json:"plugin"`
	// Kubernetes is kube-apiserver's /version: an aggregated server's own /version is not
	// reachable through kube-apiserver. Absent with --client or when unreachable.
	Kubernetes *apimachineryversion.Info `json:"kubernetes,omitempty"`
	// ExampleVersions are the versions of the example.com group the server serves.
	ExampleVersions []string `json:"exampleVersions,omitempty"`
}

// VersionOptions prints the plugin's build and the server's version and API groups.
type VersionOptions struct {
	Factory Factory
	genericiooptions.IOStreams

	ClientOnly bool
	Output     string
}

// NewCmdVersion returns "kubectl example version".
func NewCmdVersion(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{Factory: f, IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the plugin's version, kube-apiserver's version and the example.com API versions it serves",
		Example: `  kubectl example version
  kubectl example version --client -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().BoolVar(&o.ClientOnly, "client", false, "Print only the plugin's version; do not contact the server.")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: one of (json, yaml). Default: human-readable.")
	registerFixedCompletion(cmd, "output", "json", "yaml")
	return cmd
}

// Validate checks the output format.
func (o *VersionOptions) Validate() error {
	switch o.Output {
	case "", "json", "yaml":
		return nil
	}
	return fmt.Errorf("--output must be json or yaml, not %q", o.Output)
}

// Run prints the versions. The plugin's own version is printed even when the server is
// unreachable, followed by the error, as kubectl version does. VersionInfo is no API object
// that cli-runtime's printers could type, so -o json|yaml marshal it the way kubectl version
// marshals its own.
func (o *VersionOptions) Run() error {
	info := VersionInfo{Plugin: version.Get()}
	var serverErr error
	if !o.ClientOnly {
		serverErr = o.fetchServer(&info)
	}
	switch o.Output {
	case "json":
		data, err := json.MarshalIndent(info, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(o.Out, string(data))
	case "yaml":
		data, err := yaml.Marshal(info)
		if err != nil {
			return err
		}
		fmt.Fprint(o.Out, string(data))
	default:
		p := info.Plugin
		fmt.Fprintf(o.Out, "Plugin Version: %s (commit %s, built %s, %s %s)\n", p.GitVersion, p.GitCommit, p.BuildDate, p.GoVersion, p.Platform)
		if info.Kubernetes != nil {
			fmt.Fprintf(o.Out, "Kubernetes Version: %s (kube-apiserver)\n", info.Kubernetes.GitVersion)
			if len(info.ExampleVersions) == 0 {
				fmt.Fprintf(o.Out, "%s: not served (see \"kubectl example status\")\n", examplev1.GroupName)
			} else {
				fmt.Fprintf(o.Out, "%s: %s\n", examplev1.GroupName, strings.Join(info.ExampleVersions, ", "))
			}
		}
	}
	return serverErr
}

func (o *VersionOptions) fetchServer(info *VersionInfo) error {
	dc, err := o.Factory.DiscoveryClient()
	if err != nil {
		return err
	}
	server, err := dc.ServerVersion()
	if err != nil {
		return fmt.Errorf("reading the server's version: %w", err)
	}
	info.Kubernetes = server
	groups, err := dc.ServerGroups()
	if err != nil {
		return fmt.Errorf("reading the server's API groups: %w", err)
	}
	for _, g := range groups.Groups {
		if g.Name == examplev1.GroupName {
			for _, v := range g.Versions {
				info.ExampleVersions = append(info.ExampleVersions, v.Version)
			}
		}
	}
	return nil
}
