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
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	externalmetricsv1beta1 "k8s.io/metrics/pkg/apis/external_metrics/v1beta1"
)

// ErrMetricsNotRegistered is returned when the cluster serves no external metrics API.
var ErrMetricsNotRegistered = errors.New("the external metrics API (" + externalmetricsv1beta1.SchemeGroupVersion.String() +
	") is not registered: no APIService " + ExternalMetricsAPIService + " (see \"kubectl example status\")")

// MetricsOptions lists the external metrics the cluster offers, or reads one.
type MetricsOptions struct {
	Factory Factory
	genericiooptions.IOStreams
	PrintFlags *genericclioptions.PrintFlags

	Name      string
	Namespace string
	Selector  string
	NoHeaders bool
	Now       func() time.Time

	selector labels.Selector
}

// NewCmdMetrics returns "kubectl example metrics".
func NewCmdMetrics(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &MetricsOptions{Factory: f, IOStreams: streams, PrintFlags: genericclioptions.NewPrintFlags(""), Now: clockNow}
	cmd := &cobra.Command{
		Use:   "metrics [NAME] [-l selector]",
		Short: "List external metrics (external.metrics.k8s.io), or read one",
		Long: `List the external metrics the cluster serves through external.metrics.k8s.io/v1beta1, or
read the values of one metric in the namespace, as a HorizontalPodAutoscaler would.

With -o, the names print as the server's APIResourceList and the values as its
ExternalMetricValueList.`,
		Example: `  kubectl example metrics
  kubectl example metrics crontab_runs -n team-a -l crontab=backup -o yaml
  kubectl example metrics crontab_runs -n team-a -o jsonpath='{.items[*].value}'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	o.PrintFlags.AddFlags(cmd)
	registerFixedCompletion(cmd, "output", "json", "yaml", "jsonpath=", "go-template=")
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", "", "Label selector on the metric's labels, e.g. -l crontab=backup.")
	cmd.Flags().BoolVar(&o.NoHeaders, "no-headers", false, "Do not print the table's header line.")
	return cmd
}

// Complete takes the metric name and namespace.
func (o *MetricsOptions) Complete(args []string) error {
	if len(args) == 1 {
		o.Name = args[0]
	}
	var err error
	o.Namespace, err = o.Factory.Namespace()
	return err
}

// Validate parses the selector and refuses an unknown -o before anything reaches the server.
func (o *MetricsOptions) Validate() error {
	if o.Selector != "" && o.Name == "" {
		return fmt.Errorf("-l selects the values of one metric: give its NAME")
	}
	var err error
	o.selector, err = labels.Parse(o.Selector)
	if err != nil {
		return fmt.Errorf("-l %q: %w", o.Selector, err)
	}
	if o.humanOutput() {
		return nil
	}
	_, err = o.PrintFlags.ToPrinter()
	return err
}

func (o *MetricsOptions) humanOutput() bool {
	return *o.PrintFlags.OutputFormat == ""
}

// Run checks through discovery that the API is served (for a clear message when it is not),
// then lists metric names or reads the metric.
func (o *MetricsOptions) Run() error {
	dc, err := o.Factory.DiscoveryClient()
	if err != nil {
		return err
	}
	resources, err := dc.ServerResourcesForGroupVersion(externalmetricsv1beta1.SchemeGroupVersion.String())
	switch {
	case apierrors.IsNotFound(err):
		return ErrMetricsNotRegistered
	case apierrors.IsServiceUnavailable(err):
		return fmt.Errorf("the external metrics API is registered but not available (%v): see \"kubectl example status\"", err)
	case err != nil:
		return fmt.Errorf("discovering %s: %w", externalmetricsv1beta1.SchemeGroupVersion, err)
	}

	if o.Name == "" {
		sort.Slice(resources.APIResources, func(i, j int) bool { return resources.APIResources[i].Name < resources.APIResources[j].Name })
		// As discovery serves it: the unversioned "v1" of the legacy API root.
		resources.SetGroupVersionKind(schema.GroupVersion{Version: "v1"}.WithKind("APIResourceList"))
		return o.print(resources, metricNamesTable(resources), "")
	}

	client, err := o.Factory.ExternalMetricsClient()
	if err != nil {
		return err
	}
	values, err := client.NamespacedMetrics(o.Namespace).List(o.Name, o.selector)
	if err != nil {
		return fmt.Errorf("reading external metric %q in namespace %s: %w", o.Name, o.Namespace, err)
	}
	values.SetGroupVersionKind(externalmetricsv1beta1.SchemeGroupVersion.WithKind("ExternalMetricValueList"))
	return o.print(values, metricValuesTable(values, o.Now()), o.Namespace)
}

// print prints table for human eyes, else obj through the printer -o asks for. An empty
// table says so on stderr in kubectl get's words, with the namespace of namespaced values.
func (o *MetricsOptions) print(obj runtime.Object, table *metav1.Table, namespace string) error {
	if o.humanOutput() {
		switch {
		case len(table.Rows) > 0:
			return printers.NewTablePrinter(printers.PrintOptions{NoHeaders: o.NoHeaders}).PrintObj(table, o.Out)
		case namespace != "":
			fmt.Fprintf(o.ErrOut, "No resources found in %s namespace.\n", namespace)
		default:
			fmt.Fprintln(o.ErrOut, "No resources found")
		}
		return nil
	}
	printer, err := o.PrintFlags.ToPrinter()
	if err != nil {
		return err
	}
	return printer.PrintObj(obj, o.Out)
}

func metricNamesTable(resources *metav1.APIResourceList) *metav1.Table {
	table := &metav1.Table{ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name", Type: "string", Format: "name"}}}
	for _, r := range resources.APIResources {
		table.Rows = append(table.Rows, metav1.TableRow{Cells: []any{r.Name}})
	}
	return table
}

func metricValuesTable(values *externalmetricsv1beta1.ExternalMetricValueList, now time.Time) *metav1.Table {
	table := &metav1.Table{ColumnDefinitions: []metav1.TableColumnDefinition{
		{Name: "Name", Type: "string", Format: "name"},
		{Name: "Labels", Type: "string"},
		{Name: "Value", Type: "string"},
		{Name: "Window", Type: "string"},
		{Name: "Age", Type: "string"},
	}}
	for _, v := range values.Items {
		window := "<none>"
		if v.WindowSeconds != nil {
			window = (time.Duration(*v.WindowSeconds) * time.Second).String()
		}
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells: []any{v.MetricName, formatLabels(v.MetricLabels), v.Value.String(), window, age(v.Timestamp, now)},
		})
	}
	return table
}

func formatLabels(l map[string]string) string {
	if len(l) == 0 {
		return "<none>"
	}
	return labels.Set(l).String()
}
