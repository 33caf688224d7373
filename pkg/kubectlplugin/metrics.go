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
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	externalmetricsv1beta1 "k8s.io/metrics/pkg/apis/external_metrics/v1beta1"
	"sigs.k8s.io/yaml"
)

// ErrMetricsNotRegistered is returned when the cluster serves no external metrics API.
var ErrMetricsNotRegistered = errors.New("the external metrics API (" + externalmetricsv1beta1.SchemeGroupVersion.String() +
	") is not registered: no APIService " + ExternalMetricsAPIService + " (see \"kubectl example status\")")

// MetricsOptions lists the external metrics the cluster offers, or reads one.
type MetricsOptions struct {
	Factory Factory
	genericiooptions.IOStreams

	Name      string
	Namespace string
	Selector  string
	Output    string
	Now       func() time.Time

	selector labels.Selector
}

// NewCmdMetrics returns "kubectl example metrics".
func NewCmdMetrics(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &MetricsOptions{Factory: f, IOStreams: streams, Now: clockNow}
	cmd := &cobra.Command{
		Use:   "metrics [NAME] [-l selector]",
		Short: "List external metrics (external.metrics.k8s.io), or read one",
		Long: `List the external metrics the cluster serves through external.metrics.k8s.io/v1beta1, or
read the values of one metric in the namespace, as a HorizontalPodAutoscaler would.`,
		Example: `  kubectl example metrics
  kubectl example metrics crontab_runs -n team-a -l crontab=backup -o yaml`,
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
	cmd.Flags().StringVarP(&o.Selector, "selector", "l", "", "Label selector on the metric's labels, e.g. -l crontab=backup.")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format: one of (json, yaml). Default: a table.")
	registerFixedCompletion(cmd, "output", "json", "yaml")
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

// Validate parses the selector and the output format.
func (o *MetricsOptions) Validate() error {
	switch o.Output {
	case "", "json", "yaml":
	default:
		return fmt.Errorf("--output must be json or yaml, not %q", o.Output)
	}
	if o.Selector != "" && o.Name == "" {
		return fmt.Errorf("-l selects the values of one metric: give its NAME")
	}
	var err error
	o.selector, err = labels.Parse(o.Selector)
	if err != nil {
		return fmt.Errorf("-l %q: %w", o.Selector, err)
	}
	return nil
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
		var names []string
		for _, r := range resources.APIResources {
			names = append(names, r.Name)
		}
		sort.Strings(names)
		return o.print(map[string][]string{"metrics": names}, func(w *tabwriter.Writer) {
			fmt.Fprintln(w, "NAME")
			for _, n := range names {
				fmt.Fprintln(w, n)
			}
		})
	}

	client, err := o.Factory.ExternalMetricsClient()
	if err != nil {
		return err
	}
	values, err := client.NamespacedMetrics(o.Namespace).List(o.Name, o.selector)
	if err != nil {
		return fmt.Errorf("reading external metric %q in namespace %s: %w", o.Name, o.Namespace, err)
	}
	values.APIVersion, values.Kind = externalmetricsv1beta1.SchemeGroupVersion.String(), "ExternalMetricValueList"
	now := o.Now()
	return o.print(values, func(w *tabwriter.Writer) {
		fmt.Fprintln(w, "NAME\tLABELS\tVALUE\tWINDOW\tAGE")
		for _, v := range values.Items {
			window := "<none>"
			if v.WindowSeconds != nil {
				window = (time.Duration(*v.WindowSeconds) * time.Second).String()
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", v.MetricName, formatLabels(v.MetricLabels), v.Value.String(), window, age(v.Timestamp, now))
		}
	})
}

func (o *MetricsOptions) print(obj interface{}, table func(*tabwriter.Writer)) error {
	switch o.Output {
	case "json":
		data, err := json.MarshalIndent(obj, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(o.Out, string(data))
		return err
	case "yaml":
		data, err := yaml.Marshal(obj)
		if err != nil {
			return err
		}
		_, err = o.Out.Write(data)
		return err
	}
	w := tabwriter.NewWriter(o.Out, 0, 4, 3, ' ', 0)
	table(w)
	return w.Flush()
}

func formatLabels(l map[string]string) string {
	if len(l) == 0 {
		return "<none>"
	}
	return labels.Set(l).String()
}
