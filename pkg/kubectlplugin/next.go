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
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"example.com/example-apiserver/pkg/crontabrun"
	"example.com/example-apiserver/pkg/schedule"
)

// maxCount bounds --count: enough for any human reading, and an "@every 1s" schedule
// cannot make the plugin loop for long.
const maxCount = 1000

// NextOptions prints the next run times of a CronTab.
type NextOptions struct {
	Factory Factory
	genericiooptions.IOStreams

	Name      string
	Namespace string
	Count     int
	// TimeZone is the zone the times are shown in; the runs themselves are always computed in
	// the CronTab's spec.timeZone, as the server does.
	TimeZone string
	Now      func() time.Time

	display *time.Location
}

// NewCmdNext returns "kubectl example next".
func NewCmdNext(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &NextOptions{Factory: f, IOStreams: streams, Count: 5, Now: clockNow}
	cmd := &cobra.Command{
		Use:   "next NAME [--count N] [--timezone TZ]",
		Short: "Print the next run times of a CronTab",
		Long: `Print the next run times of a CronTab.

The runs are computed in the CronTab's spec.timeZone (UTC when empty) with the parser the
server validates with; --timezone only changes the zone they are shown in.`,
		Example: `  kubectl example next my-crontab
  kubectl example next my-crontab -n team-a --count 10 --timezone Asia/Shanghai`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeCronTabNames(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().IntVar(&o.Count, "count", o.Count, fmt.Sprintf("How many run times to print (1-%d).", maxCount))
	cmd.Flags().StringVar(&o.TimeZone, "timezone", "", "IANA time zone to show the times in, e.g. Asia/Shanghai. Default: the CronTab's spec.timeZone.")
	registerFixedCompletion(cmd, "timezone", commonTimeZones...)
	return cmd
}

// Complete takes the name and namespace.
func (o *NextOptions) Complete(args []string) error {
	o.Name = args[0]
	var err error
	o.Namespace, err = o.Factory.Namespace()
	return err
}

// Validate checks --count and --timezone before anything reaches the server.
func (o *NextOptions) Validate() error {
	if err := validateCount(o.Count); err != nil {
		return err
	}
	if o.TimeZone != "" {
		loc, err := schedule.LoadLocation(o.TimeZone)
		if err != nil {
			return fmt.Errorf("--timezone %q: %w", o.TimeZone, err)
		}
		o.display = loc
	}
	return nil
}

// Run fetches the CronTab and prints its next runs.
func (o *NextOptions) Run(ctx context.Context) error {
	client, err := o.Factory.ExampleClient()
	if err != nil {
		return err
	}
	ct, err := client.ExampleV1().CronTabs(o.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	internal, err := crontabrun.FromV1(ct)
	if err != nil {
		return err
	}
	s, err := crontabrun.Schedule(internal)
	if err != nil {
		// The server validates on write, so only an object stored before a stricter
		// validation can get here.
		return fmt.Errorf("CronTab %s/%s has an invalid schedule %q: %w", ct.Namespace, ct.Name, ct.Spec.CronSpec, err)
	}
	zone := ct.Spec.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	fmt.Fprintf(o.Out, "CronTab %s/%s runs %q (time zone %s); next %d:\n", ct.Namespace, ct.Name, ct.Spec.CronSpec, zone, o.Count)
	now := o.Now()
	return printRuns(o.Out, s.Next(now, o.Count), o.display, now)
}

func validateCount(count int) error {
	if count < 1 || count > maxCount {
		return fmt.Errorf("--count must be between 1 and %d, not %d", maxCount, count)
	}
	return nil
}

// printRuns prints one run per line, in display (nil: the schedule's own zone), with the
// time left until it.
func printRuns(w io.Writer, runs []time.Time, display *time.Location, now time.Time) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(w, "  never: the expression matches no date (e.g. February 30th)")
		return err
	}
	for _, t := range runs {
		if display != nil {
			t = t.In(display)
		}
		if _, err := fmt.Fprintf(w, "  %s  (in %s)\n", t.Format("2006-01-02 15:04:05 MST -07:00 Mon"), duration.HumanDuration(t.Sub(now))); err != nil {
			return err
		}
	}
	return nil
}

// commonTimeZones are offered by shell completion of --timezone; any IANA name is accepted.
var commonTimeZones = []string{
	"UTC", "Asia/Shanghai", "Asia/Tokyo", "Asia/Kolkata", "Europe/London", "Europe/Berlin",
	"America/New_York", "America/Chicago", "America/Los_Angeles", "Australia/Sydney",
}
