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
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"

	examplefake "example.com/example-apiserver/pkg/generated/clientset/versioned/fake"
	exampleinformers "example.com/example-apiserver/pkg/generated/informers/externalversions"
)

// TestRunWakesAtTheScheduledTime runs the controller with its queue and informers on a fake
// clock: the Job appears when the clock reaches the run time, not a moment before.
func TestRunWakesAtTheScheduledTime(t *testing.T) {
	clock := clocktesting.NewFakeClock(at(t, "12:04:59.5"))
	kubeClient := kubefake.NewClientset()
	exampleClient := examplefake.NewClientset(cronTab(t))
	kubeInformers := informers.NewSharedInformerFactoryWithOptions(kubeClient, 0, informers.WithTweakListOptions(JobAndPodListOptions))
	exampleInformers := exampleinformers.NewSharedInformerFactory(exampleClient, 0)
	c, err := NewController(kubeClient, exampleClient,
		exampleInformers.Example().V1().CronTabs(), kubeInformers.Batch().V1().Jobs(), kubeInformers.Core().V1().Pods(),
		events.NewFakeRecorder(100), clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	kubeInformers.Start(ctx.Done())
	exampleInformers.Start(ctx.Done())
	go c.Run(ctx, 2)

	created := func() []string {
		names, _ := jobActions(kubeClient)
		return names
	}
	// The first sync finds nothing due and waits for 12:05.
	if err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) {
		return c.HasSynced() && c.queue.Len() == 0, nil
	}); err != nil {
		t.Fatal("the controller did not sync")
	}
	clock.Step(499 * time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	if names := created(); len(names) != 0 {
		t.Fatalf("Jobs %v created before the run time", names)
	}
	clock.Step(time.Millisecond)
	if err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) {
		return slices.Equal(created(), []string{"report-29454485"}), nil
	}); err != nil {
		t.Fatalf("created %v at the run time, want [report-29454485]", created())
	}
}

func TestEventHandlers(t *testing.T) {
	ct := cronTab(t)
	edited := ct.DeepCopy()
	edited.Generation = 2
	statusOnly := ct.DeepCopy()
	statusOnly.Status.MissedRuns = 1
	job := run(ct, at(t, "12:00"))
	finished := run(ct, at(t, "12:00"), succeededAt(at(t, "12:01")))
	progressed := job.DeepCopy()
	progressed.Status.Active = 1
	foreign := job.DeepCopy()
	foreign.OwnerReferences[0].Kind = "CronJob"
	pending := runningPod(job, "p", corev1.PodPending)
	running := runningPod(job, "p", corev1.PodRunning)

	tests := []struct {
		name string
		// event delivers one informer event to c.
		event       func(c *Controller)
		wantQueued  bool
		wantDelayed bool // queued after runEventDelay, not at once
	}{
		{name: "CronTab added", event: func(c *Controller) { c.enqueue(ct) }, wantQueued: true},
		{name: "CronTab spec edited", event: func(c *Controller) { c.updateCronTab(ct, edited) }, wantQueued: true},
		{name: "CronTab status written (by this controller)", event: func(c *Controller) { c.updateCronTab(ct, statusOnly) }},
		{name: "Job added", event: func(c *Controller) { c.enqueueJobOwner(job) }, wantQueued: true, wantDelayed: true},
		{name: "Job finished", event: func(c *Controller) { c.updateJob(job, finished) }, wantQueued: true, wantDelayed: true},
		{name: "Job progressed", event: func(c *Controller) { c.updateJob(job, progressed) }},
		{name: "Job of another controller", event: func(c *Controller) { c.enqueueJobOwner(foreign) }},
		{name: "pod started running", event: func(c *Controller) { c.updatePod(pending, running) }, wantQueued: true, wantDelayed: true},
		{name: "pod updated, same phase", event: func(c *Controller) { c.updatePod(running, running) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := clocktesting.NewFakeClock(at(t, "12:00"))
			c, _, _, _ := newTestController(t, clock.Now(), ct, nil, nil, nil)
			c.clock = clock
			c.queue.ShutDown()
			c.queue = newQueue(clock)
			defer c.queue.ShutDown()

			tc.event(c)
			if tc.wantDelayed {
				if c.queue.Len() != 0 {
					t.Fatal("queued at once, want after a delay")
				}
				clock.Step(runEventDelay)
			}
			queued := wait.PollUntilContextTimeout(t.Context(), 5*time.Millisecond, 200*time.Millisecond, true, func(context.Context) (bool, error) {
				return c.queue.Len() == 1, nil
			}) == nil
			if queued != tc.wantQueued {
				t.Errorf("queued = %v, want %v", queued, tc.wantQueued)
			}
			if queued {
				if key, _ := c.queue.Get(); key != "team/report" {
					t.Errorf("queued %q, want team/report", key)
				}
			}
		})
	}
}
