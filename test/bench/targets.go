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

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	externalmetrics "k8s.io/metrics/pkg/client/external_metrics"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// cell is one target driven through one client: a row of the report.
type cell interface {
	// Name is the target (aggregated, direct, crd, etcd); Client the client (dynamic,
	// typed, etcd, metrics).
	Name() string
	Client() string
}

// target is one way of storing CronTabs, driven through one client. Every target gets the
// same calls with the same objects; only the server and the client differ.
type target interface {
	cell
	// Create stores object i and returns a handle for Update.
	Create(ctx context.Context, ns string, i int) (any, error)
	Get(ctx context.Context, ns string, i int) error
	// Update changes the image of the object Create returned (no read before).
	Update(ctx context.Context, ns string, obj any) error
	Delete(ctx context.Context, ns string, i int) error
	// List returns the number of items and the continue token.
	List(ctx context.Context, ns string, limit int64, cont string) (int, string, error)
	// Watch delivers the index of each object modified after resourceVersion rv.
	Watch(ctx context.Context, ns, rv string) (<-chan int, func(), error)
	// ResourceVersion returns the current resourceVersion of the collection.
	ResourceVersion(ctx context.Context, ns string) (string, error)
}

// objectName is the name of object i; objectIndex parses it back.
func objectName(i int) string { return fmt.Sprintf("ct-%05d", i) }

func objectIndex(name string) int {
	i, err := strconv.Atoi(strings.TrimPrefix(name, "ct-"))
	if err != nil {
		return -1
	}
	return i
}

// The workload's objects: the example CronTab (artifacts/examples/my-crontab.yaml), padded by an annotation of
// -size bytes.
const (
	exampleCronSpec = "* * * * */5"
	exampleImage    = "my-awesome-cron-image"
	newImage        = "my-awesome-cron-image:2"
	padKey          = "bench.example.com/pad"
)

var pad string // set from -size

func annotations() map[string]string {
	if pad == "" {
		return nil
	}
	return map[string]string{padKey: pad}
}

// dynamicTarget speaks JSON through client-go's dynamic client.
type dynamicTarget struct {
	name   string
	client dynamic.Interface
	gvr    schema.GroupVersionResource
	// object is what Create stores as object i: the example CronTab unless set otherwise
	// (labelled for the metrics, a Flunder for sample-apiserver).
	object func(i int) *unstructured.Unstructured
}

func newDynamicTarget(name string, config *rest.Config, gvr schema.GroupVersionResource) (*dynamicTarget, error) {
	c, err := dynamic.NewForConfig(config)
	t := &dynamicTarget{name: name, client: c, gvr: gvr}
	t.object = t.cronTab
	return t, err
}

func (t *dynamicTarget) Name() string   { return t.name }
func (t *dynamicTarget) Client() string { return "dynamic" }

// cronTab is the example CronTab as object i.
func (t *dynamicTarget) cronTab(i int) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": t.gvr.GroupVersion().String(),
		"kind":       "CronTab",
		"metadata":   map[string]any{"name": objectName(i)},
		"spec":       map[string]any{"cronSpec": exampleCronSpec, "image": exampleImage, "replicas": int64(1)},
	}}
	if a := annotations(); a != nil {
		u.SetAnnotations(a)
	}
	return u
}

func (t *dynamicTarget) Create(ctx context.Context, ns string, i int) (any, error) {
	return t.client.Resource(t.gvr).Namespace(ns).Create(ctx, t.object(i), metav1.CreateOptions{})
}

func (t *dynamicTarget) Get(ctx context.Context, ns string, i int) error {
	_, err := t.client.Resource(t.gvr).Namespace(ns).Get(ctx, objectName(i), metav1.GetOptions{})
	return err
}

func (t *dynamicTarget) Update(ctx context.Context, ns string, obj any) error {
	u := obj.(*unstructured.Unstructured)
	if err := unstructured.SetNestedField(u.Object, newImage, "spec", "image"); err != nil {
		return err
	}
	_, err := t.client.Resource(t.gvr).Namespace(ns).Update(ctx, u, metav1.UpdateOptions{})
	return err
}

func (t *dynamicTarget) Delete(ctx context.Context, ns string, i int) error {
	return t.client.Resource(t.gvr).Namespace(ns).Delete(ctx, objectName(i), metav1.DeleteOptions{})
}

func (t *dynamicTarget) List(ctx context.Context, ns string, limit int64, cont string) (int, string, error) {
	l, err := t.client.Resource(t.gvr).Namespace(ns).List(ctx, metav1.ListOptions{Limit: limit, Continue: cont})
	if err != nil {
		return 0, "", err
	}
	return len(l.Items), l.GetContinue(), nil
}

func (t *dynamicTarget) ResourceVersion(ctx context.Context, ns string) (string, error) {
	l, err := t.client.Resource(t.gvr).Namespace(ns).List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return "", err
	}
	return l.GetResourceVersion(), nil
}

func (t *dynamicTarget) Watch(ctx context.Context, ns, rv string) (<-chan int, func(), error) {
	w, err := t.client.Resource(t.gvr).Namespace(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
	if err != nil {
		return nil, nil, err
	}
	return watchedIndices(w), w.Stop, nil
}

// metricsTarget reads the external metric crontabs (how many CronTabs of a namespace match
// a label selector, answered from example-apiserver's informer cache) the way the HPA
// controller does: client-go's external metrics client, JSON. It is not a target of the
// CronTab workload; runMetrics drives it.
type metricsTarget struct {
	name   string
	client externalmetrics.ExternalMetricsClient
	// counted stores the CronTabs the metric counts, on example-apiserver's own port for every
	// target, so the targets differ only in how the metric is read.
	counted *dynamicTarget
	// firstHop is the server the GETs reach first, whose /livez (the cheapest request it
	// answers) shows what the machine alone adds to a request's latency.
	firstHop rest.Interface
}

// The metric read, and the selector: the counted objects alternate tier=batch and tier=web.
const (
	metricName  = "crontabs"
	metricLabel = "tier"
	metricValue = "batch"
)

var metricSelector = labels.SelectorFromSet(labels.Set{metricLabel: metricValue})

func newMetricsTarget(name string, config, directConfig *rest.Config) (*metricsTarget, error) {
	client, err := externalmetrics.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	counted, err := newDynamicTarget("metrics-counted", directConfig, cronTabs)
	if err != nil {
		return nil, err
	}
	counted.object = func(i int) *unstructured.Unstructured {
		u := counted.cronTab(i)
		u.SetLabels(map[string]string{metricLabel: []string{metricValue, "web"}[i%2]})
		return u
	}
	kube, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	return &metricsTarget{name: name, client: client, counted: counted, firstHop: kube.Discovery().RESTClient()}, nil
}

// Livez GETs /livez of the first server the metric GETs reach.
func (t *metricsTarget) Livez(ctx context.Context) error {
	_, err := t.firstHop.Get().AbsPath("/livez").DoRaw(ctx)
	return err
}

func (t *metricsTarget) Name() string   { return t.name }
func (t *metricsTarget) Client() string { return "metrics" }

// matching is how many of objects 0..n-1 the selector matches.
func (t *metricsTarget) matching(n int) int64 { return int64((n + 1) / 2) }

// Value GETs the metric for the selector in ns and returns its value.
func (t *metricsTarget) Value(ns string) (int64, error) {
	l, err := t.client.NamespacedMetrics(ns).List(metricName, metricSelector)
	if err != nil {
		return 0, err
	}
	if len(l.Items) != 1 {
		return 0, fmt.Errorf("metric %s: %d values, want 1", metricName, len(l.Items))
	}
	return l.Items[0].Value.Value(), nil
}

// typedTarget speaks through the generated clientset (example.com/v1).
type typedTarget struct {
	name   string
	client clientset.Interface
}

func newTypedTarget(name string, config *rest.Config) (*typedTarget, error) {
	c, err := clientset.NewForConfig(config)
	return &typedTarget{name: name, client: c}, err
}

func typedCronTab(i int) *examplev1.CronTab {
	return &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: objectName(i), Annotations: annotations()},
		Spec:       examplev1.CronTabSpec{CronSpec: exampleCronSpec, Image: exampleImage, Replicas: ptr.To[int32](1)},
	}
}

func (t *typedTarget) Name() string   { return t.name }
func (t *typedTarget) Client() string { return "typed" }

func (t *typedTarget) Create(ctx context.Context, ns string, i int) (any, error) {
	return t.client.ExampleV1().CronTabs(ns).Create(ctx, typedCronTab(i), metav1.CreateOptions{})
}

func (t *typedTarget) Get(ctx context.Context, ns string, i int) error {
	_, err := t.client.ExampleV1().CronTabs(ns).Get(ctx, objectName(i), metav1.GetOptions{})
	return err
}

func (t *typedTarget) Update(ctx context.Context, ns string, obj any) error {
	ct := obj.(*examplev1.CronTab)
	ct.Spec.Image = newImage
	_, err := t.client.ExampleV1().CronTabs(ns).Update(ctx, ct, metav1.UpdateOptions{})
	return err
}

func (t *typedTarget) Delete(ctx context.Context, ns string, i int) error {
	return t.client.ExampleV1().CronTabs(ns).Delete(ctx, objectName(i), metav1.DeleteOptions{})
}

func (t *typedTarget) List(ctx context.Context, ns string, limit int64, cont string) (int, string, error) {
	l, err := t.client.ExampleV1().CronTabs(ns).List(ctx, metav1.ListOptions{Limit: limit, Continue: cont})
	if err != nil {
		return 0, "", err
	}
	return len(l.Items), l.Continue, nil
}

func (t *typedTarget) ResourceVersion(ctx context.Context, ns string) (string, error) {
	l, err := t.client.ExampleV1().CronTabs(ns).List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return "", err
	}
	return l.ResourceVersion, nil
}

func (t *typedTarget) Watch(ctx context.Context, ns, rv string) (<-chan int, func(), error) {
	w, err := t.client.ExampleV1().CronTabs(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
	if err != nil {
		return nil, nil, err
	}
	return watchedIndices(w), w.Stop, nil
}

// crdTypedTarget is what a generated clientset does (a REST client that encodes and decodes
// Go structs), for the CRD, which has no generated client of its own: the same CronTab
// structs registered under stable.example.com/v1.
type crdTypedTarget struct {
	client rest.Interface
	params runtime.ParameterCodec
}

func newCRDTypedTarget(config *rest.Config, gv schema.GroupVersion) (*crdTypedTarget, error) {
	scheme := runtime.NewScheme()
	scheme.AddKnownTypes(gv, &examplev1.CronTab{}, &examplev1.CronTabList{})
	metav1.AddToGroupVersion(scheme, gv)
	c := rest.CopyConfig(config)
	c.GroupVersion = &gv
	c.APIPath = "/apis"
	c.NegotiatedSerializer = serializer.NewCodecFactory(scheme).WithoutConversion()
	client, err := rest.RESTClientFor(c)
	return &crdTypedTarget{client: client, params: runtime.NewParameterCodec(scheme)}, err
}

func (t *crdTypedTarget) Name() string   { return "crd" }
func (t *crdTypedTarget) Client() string { return "typed" }

func (t *crdTypedTarget) Create(ctx context.Context, ns string, i int) (any, error) {
	out := &examplev1.CronTab{}
	err := t.client.Post().Namespace(ns).Resource("crontabs").Body(typedCronTab(i)).Do(ctx).Into(out)
	return out, err
}

func (t *crdTypedTarget) Get(ctx context.Context, ns string, i int) error {
	return t.client.Get().Namespace(ns).Resource("crontabs").Name(objectName(i)).Do(ctx).Into(&examplev1.CronTab{})
}

func (t *crdTypedTarget) Update(ctx context.Context, ns string, obj any) error {
	ct := obj.(*examplev1.CronTab)
	ct.Spec.Image = newImage
	return t.client.Put().Namespace(ns).Resource("crontabs").Name(ct.Name).Body(ct).Do(ctx).Into(&examplev1.CronTab{})
}

func (t *crdTypedTarget) Delete(ctx context.Context, ns string, i int) error {
	return t.client.Delete().Namespace(ns).Resource("crontabs").Name(objectName(i)).Do(ctx).Error()
}

func (t *crdTypedTarget) List(ctx context.Context, ns string, limit int64, cont string) (int, string, error) {
	l := &examplev1.CronTabList{}
	err := t.client.Get().Namespace(ns).Resource("crontabs").
		VersionedParams(&metav1.ListOptions{Limit: limit, Continue: cont}, t.params).Do(ctx).Into(l)
	return len(l.Items), l.Continue, err
}

func (t *crdTypedTarget) ResourceVersion(ctx context.Context, ns string) (string, error) {
	l := &examplev1.CronTabList{}
	err := t.client.Get().Namespace(ns).Resource("crontabs").
		VersionedParams(&metav1.ListOptions{Limit: 1}, t.params).Do(ctx).Into(l)
	return l.ResourceVersion, err
}

func (t *crdTypedTarget) Watch(ctx context.Context, ns, rv string) (<-chan int, func(), error) {
	w, err := t.client.Get().Namespace(ns).Resource("crontabs").
		VersionedParams(&metav1.ListOptions{Watch: true, ResourceVersion: rv}, t.params).Watch(ctx)
	if err != nil {
		return nil, nil, err
	}
	return watchedIndices(w), w.Stop, nil
}

// etcdTarget is the ceiling: the same stored bytes put and read with the etcd client, with
// the transactions kube's storage layer uses (create if absent, update and delete if
// unchanged since read), and no API server in between.
type etcdTarget struct {
	client *clientv3.Client
	value  []byte // what example-apiserver stores for one CronTab
}

type etcdObject struct {
	key string
	rev int64
}

func (t *etcdTarget) Name() string   { return "etcd" }
func (t *etcdTarget) Client() string { return "etcd" }

func (t *etcdTarget) key(ns string, i int) string {
	return "/bench-raw/crontabs/" + ns + "/" + objectName(i)
}

func (t *etcdTarget) Create(ctx context.Context, ns string, i int) (any, error) {
	key := t.key(ns, i)
	resp, err := t.client.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(t.value))).Commit()
	if err != nil {
		return nil, err
	}
	if !resp.Succeeded {
		return nil, fmt.Errorf("%s exists", key)
	}
	return &etcdObject{key: key, rev: resp.Header.Revision}, nil
}

func (t *etcdTarget) Get(ctx context.Context, ns string, i int) error {
	resp, err := t.client.Get(ctx, t.key(ns, i))
	if err == nil && len(resp.Kvs) != 1 {
		err = fmt.Errorf("%s not found", t.key(ns, i))
	}
	return err
}

func (t *etcdTarget) Update(ctx context.Context, ns string, obj any) error {
	o := obj.(*etcdObject)
	resp, err := t.client.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(o.key), "=", o.rev)).
		Then(clientv3.OpPut(o.key, string(t.value))).
		Else(clientv3.OpGet(o.key)).Commit()
	if err == nil && !resp.Succeeded {
		err = fmt.Errorf("%s changed since revision %d", o.key, o.rev)
	}
	return err
}

func (t *etcdTarget) Delete(ctx context.Context, ns string, i int) error {
	// The storage layer reads the object (from the watch cache) and deletes it if unchanged;
	// here the read is a Get.
	key := t.key(ns, i)
	got, err := t.client.Get(ctx, key)
	if err != nil {
		return err
	}
	if len(got.Kvs) != 1 {
		return fmt.Errorf("%s not found", key)
	}
	_, err = t.client.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(key), "=", got.Kvs[0].ModRevision)).
		Then(clientv3.OpDelete(key)).Commit()
	return err
}

func (t *etcdTarget) List(ctx context.Context, ns string, limit int64, cont string) (int, string, error) {
	prefix := "/bench-raw/crontabs/" + ns + "/"
	from := prefix
	if cont != "" {
		from = cont
	}
	opts := []clientv3.OpOption{clientv3.WithRange(clientv3.GetPrefixRangeEnd(prefix))}
	if limit > 0 {
		opts = append(opts, clientv3.WithLimit(limit))
	}
	resp, err := t.client.Get(ctx, from, opts...)
	if err != nil {
		return 0, "", err
	}
	next := ""
	if resp.More && len(resp.Kvs) > 0 {
		next = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	return len(resp.Kvs), next, nil
}

func (t *etcdTarget) ResourceVersion(ctx context.Context, _ string) (string, error) {
	resp, err := t.client.Get(ctx, "/bench-raw/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(resp.Header.Revision, 10), nil
}

func (t *etcdTarget) Watch(ctx context.Context, ns, rv string) (<-chan int, func(), error) {
	rev, err := strconv.ParseInt(rv, 10, 64)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := t.client.Watch(ctx, "/bench-raw/crontabs/"+ns+"/", clientv3.WithPrefix(), clientv3.WithRev(rev+1))
	out := make(chan int, 1024)
	go func() {
		defer close(out)
		for resp := range w {
			for _, e := range resp.Events {
				key := string(e.Kv.Key)
				out <- objectIndex(key[strings.LastIndexByte(key, '/')+1:])
			}
		}
	}()
	return out, cancel, nil
}

// watchedIndices streams the index (objectIndex) of every object a watch reports, until it ends.
func watchedIndices(w watch.Interface) <-chan int {
	out := make(chan int, 1024)
	go func() {
		defer close(out)
		for e := range w.ResultChan() {
			if obj, err := meta.Accessor(e.Object); err == nil {
				out <- objectIndex(obj.GetName())
			}
		}
	}()
	return out
}
