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

package controllermanager

import (
	"context"

	"github.com/spf13/cobra"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/term"

	"example.com/example-apiserver/pkg/version"
)

// NewCommand returns the example-controller-manager command.
func NewCommand(ctx context.Context, o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   Name,
		Short: "Run the controllers of the example.com API: CronTabs start Jobs on schedule",
		Long: Name + ` runs the CronTab controller: each CronTab starts its runs as Jobs at its
scheduled times, with CronJob's semantics (suspend, starting deadline, concurrency policy,
history limits) and fewer of its surprises: an edited schedule never starts a run for a time
before the edit, a controller back from downtime starts at most one catch-up run, and a
wall-clock time that occurs twice on a daylight saving day runs once (docs/controller.md).

Run two replicas: they elect a leader with a Lease (--leader-elect, on by default) and the
standby keeps warm caches. /healthz, /readyz and /livez are served to anyone on
--secure-port, /metrics and /debug/pprof to whom the cluster authorizes.`,
		SilenceUsage: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			version.PrintAndExitIfRequested(Name)
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			c, err := o.Config()
			if err != nil {
				return err
			}
			return Run(cmd.Context(), c.Complete())
		},
		Args: cobra.NoArgs,
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
