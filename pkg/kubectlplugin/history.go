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
	"sort"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	kubescheme "k8s.io/client-go/kubernetes/scheme"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
	"example.com/example-apiserver/pkg/schedule"
)

// HistoryOptions lists the runs of a CronTab: the Jobs it controls.
type HistoryOptions struct {
	Factory Factory
	genericiooptions.IOStreams
	PrintFlags *genericclioptions.PrintFlags

	CronTabName string
	Namespace   string
	NoHeaders   bool
	// Now is the clock DURATION (of a running Job) and AGE are computed against; tests fix it.
	Now func() time.Time
}

// NewCmdHistory returns "kubectl example history".
func NewCmdHistory(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &HistoryOptions{
		Factory:    f,
		IOStreams:  streams,
		PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(kubescheme.Scheme),
		Now:        clockNow,
	}
	cmd := &cobra.Command{
		Use:   "history CRONTAB",
		Short: "List the runs of a CronTab, newest first",
		Long: `List the runs of a CronTab, newest first: the Jobs it controls (label
example.com/crontab=CRONTAB), as many as its history limits keep.

SCHEDULED is the time the run was scheduled for, in the CronTab's time zone, or
"manual" for a run started with "kubectl example run". DURATION is from the Job's
start to its end, or how long it has been running.`,
		Example: `  kubectl example history my-crontab
  kubectl example history my-crontab -n team-a -o yaml
  kubectl example history my-crontab -o name`,
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
	o.PrintFlags.AddFlags(cmd)
	registerFixedCompletion(cmd, "output", "json", "yaml", "name", "jsonpath=", "go-template=")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", false, "Do not print the table's header line.")
	return cmd
}

// Complete takes the CronTab's name and the namespace.
func (o *HistoryOptions) Complete(args []string) error {
	o.CronTabName = args[0]
	var err error
	o.Namespace, err = o.Factory.Namespace()
	return err
}

// Validate refuses an unknown -o before anything reaches the server.
func (o *HistoryOptions) Validate() error {
	if o.humanOutput() {
		return nil
	}
	_, err := o.PrintFlags.ToPrinter()
	return err
}

func (o *HistoryOptions) humanOutput() bool {
	return *o.PrintFlags.OutputFormat == ""
}

// Run reads the CronTab and its Jobs and prints them, newest first.
func (o *HistoryOptions) Run(ctx context.Context) error {
	// The CronTab first: a typo gets "not found" rather than an empty history, and its UID
	// tells its runs from a deleted namesake's that the garbage collector has not removed yet.
	ct, err := getCronTab(ctx, o.Factory, o.Namespace, o.CronTabName)
	if err != nil {
		return err
	}
	runs, err := o.runsOf(ctx, ct)
	if err != nil {
		return err
	}

	if o.humanOutput() {
		if len(runs.Items) == 0 {
			fmt.Fprintf(o.ErrOut, "No runs of CronTab %s in %s namespace.\n", ct.Name, ct.Namespace)
			return nil
		}
		return o.printTable(ct, runs)
	}
	printer, err := o.PrintFlags.ToPrinter()
	if err != nil {
		return err
	}
	if *o.PrintFlags.OutputFormat == "name" {
		// The name printer takes no lists: one line per Job, as kubectl get -o name.
		for i := range runs.Items {
			if err := printer.PrintObj(&runs.Items[i], o.Out); err != nil {
				return err
			}
		}
		return nil
	}
	return printer.PrintObj(runs, o.Out)
}

// runsOf lists the Jobs ct controls, newest first, typed for the printers.
func (o *HistoryOptions) runsOf(ctx context.Context, ct *examplev1.CronTab) (*batchv1.JobList, error) {
	client, err := o.Factory.KubeClient()
	if err != nil {
		return nil, err
	}
	selector := labels.SelectorFromSet(labels.Set{example.CronTabSelectorLabel: ct.Name}).String()
	labelled, err := client.BatchV1().Jobs(ct.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	runs := &batchv1.JobList{ListMeta: labelled.ListMeta}
	// The controller counts a CronTab's runs the same way: the label finds them, the
	// controller reference confirms them.
	for _, job := range labelled.Items {
		if metav1.IsControlledBy(&job, ct) {
			runs.Items = append(runs.Items, job)
		}
	}
	// Creation order is run order for scheduled and manual runs alike; names break ties
	// within the second, and a scheduled run's name grows with its minute.
	sort.SliceStable(runs.Items, func(i, j int) bool {
		a, b := runs.Items[i], runs.Items[j]
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return b.CreationTimestamp.Before(&a.CreationTimestamp)
		}
		return a.Name > b.Name
	})
	// Printers of names and templates read apiVersion and kind from every item, which the
	// client's decoder leaves empty.
	runs.SetGroupVersionKind(batchv1.SchemeGroupVersion.WithKind("JobList"))
	for i := range runs.Items {
		runs.Items[i].SetGroupVersionKind(batchv1.SchemeGroupVersion.WithKind("Job"))
	}
	return runs, nil
}

var historyColumns = []metav1.TableColumnDefinition{
	{Name: "Scheduled", Type: "string"},
	{Name: "Job", Type: "string", Format: "name"},
	{Name: "Result", Type: "string"},
	{Name: "Duration", Type: "string"},
	{Name: "Age", Type: "string"},
}

func (o *HistoryOptions) printTable(ct *examplev1.CronTab, runs *batchv1.JobList) error {
	now := o.Now()
	// Scheduled times read in the zone the schedule is written in, where "0 3 * * *" is 03:00;
	// a zone this machine does not know falls back to UTC rather than failing the listing.
	zone, err := schedule.LoadLocation(ct.Spec.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	table := &metav1.Table{ColumnDefinitions: historyColumns}
	for i := range runs.Items {
		job := &runs.Items[i]
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells:  []any{scheduledCell(job, zone), job.Name, resultCell(job), durationCell(job, now), age(job.CreationTimestamp, now)},
			Object: runtime.RawExtension{Object: job},
		})
	}
	printer := printers.NewTablePrinter(printers.PrintOptions{NoHeaders: o.NoHeaders})
	return printer.PrintObj(table, o.Out)
}

func scheduledCell(job *batchv1.Job, zone *time.Location) string {
	if crontabrun.IsManual(job) {
		return crontabrun.ManualRun
	}
	if scheduled, ok := crontabrun.ScheduledTime(job); ok {
		return scheduled.In(zone).Format(time.RFC3339)
	}
	return "<unknown>"
}

func resultCell(job *batchv1.Job) string {
	switch outcome := crontabrun.OutcomeOf(job); {
	case !outcome.Finished:
		return "Running"
	case outcome.Succeeded:
		return "Succeeded"
	default:
		return "Failed"
	}
}

// durationCell is how long the run took, or has been running so far.
func durationCell(job *batchv1.Job, now time.Time) string {
	outcome := crontabrun.OutcomeOf(job)
	switch {
	case job.Status.StartTime == nil && outcome.Finished:
		return "<none>"
	case job.Status.StartTime == nil:
		// The Job controller has not picked it up yet.
		return "<pending>"
	case outcome.Finished:
		return duration.HumanDuration(outcome.At.Sub(job.Status.StartTime.Time))
	}
	return duration.HumanDuration(now.Sub(job.Status.StartTime.Time))
}

// age is the time from t to now as kubectl prints ages, or <unknown> for a zero time.
func age(t metav1.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(t.Time))
}
