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
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/features"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	serverstorage "k8s.io/apiserver/pkg/server/storage"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/cli/globalflag"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	baseversion "k8s.io/component-base/version"
	"k8s.io/utils/clock"
	netutils "k8s.io/utils/net"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
	"example.com/example-apiserver/pkg/apis/config"
	configv1alpha1 "example.com/example-apiserver/pkg/apis/config/v1alpha1"
	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/apiserver"
	"example.com/example-apiserver/pkg/collectionauthorizer"
	"example.com/example-apiserver/pkg/embeddedetcd"
	"example.com/example-apiserver/pkg/memorylimit"
	"example.com/example-apiserver/pkg/registry/quietrelist"
	"example.com/example-apiserver/pkg/storagecodec"
	exampleversion "example.com/example-apiserver/pkg/version"
)

// DefaultEtcdPathPrefix keeps our keys apart from kube-apiserver's when they share an etcd.
const DefaultEtcdPathPrefix = configv1alpha1.DefaultEtcdPrefix

const flagWatchCacheRelistEvents = "watch-cache-relist-after-events"

// defaultWatchCacheRelistEvents is the burst after which a quiet watch cache relists: below
// it, the relists (the cache's and its watchers') would cost more than the memory they free.
const defaultWatchCacheRelistEvents = 1000

func init() {
	// The logging flags consult these gates; kube-apiserver registers them the same way.
	utilruntime.Must(logsapi.AddFeatureGates(utilfeature.DefaultMutableFeatureGate))
}

// overrideFeatureGateDefaults sets this server's defaults on the process's feature gate, which
// k8s.io/apiserver reads, once: a gate refuses overrides after its flags are added, and
// NewOptions runs again after that (config.go, tests). Importing the package changes nothing.
var overrideFeatureGateDefaults = sync.OnceValue(func() error {
	// ListFromCacheSnapshot keeps a B-tree snapshot of the watch cache per resource version
	// until later events age it out, so a server that goes quiet after a burst of writes holds
	// them (and every object they reference) indefinitely. It only lets paginated and
	// exact-version LISTs skip etcd, which CronTab clients rarely do;
	// --feature-gates=ListFromCacheSnapshot=true (or the featureGates field) turns it back on. At the version NewOptions emulates: the
	// gate's own emulation version follows the binary's, which is ours, not Kubernetes'.
	return utilfeature.DefaultMutableFeatureGate.OverrideDefaultAtVersion(features.ListFromCacheSnapshot, false,
		version.MustParse(baseversion.DefaultKubeBinaryVersion))
})

// Options are everything the example-apiserver command line sets. Complete resolves them,
// with the --config file, into ComponentConfig, the configuration the server is built from.
type Options struct {
	RecommendedOptions *genericoptions.RecommendedOptions
	// ServerRun are the generic server's run settings: request timeouts, in-flight limits and
	// the graceful shutdown (--shutdown-delay-duration keeps serving while endpoints drain).
	ServerRun *genericoptions.ServerRunOptions
	// ComponentGlobalsRegistry holds the effective version and feature gates (--feature-gates).
	ComponentGlobalsRegistry basecompatibility.ComponentGlobalsRegistry

	// ConfigFile is the component configuration file (--config); empty: defaults and flags.
	ConfigFile string
	// WriteConfigTo makes the command write the effective configuration there and exit.
	WriteConfigTo string

	// EmbeddedEtcdDataDir is where the embedded etcd keeps its data when no --etcd-servers
	// is given; empty means a temporary directory removed at exit.
	EmbeddedEtcdDataDir string
	// Standalone runs without a kube-apiserver: see the flag's help.
	Standalone bool
	// AlternateDNS are extra names for the self-signed serving certificate.
	AlternateDNS []string
	// ShareManagedFields decodes stored objects so that identical managedFields share memory.
	ShareManagedFields bool
	// ClientCertificateCacheSize is how many connections with a verified client certificate
	// are remembered; 0 verifies on every request.
	ClientCertificateCacheSize int
	// CollectionDecisions allows a request on a named object when its collection is allowed
	// (collectionauthorizer), so the delegated authorizer caches one decision per user and
	// resource instead of one per name.
	CollectionDecisions bool
	// WatchCacheRelistEvents is how many events a watch cache's history takes before a quiet
	// history window makes it relist and drop them; 0 never.
	WatchCacheRelistEvents int
	// WatchCacheRelistClock times the quiet period before that relist; nil is the real clock
	// (tests set a fake one).
	WatchCacheRelistClock clock.WithTicker

	StdOut io.Writer
	StdErr io.Writer

	// Memory is the Go runtime's memory limit, from the container's.
	Memory *memorylimit.Options

	// ComponentConfig is the effective component configuration, set by Complete: defaults,
	// then the --config file, then the overlapping flags given on the command line.
	ComponentConfig *config.ExampleAPIServerConfiguration

	// featureGate is the gate behind ComponentGlobalsRegistry, set from featureGates.
	featureGate featuregate.MutableVersionedFeatureGate
	// featureGateErr is overrideFeatureGateDefaults' error, which Complete returns.
	featureGateErr error
}

// NewOptions returns the default options.
func NewOptions(out, errOut io.Writer) *Options {
	o := &Options{
		featureGateErr: overrideFeatureGateDefaults(),
		RecommendedOptions: genericoptions.NewRecommendedOptions(
			DefaultEtcdPathPrefix,
			apiserver.Codecs.LegacyCodec(examplev1.SchemeGroupVersion),
		),
		ComponentGlobalsRegistry:   basecompatibility.NewComponentGlobalsRegistry(),
		Memory:                     memorylimit.NewOptions(),
		ShareManagedFields:         true,
		ClientCertificateCacheSize: defaultClientCertificateCacheSize,
		CollectionDecisions:        true,
		WatchCacheRelistEvents:     defaultWatchCacheRelistEvents,
		StdOut:                     out,
		StdErr:                     errOut,
	}
	o.ServerRun = genericoptions.NewServerRunOptionsForComponent(basecompatibility.DefaultKubeComponent, o.ComponentGlobalsRegistry)
	// Like kube-apiserver, store protobuf: smaller in etcd and cheaper to decode than JSON.
	o.RecommendedOptions.Etcd.DefaultStorageMediaType = runtime.ContentTypeProtobuf
	o.RecommendedOptions.SecureServing.BindAddress = netutils.ParseIPSloppy("127.0.0.1")
	_, o.featureGate = o.ComponentGlobalsRegistry.ComponentGlobalsOrRegister(basecompatibility.DefaultKubeComponent,
		basecompatibility.NewEffectiveVersionFromString(baseversion.DefaultKubeBinaryVersion, "", ""), utilfeature.DefaultMutableFeatureGate)
	registerAdmissionPlugins(o.RecommendedOptions.Admission, o.cronTabPolicy)
	return o
}

// cronTabPolicy is the admission plugins' configuration unless --admission-control-config-file
// has theirs; read when the admission chain is built, after Complete.
func (o *Options) cronTabPolicy() config.CronTabPolicy {
	if o.ComponentConfig == nil {
		return config.CronTabPolicy{}
	}
	return o.ComponentConfig.CronTabPolicy
}

// Flags returns the flags in the sections --help prints, as kube-apiserver's.
func (o *Options) Flags() cliflag.NamedFlagSets {
	var fss cliflag.NamedFlagSets
	ro := o.RecommendedOptions
	fs := fss.FlagSet("generic")
	fs.StringVar(&o.ConfigFile, "config", o.ConfigFile,
		"Component configuration file (apiVersion config.example.com/v1alpha1, kind ExampleAPIServerConfiguration; "+
			"see artifacts/config/example-apiserver.yaml). Flags given on the command line win over it.")
	fs.StringVar(&o.WriteConfigTo, "write-config-to", o.WriteConfigTo,
		"Write the effective component configuration (defaults, --config file, flags) to this file, or - for standard output, and exit.")
	o.ServerRun.AddUniversalFlags(fs) // with ComponentGlobalsRegistry's --feature-gates and --emulated-version
	ro.CoreAPI.AddFlags(fs)
	o.addStandaloneFlags(fs)

	fs = fss.FlagSet("secure serving")
	ro.SecureServing.AddFlags(fs)
	fs.StringSliceVar(&o.AlternateDNS, "alternate-dns", o.AlternateDNS,
		"Extra DNS names for the self-signed serving certificate (ignored when --tls-cert-file is given), e.g. example-apiserver.example-system.svc.")

	fs = fss.FlagSet("etcd")
	ro.Etcd.AddFlags(fs)
	fs.StringVar(&o.EmbeddedEtcdDataDir, flagEmbeddedEtcdDataDir, o.EmbeddedEtcdDataDir,
		"Data directory of the etcd started inside the server when --etcd-servers is empty. Empty means a temporary directory, removed at exit.")
	// Parsed onto the component configuration by parseFlagsOnto; here for --help.
	fs.String(flagStorageVersion, configv1alpha1.DefaultStorageVersion,
		"The example.com version objects are written to etcd in, v1 or v2 (etcd.storageVersion). Every version is read whatever "+
			"was written. Keep v1 while a server of the previous release may share the etcd: it cannot read v2 (docs/api.md).")
	fs.BoolVar(&o.ShareManagedFields, "storage-share-managed-fields", o.ShareManagedFields,
		"Decode stored objects so that identical managedFields (the field sets and manager names one client writes into every object) "+
			"share one copy in memory: the watch cache keeps every object decoded. false keeps a copy in each object.")
	fs.IntVar(&o.WatchCacheRelistEvents, flagWatchCacheRelistEvents, o.WatchCacheRelistEvents,
		"After at least this many writes of a resource and then none for the watch cache's history window (75 s), its watch cache relists "+
			"from etcd and drops the event history, with the deleted objects it kept. A watch resuming from a resourceVersion older than that "+
			"relist gets 410 Gone and relists, as after any expired resourceVersion (docs/reliability.md). 0: the history is never dropped.")

	o.Memory.AddFlags(fss.FlagSet("memory"))
	ro.Authentication.AddFlags(fss.FlagSet("authentication"))
	o.addClientCertificateCacheFlags(fss.FlagSet("authentication"))
	ro.Authorization.AddFlags(fss.FlagSet("authorization"))
	fs = fss.FlagSet("authorization")
	fs.BoolVar(&o.CollectionDecisions, "authorization-collection-decisions", o.CollectionDecisions,
		"Allow a request on a named object when the same request without the name (the whole collection) is allowed, as RBAC does "+
			"for rules without resourceNames, so the authorization webhook cache holds one decision per user and resource rather than one "+
			"per object; a deny or no opinion is still asked per name. false asks about every name: for a kube-apiserver whose "+
			"authorizers deny single names of a collection they allow.")
	ro.Admission.AddFlags(fss.FlagSet("admission"))
	ro.Audit.AddFlags(fss.FlagSet("auditing"))
	ro.Features.AddFlags(fss.FlagSet("features"))
	ro.EgressSelector.AddFlags(fss.FlagSet("egress selector"))
	ro.Traces.AddFlags(fss.FlagSet("traces"))
	// Parsed here for --help and to check the command line; Complete parses them again onto
	// ComponentConfig.Logging, the settings the server applies.
	logsapi.AddFlags(logsapi.NewLoggingConfiguration(), fss.FlagSet("logs"))
	exampleversion.AddFlags(fss.FlagSet("global"))
	globalflag.AddGlobalFlags(fss.FlagSet("global"), apiserver.ComponentName, logs.SkipLoggingConfigurationFlags())
	return fss
}

// Complete resolves the component configuration into ComponentConfig, the --config file with
// the command line args parsed again onto it, and makes the options the generic server reads
// follow it. In standalone mode it switches off the parts that need a kube-apiserver.
func (o *Options) Complete(args []string) error {
	if o.featureGateErr != nil {
		return o.featureGateErr
	}
	cfg, err := o.resolveComponentConfig(args)
	if err != nil {
		return err
	}
	o.ComponentConfig = cfg
	storage := &o.RecommendedOptions.Etcd.StorageConfig
	storage.Transport.ServerList = slices.Clone(cfg.Etcd.Servers)
	storage.Prefix = cfg.Etcd.Prefix
	o.EmbeddedEtcdDataDir = cfg.Etcd.EmbeddedDataDir

	if o.Standalone {
		o.completeStandalone()
	}
	return nil
}

// Validate checks the options and the component configuration; all problems are reported at
// once, those of the configuration with their field paths.
func (o *Options) Validate() error {
	if o.ComponentConfig == nil {
		return errors.New("the options were not completed")
	}
	var errs []error
	if fieldErrs := ValidateComponentConfig(o.ComponentConfig, o.featureGate); len(fieldErrs) > 0 {
		source := "flags"
		if o.ConfigFile != "" {
			source = "config file " + o.ConfigFile + " and flags"
		}
		errs = append(errs, fmt.Errorf("invalid configuration (%s): %w", source, fieldErrs.ToAggregate()))
	}
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
	errs = append(errs, o.ServerRun.Validate()...)
	errs = append(errs, o.Memory.Validate()...)
	errs = append(errs, o.ComponentGlobalsRegistry.Validate()...)
	errs = append(errs, validateClientCertificateCacheSize(o.ClientCertificateCacheSize)...)
	if o.WatchCacheRelistEvents < 0 {
		errs = append(errs, fmt.Errorf("--%s must not be negative, got %d", flagWatchCacheRelistEvents, o.WatchCacheRelistEvents))
	}
	if o.Standalone {
		errs = append(errs, validateStandaloneAdmission(o.RecommendedOptions.Admission)...)
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

// applyFeatureGates sets the configuration's feature gates (--feature-gates merged in).
func (o *Options) applyFeatureGates() error {
	if err := o.featureGate.SetFromMap(o.ComponentConfig.FeatureGates); err != nil {
		return fmt.Errorf("featureGates: %w", err)
	}
	return nil
}

// Config returns the server configuration the completed, validated options describe.
func (o *Options) Config() (*apiserver.Config, error) {
	if o.ComponentConfig == nil {
		return nil, errors.New("the options were not completed")
	}
	if err := o.applyFeatureGates(); err != nil {
		return nil, err
	}
	if err := o.RecommendedOptions.SecureServing.MaybeDefaultWithSelfSignedCerts("localhost", o.AlternateDNS, []net.IP{netutils.ParseIPSloppy("127.0.0.1")}); err != nil {
		return nil, fmt.Errorf("creating self-signed certificates: %w", err)
	}

	serverConfig := genericapiserver.NewRecommendedConfig(apiserver.Codecs)
	namer := apiserver.NewDefinitionNamer()
	serverConfig.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(apiserver.GetOpenAPIDefinitions, namer)
	serverConfig.OpenAPIConfig.Info.Title = "example-apiserver"
	serverConfig.OpenAPIConfig.Info.Version = exampleversion.Get().GitVersion
	serverConfig.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(apiserver.GetOpenAPIDefinitions, namer)
	serverConfig.OpenAPIV3Config.Info.Title = "example-apiserver"
	serverConfig.OpenAPIV3Config.Info.Version = exampleversion.Get().GitVersion

	// Also sets the feature gate and effective version from ComponentGlobalsRegistry.
	if err := o.ServerRun.ApplyTo(&serverConfig.Config); err != nil {
		return nil, err
	}

	// Our admission plugins read our own objects from the storage, which New builds after the
	// admission chain: New binds cronTabs to it.
	cronTabs := exampleinitializer.NewLateCronTabs()
	var initializers []admission.PluginInitializer
	ro := *o.RecommendedOptions
	etcd, err := withStorageCodec(*ro.Etcd, o.ComponentConfig.Etcd.StorageVersion, o.ShareManagedFields)
	if err != nil {
		return nil, err
	}
	ro.Etcd = &etcd
	ro.ExtraAdmissionInitializers = func(c *genericapiserver.RecommendedConfig) ([]admission.PluginInitializer, error) {
		var err error
		initializers, err = newAdmissionInitializers(c, cronTabs)
		return initializers, err
	}
	if o.Standalone {
		ro.Admission = nil // the generic chain needs a kube-apiserver; applyStandalone builds ours
	}
	authn := *ro.Authentication
	ro.Authentication = &authn
	var clientCA dynamiccertificates.CAContentProvider
	if o.ClientCertificateCacheSize > 0 { // 0: the delegated authentication exactly as the library builds it
		if clientCA, err = shareClientCAProvider(&authn); err != nil {
			return nil, err
		}
	}
	if err := ro.ApplyTo(serverConfig); err != nil {
		return nil, err
	}
	serverConfig.RESTOptionsGetter = quietrelist.RESTOptionsGetter{
		RESTOptionsGetter: serverConfig.RESTOptionsGetter, MinEvents: o.WatchCacheRelistEvents, Clock: o.WatchCacheRelistClock,
	}
	cacheClientCertificates(&serverConfig.Authentication, clientCA, o.ClientCertificateCacheSize)
	if o.CollectionDecisions && serverConfig.Authorization.Authorizer != nil {
		serverConfig.Authorization.Authorizer = collectionauthorizer.New(serverConfig.Authorization.Authorizer)
	}
	if o.Standalone {
		if err := o.applyStandalone(&serverConfig.Config, initializers); err != nil {
			return nil, err
		}
	}
	return &apiserver.Config{
		GenericConfig: serverConfig,
		ExtraConfig:   apiserver.ExtraConfig{ComponentConfig: o.ComponentConfig, CronTabs: cronTabs},
	}, nil
}

// withStorageCodec returns etcd options whose codec writes example.com objects in version
// (--storage-version) and --storage-media-type. The codec reads every version and media type
// the scheme serves, so objects stored in another stay readable and are rewritten in the new
// ones on their next update. With shareManagedFields, decoded objects share their identical
// managedFields.
func withStorageCodec(etcd genericoptions.EtcdOptions, version string, shareManagedFields bool) (genericoptions.EtcdOptions, error) {
	codec, versioner, err := serverstorage.NewStorageCodec(serverstorage.StorageCodecConfig{
		StorageMediaType:  etcd.DefaultStorageMediaType,
		StorageSerializer: apiserver.Codecs,
		StorageVersion:    schema.GroupVersion{Group: example.GroupName, Version: version},
		MemoryVersion:     example.SchemeGroupVersion,
	})
	if err != nil {
		return etcd, fmt.Errorf("--storage-media-type: %w", err)
	}
	if shareManagedFields {
		codec = storagecodec.WithSharedManagedFields(codec)
	}
	etcd.StorageConfig.Codec = codec
	etcd.StorageConfig.EncodeVersioner = versioner
	return etcd, nil
}

// Run applies the feature gates and logging settings of the configuration, starts the
// server and blocks until ctx is done.
func (o *Options) Run(ctx context.Context) error {
	if err := o.applyFeatureGates(); err != nil {
		return err
	}
	if err := logsapi.ValidateAndApply(toLogsAPI(&o.ComponentConfig.Logging), o.featureGate); err != nil {
		return err
	}
	o.Memory.Apply(ctx)
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
