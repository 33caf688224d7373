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

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/printers"
)

// Dry-run strategies, as in kubectl.
const (
	DryRunNone   = "none"
	DryRunClient = "client"
	DryRunServer = "server"
)

// addDryRunFlag registers --dry-run as kubectl's create commands do: a bare --dry-run means
// client. what names the object the command creates.
func addDryRunFlag(cmd *cobra.Command, dryRun *string, what string) {
	cmd.Flags().StringVar(dryRun, "dry-run", *dryRun, fmt.Sprintf("Must be \"none\", \"client\" or \"server\". client: only print the %s; server: send it for validation and admission without storing it.", what))
	cmd.Flags().Lookup("dry-run").NoOptDefVal = DryRunClient
	registerFixedCompletion(cmd, "dry-run", DryRunNone, DryRunClient, DryRunServer)
}

func validateDryRun(dryRun string) error {
	switch dryRun {
	case DryRunNone, DryRunClient, DryRunServer:
		return nil
	}
	return fmt.Errorf("--dry-run must be \"none\", \"client\" or \"server\", not %q", dryRun)
}

// createdPrinter prints what a create returned; its success message says when nothing was stored.
func createdPrinter(printFlags *genericclioptions.PrintFlags, dryRun string) (printers.ResourcePrinter, error) {
	switch dryRun {
	case DryRunClient:
		printFlags.NamePrintFlags.Operation = "created (dry run)"
	case DryRunServer:
		printFlags.NamePrintFlags.Operation = "created (server dry run)"
	}
	return printFlags.ToPrinter()
}

// createOptions are a create's options under the dry-run strategy.
func createOptions(dryRun string) metav1.CreateOptions {
	opts := metav1.CreateOptions{FieldManager: "kubectl-example"}
	if dryRun == DryRunServer {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return opts
}
