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
	"context"
	"fmt"

	"github.com/spf13/cobra"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/term"

	"example.com/example-apiserver/pkg/apiserver"
	"example.com/example-apiserver/pkg/version"

	// Register the JSON log format for --logging-format=json.
	_ "k8s.io/component-base/logs/json/register"
)

// NewCommand returns the example-apiserver command, run until ctx is done.
func NewCommand(ctx context.Context, o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   apiserver.ComponentName,
		Short: "Serve the example.com API (CronTab, CustomResource) as a Kubernetes aggregated API server",
		Long: apiserver.ComponentName + ` serves the example.com/v1 API group (crontabs, customresources) from etcd.
It is registered with a kube-apiserver by an APIService and delegates authentication and
authorization to it. Without --etcd-servers it runs its own embedded etcd on 127.0.0.1.
With a login section in its configuration it also serves logins with LDAP accounts
(login.example.com/v1alpha1 loginrequests) and the authentication webhook through which
kube-apiserver accepts their tokens (/authenticate/tokenreview).

Its own settings (etcd, CronTab admission policy, external metrics, login, logging,
feature gates) can come from a --config file (see artifacts/config/example-apiserver.yaml);
flags given on the command line win over the file. --write-config-to writes the effective configuration and exits.`,
		SilenceUsage: true,
		// The command line is parsed here and, by Complete, again onto the --config file's
		// settings, as kubelet does: cobra would keep no copy of it.
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			fs := c.Flags()
			if err := fs.Parse(args); err != nil {
				return err
			}
			if extra := fs.Args(); len(extra) > 0 {
				return fmt.Errorf("%s takes no arguments, got %q", apiserver.ComponentName, extra)
			}
			if help, _ := fs.GetBool("help"); help {
				return c.Help()
			}
			version.PrintAndExitIfRequested(apiserver.ComponentName)
			if err := o.ComponentGlobalsRegistry.Set(); err != nil {
				return err
			}
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			if o.WriteConfigTo != "" {
				return o.WriteConfig()
			}
			// Run applies the logging settings, which the --config file may hold.
			return o.Run(c.Context())
		},
	}
	cmd.SetContext(ctx)
	fss := o.Flags()
	fs := cmd.Flags()
	for _, f := range fss.FlagSets {
		fs.AddFlagSet(f)
	}
	cols, _, _ := term.TerminalSize(cmd.OutOrStdout())
	cliflag.SetUsageAndHelpFunc(cmd, fss, cols)
	return cmd
}
