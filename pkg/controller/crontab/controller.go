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

package crontab

import (
	"context"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	batchinformers "k8s.io/client-go/informers/batch/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
	exampleclientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
	exampleinformers "example.com/example-apiserver/pkg/generated/informers/externalversions/example/v1"
	examplelisters "example.com/example-apiserver/pkg/generated/listers/example/v1"
)

// runEventDelay is how long a Job or Pod event waits before it syncs its CronTab. A burst of
// runs starting on the same minute then does not sync each CronTab again before the cache
// shows the status just written (a conflict, and a wasted request, in the busiest second),
// and the events of one run's pods arrive together.
const runEventDelay = time.Second

// createsQuiet is how long after the latest Job create a sync with only status to write (or
// a pod's or Job's event to record) waits: runs due at one instant get the API server to
// themselves until their creates have drained. maxStatusDeferral bounds the wait when creates
// never pause (many CronTabs due every few seconds), so status lags a busy instant by its
// creates and a second, and never by more than about maxStatusDeferral.
const (
	createsQuiet      = time.Second
	maxStatusDeferral = 10 * time.Second
)

// Controller starts the runs of CronTabs as Jobs and keeps their status.
type Controller struct {
	kubeClient    kubernetes.Interface
	cronTabClient exampleclientset.Interface

	cronTabLister examplelisters.CronTabLister
	jobLister     batchlisters.JobLister
	// jobsByCronTab and podsByCronTab hold the cronTabIndex of the Job and Pod caches.
	jobsByCronTab cache.Indexer
	podsByCronTab cache.Indexer
	cachesSynced  []cache.InformerSynced

	// queue holds namespace/name keys of CronTabs; a key is added after a delay to wake the
	// sync at the CronTab's next scheduled time.
	queue    workqueue.TypedRateLimitingInterface[string]
	recorder events.EventRecorder
	clock    clock.WithTicker

	// creates holds back status writes while runs are being created.
	creates createsInFlight
}

// createsInFlight is when the latest Job create returned and which CronTabs' status writes
// wait for the creates to pause, each since when. releasedByAge holds the keys released
// because they waited maxStatusDeferral: their next sync writes, so that creates that never
// pause cannot defer a status write for ever.
type createsInFlight struct {
	mu            sync.Mutex
	latest        time.Time
	deferred      map[string]time.Time
	releasedByAge map[string]bool
}

// created notes a Job create that returned at now.
func (f *createsInFlight) created(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latest = now
}

// deferStatus says whether key's status write must wait for the creates to pause, and if so
// remembers key for releaseDeferred.
func (f *createsInFlight) deferStatus(key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.latest) >= createsQuiet {
		return false
	}
	if f.releasedByAge[key] {
		delete(f.releasedByAge, key)
		return false
	}
	since, waiting := f.deferred[key]
	if waiting && now.Sub(since) >= maxStatusDeferral {
		delete(f.deferred, key)
		return false
	}
	if !waiting {
		if f.deferred == nil {
			f.deferred = map[string]time.Time{}
		}
		f.deferred[key] = now
	}
	return true
}

// releaseDeferred returns the keys whose status writes may go now: all of them once the
// creates paused, else those that waited maxStatusDeferral.
func (f *createsInFlight) releaseDeferred(now time.Time) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	quiet := now.Sub(f.latest) >= createsQuiet
	var keys []string
	for key, since := range f.deferred {
		if quiet || now.Sub(since) >= maxStatusDeferral {
			keys = append(keys, key)
			delete(f.deferred, key)
			if !quiet {
				if f.releasedByAge == nil {
					f.releasedByAge = map[string]bool{}
				}
				f.releasedByAge[key] = true
			}
		}
	}
	return keys
}

// NewController wires the controller to its informers. The Job and Pod informers need only
// hold objects labelled example.com/crontab (see JobAndPodListOptions).
func NewController(
	kubeClient kubernetes.Interface,
	cronTabClient exampleclientset.Interface,
	cronTabInformer exampleinformers.CronTabInformer,
	jobInformer batchinformers.JobInformer,
	podInformer coreinformers.PodInformer,
	recorder events.EventRecorder,
	clk clock.WithTicker,
) (*Controller, error) {
	c := &Controller{
		kubeClient:    kubeClient,
		cronTabClient: cronTabClient,
		cronTabLister: cronTabInformer.Lister(),
		jobLister:     jobInformer.Lister(),
		jobsByCronTab: jobInformer.Informer().GetIndexer(),
		podsByCronTab: podInformer.Informer().GetIndexer(),
		queue:         newQueue(clk),
		recorder:      recorder,
		clock:         clk,
	}
	for _, informer := range []cache.SharedIndexInformer{jobInformer.Informer(), podInformer.Informer()} {
		if err := informer.AddIndexers(cache.Indexers{cronTabIndex: indexByCronTab}); err != nil {
			return nil, err
		}
	}
	for _, registration := range []struct {
		informer cache.SharedIndexInformer
		handler  cache.ResourceEventHandler
	}{
		{cronTabInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueue,
			UpdateFunc: c.updateCronTab,
		}},
		{jobInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueueJobOwner,
			UpdateFunc: c.updateJob,
			DeleteFunc: c.enqueueJobOwner,
		}},
		{podInformer.Informer(), cache.ResourceEventHandlerFuncs{
			AddFunc:    c.enqueuePodCronTab,
			UpdateFunc: c.updatePod,
			DeleteFunc: c.enqueuePodCronTab,
		}},
	} {
		handle, err := registration.informer.AddEventHandler(registration.handler)
		if err != nil {
			return nil, err
		}
		c.cachesSynced = append(c.cachesSynced, handle.HasSynced)
	}
	return c, nil
}

// cronTabIndex indexes the Jobs and Pods of runs by their CronTab's namespace/name (the
// example.com/crontab label). A sync reads its CronTab's runs from it, so its cost follows
// that CronTab's runs, not the namespace: listing the namespace and matching every Job's and
// Pod's labels would make each sync pay for every other CronTab's runs.
const cronTabIndex = "crontab"

func indexByCronTab(obj any) ([]string, error) {
	object, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	name := object.GetLabels()[example.CronTabSelectorLabel]
	if name == "" {
		return nil, nil
	}
	return []string{object.GetNamespace() + "/" + name}, nil
}

func newQueue(clk clock.WithTicker) workqueue.TypedRateLimitingInterface[string] {
	return workqueue.NewTypedRateLimitingQueueWithConfig(
		workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "crontab", Clock: clk},
	)
}

// JobAndPodListOptions narrows the Job and Pod informers to the objects of CronTab runs: a
// controller that cached every Job and Pod of the cluster would pay for them in memory.
func JobAndPodListOptions(options *metav1.ListOptions) {
	options.LabelSelector = example.CronTabSelectorLabel
}

// HasSynced says whether the informers have delivered their first lists; /readyz waits for it.
func (c *Controller) HasSynced() bool {
	for _, synced := range c.cachesSynced {
		if !synced() {
			return false
		}
	}
	return true
}

// Run syncs CronTabs with workers goroutines until ctx is done.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrashWithContext(ctx)
	defer c.queue.ShutDown()
	logger := klog.FromContext(ctx)
	logger.Info("Starting CronTab controller", "workers", workers)
	defer logger.Info("Shutting down CronTab controller")

	if !cache.WaitForNamedCacheSyncWithContext(ctx, c.cachesSynced...) {
		return
	}
	for range workers {
		go wait.UntilWithContext(ctx, c.runWorker, time.Second)
	}
	go wait.UntilWithContext(ctx, func(context.Context) { c.requeueDeferred() }, createsQuiet/4)
	<-ctx.Done()
}

// requeueDeferred syncs again the CronTabs whose status writes may go now.
func (c *Controller) requeueDeferred() {
	for _, key := range c.creates.releaseDeferred(c.clock.Now()) {
		c.queue.Add(key)
	}
}

func (c *Controller) runWorker(ctx context.Context) {
	for c.processNextItem(ctx) {
	}
}

func (c *Controller) processNextItem(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)

	start := c.clock.Now()
	requeueAfter, err := c.sync(ctx, key)
	syncDuration.Observe(c.clock.Since(start).Seconds())
	if err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Syncing CronTab failed", "cronTab", key)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	if requeueAfter != nil {
		c.queue.AddAfter(key, *requeueAfter)
	}
	return true
}

func (c *Controller) enqueue(obj any) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.queue.Add(key)
}

// updateCronTab wakes the sync for what changes runs: the spec (generation) and deletion.
// The controller's own status updates come back here too, and need no sync.
func (c *Controller) updateCronTab(oldObj, newObj any) {
	oldCT, newCT := oldObj.(*examplev1.CronTab), newObj.(*examplev1.CronTab)
	if oldCT.Generation != newCT.Generation || !oldCT.DeletionTimestamp.Equal(newCT.DeletionTimestamp) {
		c.enqueue(newCT)
	}
}

// updateJob wakes the sync when a run finishes: a Job's other updates (pods counted as
// they start) change nothing the CronTab shows.
func (c *Controller) updateJob(oldObj, newObj any) {
	before, after := crontabrun.OutcomeOf(oldObj.(*batchv1.Job)), crontabrun.OutcomeOf(newObj.(*batchv1.Job))
	if before.Finished != after.Finished || before.Succeeded != after.Succeeded {
		c.enqueueJobOwner(newObj)
	}
}

// enqueueJobOwner wakes the sync of the CronTab that controls a Job.
func (c *Controller) enqueueJobOwner(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	job, ok := obj.(*batchv1.Job)
	if !ok {
		return
	}
	ref := metav1.GetControllerOf(job)
	if ref == nil || ref.Kind != "CronTab" || ref.APIVersion != examplev1.SchemeGroupVersion.String() {
		return
	}
	c.queue.AddAfter(job.Namespace+"/"+ref.Name, runEventDelay)
}

// updatePod wakes the sync when a run's pod starts or stops running: status.runningPods.
func (c *Controller) updatePod(oldObj, newObj any) {
	if oldObj.(*corev1.Pod).Status.Phase != newObj.(*corev1.Pod).Status.Phase {
		c.enqueuePodCronTab(newObj)
	}
}

func (c *Controller) enqueuePodCronTab(obj any) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if name := pod.Labels[example.CronTabSelectorLabel]; name != "" {
		c.queue.AddAfter(pod.Namespace+"/"+name, runEventDelay)
	}
}
