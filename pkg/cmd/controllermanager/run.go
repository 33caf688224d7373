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

package controllermanager

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	goruntime "runtime"
	"time"

	"github.com/google/uuid"
	genericapifilters "k8s.io/apiserver/pkg/endpoints/filters"
	apirequest "k8s.io/apiserver/pkg/endpoints/request"
	genericfilters "k8s.io/apiserver/pkg/server/filters"
	"k8s.io/apiserver/pkg/server/healthz"
	"k8s.io/apiserver/pkg/server/mux"
	"k8s.io/apiserver/pkg/server/routes"
	"k8s.io/client-go/informers"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/component-base/logs"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	// Register the client-go (requests, rate limiter), workqueue and version metrics with
	// the registry /metrics serves.
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	_ "k8s.io/component-base/metrics/prometheus/workqueue"

	"example.com/example-apiserver/pkg/controller/crontab"
	exampleinformers "example.com/example-apiserver/pkg/generated/informers/externalversions"
	"example.com/example-apiserver/pkg/version"
)

// leaderElectionWatchdogTimeout is how long past a missed Lease renewal /healthz fails:
// a leader that cannot renew is restarted rather than left running runs it may not own.
const leaderElectionWatchdogTimeout = 20 * time.Second

// Run serves /healthz, /readyz, /livez and /metrics and runs the CronTab controller, as the
// leader when leader election is on, until ctx is done or the leadership is lost.
func Run(ctx context.Context, c CompletedConfig) error {
	logger := klog.FromContext(ctx)
	logger.Info("Starting "+Name, "version", version.Get().GitVersion)
	crontab.RegisterMetrics()
	c.Memory.Apply(ctx)

	// Only what CronTabs run: the Jobs and pods labelled with a CronTab.
	kubeInformers := informers.NewSharedInformerFactoryWithOptions(c.KubeClient, 0, informers.WithTweakListOptions(crontab.JobAndPodListOptions))
	cronTabInformers := exampleinformers.NewSharedInformerFactory(c.CronTabClient, 0)
	eventBroadcaster := events.NewBroadcaster(&events.EventSinkImpl{Interface: c.EventClient.EventsV1()})
	defer eventBroadcaster.Shutdown()
	controller, err := crontab.NewController(c.KubeClient, c.CronTabClient,
		cronTabInformers.Example().V1().CronTabs(), kubeInformers.Batch().V1().Jobs(), kubeInformers.Core().V1().Pods(),
		eventBroadcaster.NewRecorder(c.Scheme, Name), clock.RealClock{})
	if err != nil {
		return err
	}

	var electionChecker *leaderelection.HealthzAdaptor
	if c.LeaderElection.LeaderElect {
		electionChecker = leaderelection.NewLeaderHealthzAdaptor(leaderElectionWatchdogTimeout)
	}
	stopped, _, err := c.SecureServing.Serve(c.handler(controller.HasSynced, electionChecker), 0, ctx.Done())
	if err != nil {
		return fmt.Errorf("serving: %w", err)
	}
	defer func() { <-stopped }()

	// Every replica fills its caches, the standbys too: a new leader starts runs at once,
	// and /readyz means the same on all of them.
	kubeInformers.Start(ctx.Done())
	cronTabInformers.Start(ctx.Done())
	defer kubeInformers.Shutdown()
	defer cronTabInformers.Shutdown()

	runController := func(ctx context.Context) {
		if err := eventBroadcaster.StartRecordingToSinkWithContext(ctx); err != nil {
			logger.Error(err, "Events will not be recorded")
		}
		controller.Run(ctx, c.ConcurrentCronTabSyncs)
	}
	if !c.LeaderElection.LeaderElect {
		runController(ctx)
		return nil
	}

	hostname, err := os.Hostname()
	if err != nil {
		return err
	}
	lock, err := resourcelock.New(c.LeaderElection.ResourceLock, c.LeaderElection.ResourceNamespace, c.LeaderElection.ResourceName,
		c.LeaderElectionClient.CoreV1(), c.LeaderElectionClient.CoordinationV1(),
		// The hostname tells people which replica leads; the UUID tells apart two processes on one host.
		resourcelock.ResourceLockConfig{Identity: hostname + "_" + uuid.NewString()})
	if err != nil {
		return fmt.Errorf("leader election lock: %w", err)
	}
	leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
		Lock:          lock,
		LeaseDuration: c.LeaderElection.LeaseDuration.Duration,
		RenewDeadline: c.LeaderElection.RenewDeadline.Duration,
		RetryPeriod:   c.LeaderElection.RetryPeriod.Duration,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: runController,
			OnStoppedLeading: func() { logger.Info("Left the leader election") },
		},
		WatchDog:        electionChecker,
		Name:            Name,
		ReleaseOnCancel: true,
	})
	if ctx.Err() == nil {
		// Its workers may still be mid-sync: exit and come back as a candidate, as
		// kube-controller-manager does, rather than race the new leader.
		return errors.New("lost the leader election lease")
	}
	return nil
}

// handler serves the health endpoints to anyone, /metrics and (--profiling) /debug to whom
// the cluster authorizes.
func (c *completedConfig) handler(informersSynced func() bool, electionChecker *leaderelection.HealthzAdaptor) http.Handler {
	paths := mux.NewPathRecorderMux(Name)
	health := []healthz.HealthChecker{healthz.PingHealthz}
	if electionChecker != nil {
		health = append(health, electionChecker)
	}
	healthz.InstallHandler(paths, health...)
	healthz.InstallLivezHandler(paths, health...)
	healthz.InstallReadyzHandler(paths, healthz.PingHealthz, healthz.NamedCheck("informer-sync", func(*http.Request) error {
		if !informersSynced() {
			return errors.New("the CronTab, Job and Pod caches have not synced yet")
		}
		return nil
	}))
	paths.Handle("/metrics", legacyregistry.Handler())
	if c.Debugging.EnableProfiling {
		routes.Profiling{}.Install(paths)
		if c.Debugging.EnableContentionProfiling {
			goruntime.SetBlockProfileRate(1)
		}
		routes.DebugFlags{}.Install(paths, "v", routes.StringFlagPutHandler(logs.GlogSetter))
	}

	resolver := &apirequest.RequestInfoFactory{}
	var handler http.Handler = paths
	handler = genericapifilters.WithAuthorization(handler, c.Authorization.Authorizer, clientgoscheme.Codecs)
	handler = genericapifilters.WithAuthentication(handler, c.Authentication.Authenticator, genericapifilters.Unauthorized(clientgoscheme.Codecs), nil, nil)
	handler = genericapifilters.WithRequestInfo(handler, resolver)
	handler = genericapifilters.WithCacheControl(handler)
	handler = genericfilters.WithHTTPLogging(handler)
	return genericfilters.WithPanicRecovery(handler, resolver)
}
