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

// Package validation checks example-apiserver's configuration and returns every problem at
// once, each with its field path (e.g. cronTabPolicy.namespaceLimits.defaultMaxReplicas).
package validation

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/distribution/reference"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/querytemplate"
)

// ValidateExampleAPIServerConfiguration validates a whole configuration but its featureGates
// and logging, which only the server can check: they need its feature gates
// (pkg/cmd/server.ValidateComponentConfig checks all).
func ValidateExampleAPIServerConfiguration(cfg *config.ExampleAPIServerConfiguration) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, ValidateEtcdConfiguration(&cfg.Etcd, field.NewPath("etcd"))...)
	policy := field.NewPath("cronTabPolicy")
	errs = append(errs, ValidateCronTabImagePolicy(&cfg.CronTabPolicy.ImagePolicy, policy.Child("imagePolicy"))...)
	errs = append(errs, ValidateCronTabNamespaceLimits(&cfg.CronTabPolicy.NamespaceLimits, policy.Child("namespaceLimits"))...)

	errs = append(errs, ValidateExternalMetrics(cfg.ExternalMetrics, field.NewPath("externalMetrics"))...)
	if cfg.Login != nil {
		errs = append(errs, ValidateLoginConfiguration(cfg.Login, field.NewPath("login"))...)
	}
	return errs
}

// StorageVersions are the example.com versions the server can write to etcd.
var StorageVersions = []string{"v1", "v2"}

// ValidateEtcdConfiguration validates the etcd section.
func ValidateEtcdConfiguration(etcd *config.EtcdConfiguration, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, server := range etcd.Servers {
		p := fldPath.Child("servers").Index(i)
		u, err := url.Parse(server)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			errs = append(errs, field.Invalid(p, server, "must be an http:// or https:// URL of an etcd client endpoint"))
		case seen.Has(server):
			errs = append(errs, field.Duplicate(p, server))
		}
		seen.Insert(server)
	}
	switch {
	case etcd.Prefix == "":
		errs = append(errs, field.Required(fldPath.Child("prefix"), "the key prefix, e.g. /registry/example.com"))
	case !strings.HasPrefix(etcd.Prefix, "/"):
		errs = append(errs, field.Invalid(fldPath.Child("prefix"), etcd.Prefix, "must start with /"))
	}
	if etcd.EmbeddedDataDir != "" && len(etcd.Servers) > 0 {
		errs = append(errs, field.Invalid(fldPath.Child("embeddedDataDir"), etcd.EmbeddedDataDir,
			"only used by the embedded etcd, which does not run when servers are given"))
	}
	if !slices.Contains(StorageVersions, etcd.StorageVersion) {
		errs = append(errs, field.NotSupported(fldPath.Child("storageVersion"), etcd.StorageVersion, StorageVersions))
	}
	return errs
}

// ValidateCronTabImagePolicy validates the CronTabImagePolicy plugin's settings.
func ValidateCronTabImagePolicy(policy *config.CronTabImagePolicy, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, prefix := range policy.AllowedPrefixes {
		p := fldPath.Child("allowedPrefixes").Index(i)
		normalized := NormalizeImagePrefix(prefix)
		if err := validateImagePrefix(normalized); err != nil {
			errs = append(errs, field.Invalid(p, prefix, err.Error()))
			continue
		}
		if seen.Has(normalized) {
			errs = append(errs, field.Duplicate(p, prefix))
		}
		seen.Insert(normalized)
	}
	return errs
}

// NormalizeImagePrefix returns prefix as it is matched: without a trailing slash.
func NormalizeImagePrefix(prefix string) string {
	return strings.TrimSuffix(prefix, "/")
}

// validateImagePrefix accepts a registry host ("registry.example.com", "localhost:5000") or a
// repository prefix that starts with one ("docker.io/library"). A prefix without a registry
// ("library/nginx") is refused: it would silently never match, since images are matched by
// their normalized names ("docker.io/library/nginx").
func validateImagePrefix(prefix string) error {
	if prefix == "" {
		return fmt.Errorf("must not be empty")
	}
	// Appending a path component turns a bare host into a repository name; ParseNamed then
	// accepts only names that are already fully qualified (no implicit docker.io).
	named, err := reference.ParseNamed(prefix + "/x")
	if err != nil || named.String() != prefix+"/x" {
		return fmt.Errorf("must be a registry host (registry.example.com) or a repository prefix with its registry (docker.io/library), without tag or digest")
	}
	return nil
}

// ValidateCronTabNamespaceLimits validates the CronTabNamespaceLimits plugin's settings.
func ValidateCronTabNamespaceLimits(limits *config.CronTabNamespaceLimits, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if limits.DefaultMaxCronTabs != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*limits.DefaultMaxCronTabs), fldPath.Child("defaultMaxCronTabs"))...)
	}
	if limits.DefaultMaxReplicas != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*limits.DefaultMaxReplicas), fldPath.Child("defaultMaxReplicas"))...)
	}
	return errs
}

// metricName is what a metric may be called: a lowercase URL path segment, because client-go
// lowercases the name in the URL and a "/" cannot be in one.
var metricName = regexp.MustCompile(`^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$`)

// ValidateExternalMetrics validates the externalMetrics section: unique lowercase names and
// exactly one well-formed source each.
func ValidateExternalMetrics(metrics []config.ExternalMetric, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for i := range metrics {
		m := &metrics[i]
		path := fldPath.Index(i)
		switch {
		case m.Name == "":
			errs = append(errs, field.Required(path.Child("name"), "e.g. http_requests"))
		case !metricName.MatchString(m.Name):
			errs = append(errs, field.Invalid(path.Child("name"), m.Name, "must be a lowercase URL path segment: a-z, 0-9, '_', '.', '-', starting and ending alphanumeric (client-go lowercases metric names)"))
		case seen.Has(m.Name):
			errs = append(errs, field.Duplicate(path.Child("name"), m.Name))
		}
		seen.Insert(m.Name)
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(m.Window.Duration), path.Child("window"))...)
		if m.CacheTTL != nil {
			errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(m.CacheTTL.Duration), path.Child("cacheTTL"))...)
		}

		switch {
		case m.Objects == nil && m.Prometheus == nil:
			errs = append(errs, field.Required(path, "exactly one source: objects or prometheus"))
		case m.Objects != nil && m.Prometheus != nil:
			errs = append(errs, field.Forbidden(path.Child("prometheus"), "exactly one source: objects or prometheus"))
		case m.Objects != nil:
			if !slices.Contains(config.ObjectsMetrics, config.ObjectsMetric(m.Objects.Metric)) {
				errs = append(errs, field.NotSupported(path.Child("objects", "metric"), m.Objects.Metric, config.ObjectsMetrics))
			}
		default:
			errs = append(errs, validatePrometheusSource(m.Prometheus, path.Child("prometheus"))...)
		}
	}
	return errs
}

func validatePrometheusSource(p *config.PrometheusMetricSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, field.Invalid(fldPath.Child("url"), p.URL, "must be an http:// or https:// URL of a Prometheus server"))
	}
	if _, err := querytemplate.Parse(p.Query); err != nil {
		errs = append(errs, field.Invalid(fldPath.Child("query"), p.Query, err.Error()))
	}
	if p.Timeout.Duration <= 0 {
		errs = append(errs, field.Invalid(fldPath.Child("timeout"), p.Timeout.Duration.String(), "must be positive"))
	}
	if p.InsecureSkipVerify && p.CAFile != "" {
		errs = append(errs, field.Forbidden(fldPath.Child("insecureSkipVerify"), "contradicts caFile"))
	}
	return errs
}
