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

// Package server holds example-apiserver's command: its options, how they become an
// apiserver.Config, and the cobra command that runs the server.
package server

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	basecompatibility "k8s.io/component-base/compatibility"
	logsapi "k8s.io/component-base/logs/api/v1"
	baseversion "k8s.io/component-base/version"
	"k8s.io/klog/v2"
	netutils "k8s.io/utils/net"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/apiserver"
	"example.com/example-apiserver/pkg/embeddedetcd"
	exampleopenapi "example.com/example-apiserver/pkg/generated/openapi"
)

// DefaultEtcdPathPrefix keeps our keys apart from kube-apiserver's when they share an etcd.
const DefaultEtcdPathPrefix = "/registry/example.com"

func init() {
	// The logging flags consult these gates; kube-apiserver registers them the same way.
	utilruntime.Must(logsapi.AddFeatureGates(utilfeature.DefaultMutableFeatureGate))
}

// Options are everything the example-apiserver command line sets.
type Options struct {
	RecommendedOptions *genericoptions.RecommendedOptions
	Logs               *logsapi.LoggingConfiguration
	// ComponentGlobalsRegistry holds the effective version and feature gates (--feature-gates).
	ComponentGlobalsRegistry basecompatibility.ComponentGlobalsRegistry

	// EmbeddedEtcdDataDir is where the embedded etcd keeps its data when no --etcd-servers
	// is given; empty means a temporary directory removed at exit.
	EmbeddedEtcdDataDir string
	// Standalone runs without a kube-apiserver: see the flag's help.
	Standalone bool
	// AlternateDNS are extra names for the self-signed serving certificate.
	AlternateDNS []string

	StdOut io.Writer
	StdErr io.Writer
}

// NewOptions returns the default options.
func NewOptions(out, errOut io.Writer) *Options {
	o := &Options{
		RecommendedOptions: genericoptions.NewRecommendedOptions(
			DefaultEtcdPathPrefix,
			apiserver.Codecs.LegacyCodec(examplev1.SchemeGroupVersion),
		),
		Logs:                     logsapi.NewLoggingConfiguration(),
		ComponentGlobalsRegistry: basecompatibility.NewComponentGlobalsRegistry(),
		StdOut:                   out,
		StdErr:                   errOut,
	}
	o.RecommendedOptions.Etcd.StorageConfig.EncodeVersioner = runtime.NewMultiGroupVersioner(examplev1.SchemeGroupVersion, schema.GroupKind{Group: example.GroupName})
	o.RecommendedOptions.SecureServing.BindAddress = netutils.ParseIPSloppy("127.0.0.1")
	_, _ = o.ComponentGlobalsRegistry.ComponentGlobalsOrRegister(basecompatibility.DefaultKubeComponent,
		basecompatibility.NewEffectiveVersionFromString(baseversion.DefaultKubeBinaryVersion, "", ""), utilfeature.DefaultMutableFeatureGate)
	return o
}

// AddFlags adds every flag to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.RecommendedOptions.AddFlags(fs)
	o.ComponentGlobalsRegistry.AddFlags(fs)
	logsapi.AddFlags(o.Logs, fs)
	fs.StringVar(&o.EmbeddedEtcdDataDir, "embedded-etcd-data-dir", o.EmbeddedEtcdDataDir,
		"Data directory of the etcd started inside the server when --etcd-servers is empty. Empty means a temporary directory, removed at exit.")
	fs.BoolVar(&o.Standalone, "standalone", o.Standalone,
		"Run without a kube-apiserver, for local development only: no delegated authentication, authorization or webhook admission; "+
			"clients authenticate with certificates of --client-ca-file and every authenticated user is allowed everything.")
	fs.StringSliceVar(&o.AlternateDNS, "alternate-dns", o.AlternateDNS,
		"Extra DNS names for the self-signed serving certificate (ignored when --tls-cert-file is given), e.g. example-apiserver.example-system.svc.")
}

// Complete fills in what the flags leave open. In standalone mode it switches off the parts
// that need a kube-apiserver.
func (o *Options) Complete() error {
	if o.Standalone {
		ro := o.RecommendedOptions
		ro.Authentication.RemoteKubeConfigFileOptional = true
		ro.Authentication.SkipInClusterLookup = true
		ro.Authorization.RemoteKubeConfigFileOptional = true
		ro.Authorization.AlwaysAllowGroups = append(ro.Authorization.AlwaysAllowGroups, "system:authenticated")
		ro.CoreAPI = nil
		ro.Admission = nil
		ro.Features.EnablePriorityAndFairness = false
	}
	return nil
}

// Validate checks the options; all problems are reported at once.
func (o *Options) Validate() error {
	var errs []error
	etcdErrs := o.RecommendedOptions.Validate()
	if o.useEmbeddedEtcd() {
		// --etcd-servers is optional here: the server starts its own etcd. Validate the other
		// etcd settings as if the embedded one were given.
		etcd := *o.RecommendedOptions.Etcd
		etcd.StorageConfig.Transport.ServerList = []string{"http://127.0.0.1"}
		withEtcd := *o.RecommendedOptions
		withEtcd.Etcd = &etcd
		etcdErrs = withEtcd.Validate()
	}
	errs = append(errs, etcdErrs...)
	errs = append(errs, o.ComponentGlobalsRegistry.Validate()...)
	if err := logsapi.Validate(o.Logs, o.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent), nil).ToAggregate(); err != nil {
		errs = append(errs, err)
	}
	return utilerrors.NewAggregate(errs)
}

func (o *Options) useEmbeddedEtcd() bool {
	return len(o.RecommendedOptions.Etcd.StorageConfig.Transport.ServerList) == 0
}

// StartEmbeddedEtcd starts the in-process etcd when no --etcd-servers is given and points the
// storage at it. The returned stop function is never nil.
func (o *Options) StartEmbeddedEtcd() (stop func(), err error) {
	if !o.useEmbeddedEtcd() {
		return func() {}, nil
	}
	etcd, err := embeddedetcd.Start(o.EmbeddedEtcdDataDir)
	if err != nil {
		return func() {}, err
	}
	o.RecommendedOptions.Etcd.StorageConfig.Transport.ServerList = []string{etcd.ClientURL()}
	return etcd.Stop, nil
}

// Config returns the server configuration the options describe.
func (o *Options) Config() (*apiserver.Config, error) {
	if err := o.RecommendedOptions.SecureServing.MaybeDefaultWithSelfSignedCerts("localhost", o.AlternateDNS, []net.IP{netutils.ParseIPSloppy("127.0.0.1")}); err != nil {
		return nil, fmt.Errorf("creating self-signed certificates: %w", err)
	}

	serverConfig := genericapiserver.NewRecommendedConfig(apiserver.Codecs)
	namer := openapi.NewDefinitionNamer(apiserver.Scheme)
	serverConfig.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(exampleopenapi.GetOpenAPIDefinitions, namer)
	serverConfig.OpenAPIConfig.Info.Title = "example-apiserver"
	serverConfig.OpenAPIConfig.Info.Version = baseversion.Get().GitVersion
	serverConfig.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(exampleopenapi.GetOpenAPIDefinitions, namer)
	serverConfig.OpenAPIV3Config.Info.Title = "example-apiserver"
	serverConfig.OpenAPIV3Config.Info.Version = baseversion.Get().GitVersion

	serverConfig.FeatureGate = o.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	serverConfig.EffectiveVersion = o.ComponentGlobalsRegistry.EffectiveVersionFor(basecompatibility.DefaultKubeComponent)

	if err := o.RecommendedOptions.ApplyTo(serverConfig); err != nil {
		return nil, err
	}
	if o.Standalone {
		klog.Warning("Running standalone: no delegated authentication, authorization or webhook admission. For local development only.")
	}
	return &apiserver.Config{GenericConfig: serverConfig}, nil
}

// Run starts the server and blocks until ctx is done.
func (o *Options) Run(ctx context.Context) error {
	stopEtcd, err := o.StartEmbeddedEtcd()
	defer stopEtcd()
	if err != nil {
		return err
	}
	config, err := o.Config()
	if err != nil {
		return err
	}
	server, err := config.Complete().New()
	if err != nil {
		return err
	}
	return server.GenericAPIServer.PrepareRun().RunWithContext(ctx)
}
