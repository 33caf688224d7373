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
	"strings"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	cmdenv "k8s.io/kubectl/pkg/cmd/set/env"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev2 "example.com/example-apiserver/pkg/apis/example/v2"
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

// CreateCronTabOptions creates a v2 CronTab from flags, or from an existing CronJob.
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
	// Env are NAME=VALUE pairs, or "-" to read them from stdin, as kubectl set env takes them.
	Env            []string
	EnvFromSecrets []string
	// Requests are resource names and quantities, as kubectl set resources --requests takes them.
	Requests       map[string]string
	ServiceAccount string
	// FromCronJob names a CronJob in the namespace whose schedule and job template the
	// CronTab takes.
	FromCronJob string
	DryRun      cmdutil.DryRunStrategy

	replicasSet bool
	// templateFlags are the flags given that say what a run starts, which a CronJob's template
	// says instead.
	templateFlags []string
	printer       printers.ResourcePrinter
	env           []corev1.EnvVar
	requests      corev1.ResourceList
}

// NewCmdCreateCronTab returns "kubectl example create crontab".
func NewCmdCreateCronTab(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CreateCronTabOptions{
		Factory:    f,
		IOStreams:  streams,
		PrintFlags: genericclioptions.NewPrintFlags("created").WithTypeSetter(scheme.Scheme),
	}
	cmd := &cobra.Command{
		Use:     "crontab NAME (--schedule SCHEDULE --image IMAGE [--env NAME=VALUE] [--env-from-secret SECRET] [--requests cpu=100m] [--service-account SA] [--replicas N] [--timezone TZ] | --from-cronjob CRONJOB) [--dry-run=none|client|server]",
		Aliases: []string{"ct"},
		Short:   "Create a CronTab",
		Long: `Create an example.com/v2 CronTab from flags, or from an existing CronJob (--from-cronjob),
whose schedule, time zone, policies, history limits and job template it takes as they are.
The CronJob goes on running: suspend it once the CronTab runs.`,
		Example: `  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36

  # With an environment, a Secret's keys as environment variables, requests and a ServiceAccount
  kubectl example create crontab report --schedule @daily --image registry.example.com/report:1.0 \
    --env MODE=nightly --env-from-secret db --requests cpu=100m,memory=64Mi --service-account report

  # Turn CronJob nightly into a CronTab, then suspend the CronJob
  kubectl example create crontab nightly --from-cronjob nightly
  kubectl patch cronjob nightly -p '{"spec":{"suspend":true}}'

  # Print the manifest without creating it
  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36 --dry-run=client -o yaml

  # Let the server validate, default and admit it without storing it
  kubectl example create crontab backup --schedule "0 3 * * *" --image busybox:1.36 --dry-run=server -o yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.replicasSet = cmd.Flags().Changed("replicas")
			for _, name := range []string{"schedule", "image", "replicas", "timezone", "env", "env-from-secret", "requests", "service-account"} {
				if cmd.Flags().Changed(name) {
					o.templateFlags = append(o.templateFlags, "--"+name)
				}
			}
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
	cmd.Flags().StringVar(&o.Schedule, "schedule", "", "Cron expression (spec.cronSpec), e.g. \"*/5 * * * *\" or @hourly. Required without --from-cronjob.")
	cmd.Flags().StringVar(&o.Image, "image", "", "Image of the container each run starts. Required without --from-cronjob.")
	cmd.Flags().Int32Var(&o.Replicas, "replicas", 1, "Pods each run starts at once and runs to completion (the job template's parallelism and completions); the server defaults it to 1.")
	cmd.Flags().StringVar(&o.TimeZone, "timezone", "", "IANA time zone of the schedule (spec.timeZone); default UTC.")
	cmd.Flags().StringArrayVarP(&o.Env, "env", "e", nil, "Environment variable of the container, NAME=VALUE; repeat it for more, or give - to read NAME=VALUE lines from stdin.")
	cmd.Flags().StringArrayVar(&o.EnvFromSecrets, "env-from-secret", nil, "Secret whose keys become environment variables of the container (envFrom); repeat it for more.")
	cmd.Flags().StringToStringVar(&o.Requests, "requests", nil, "Resource requests of the container, e.g. cpu=100m,memory=64Mi.")
	cmd.Flags().StringVar(&o.ServiceAccount, "service-account", "", "ServiceAccount the pods of each run run as.")
	cmd.Flags().StringVar(&o.FromCronJob, "from-cronjob", "", "CronJob in the namespace to take the schedule and job template from, instead of the flags above.")
	cmdutil.AddDryRunFlag(cmd)
	registerFixedCompletion(cmd, "dry-run", "none", "client", "server")
	registerFixedCompletion(cmd, "timezone", commonTimeZones...)
	return cmd
}

// Complete takes the name, namespace, dry-run strategy and printer, as kubectl create does
// (the success message says when nothing was stored), and parses --env and --requests.
func (o *CreateCronTabOptions) Complete(cmd *cobra.Command, args []string) error {
	o.Name = args[0]
	var err error
	if o.Namespace, err = o.Factory.Namespace(); err != nil {
		return err
	}
	if o.DryRun, err = cmdutil.GetDryRunStrategy(cmd); err != nil {
		return err
	}
	if o.printer, err = cmdutil.PrintFlagsWithDryRunStrategy(o.PrintFlags, o.DryRun).ToPrinter(); err != nil {
		return err
	}
	env, remove, _, err := cmdenv.ParseEnv(o.Env, o.In)
	if err != nil {
		return fmt.Errorf("--env: %w", err)
	}
	if len(remove) > 0 {
		return fmt.Errorf("--env %s-: a new CronTab has no variables to remove", remove[0])
	}
	o.env = env
	o.requests = corev1.ResourceList{}
	for name, value := range o.Requests {
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return fmt.Errorf("--requests %s=%s: %w", name, value, err)
		}
		o.requests[corev1.ResourceName(name)] = q
	}
	return nil
}

// Validate checks the flags and the schedule offline, with the server's parser, so a typo
// fails before a round trip.
func (o *CreateCronTabOptions) Validate() error {
	if o.FromCronJob != "" {
		if len(o.templateFlags) > 0 {
			return fmt.Errorf("--from-cronjob takes the schedule and job template from the CronJob; %s cannot be given with it", strings.Join(o.templateFlags, ", "))
		}
		return nil
	}
	if o.Schedule == "" {
		return fmt.Errorf("--schedule is required (or --from-cronjob)")
	}
	if o.Image == "" {
		return fmt.Errorf("--image is required (or --from-cronjob)")
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

// CronTab is the object the flags describe. Its one container is named as v1's is, so the
// object reads the same through v1.
func (o *CreateCronTabOptions) CronTab() *examplev2.CronTab {
	container := corev1.Container{Name: example.ContainerName, Image: o.Image, Env: o.env}
	for _, secret := range o.EnvFromSecrets {
		container.EnvFrom = append(container.EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret}}})
	}
	if len(o.requests) > 0 {
		container.Resources.Requests = o.requests
	}
	ct := newCronTab(o.Name, o.Namespace)
	ct.Spec = examplev2.CronTabSpec{CronSpec: o.Schedule, TimeZone: o.TimeZone}
	job := &ct.Spec.JobTemplate.Spec
	job.Template.Spec.ServiceAccountName = o.ServiceAccount
	job.Template.Spec.Containers = []corev1.Container{container}
	if o.replicasSet {
		// v1's replicas: that many pods at once, each run to completion; a parallelism alone
		// would make the run a work queue.
		job.Parallelism, job.Completions = ptr.To(o.Replicas), ptr.To(o.Replicas)
	}
	return ct
}

// fromCronJob is the CronTab that runs what cronJob runs, on its schedule.
func (o *CreateCronTabOptions) fromCronJob(cronJob *batchv1.CronJob) *examplev2.CronTab {
	spec := &cronJob.Spec
	ct := newCronTab(o.Name, o.Namespace)
	ct.Labels = cronJob.Labels
	ct.Spec = examplev2.CronTabSpec{
		CronSpec:                   spec.Schedule,
		TimeZone:                   ptr.Deref(spec.TimeZone, ""),
		Suspend:                    spec.Suspend,
		ConcurrencyPolicy:          examplev2.ConcurrencyPolicy(spec.ConcurrencyPolicy),
		StartingDeadlineSeconds:    spec.StartingDeadlineSeconds,
		SuccessfulJobsHistoryLimit: spec.SuccessfulJobsHistoryLimit,
		FailedJobsHistoryLimit:     spec.FailedJobsHistoryLimit,
		JobTemplate:                spec.JobTemplate,
	}
	return ct
}

func newCronTab(name, namespace string) *examplev2.CronTab {
	return &examplev2.CronTab{
		TypeMeta:   metav1.TypeMeta{APIVersion: examplev2.SchemeGroupVersion.String(), Kind: "CronTab"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
	}
}

// Run creates the CronTab (or, with --dry-run=client, only prints it).
func (o *CreateCronTabOptions) Run(ctx context.Context) error {
	ct := o.CronTab()
	if o.FromCronJob != "" {
		kube, err := o.Factory.KubeClient()
		if err != nil {
			return err
		}
		cronJob, err := kube.BatchV1().CronJobs(o.Namespace).Get(ctx, o.FromCronJob, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("--from-cronjob: %w", err)
		}
		ct = o.fromCronJob(cronJob)
	}
	if o.DryRun == cmdutil.DryRunClient {
		return o.printer.PrintObj(ct, o.Out)
	}
	client, err := o.Factory.ExampleClient()
	if err != nil {
		return err
	}
	created, err := client.ExampleV2().CronTabs(o.Namespace).Create(ctx, ct, createOptions(o.DryRun))
	if err != nil {
		return err
	}
	created.SetGroupVersionKind(examplev2.SchemeGroupVersion.WithKind("CronTab"))
	return o.printer.PrintObj(created, o.Out)
}
