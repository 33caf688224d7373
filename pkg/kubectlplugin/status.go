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
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// apiServicesGVR is read through the dynamic client: the plugin then needs no kube-aggregator
// client for two fields of one object.
var apiServicesGVR = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}

// The APIServices status reports on, and what to do when each is missing.
const (
	ExampleAPIService         = "v1.example.com"
	ExampleV2APIService       = "v2.example.com"
	ExternalMetricsAPIService = "v1beta1.external.metrics.k8s.io"
	LoginAPIService           = "v1alpha1.login.example.com"

	exampleHint = "example-apiserver is not registered with the aggregator: deploy it with \"kubectl apply -k artifacts/deploy\" (locally: \"make up\")"
	metricsHint = "no external metrics API is registered; \"kubectl example metrics\" needs one (it is optional for CronTabs)"
	loginHint   = "no directory login is served; \"example-credential-plugin --login\" needs it (it is optional; see docs/login.md)"
)

// optionalAPIServices are reported on, but example.com is healthy without them.
var optionalAPIServices = []struct{ name, hint string }{
	{ExternalMetricsAPIService, metricsHint},
	{LoginAPIService, loginHint},
}

// ErrNotHealthy is returned by status when example.com is not served, so that scripts can
// test the exit code.
var ErrNotHealthy = errors.New("example.com is not served")

// StatusOptions reports whether the example.com API (and the external metrics and login APIs) are
// registered with the aggregator, available and discoverable.
type StatusOptions struct {
	Factory Factory
	genericiooptions.IOStreams
}

// NewCmdStatus returns "kubectl example status".
func NewCmdStatus(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &StatusOptions{Factory: f, IOStreams: streams}
	return &cobra.Command{
		Use:   "status",
		Short: "Show whether the example.com, external metrics and login APIServices are registered and available",
		Long: `Show the Available condition of the APIServices v2.example.com, v1.example.com,
v1beta1.external.metrics.k8s.io and v1alpha1.login.example.com, and whether
/apis/example.com/v1 is discoverable.

Exits non-zero when example.com (v1 or v2) is not served.`,
		Example: "  kubectl example status",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.Run(cmd.Context())
		},
	}
}

// Run prints the report.
func (o *StatusOptions) Run(ctx context.Context) error {
	dyn, err := o.Factory.DynamicClient()
	if err != nil {
		return err
	}
	// Both versions: kubectl uses v2, the preferred one, and clients of v1 remain.
	exampleOK := true
	for _, name := range []string{ExampleV2APIService, ExampleAPIService} {
		ok, err := o.reportAPIService(ctx, dyn.Resource(apiServicesGVR), name, exampleHint)
		if err != nil {
			return err
		}
		exampleOK = exampleOK && ok
	}
	for _, optional := range optionalAPIServices {
		if _, err := o.reportAPIService(ctx, dyn.Resource(apiServicesGVR), optional.name, optional.hint); err != nil {
			return err
		}
	}

	dc, err := o.Factory.DiscoveryClient()
	if err != nil {
		return err
	}
	gv := examplev1.SchemeGroupVersion.String()
	resources, err := dc.ServerResourcesForGroupVersion(gv)
	if err != nil {
		fmt.Fprintf(o.Out, "Discovery /apis/%s: FAILED: %v\n", gv, err)
		if apierrors.IsNotFound(err) {
			fmt.Fprintf(o.Out, "  hint: %s\n", exampleHint)
		}
		return ErrNotHealthy
	}
	var names []string
	for _, r := range resources.APIResources {
		if !strings.Contains(r.Name, "/") {
			names = append(names, r.Name)
		}
	}
	sort.Strings(names)
	fmt.Fprintf(o.Out, "Discovery /apis/%s: OK (%s)\n", gv, strings.Join(names, ", "))
	if !exampleOK {
		return ErrNotHealthy
	}
	return nil
}

// apiServiceGetter is the slice of the dynamic client status needs.
type apiServiceGetter interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions, subresources ...string) (*unstructured.Unstructured, error)
}

// reportAPIService prints one APIService's Available condition; it reports whether the
// APIService is Available. Only errors other than NotFound are returned.
func (o *StatusOptions) reportAPIService(ctx context.Context, client apiServiceGetter, name, hint string) (bool, error) {
	obj, err := client.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		fmt.Fprintf(o.Out, "APIService %s: not registered\n  hint: %s\n", name, hint)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading APIService %s: %w", name, err)
	}
	status, reason, message := "Unknown", "", "no Available condition yet"
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conditions {
		cond, ok := c.(map[string]any)
		if !ok || cond["type"] != "Available" {
			continue
		}
		status, _ = cond["status"].(string)
		reason, _ = cond["reason"].(string)
		message, _ = cond["message"].(string)
	}
	fmt.Fprintf(o.Out, "APIService %s: Available=%s", name, status)
	if reason != "" {
		fmt.Fprintf(o.Out, " (%s)", reason)
	}
	if message != "" {
		fmt.Fprintf(o.Out, ": %s", message)
	}
	fmt.Fprintln(o.Out)
	if svcName, ok, _ := unstructured.NestedString(obj.Object, "spec", "service", "name"); ok {
		svcNamespace, _, _ := unstructured.NestedString(obj.Object, "spec", "service", "namespace")
		port, hasPort, _ := unstructured.NestedInt64(obj.Object, "spec", "service", "port")
		if !hasPort {
			port = 443
		}
		fmt.Fprintf(o.Out, "  service: %s/%s:%d\n", svcNamespace, svcName, port)
	} else {
		fmt.Fprintln(o.Out, "  service: <local> (served by kube-apiserver itself)")
	}
	if status != "True" {
		fmt.Fprintf(o.Out, "  hint: the aggregator cannot use %s: check the Service and its endpoints, the caBundle, and the server's logs\n", name)
		return false, nil
	}
	return true, nil
}
