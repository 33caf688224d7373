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
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"example.com/example-apiserver/pkg/schedule"
)

// ValidateOptions checks a cron expression offline. It calls pkg/schedule, the package the
// server's validation calls, so the plugin and the server cannot disagree.
type ValidateOptions struct {
	genericiooptions.IOStreams

	Expression string
	TimeZone   string
	Count      int
	Now        func() time.Time
}

// NewCmdValidate returns "kubectl example validate".
func NewCmdValidate(streams genericiooptions.IOStreams) *cobra.Command {
	o := &ValidateOptions{IOStreams: streams, Count: 3, Now: clockNow}
	cmd := &cobra.Command{
		Use:   "validate \"<cron expression>\" [--timezone TZ]",
		Short: "Check a cron expression offline, exactly as the server will, and show its next runs",
		Example: `  kubectl example validate "*/5 * * * *"
  kubectl example validate "0 9 * * mon-fri" --timezone Asia/Shanghai --count 5
  kubectl example validate @hourly`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Expression = args[0]
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	cmd.Flags().StringVar(&o.TimeZone, "timezone", "", "IANA time zone the expression is interpreted in (spec.timeZone); default UTC.")
	cmd.Flags().IntVar(&o.Count, "count", o.Count, fmt.Sprintf("How many next run times to print (1-%d).", maxCount))
	registerFixedCompletion(cmd, "timezone", commonTimeZones...)
	return cmd
}

// Validate checks the flags; the expression itself is what Run judges.
func (o *ValidateOptions) Validate() error {
	return validateCount(o.Count)
}

// Run prints "valid" with the next runs, or fails with the parser's reason.
func (o *ValidateOptions) Run() error {
	s, err := schedule.New(o.Expression, o.TimeZone)
	if err != nil {
		return fmt.Errorf("invalid: %q: %w", o.Expression, err)
	}
	zone := o.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	fmt.Fprintf(o.Out, "valid: %q (time zone %s); next %d:\n", o.Expression, zone, o.Count)
	now := o.Now()
	return printRuns(o.Out, s.Next(now, o.Count), nil, now)
}
