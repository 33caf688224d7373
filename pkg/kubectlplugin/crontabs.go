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
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/generated/clientset/versioned/scheme"
	"example.com/example-apiserver/pkg/schedule"
)

// CronTabsOptions lists CronTabs, or gets the named ones.
type CronTabsOptions struct {
	Factory Factory
	genericiooptions.IOStreams
	PrintFlags *genericclioptions.PrintFlags

	Names         []string
	Namespace     string
	AllNamespaces bool
	LabelSelector string
	FieldSelector string
	NoHeaders     bool
	// Now is the clock LAST SCHEDULE, NEXT RUN and AGE are computed against; tests fix it.
	Now func() time.Time
}

// NewCmdCronTabs returns "kubectl example crontabs" (alias ct).
func NewCmdCronTabs(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &CronTabsOptions{
		Factory:    f,
		IOStreams:  streams,
		PrintFlags: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme.Scheme),
		Now:        clockNow,
	}
	cmd := &cobra.Command{
		Use:     "crontabs [NAME ...]",
		Aliases: []string{"ct", "crontab"},
		Short:   "List CronTabs with their schedule, runs and next run",
		Example: `  # CronTabs in the current namespace
  kubectl example ct

  # In every namespace, with image, replicas and selector
  kubectl example ct -A -o wide

  # Selected by label, as names or through a template
  kubectl example ct -l team=data -o name
  kubectl example ct my-crontab -o jsonpath='{.spec.cronSpec}'`,
		ValidArgsFunction: completeCronTabNames(f, -1),
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
	// -o wide is ours: the generic print flags know nothing of our table.
	cmd.Flags().Lookup("output").Usage = "Output format. One of: (wide, json, yaml, name, jsonpath, jsonpath-as-json, jsonpath-file, go-template, go-template-file, template, templatefile)."
	registerFixedCompletion(cmd, "output", "wide", "json", "yaml", "name", "jsonpath=", "go-template=")
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", false, "List CronTabs in every namespace.")
	cmd.Flags().StringVarP(&o.LabelSelector, "selector", "l", "", "Label selector to filter on, e.g. -l team=data,tier!=dev.")
	cmd.Flags().StringVar(&o.FieldSelector, "field-selector", "", "Field selector to filter on: metadata.name, metadata.namespace, spec.image, spec.cronSpec.")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", false, "Do not print the table's header line.")
	return cmd
}

// Complete fills in the namespace from the flags and kubeconfig.
func (o *CronTabsOptions) Complete(args []string) error {
	o.Names = args
	var err error
	o.Namespace, err = o.Factory.Namespace()
	return err
}

// Validate refuses combinations kubectl get refuses too.
func (o *CronTabsOptions) Validate() error {
	if len(o.Names) > 0 && (o.LabelSelector != "" || o.FieldSelector != "") {
		return fmt.Errorf("names and a selector (-l or --field-selector) cannot be combined")
	}
	if len(o.Names) > 0 && o.AllNamespaces {
		return fmt.Errorf("names cannot be combined with --all-namespaces: a name is looked up in one namespace")
	}
	if o.humanOutput() {
		return nil
	}
	_, err := o.PrintFlags.ToPrinter()
	return err
}

func (o *CronTabsOptions) humanOutput() bool {
	f := *o.PrintFlags.OutputFormat
	return f == "" || f == "wide"
}

// Run fetches the CronTabs and prints them.
func (o *CronTabsOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	client, err := o.Factory.ExampleClient()
	if err != nil {
		return err
	}
	namespace := o.Namespace
	if o.AllNamespaces {
		namespace = metav1.NamespaceAll
	}
	list := &examplev1.CronTabList{}
	if len(o.Names) == 0 {
		list, err = client.ExampleV1().CronTabs(namespace).List(ctx, metav1.ListOptions{LabelSelector: o.LabelSelector, FieldSelector: o.FieldSelector})
		if err != nil {
			return err
		}
	} else {
		for _, name := range o.Names {
			ct, err := client.ExampleV1().CronTabs(namespace).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			list.Items = append(list.Items, *ct)
		}
	}

	if o.humanOutput() {
		if len(list.Items) == 0 {
			if o.AllNamespaces {
				fmt.Fprintln(o.ErrOut, "No resources found")
			} else {
				fmt.Fprintf(o.ErrOut, "No resources found in %s namespace.\n", namespace)
			}
			return nil
		}
		return o.printTable(list)
	}

	printer, err := o.PrintFlags.ToPrinter()
	if err != nil {
		return err
	}
	// A single named object prints as itself, everything else as the CronTabList the server
	// returned.
	setCronTabKinds(list)
	if len(o.Names) == 1 {
		return printer.PrintObj(&list.Items[0], o.Out)
	}
	if *o.PrintFlags.OutputFormat == "name" {
		// The name printer takes no lists: one line per object, as kubectl get -o name.
		for i := range list.Items {
			if err := printer.PrintObj(&list.Items[i], o.Out); err != nil {
				return err
			}
		}
		return nil
	}
	return printer.PrintObj(list, o.Out)
}

// setCronTabKinds types the list and its items: printers of names and templates read
// apiVersion and kind from every item, which the client's decoder leaves empty.
func setCronTabKinds(list *examplev1.CronTabList) {
	list.SetGroupVersionKind(examplev1.SchemeGroupVersion.WithKind("CronTabList"))
	for i := range list.Items {
		list.Items[i].SetGroupVersionKind(examplev1.SchemeGroupVersion.WithKind("CronTab"))
	}
}

// cronTabColumns are the server's CronTab table columns, as `kubectl get cronjobs` prints a CronJob.
var cronTabColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name"},
	{Name: "Schedule", Type: "string"},
	{Name: "Timezone", Type: "string"},
	{Name: "Suspend", Type: "string"},
	{Name: "Active", Type: "integer"},
	{Name: "Last Schedule", Type: "string"},
	{Name: "Next Run", Type: "string"},
	{Name: "Age", Type: "string"},
	{Name: "Image", Type: "string", Priority: 1},
	{Name: "Replicas", Type: "string", Priority: 1},
	{Name: "Selector", Type: "string", Priority: 1},
}

func (o *CronTabsOptions) printTable(list *examplev1.CronTabList) error {
	now := o.Now()
	table := &metav1.Table{ColumnDefinitions: cronTabColumns}
	for i := range list.Items {
		ct := &list.Items[i]
		replicas := "<default>"
		if ct.Spec.Replicas != nil {
			replicas = fmt.Sprint(*ct.Spec.Replicas)
		}
		suspended := ct.Spec.Suspend != nil && *ct.Spec.Suspend
		suspend := "False"
		if suspended {
			suspend = "True"
		}
		lastSchedule := "<none>"
		if t := ct.Status.LastScheduleTime; t != nil {
			lastSchedule = age(*t, now)
		}
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells: []interface{}{
				ct.Name, ct.Spec.CronSpec, orNone(ct.Spec.TimeZone), suspend, int64(len(ct.Status.Active)),
				lastSchedule, nextRun(&ct.Spec, suspended, now), age(ct.CreationTimestamp, now),
				ct.Spec.Image, replicas, orNone(ct.Status.Selector),
			},
			Object: runtime.RawExtension{Object: ct},
		})
	}
	printer := printers.NewTablePrinter(printers.PrintOptions{
		WithNamespace: o.AllNamespaces,
		Wide:          *o.PrintFlags.OutputFormat == "wide",
		NoHeaders:     o.NoHeaders,
	})
	return printer.PrintObj(table, o.Out)
}

// nextRun describes when spec next fires after now ("in 3m12s"), or "<suspended>". It uses
// pkg/schedule, as the server's validation does.
func nextRun(spec *examplev1.CronTabSpec, suspended bool, now time.Time) string {
	if suspended {
		return "<suspended>"
	}
	s, err := schedule.New(spec.CronSpec, spec.TimeZone)
	if err != nil {
		return "<invalid>"
	}
	next := s.Next(now, 1)
	if len(next) == 0 {
		return "<never>"
	}
	return "in " + duration.HumanDuration(next[0].Sub(now))
}

func age(created metav1.Time, now time.Time) string {
	if created.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(now.Sub(created.Time))
}
