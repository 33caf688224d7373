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

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// getCronTab reads a CronTab, saying plainly which one when it does not exist: the server's
// own message names the resource (crontabs.example.com), not the namespace it looked in.
func getCronTab(ctx context.Context, f Factory, namespace, name string) (*examplev1.CronTab, error) {
	client, err := f.ExampleClient()
	if err != nil {
		return nil, err
	}
	ct, err := client.ExampleV1().CronTabs(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("CronTab %q not found in namespace %q (kubectl example ct -n %s lists them): %w", name, namespace, namespace, err)
	}
	return ct, err
}

// createOptions are a create's options under the dry-run strategy.
func createOptions(dryRun cmdutil.DryRunStrategy) metav1.CreateOptions {
	opts := metav1.CreateOptions{FieldManager: "kubectl-example"}
	if dryRun == cmdutil.DryRunServer {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return opts
}
