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
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/server"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	componentbaseconfig "k8s.io/component-base/config"
	logsapi "k8s.io/component-base/logs/api/v1"

	exampleclientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
	examplescheme "example.com/example-apiserver/pkg/generated/clientset/versioned/scheme"
	"example.com/example-apiserver/pkg/memorylimit"
)

// Config is what the controller manager runs with, built from Options.
type Config struct {
	// KubeClient and CronTabClient are the controllers' clients, rate-limited by
	// --kube-api-qps and --kube-api-burst.
	KubeClient    kubernetes.Interface
	CronTabClient exampleclientset.Interface
	// EventClient writes events with its own rate limit, so events never delay a Job.
	EventClient kubernetes.Interface
	// LeaderElectionClient renews the Lease with its own rate limit, so a burst of Job
	// creates never costs the leadership.
	LeaderElectionClient kubernetes.Interface
	// Scheme resolves the kinds events refer to: Kubernetes' and example.com's.
	Scheme *runtime.Scheme

	LeaderElection         componentbaseconfig.LeaderElectionConfiguration
	ConcurrentCronTabSyncs int
	Debugging              componentbaseconfig.DebuggingConfiguration
	Memory                 *memorylimit.Options

	SecureServing  *server.SecureServingInfo
	Authentication server.AuthenticationInfo
	Authorization  server.AuthorizationInfo
}

// Config builds the configuration: clients, serving certificate, delegated authentication
// and authorization. It applies the logging options, so call it once, after Validate.
func (o *Options) Config() (*Config, error) {
	if err := o.selfSignedCertificate(); err != nil {
		return nil, fmt.Errorf("creating a self-signed serving certificate: %w", err)
	}
	rest, err := clientcmd.BuildConfigFromFlags("", o.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading the kubeconfig: %w", err)
	}
	c := &Config{
		LeaderElection:         o.LeaderElection,
		ConcurrentCronTabSyncs: int(o.ConcurrentCronTabSyncs),
		Debugging:              o.Debugging,
		Memory:                 o.Memory,
		Scheme:                 runtime.NewScheme(),
	}
	utilruntime.Must(clientgoscheme.AddToScheme(c.Scheme))
	utilruntime.Must(examplescheme.AddToScheme(c.Scheme))

	controllers := restclient.CopyConfig(rest)
	controllers.QPS, controllers.Burst = o.KubeAPIQPS, int(o.KubeAPIBurst)
	restclient.AddUserAgent(controllers, Name)
	// Kubernetes' own kinds travel as protobuf: cheaper to encode and decode than JSON.
	kube := restclient.CopyConfig(controllers)
	kube.ContentType = runtime.ContentTypeProtobuf
	kube.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	if c.KubeClient, err = kubernetes.NewForConfig(kube); err != nil {
		return nil, err
	}
	if c.CronTabClient, err = exampleclientset.NewForConfig(controllers); err != nil {
		return nil, err
	}
	if c.EventClient, err = kubernetes.NewForConfig(restclient.AddUserAgent(restclient.CopyConfig(kube), "events")); err != nil {
		return nil, err
	}
	if c.LeaderElectionClient, err = kubernetes.NewForConfig(restclient.AddUserAgent(restclient.CopyConfig(kube), "leader-election")); err != nil {
		return nil, err
	}

	if err := o.SecureServing.ApplyTo(&c.SecureServing); err != nil {
		return nil, err
	}
	if err := o.Authentication.ApplyTo(&c.Authentication, c.SecureServing, nil); err != nil {
		return nil, err
	}
	if err := o.Authorization.ApplyTo(&c.Authorization); err != nil {
		return nil, err
	}
	if err := logsapi.ValidateAndApply(o.Logs, utilfeature.DefaultFeatureGate); err != nil {
		return nil, err
	}
	return c, nil
}

type completedConfig struct {
	*Config
}

// CompletedConfig is a Config with its defaults filled in; only Complete makes one.
type CompletedConfig struct {
	*completedConfig
}

// Complete fills in what the options leave open.
func (c *Config) Complete() CompletedConfig {
	if c.ConcurrentCronTabSyncs <= 0 {
		c.ConcurrentCronTabSyncs = DefaultConcurrentCronTabSyncs
	}
	return CompletedConfig{&completedConfig{c}}
}
