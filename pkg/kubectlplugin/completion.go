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
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Shell completion goes through cobra's hidden "__complete" command: kubectl runs the
// kubectl_complete-example script on PATH, which calls "kubectl-example __complete ...".
// Completions ask the server with a short deadline: a slow cluster must not hang the shell.
const completionTimeout = 5 * time.Second

// completeCronTabNames completes CronTab names in the namespace from -n (or the context);
// maxArgs < 0 allows any number of names.
func completeCronTabNames(f Factory, maxArgs int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if maxArgs >= 0 && len(args) >= maxArgs {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		namespace, err := f.Namespace()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		client, err := f.ExampleClient()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		list, err := client.ExampleV1().CronTabs(namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var names []string
		for _, ct := range list.Items {
			if strings.HasPrefix(ct.Name, toComplete) && !contains(args, ct.Name) {
				names = append(names, ct.Name)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// registerNamespaceCompletion completes -n/--namespace with the cluster's namespaces.
func registerNamespaceCompletion(cmd *cobra.Command, f Factory) {
	_ = cmd.RegisterFlagCompletionFunc("namespace", func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		dyn, err := f.DynamicClient()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		list, err := dyn.Resource(namespacesGVR).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var names []string
		for _, ns := range list.Items {
			if strings.HasPrefix(ns.GetName(), toComplete) {
				names = append(names, ns.GetName())
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// registerFixedCompletion completes a flag from a fixed list of values.
func registerFixedCompletion(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// clockNow is the commands' clock; the tests fix it.
var clockNow = time.Now

var namespacesGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
