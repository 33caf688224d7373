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
	"slices"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// MigrateStorageOptions rewrites every object of the example.com group so that etcd holds it
// in the server's storage version, as the kube-storage-version-migrator does for built-in
// and CRD resources: an update of the unchanged object, which the server re-encodes.
type MigrateStorageOptions struct {
	Factory Factory
	genericiooptions.IOStreams

	// ChunkSize is the page size of each LIST, as kubectl get's --chunk-size.
	ChunkSize int64
}

// NewCmdMigrateStorage returns "kubectl example migrate-storage".
func NewCmdMigrateStorage(f Factory, streams genericiooptions.IOStreams) *cobra.Command {
	o := &MigrateStorageOptions{Factory: f, IOStreams: streams, ChunkSize: 500}
	cmd := &cobra.Command{
		Use:   "migrate-storage [--chunk-size N]",
		Short: "Rewrite every CronTab and CustomResource in the server's storage version",
		Long: `Rewrite every object of the example.com API group, in every namespace, so that
etcd holds it in the storage version example-apiserver writes now (--storage-version).

Each object is read and written back unchanged, in pages of --chunk-size; the server
encodes it anew, and skips the write when etcd already holds those bytes, so running
it again is cheap. An object changed meanwhile is read again and retried; one deleted
meanwhile is skipped. Clients see no change but the resourceVersion.

Run it after every replica serves with the new --storage-version (docs/api.md, "Storage
version, upgrade and rollback"). It needs get, list and update on crontabs and
customresources.example.com in every namespace.`,
		Example: `  # After switching example-apiserver to --storage-version=v2
  kubectl example migrate-storage`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	cmd.Flags().Int64Var(&o.ChunkSize, "chunk-size", o.ChunkSize, "Objects per LIST request.")
	return cmd
}

// Validate checks the flags before anything reaches the server.
func (o *MigrateStorageOptions) Validate() error {
	if o.ChunkSize <= 0 {
		return fmt.Errorf("--chunk-size must be positive, got %d", o.ChunkSize)
	}
	return nil
}

// migrated counts what happened to one resource's objects.
type migrated struct {
	rewritten, gone, conflicts int
}

// Run migrates each resource of the group in turn, printing progress per page on stderr and
// a summary line per resource on stdout.
func (o *MigrateStorageOptions) Run(ctx context.Context) error {
	resources, err := o.migratableResources()
	if err != nil {
		return err
	}
	dyn, err := o.Factory.DynamicClient()
	if err != nil {
		return err
	}
	for _, gvr := range resources {
		name := gvr.GroupResource().String()
		counts, err := o.migrate(ctx, dyn.Resource(gvr), name)
		fmt.Fprintf(o.Out, "%s: %d rewritten, %d deleted meanwhile, %d conflicts retried\n", name, counts.rewritten, counts.gone, counts.conflicts)
		if err != nil {
			return fmt.Errorf("migrating %s: %w", name, err)
		}
	}
	return nil
}

// migratableResources are the group's resources, in its preferred version, that can be
// listed and updated: found by discovery, so a kind added later is migrated too.
func (o *MigrateStorageOptions) migratableResources() ([]schema.GroupVersionResource, error) {
	dc, err := o.Factory.DiscoveryClient()
	if err != nil {
		return nil, err
	}
	groups, err := dc.ServerGroups()
	if err != nil {
		return nil, err
	}
	var preferred string
	for _, g := range groups.Groups {
		if g.Name == examplev1.GroupName {
			preferred = g.PreferredVersion.GroupVersion
		}
	}
	if preferred == "" {
		return nil, fmt.Errorf("the server does not serve the %s API group (kubectl example status says why)", examplev1.GroupName)
	}
	list, err := dc.ServerResourcesForGroupVersion(preferred)
	if err != nil {
		return nil, err
	}
	gv, err := schema.ParseGroupVersion(preferred)
	if err != nil {
		return nil, err
	}
	var resources []schema.GroupVersionResource
	for _, r := range list.APIResources {
		if !strings.Contains(r.Name, "/") && slices.Contains(r.Verbs, "list") && slices.Contains(r.Verbs, "update") {
			resources = append(resources, gv.WithResource(r.Name))
		}
	}
	slices.SortFunc(resources, func(a, b schema.GroupVersionResource) int { return strings.Compare(a.Resource, b.Resource) })
	return resources, nil
}

// migrate rewrites every object of one resource, page by page, in every namespace.
func (o *MigrateStorageOptions) migrate(ctx context.Context, client dynamic.NamespaceableResourceInterface, name string) (migrated, error) {
	var counts migrated
	opts := metav1.ListOptions{Limit: o.ChunkSize}
	for {
		page, err := client.List(ctx, opts)
		if apierrors.IsResourceExpired(err) {
			// The continue token outlived etcd's compaction. The server offers one that goes
			// on from the same key at the current revision: objects are rewritten once each
			// all the same, and one created meanwhile is already in the new version.
			if next := continueAfterExpiry(err); next != "" {
				opts.Continue = next
				continue
			}
		}
		if err != nil {
			return counts, err
		}
		for i := range page.Items {
			if err := rewrite(ctx, client, &page.Items[i], &counts); err != nil {
				return counts, err
			}
		}
		done := counts.rewritten + counts.gone
		if left := page.GetRemainingItemCount(); left != nil {
			fmt.Fprintf(o.ErrOut, "%s: %d done, about %d to go\n", name, done, *left)
		} else {
			fmt.Fprintf(o.ErrOut, "%s: %d done\n", name, done)
		}
		if opts.Continue = page.GetContinue(); opts.Continue == "" {
			return counts, nil
		}
	}
}

// rewrite writes obj back unchanged; on a conflict it reads the object again and retries.
func rewrite(ctx context.Context, client dynamic.NamespaceableResourceInterface, obj *unstructured.Unstructured, counts *migrated) error {
	objects := client.Namespace(obj.GetNamespace())
	first := true
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if !first {
			counts.conflicts++
			fresh, err := objects.Get(ctx, obj.GetName(), metav1.GetOptions{})
			if err != nil {
				return err
			}
			obj = fresh
		}
		first = false
		_, err := objects.Update(ctx, obj, metav1.UpdateOptions{})
		return err
	})
	switch {
	case apierrors.IsNotFound(err):
		counts.gone++
		return nil
	case err != nil:
		return fmt.Errorf("%s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	counts.rewritten++
	return nil
}

// continueAfterExpiry is the continue token a 410 Gone on a paginated LIST carries.
func continueAfterExpiry(err error) string {
	if status, ok := err.(apierrors.APIStatus); ok {
		return status.Status().Continue
	}
	return ""
}
