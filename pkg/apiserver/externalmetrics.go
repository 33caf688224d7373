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

package apiserver

import (
	"fmt"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapi "k8s.io/apiserver/pkg/endpoints"
	"k8s.io/apiserver/pkg/endpoints/discovery"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/metrics/pkg/apis/external_metrics"
	externalmetricsv1beta1 "k8s.io/metrics/pkg/apis/external_metrics/v1beta1"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	cmapiserver "sigs.k8s.io/custom-metrics-apiserver/pkg/apiserver"
	metricsinstaller "sigs.k8s.io/custom-metrics-apiserver/pkg/apiserver/installer"
	"sigs.k8s.io/custom-metrics-apiserver/pkg/provider"
	externalmetricsstorage "sigs.k8s.io/custom-metrics-apiserver/pkg/registry/external_metrics"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/externalmetrics"
	"example.com/example-apiserver/pkg/registry/example/crontab"
)

// newExternalMetricsProvider builds the provider of the configured metrics. Objects metrics read
// CronTabs from the server's own storage.
func newExternalMetricsProvider(metrics []config.ExternalMetric, cronTabs crontab.Lister) (*externalmetrics.Provider, error) {
	specs := make([]externalmetrics.Metric, 0, len(metrics))
	for _, m := range metrics {
		var source externalmetrics.Source
		var err error
		switch {
		case m.Objects != nil:
			source, err = externalmetrics.NewObjectsSource(config.ObjectsMetric(m.Objects.Metric), cronTabs)
		case m.Prometheus != nil:
			source, err = externalmetrics.NewPrometheusSource(externalmetrics.PrometheusOptions{
				URL:                m.Prometheus.URL,
				Query:              m.Prometheus.Query,
				NamespaceLabel:     ptr.Deref(m.Prometheus.NamespaceLabel, ""),
				Timeout:            m.Prometheus.Timeout.Duration,
				BearerTokenFile:    m.Prometheus.BearerTokenFile,
				CAFile:             m.Prometheus.CAFile,
				InsecureSkipVerify: m.Prometheus.InsecureSkipVerify,
			})
		default:
			err = fmt.Errorf("no source")
		}
		if err != nil {
			return nil, fmt.Errorf("external metric %q: %w", m.Name, err)
		}
		spec := externalmetrics.Metric{Name: m.Name, Source: source, Window: m.Window.Duration}
		if m.CacheTTL != nil {
			spec.CacheTTL = m.CacheTTL.Duration
		}
		specs = append(specs, spec)
	}
	return externalmetrics.NewProvider(specs, clock.RealClock{})
}

// installExternalMetrics serves external.metrics.k8s.io/v1beta1 from p on server, with the
// custom-metrics-apiserver library's URL handling (/namespaces/{ns}/{metric}) and scheme.
func installExternalMetrics(server *genericapiserver.GenericAPIServer, p provider.ExternalMetricsProvider) error {
	groupVersion := externalmetricsv1beta1.SchemeGroupVersion
	groupInfo := genericapiserver.NewDefaultAPIGroupInfo(external_metrics.GroupName, cmapiserver.Scheme, metav1.ParameterCodec, cmapiserver.Codecs)
	metricsAPI := &metricsinstaller.MetricsAPIGroupVersion{
		DynamicStorage: externalmetricsstorage.NewREST(p),
		APIGroupVersion: &genericapi.APIGroupVersion{
			Root:             genericapiserver.APIGroupPrefix,
			GroupVersion:     groupVersion,
			MetaGroupVersion: groupInfo.MetaGroupVersion,
			ParameterCodec:   groupInfo.ParameterCodec,
			Serializer:       groupInfo.NegotiatedSerializer,
			Creater:          groupInfo.Scheme,
			Convertor:        groupInfo.Scheme,
			UnsafeConvertor:  runtime.UnsafeObjectConvertor(groupInfo.Scheme),
			Typer:            groupInfo.Scheme,
			Namer:            runtime.Namer(meta.NewAccessor()),
		},
		ResourceLister: provider.NewExternalMetricResourceLister(p),
		Handlers:       &metricsinstaller.EMHandlers{},
	}
	if err := metricsAPI.InstallREST(server.Handler.GoRestfulContainer); err != nil {
		return fmt.Errorf("installing %s: %w", groupVersion, err)
	}

	discoveryVersion := metav1.GroupVersionForDiscovery{GroupVersion: groupVersion.String(), Version: groupVersion.Version}
	apiGroup := metav1.APIGroup{
		Name:             groupVersion.Group,
		Versions:         []metav1.GroupVersionForDiscovery{discoveryVersion},
		PreferredVersion: discoveryVersion,
	}
	server.DiscoveryGroupManager.AddGroup(apiGroup)
	server.Handler.GoRestfulContainer.Add(discovery.NewAPIGroupHandler(server.Serializer, apiGroup).WebService())

	// The library only feeds the legacy per-group discovery. Without the aggregated document the
	// aggregator shows the group with no resources and kubectl api-resources misses it.
	server.AggregatedDiscoveryGroupManager.AddGroupVersion(groupVersion.Group, apidiscoveryv2.APIVersionDiscovery{
		Freshness: apidiscoveryv2.DiscoveryFreshnessCurrent,
		Version:   groupVersion.Version,
		Resources: aggregatedMetricResources(p.ListAllExternalMetrics()),
	})
	return nil
}

// aggregatedMetricResources describes each configured metric as a namespaced, get-only resource.
func aggregatedMetricResources(metrics []provider.ExternalMetricInfo) []apidiscoveryv2.APIResourceDiscovery {
	resources := make([]apidiscoveryv2.APIResourceDiscovery, 0, len(metrics))
	for _, m := range metrics {
		resources = append(resources, apidiscoveryv2.APIResourceDiscovery{
			Resource:     m.Metric,
			ResponseKind: &metav1.GroupVersionKind{Group: external_metrics.GroupName, Version: externalmetricsv1beta1.SchemeGroupVersion.Version, Kind: "ExternalMetricValueList"},
			Scope:        apidiscoveryv2.ScopeNamespace,
			Verbs:        []string{"get"},
		})
	}
	return resources
}
