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
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/tools/clientcmd"
)

// ConfigOptions prints which kubeconfig the plugin uses and what it points at: $KUBECONFIG
// alone is empty for most users and says nothing about the context.
type ConfigOptions struct {
	Flags *genericclioptions.ConfigFlags
	genericiooptions.IOStreams
}

// NewCmdConfig returns "kubectl example config".
func NewCmdConfig(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ConfigOptions{Flags: flags, IOStreams: streams}
	return &cobra.Command{
		Use:   "config",
		Short: "Print the effective kubeconfig file(s), current context, cluster server and namespace",
		Example: `  kubectl example config
  kubectl example config --context other --kubeconfig ~/.kube/other.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.Run()
		},
	}
}

// Run prints the effective configuration.
func (o *ConfigOptions) Run() error {
	loader := o.Flags.ToRawKubeConfigLoader()
	files, source := o.kubeconfigFiles(loader)
	raw, err := loader.RawConfig()
	if err != nil {
		return err
	}
	contextName := raw.CurrentContext
	if o.Flags.Context != nil && *o.Flags.Context != "" {
		contextName = *o.Flags.Context
	}
	namespace, _, err := loader.Namespace()
	if err != nil {
		return err
	}

	var cluster, user, server string
	if ctx, ok := raw.Contexts[contextName]; ok {
		cluster, user = ctx.Cluster, ctx.AuthInfo
	}
	if o.Flags.ClusterName != nil && *o.Flags.ClusterName != "" {
		cluster = *o.Flags.ClusterName
	}
	if o.Flags.AuthInfoName != nil && *o.Flags.AuthInfoName != "" {
		user = *o.Flags.AuthInfoName
	}
	if c, ok := raw.Clusters[cluster]; ok {
		server = c.Server
	}
	if o.Flags.APIServer != nil && *o.Flags.APIServer != "" {
		server = *o.Flags.APIServer
	}

	w := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Kubeconfig:\t%s\t(%s)\n", strings.Join(files, string(os.PathListSeparator)), source)
	fmt.Fprintf(w, "Current context:\t%s\n", orNone(contextName))
	fmt.Fprintf(w, "Cluster:\t%s\n", orNone(cluster))
	fmt.Fprintf(w, "Server:\t%s\n", orNone(server))
	fmt.Fprintf(w, "User:\t%s\n", orNone(user))
	fmt.Fprintf(w, "Namespace:\t%s\n", namespace)
	return w.Flush()
}

// kubeconfigFiles returns the files the loader reads and where that list came from.
func (o *ConfigOptions) kubeconfigFiles(loader clientcmd.ClientConfig) ([]string, string) {
	if o.Flags.KubeConfig != nil && *o.Flags.KubeConfig != "" {
		return []string{*o.Flags.KubeConfig}, "--kubeconfig"
	}
	files := loader.ConfigAccess().GetLoadingPrecedence()
	if os.Getenv(clientcmd.RecommendedConfigPathEnvVar) != "" {
		return files, "$" + clientcmd.RecommendedConfigPathEnvVar
	}
	return files, "default"
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
