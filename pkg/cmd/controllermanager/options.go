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
	"errors"
	"fmt"
	"net"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	apiserveroptions "k8s.io/apiserver/pkg/server/options"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/cli/globalflag"
	componentbaseconfig "k8s.io/component-base/config"
	componentbaseoptions "k8s.io/component-base/config/options"
	componentbasevalidation "k8s.io/component-base/config/validation"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	netutils "k8s.io/utils/net"

	"example.com/example-apiserver/pkg/memorylimit"
	"example.com/example-apiserver/pkg/version"
)

// Name is the component's name: its user agent, event source and Lease.
const Name = "example-controller-manager"

// Defaults, chosen so many CronTabs due in the same second start in that second without
// tuning: each sync due at that instant creates one Job and writes one status.
const (
	// DefaultConcurrentCronTabSyncs lets one slow API call not hold up the others' runs: the
	// runs due at one instant wait for a worker each, so with few workers the last waits for
	// all the others' Job creates.
	DefaultConcurrentCronTabSyncs = 200
	// DefaultKubeAPIQPS sustains a Job create, a status update and a history delete per
	// CronTab per minute for a few thousand CronTabs.
	DefaultKubeAPIQPS = 200
	// DefaultKubeAPIBurst absorbs a whole minute's creates at once.
	DefaultKubeAPIBurst = 1000
	// DefaultSecurePort is the HTTPS port of /healthz, /readyz, /livez and /metrics.
	DefaultSecurePort = 10360
	// DefaultLeaseNamespace is where the leader-election Lease lives.
	DefaultLeaseNamespace = "example-system"
)

func init() {
	// The logging flags consult these gates.
	utilruntime.Must(logsapi.AddFeatureGates(utilfeature.DefaultMutableFeatureGate))
}

// Options are everything the command line sets.
type Options struct {
	// Kubeconfig is the kubeconfig file of the cluster to control; empty: in-cluster config.
	Kubeconfig   string
	KubeAPIQPS   float32
	KubeAPIBurst int32
	// ConcurrentCronTabSyncs is how many CronTabs are synced at once.
	ConcurrentCronTabSyncs int32

	LeaderElection componentbaseconfig.LeaderElectionConfiguration
	// Debugging serves /debug/pprof and /debug/flags/v (--profiling), as kube-controller-manager does.
	Debugging      componentbaseconfig.DebuggingConfiguration
	SecureServing  *apiserveroptions.SecureServingOptions
	Authentication *apiserveroptions.DelegatingAuthenticationOptions
	Authorization  *apiserveroptions.DelegatingAuthorizationOptions
	Logs           *logsapi.LoggingConfiguration
	Memory         *memorylimit.Options
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	o := &Options{
		KubeAPIQPS:             DefaultKubeAPIQPS,
		KubeAPIBurst:           DefaultKubeAPIBurst,
		ConcurrentCronTabSyncs: DefaultConcurrentCronTabSyncs,
		LeaderElection: componentbaseconfig.LeaderElectionConfiguration{
			LeaderElect:       true,
			LeaseDuration:     metav1.Duration{Duration: 15 * time.Second},
			RenewDeadline:     metav1.Duration{Duration: 10 * time.Second},
			RetryPeriod:       metav1.Duration{Duration: 2 * time.Second},
			ResourceLock:      "leases",
			ResourceName:      Name,
			ResourceNamespace: DefaultLeaseNamespace,
		},
		Debugging:      componentbaseconfig.DebuggingConfiguration{EnableProfiling: true},
		SecureServing:  apiserveroptions.NewSecureServingOptions(),
		Authentication: apiserveroptions.NewDelegatingAuthenticationOptions(),
		// /healthz, /readyz and /livez are always allowed (the defaults); /metrics is authorized.
		Authorization: apiserveroptions.NewDelegatingAuthorizationOptions(),
		Logs:          logsapi.NewLoggingConfiguration(),
		Memory:        memorylimit.NewOptions(),
	}
	o.SecureServing.BindPort = DefaultSecurePort
	// No certificate given: a self-signed one, kept in memory, as kube-controller-manager does.
	o.SecureServing.ServerCert.CertDirectory = ""
	o.SecureServing.ServerCert.PairName = Name
	// Outside a cluster without the two kubeconfigs the endpoints still serve: only the
	// always-allowed paths and system:masters pass.
	o.Authentication.RemoteKubeConfigFileOptional = true
	o.Authorization.RemoteKubeConfigFileOptional = true
	return o
}

// Flags returns the flags in the sections --help prints.
func (o *Options) Flags() cliflag.NamedFlagSets {
	var fss cliflag.NamedFlagSets
	fs := fss.FlagSet("generic")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig,
		"Path to a kubeconfig file of the cluster whose CronTabs to run. Empty: the in-cluster configuration.")
	fs.Float32Var(&o.KubeAPIQPS, "kube-api-qps", o.KubeAPIQPS,
		"Queries per second to the API server, sustained. The default keeps up with a Job, a status update and a history delete a minute for a few thousand CronTabs.")
	fs.Int32Var(&o.KubeAPIBurst, "kube-api-burst", o.KubeAPIBurst,
		"Queries to the API server allowed in a burst. The default lets 500 CronTabs due in the same second all create their Jobs at once.")
	fs.Int32Var(&o.ConcurrentCronTabSyncs, "concurrent-crontab-syncs", o.ConcurrentCronTabSyncs,
		"CronTabs synced at once. The default has the Job creates of 500 runs due in the same second in flight in three rounds.")
	componentbaseoptions.BindLeaderElectionFlags(&o.LeaderElection, fss.FlagSet("leader election"))
	debugging := fss.FlagSet("debugging")
	debugging.BoolVar(&o.Debugging.EnableProfiling, "profiling", o.Debugging.EnableProfiling,
		"Serve CPU, heap and goroutine profiles at /debug/pprof/ and the log level at /debug/flags/v, to whom the cluster authorizes.")
	debugging.BoolVar(&o.Debugging.EnableContentionProfiling, "contention-profiling", o.Debugging.EnableContentionProfiling,
		"Also record where goroutines block (the block profile); costs some CPU. Needs --profiling.")
	o.Memory.AddFlags(fss.FlagSet("memory"))
	o.SecureServing.AddFlags(fss.FlagSet("secure serving"))
	o.Authentication.AddFlags(fss.FlagSet("authentication"))
	o.Authorization.AddFlags(fss.FlagSet("authorization"))
	logsapi.AddFlags(o.Logs, fss.FlagSet("logs"))
	version.AddFlags(fss.FlagSet("global"))
	globalflag.AddGlobalFlags(fss.FlagSet("global"), Name, logs.SkipLoggingConfigurationFlags())
	return fss
}

// Validate reports every invalid option.
func (o *Options) Validate() error {
	var errs []error
	if o.KubeAPIQPS <= 0 {
		errs = append(errs, fmt.Errorf("--kube-api-qps must be positive, got %v", o.KubeAPIQPS))
	}
	if o.KubeAPIBurst <= 0 {
		errs = append(errs, fmt.Errorf("--kube-api-burst must be positive, got %d", o.KubeAPIBurst))
	}
	if o.ConcurrentCronTabSyncs <= 0 {
		errs = append(errs, fmt.Errorf("--concurrent-crontab-syncs must be positive, got %d", o.ConcurrentCronTabSyncs))
	}
	if o.LeaderElection.LeaderElect {
		errs = append(errs, componentbasevalidation.ValidateLeaderElectionConfiguration(&o.LeaderElection, nil).ToAggregate())
	}
	if o.Debugging.EnableContentionProfiling && !o.Debugging.EnableProfiling {
		errs = append(errs, errors.New("--contention-profiling needs --profiling: the block profile is served at /debug/pprof/block"))
	}
	if o.SecureServing.BindPort == 0 {
		errs = append(errs, errors.New("--secure-port must be set: /healthz and /readyz are how the controller is watched"))
	}
	errs = append(errs, o.Memory.Validate()...)
	errs = append(errs, o.SecureServing.Validate()...)
	errs = append(errs, o.Authentication.Validate()...)
	errs = append(errs, o.Authorization.Validate()...)
	errs = append(errs, logsapi.Validate(o.Logs, utilfeature.DefaultFeatureGate, nil).ToAggregate())
	return utilerrors.NewAggregate(errs)
}

// selfSignedCertificate lets the serving certificate default to a self-signed one for the
// loopback address and "localhost", which is what probes and a local scrape connect to.
func (o *Options) selfSignedCertificate() error {
	return o.SecureServing.MaybeDefaultWithSelfSignedCerts("localhost", nil, []net.IP{netutils.ParseIPSloppy("127.0.0.1")})
}
