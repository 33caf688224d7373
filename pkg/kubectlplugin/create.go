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

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/generated/clientset/versioned/scheme"
	"example.com/example-apiserver/pkg/schedule"
)

// NewCmdCreate returns "kubectl example create", the parent of "create crontab".
func NewCmdCreate(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create example.com objects from flags",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(NewCmdCreateCronTab(f, streams))
	return cmd
}

// CreateCronTabOptions creates a CronTab from flags.
type CreateCronTabOptions struct {
	Factory Factory
	genericiooptions.IOStreams
	PrintFlags *genericclioptions.PrintFlags

	Name      string
	Namespace string
	Schedule  string
	Image     string
	Replicas  int32
	TimeZone  string
	DryRun    cmdutil.DryRunStrategy

	replicasSet bool
	printer     printers.ResourcePrinter
}

// NewCmdCreateCronTab returns "kubectl example create crontab".
func NewCmdCreateCronTab(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CreateCronTabOptions{
		Factory:    f,
		IOStreams:  streams,
		PrintFlags: genericclioptions.NewPrintFlags("created").WithTypeSetter(scheme.Scheme),
	}
	cmd := &cobra.Command{
		Use:     "crontab NAME --schedule SCHEDULE --image IMAGE [--replicas N] [--timezone TZ] [--dry-run=none|client|server]",
		Aliases: []string{"ct"},
		Short:   "Create a CronTab",
		Example: `  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36

  # Print the manifest without creating it
  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36 --dry-run=client -o yaml

  # Let the server validate, default and admit it without storing it
  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36 --dry-run=server -o yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.replicasSet = cmd.Flags().Changed("replicas")
			if err := o.Complete(cmd, args); err != nil {
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
	cmd.Flags().StringVar(&o.Schedule, "schedule", "", "Cron expression (spec.cronSpec), e.g. \"*/5 * * * *\" or @hourly. Required.")
	cmd.Flags().StringVar(&o.Image, "image", "", "Image to run (spec.image). Required.")
	cmd.Flags().Int32Var(&o.Replicas, "replicas", 1, "Copies to run on each schedule (spec.replicas); the server defaults it to 1.")
	cmd.Flags().StringVar(&o.TimeZone, "timezone", "", "IANA time zone of the schedule (spec.timeZone); default UTC.")
	cmdutil.AddDryRunFlag(cmd)
	registerFixedCompletion(cmd, "dry-run", "none", "client", "server")
	registerFixedCompletion(cmd, "timezone", commonTimeZones...)
	_ = cmd.MarkFlagRequired("schedule")
	_ = cmd.MarkFlagRequired("image")
	return cmd
}

// Complete takes the name, namespace, dry-run strategy and printer, as kubectl create does;
// the success message says when nothing was stored.
func (o *CreateCronTabOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	if o.Namespace, err = o.Factory.Namespace(); err != nil {
		return err
	}
	if o.DryRun, err = cmdutil.GetDryRunStrategy(cmd); err != nil {
		return err
	}
	o.printer, err = cmdutil.PrintFlagsWithDryRunStrategy(o.PrintFlags, o.DryRun).ToPrinter()
	return err
}

// Validate checks the flags and the schedule offline, with the server's parser, so a typo
// fails before a round trip.
func (o *CreateCronTabOptions) Validate() error {
	if o.Image == "" {
		return fmt.Errorf("--image is required")
	}
	if _, err := schedule.LoadLocation(o.TimeZone); err != nil {
		return fmt.Errorf("--timezone %q: %w", o.TimeZone, err)
	}
	if _, err := schedule.New(o.Schedule, o.TimeZone); err != nil {
		return fmt.Errorf("--schedule %q: %w", o.Schedule, err)
	}
	if o.Replicas < 0 {
		return fmt.Errorf("--replicas must not be negative, not %d", o.Replicas)
	}
	return nil
}

// CronTab is the object the flags describe.
func (o *CreateCronTabOptions) CronTab() *examplev1.CronTab {
	ct := &examplev1.CronTab{
		TypeMeta:   metav1.TypeMeta{APIVersion: examplev1.SchemeGroupVersion.String(), Kind: "CronTab"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec:       examplev1.CronTabSpec{CronSpec: o.Schedule, Image: o.Image, TimeZone: o.TimeZone},
	}
	if o.replicasSet {
		replicas := o.Replicas
		ct.Spec.Replicas = &replicas
	}
	return ct
}

// Run creates the CronTab (or, with --dry-run=client, only prints it).
func (o *CreateCronTabOptions) Run(ctx context.Context) error {
	ct := o.CronTab()
	if o.DryRun == cmdutil.DryRunClient {
		return o.printer.PrintObj(ct, o.Out)
	}
	client, err := o.Factory.ExampleClient()
	if err != nil {
		return err
	}
	created, err := client.ExampleV1().CronTabs(o.Namespace).Create(ctx, ct, createOptions(o.DryRun))
	if err != nil {
		return err
	}
	created.SetGroupVersionKind(examplev1.SchemeGroupVersion.WithKind("CronTab"))
	return o.printer.PrintObj(created, o.Out)
}
