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

// Package apiserver builds the example-apiserver from a Config: the generic API server of
// k8s.io/apiserver with the example.com and login.example.com API groups installed on it.
package apiserver

import (
	"fmt"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	genericapiserver "k8s.io/apiserver/pkg/server"
	scalescheme "k8s.io/client-go/scale/scheme"
	scaleautoscalingv1 "k8s.io/client-go/scale/scheme/autoscalingv1"

	"example.com/example-apiserver/pkg/admission/exampleinitializer"
	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/install"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	examplev2 "example.com/example-apiserver/pkg/apis/example/v2"
	logininstall "example.com/example-apiserver/pkg/apis/login/install"
	"example.com/example-apiserver/pkg/login/ratelimit"
	"example.com/example-apiserver/pkg/login/webhook"
	crontabstorage "example.com/example-apiserver/pkg/registry/example/crontab"
	customresourcestorage "example.com/example-apiserver/pkg/registry/example/customresource"
	"example.com/example-apiserver/pkg/registry/unavailable"
)

// ComponentName names this server in logs, metrics, version information and --help.
const ComponentName = "example-apiserver"

var (
	// Scheme knows every type the server serves or reads.
	Scheme = runtime.NewScheme()
	// Codecs serializes the types of Scheme.
	Codecs = serializer.NewCodecFactory(Scheme)
)

func init() {
	install.Install(Scheme)
	logininstall.Install(Scheme)
	// The scale subresource speaks autoscaling/v1 Scale, converted from the internal Scale.
	utilruntime.Must(scalescheme.AddToScheme(Scheme))
	utilruntime.Must(scaleautoscalingv1.AddToScheme(Scheme))

	// Options (GetOptions, ListOptions, ...) decode from query parameters as the unversioned v1.
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	unversioned := schema.GroupVersion{Group: "", Version: "v1"}
	Scheme.AddUnversionedTypes(unversioned,
		&metav1.Status{},
		&metav1.APIVersions{},
		&metav1.APIGroupList{},
		&metav1.APIGroup{},
		&metav1.APIResourceList{},
	)
}

// ExtraConfig holds the settings of example-apiserver beyond the generic API server's.
type ExtraConfig struct {
	// ComponentConfig is the effective, validated component configuration (--config FILE,
	// defaults and flags applied) the server is built from.
	ComponentConfig *config.ExampleAPIServerConfiguration
	// CronTabs is the CronTab lister the admission plugins were handed when the admission chain
	// was built; New binds it to the CronTab storage. Nil means none.
	CronTabs *exampleinitializer.LateCronTabs
}

// Config is everything New needs.
type Config struct {
	GenericConfig *genericapiserver.RecommendedConfig
	ExtraConfig   ExtraConfig
}

// ExampleServer is a running example-apiserver.
type ExampleServer struct {
	GenericAPIServer *genericapiserver.GenericAPIServer
}

type completedConfig struct {
	GenericConfig genericapiserver.CompletedConfig
	ExtraConfig   *ExtraConfig
}

// CompletedConfig is a Config with every default filled in; only Complete makes one.
type CompletedConfig struct {
	*completedConfig
}

// Complete fills in the fields not set. It mutates the receiver.
func (cfg *Config) Complete() CompletedConfig {
	// The login API counts failed logins per source address, which its storage cannot see.
	if chain := cfg.GenericConfig.BuildHandlerChainFunc; chain != nil {
		cfg.GenericConfig.BuildHandlerChainFunc = func(handler http.Handler, c *genericapiserver.Config) http.Handler {
			return ratelimit.WithSourceAddress(chain(handler, c))
		}
	}
	// Mutating admission would see login passwords.
	cfg.GenericConfig.AdmissionControl = withoutMutatingLoginRequests(cfg.GenericConfig.AdmissionControl)
	return CompletedConfig{&completedConfig{
		GenericConfig: cfg.GenericConfig.Complete(),
		ExtraConfig:   &cfg.ExtraConfig,
	}}
}

// apiGroupBuilder builds the storage of one API group.
type apiGroupBuilder func(restOptions generic.RESTOptionsGetter) (*genericapiserver.APIGroupInfo, error)

// New returns the server for a completed config; every error is returned, never panicked.
func (c CompletedConfig) New() (*ExampleServer, error) {
	if c.ExtraConfig.ComponentConfig == nil {
		return nil, fmt.Errorf("no component configuration in ExtraConfig")
	}
	genericServer, err := c.GenericConfig.New(ComponentName, genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, err
	}
	if requestHeader := c.GenericConfig.Authentication.RequestHeaderConfig; requestHeader != nil {
		if err := genericServer.AddReadyzChecks(requestHeaderCALoaded(requestHeader)); err != nil {
			return nil, err
		}
	}
	login, tokenReviews, loginKeysReady, err := newLogin(c.ExtraConfig.ComponentConfig.Login)
	if err != nil {
		return nil, err
	}
	if loginKeysReady != nil {
		if err := genericServer.AddReadyzChecks(loginKeysReady); err != nil {
			return nil, err
		}
	}
	if tokenReviews != nil {
		// Behind the authentication and authorization filters, like every other path.
		genericServer.Handler.NonGoRestfulMux.Handle(webhook.Path, tokenReviews)
	}
	restOptions := unavailable.RESTOptionsGetter{RESTOptionsGetter: c.GenericConfig.RESTOptionsGetter}
	exampleGroup, cronTabs, err := newExampleAPIGroup(restOptions)
	if err != nil {
		return nil, err
	}
	loginGroup, err := loginAPIGroup(login)(restOptions)
	if err != nil {
		return nil, err
	}
	for _, groupInfo := range []*genericapiserver.APIGroupInfo{exampleGroup, loginGroup} {
		if err := genericServer.InstallAPIGroup(groupInfo); err != nil {
			return nil, fmt.Errorf("installing API group: %w", err)
		}
	}
	// Admission and the objects metrics count CronTabs in the watch cache the storage keeps
	// anyway, rather than in a second copy of their own.
	if late := c.ExtraConfig.CronTabs; late != nil {
		late.Bind(cronTabs)
	}
	metricsProvider, err := newExternalMetricsProvider(c.ExtraConfig.ComponentConfig.ExternalMetrics, cronTabs)
	if err != nil {
		return nil, err
	}
	// Served even with no metric configured, so that its APIService stays Available: an
	// unavailable APIService breaks discovery, and with it namespace deletion.
	if err := installExternalMetrics(genericServer, metricsProvider); err != nil {
		return nil, err
	}
	return &ExampleServer{GenericAPIServer: genericServer}, nil
}

// newExampleAPIGroup returns the example.com group with crontabs and customresources in v1
// and v2. Both versions share one store, and with it one watch cache: a stored object is
// decoded to the internal type once and converted to the version each client asks for.
func newExampleAPIGroup(restOptions generic.RESTOptionsGetter) (*genericapiserver.APIGroupInfo, crontabstorage.Lister, error) {
	groupInfo := genericapiserver.NewDefaultAPIGroupInfo(example.GroupName, Scheme, metav1.ParameterCodec, Codecs)

	cronTabs, err := crontabstorage.NewStorage(Scheme, restOptions)
	if err != nil {
		return nil, nil, err
	}
	customResources, err := customresourcestorage.NewREST(Scheme, restOptions)
	if err != nil {
		return nil, nil, err
	}
	// CustomResource is the same in both versions; serving it in v2 too lets a client use
	// example.com/v2 alone.
	for _, version := range []string{examplev1.SchemeGroupVersion.Version, examplev2.SchemeGroupVersion.Version} {
		resources := cronTabs.Resources()
		resources["customresources"] = customResources
		groupInfo.VersionedResourcesStorageMap[version] = resources
	}
	return &groupInfo, cronTabs.CronTab, nil
}
