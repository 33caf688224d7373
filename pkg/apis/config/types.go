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

package config

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/example-apiserver/pkg/apis/config/logging"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// ExampleAPIServerConfiguration holds every setting specific to example-apiserver. The generic
// API server settings (serving, authentication, authorization, audit, the admission chain)
// stay flags. Further sections (external metrics sources) are added as top-level fields.
type ExampleAPIServerConfiguration struct {
	metav1.TypeMeta

	// Etcd is where the objects are stored.
	Etcd EtcdConfiguration
	// CronTabPolicy configures the CronTabImagePolicy and CronTabNamespaceLimits admission plugins.
	CronTabPolicy CronTabPolicy
	// Logging configures the logger (format, verbosity).
	Logging logging.LoggingConfiguration
	// FeatureGates enables or disables feature gates by name.
	FeatureGates map[string]bool
	// ExternalMetrics are the metrics served under external.metrics.k8s.io.
	ExternalMetrics []ExternalMetric
	// Login configures the login API (login.example.com) and the authentication webhook;
	// nil switches both off.
	Login *LoginConfiguration
}

// LoginConfiguration configures logins with a directory's accounts and the tokens they yield.
type LoginConfiguration struct {
	// Issuer is the tokens' iss claim, checked by the webhook.
	Issuer string
	// Audience is the tokens' aud claim, checked by the webhook.
	Audience string
	// TokenLifetime is how long a token is valid.
	TokenLifetime metav1.Duration
	// SigningKeysFile holds PEM private keys: the first signs, all verify.
	SigningKeysFile string
	// UsernamePrefix is prepended to the directory's user names; "" is none. nil is not
	// chosen: defaulting makes an omitted one "ldap:", so only a configuration built without
	// the scheme has nil, and validation refuses it rather than read it as none.
	UsernamePrefix *string
	// GroupPrefix is prepended to the directory's group names.
	GroupPrefix string
	// FailedLogins limits failed logins per user, per user and source address, and per
	// source address.
	FailedLogins FailedLoginLimits
	// LDAP is the directory that checks passwords and holds the groups.
	LDAP LDAPConfiguration
}

// FailedLoginLimits are token buckets of failed logins: Burst failures at once, refilled at
// Burst per Period.
type FailedLoginLimits struct {
	PerUser          int32
	PerUserAndSource int32
	PerSource        int32
	Period           metav1.Duration
}

// LDAPConfiguration says how to reach the directory and find users and groups in it.
type LDAPConfiguration struct {
	URL      string
	StartTLS bool
	// InsecureSendPasswordsInClear allows ldap:// without StartTLS to a host that is not
	// loopback.
	InsecureSendPasswordsInClear bool
	CAFile                       string
	BindDN                       string
	BindPasswordFile             string
	Timeout                      metav1.Duration
	UserSearch                   LDAPUserSearch
	GroupSearch                  LDAPGroupSearch
}

// LDAPUserSearch finds the one entry of a user.
type LDAPUserSearch struct {
	BaseDN            string
	Filter            string
	UsernameAttribute string
	UIDAttribute      string
}

// LDAPGroupSearch finds the groups of a user.
type LDAPGroupSearch struct {
	BaseDN        string
	Filter        string
	NameAttribute string
}

// ExternalMetric is one metric served under external.metrics.k8s.io, from exactly one source.
type ExternalMetric struct {
	Name       string
	Window     metav1.Duration
	CacheTTL   *metav1.Duration
	Objects    *ObjectsMetricSource
	Prometheus *PrometheusMetricSource
}

// ObjectsMetricSource computes a metric from the server's own CronTabs.
type ObjectsMetricSource struct {
	// Metric is one of ObjectsMetrics.
	Metric string
}

// ObjectsMetric names a metric computed from the server's own CronTabs.
type ObjectsMetric string

const (
	// CronTabCount is the number of CronTabs in the namespace matching the selector.
	CronTabCount ObjectsMetric = "crontabs"
	// CronTabReplicas is the sum of their spec.replicas.
	CronTabReplicas ObjectsMetric = "crontab_replicas"
)

// ObjectsMetrics are the metrics an objects source can compute.
var ObjectsMetrics = []ObjectsMetric{CronTabCount, CronTabReplicas}

// PrometheusMetricSource computes a metric with a PromQL query template.
type PrometheusMetricSource struct {
	URL                string
	Query              string
	NamespaceLabel     *string
	Timeout            metav1.Duration
	BearerTokenFile    string
	CAFile             string
	InsecureSkipVerify bool
}

// EtcdConfiguration says where the objects are stored.
type EtcdConfiguration struct {
	// Servers are the etcd client URLs; empty means an etcd started inside the server.
	Servers []string
	// Prefix is prepended to every key, keeping our keys apart from kube-apiserver's.
	Prefix string
	// EmbeddedDataDir is the embedded etcd's data directory; empty means a temporary one.
	EmbeddedDataDir string
	// StorageVersion is the example.com version objects are written in: "v1" or "v2".
	StorageVersion string
}

// CronTabPolicy configures the admission plugins that police CronTabs.
type CronTabPolicy struct {
	// ImagePolicy configures CronTabImagePolicy.
	ImagePolicy CronTabImagePolicy
	// NamespaceLimits configures CronTabNamespaceLimits.
	NamespaceLimits CronTabNamespaceLimits
}

// CronTabImagePolicy says which images a CronTab may run.
type CronTabImagePolicy struct {
	// AllowedPrefixes are registries ("registry.example.com") or repository prefixes
	// ("docker.io/library"); spec.image must be in one of them. Empty allows every image.
	AllowedPrefixes []string
	// RequireDigest requires images pinned by digest (image@sha256:...).
	RequireDigest bool
}

// CronTabNamespaceLimits are the caps of namespaces without the example.com/max-crontabs and
// example.com/max-crontab-replicas annotations; nil means no cap.
type CronTabNamespaceLimits struct {
	// DefaultMaxCronTabs caps the number of CronTabs in a namespace.
	DefaultMaxCronTabs *int32
	// DefaultMaxReplicas caps the sum of spec.replicas over a namespace's CronTabs.
	DefaultMaxReplicas *int32
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTabImagePolicyConfiguration is the CronTabImagePolicy plugin's configuration in an
// AdmissionConfiguration (--admission-control-config-file).
type CronTabImagePolicyConfiguration struct {
	metav1.TypeMeta

	CronTabImagePolicy
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTabNamespaceLimitsConfiguration is the CronTabNamespaceLimits plugin's configuration in
// an AdmissionConfiguration (--admission-control-config-file).
type CronTabNamespaceLimitsConfiguration struct {
	metav1.TypeMeta

	CronTabNamespaceLimits
}
