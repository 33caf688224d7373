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
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/kubectl/pkg/cmd/get"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// cronTabsResource is the resource "kubectl example crontabs" gets, fully qualified so that
// no other group's "crontabs" (a CustomResourceDefinition, say) can shadow it.
var cronTabsResource = examplev1.Resource("crontabs").String()

// NewCmdCronTabs returns "kubectl example crontabs" (alias ct): kubectl get of CronTabs. It
// runs kubectl's own get, so the table is the server's (NAME ... AGE, and CONTAINERS IMAGES
// REPLICAS SELECTOR with -o wide) and every -o, selector and "No resources found" behaves exactly as
// "kubectl get crontabs" does.
func NewCmdCronTabs(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := get.NewGetOptions("kubectl example", streams)
	cmd := &cobra.Command{
		Use:     "crontabs [NAME ...]",
		Aliases: []string{"ct", "crontab"},
		Short:   "List CronTabs with their schedule, runs and next run, as kubectl get prints them",
		Example: `  # CronTabs in the current namespace
  kubectl example ct

  # In every namespace, with containers, images, replicas and selector
  kubectl example ct -A -o wide

  # Selected by label, as names, through a template or in columns of your own
  kubectl example ct -l team=data -o name
  kubectl example ct my-crontab -o jsonpath='{.spec.cronSpec}'
  kubectl example ct -o custom-columns=NAME:.metadata.name,IMAGES:.spec.jobTemplate.spec.template.spec.containers[*].image

  # Watch: the list, then a row for every change
  kubectl example ct -w`,
		ValidArgsFunction: completeCronTabNames(f, -1),
		RunE: func(cmd *cobra.Command, names []string) error {
			kubectl := f.KubectlFactory()
			args := append([]string{cronTabsResource}, names...)
			if err := o.Complete(kubectl, cmd, args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(kubectl, args)
		},
	}
	o.PrintFlags.AddFlags(cmd)
	cmd.Flags().BoolVarP(&o.AllNamespaces, "all-namespaces", "A", o.AllNamespaces, "List CronTabs in every namespace.")
	cmdutil.AddLabelSelectorFlagVar(cmd, &o.LabelSelector)
	cmd.Flags().StringVar(&o.FieldSelector, "field-selector", o.FieldSelector, "Field selector to filter on: metadata.name, metadata.namespace, spec.image, spec.cronSpec.")
	cmd.Flags().BoolVarP(&o.Watch, "watch", "w", o.Watch, "After listing the CronTabs, watch for changes.")
	cmd.Flags().BoolVar(&o.WatchOnly, "watch-only", o.WatchOnly, "Watch for changes to the CronTabs, without listing them first.")
	cmd.Flags().BoolVar(&o.OutputWatchEvents, "output-watch-events", o.OutputWatchEvents, "Print watch event objects with --watch or --watch-only; existing CronTabs are printed as ADDED events.")
	cmd.Flags().BoolVar(&o.IgnoreNotFound, "ignore-not-found", o.IgnoreNotFound, "Print nothing instead of failing when a named CronTab does not exist.")
	cmdutil.AddChunkSizeFlag(cmd, &o.ChunkSize)
	return cmd
}
