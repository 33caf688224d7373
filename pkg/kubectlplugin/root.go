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
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const rootLong = `kubectl example works with the example.com API served by example-apiserver.

It is a kubectl plugin: put kubectl-example on your PATH and run "kubectl example".
The usual kubectl flags (--kubeconfig, --context, -n/--namespace, ...) apply.`

const rootExample = `  # Is example-apiserver registered and serving?
  kubectl example status

  # List CronTabs in every namespace, with their next run
  kubectl example ct -A

  # When does my-crontab run next (five times, in Shanghai time)?
  kubectl example next my-crontab --count 5 --timezone Asia/Shanghai

  # Check a cron expression offline, with the parser the server uses
  kubectl example validate "*/5 * * * *"

  # Create a CronTab, or just print it
  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36
  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36 --dry-run=client -o yaml

  # Run backup now, then see how its runs went
  kubectl example run backup
  kubectl example history backup

  # After switching the server's storage version, rewrite every object in it
  kubectl example migrate-storage`

// NewCmdExample returns the kubectl-example root command with clients built from the usual
// kubectl flags.
func NewCmdExample(streams genericiooptions.IOStreams) *cobra.Command {
	flags := genericclioptions.NewConfigFlags(true)
	return NewCmdExampleWith(flags, NewFactory(flags), streams)
}

// NewCmdExampleWith returns the root command with the given flags and Factory; tests hand in
// a Factory of fakes.
func NewCmdExampleWith(flags *genericclioptions.ConfigFlags, f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "kubectl-example",
		Short:   "Work with the example.com API (CronTabs) served by example-apiserver",
		Long:    rootLong,
		Example: rootExample,
		Annotations: map[string]string{
			// Help and usage then read "kubectl example ...", as users type it.
			cobra.CommandDisplayNameAnnotation: "kubectl example",
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		// A bare "kubectl example" shows help instead of failing.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	flags.AddFlags(cmd.PersistentFlags())
	registerNamespaceCompletion(cmd, f)

	cmd.AddCommand(
		NewCmdVersion(f, streams),
		NewCmdConfig(flags, streams),
		NewCmdCronTabs(f, streams),
		NewCmdNext(f, streams),
		NewCmdValidate(streams),
		NewCmdCreate(f, streams),
		NewCmdRun(f, streams),
		NewCmdHistory(f, streams),
		NewCmdStatus(f, streams),
		NewCmdMetrics(f, streams),
		NewCmdMigrateStorage(f, streams),
	)
	return cmd
}
