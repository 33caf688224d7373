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

package v1alpha1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/config/logging"
)

// DefaultEtcdPrefix keeps our keys apart from kube-apiserver's when they share an etcd.
const DefaultEtcdPrefix = "/registry/example.com"

// SetDefaults_ExampleAPIServerConfiguration fills in the logging defaults.
func SetDefaults_ExampleAPIServerConfiguration(obj *ExampleAPIServerConfiguration) {
	logging.SetRecommendedLoggingConfiguration(&obj.Logging)
	if obj.ExternalMetrics == nil {
		// The objects metrics need no other system, so they are always there unless refused.
		obj.ExternalMetrics = []ExternalMetric{
			{Name: "crontabs", Objects: &ObjectsMetricSource{Metric: "crontabs"}},
			{Name: "crontab_replicas", Objects: &ObjectsMetricSource{Metric: "crontab_replicas"}},
		}
	}
}

// SetDefaults_ExternalMetric defaults the window and the cache TTL.
func SetDefaults_ExternalMetric(obj *ExternalMetric) {
	if obj.Window.Duration == 0 {
		obj.Window = metav1.Duration{Duration: time.Minute}
	}
	if obj.CacheTTL == nil {
		obj.CacheTTL = &metav1.Duration{Duration: 10 * time.Second}
	}
}

// SetDefaults_PrometheusMetricSource defaults the namespace label and the query timeout.
func SetDefaults_PrometheusMetricSource(obj *PrometheusMetricSource) {
	if obj.NamespaceLabel == nil {
		obj.NamespaceLabel = ptr.To("namespace")
	}
	if obj.Timeout.Duration == 0 {
		obj.Timeout = metav1.Duration{Duration: 5 * time.Second}
	}
}

// DefaultStorageVersion is what this release writes: v1, which the release before it reads.
const DefaultStorageVersion = "v1"

// SetDefaults_EtcdConfiguration defaults the key prefix and the storage version. Servers stays
// empty (embedded etcd) but is written as [] rather than null, so --write-config-to shows the field.
func SetDefaults_EtcdConfiguration(obj *EtcdConfiguration) {
	if obj.StorageVersion == "" {
		obj.StorageVersion = DefaultStorageVersion
	}
	if obj.Servers == nil {
		obj.Servers = []string{}
	}
	if obj.Prefix == "" {
		obj.Prefix = DefaultEtcdPrefix
	}
}

// SetDefaults_CronTabImagePolicy writes an omitted allow list as [] (allow every image).
func SetDefaults_CronTabImagePolicy(obj *CronTabImagePolicy) {
	if obj.AllowedPrefixes == nil {
		obj.AllowedPrefixes = []string{}
	}
}

// Defaults of the login section.
const (
	DefaultLoginIssuer      = "example-apiserver"
	DefaultLoginAudience    = "example-apiserver-login"
	DefaultLoginGroupPrefix = "ldap:"
	// DefaultLoginUsernamePrefix keeps directory users apart from every other authenticator's.
	DefaultLoginUsernamePrefix = "ldap:"
)

// SetDefaults_LoginConfiguration defaults the token's claims and lifetime and the prefixes.
func SetDefaults_LoginConfiguration(obj *LoginConfiguration) {
	if obj.Issuer == "" {
		obj.Issuer = DefaultLoginIssuer
	}
	if obj.Audience == "" {
		obj.Audience = DefaultLoginAudience
	}
	if obj.TokenLifetime.Duration == 0 {
		obj.TokenLifetime = metav1.Duration{Duration: 15 * time.Minute}
	}
	if obj.UsernamePrefix == nil {
		obj.UsernamePrefix = ptr.To(DefaultLoginUsernamePrefix)
	}
	if obj.GroupPrefix == "" {
		obj.GroupPrefix = DefaultLoginGroupPrefix
	}
}

// SetDefaults_FailedLoginLimits defaults the buckets of failed logins.
func SetDefaults_FailedLoginLimits(obj *FailedLoginLimits) {
	if obj.PerUser == 0 {
		obj.PerUser = 10
	}
	if obj.PerUserAndSource == 0 {
		obj.PerUserAndSource = 5
	}
	if obj.PerSource == 0 {
		obj.PerSource = 20
	}
	if obj.Period.Duration == 0 {
		obj.Period = metav1.Duration{Duration: time.Minute}
	}
}

// SetDefaults_LDAPConfiguration defaults the timeout and the searches.
func SetDefaults_LDAPConfiguration(obj *LDAPConfiguration) {
	if obj.Timeout.Duration == 0 {
		obj.Timeout = metav1.Duration{Duration: 10 * time.Second}
	}
	u := &obj.UserSearch
	if u.Filter == "" {
		u.Filter = "(uid={username})"
	}
	if u.UsernameAttribute == "" {
		u.UsernameAttribute = "uid"
	}
	if u.UIDAttribute == "" {
		u.UIDAttribute = "entryUUID"
	}
	g := &obj.GroupSearch
	if g.Filter == "" {
		g.Filter = "(member={dn})"
	}
	if g.NameAttribute == "" {
		g.NameAttribute = "cn"
	}
}
