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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/example-apiserver/pkg/apis/config/logging"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// ExampleAPIServerConfiguration holds every setting specific to example-apiserver, read from
// --config FILE. Flags given on the command line win over the file. The generic API server
// settings (serving, authentication, authorization, audit, the admission chain) stay flags.
type ExampleAPIServerConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	// etcd is where the objects are stored.
	Etcd EtcdConfiguration `json:"etcd"`
	// cronTabPolicy configures the CronTabImagePolicy and CronTabNamespaceLimits admission
	// plugins. An AdmissionConfiguration (--admission-control-config-file) that configures one
	// of them replaces its section here.
	CronTabPolicy CronTabPolicy `json:"cronTabPolicy"`
	// logging configures the logger; the logging flags (-v, --logging-format, ...) win.
	Logging logging.LoggingConfiguration `json:"logging"`
	// featureGates enables or disables feature gates by name; --feature-gates wins per gate.
	FeatureGates map[string]bool `json:"featureGates,omitempty"`
	// externalMetrics are the metrics served under external.metrics.k8s.io/v1beta1 for
	// HorizontalPodAutoscalers of type External. Unset serves the objects metrics "crontabs"
	// and "crontab_replicas"; an empty list serves none.
	ExternalMetrics []ExternalMetric `json:"externalMetrics"`
	// login configures the login API (login.example.com/v1alpha1 LoginRequest), which
	// checks a user name and password against an LDAP directory and returns a short-lived
	// token, and the authentication webhook (/authenticate/tokenreview) through which
	// kube-apiserver accepts those tokens. Unset: the login API answers 503 and the webhook
	// is not served.
	Login *LoginConfiguration `json:"login,omitempty"`
}

// LoginConfiguration configures logins with a directory's accounts and the tokens they yield.
type LoginConfiguration struct {
	// issuer is the tokens' iss claim; the webhook accepts only tokens with it.
	// Default: example-apiserver.
	Issuer string `json:"issuer"`
	// audience is the tokens' aud claim; the webhook accepts only tokens for it.
	// Default: example-apiserver-login.
	Audience string `json:"audience"`
	// tokenLifetime is how long a token is valid, 10s to 24h. kube-apiserver may go on
	// accepting a token for its --authentication-token-webhook-cache-ttl after it expires.
	// Default: 15m.
	TokenLifetime metav1.Duration `json:"tokenLifetime"`
	// signingKeysFile holds one or more PEM private keys (ECDSA P-256, RSA of at least 2048
	// bits, or Ed25519): the first signs new tokens, all verify. To rotate, put the new key
	// first and keep the old one until the last token it signed has expired. Re-read when it
	// changes (looked at every 10s); a file that does not parse keeps the keys in force and
	// makes the server not ready (readyz check login-signing-keys) until it is fixed.
	SigningKeysFile string `json:"signingKeysFile"`
	// usernamePrefix is prepended to the directory's user names, to keep them apart from
	// other authenticators' users: without one, a directory account named like a
	// certificate's user (kube-apiserver-authn-webhook) has that user's permissions.
	// Default: "ldap:"; "" (set explicitly) for none.
	UsernamePrefix *string `json:"usernamePrefix,omitempty"`
	// groupPrefix is prepended to the directory's group names, so that RBAC binds
	// "ldap:cron-admins". Default: "ldap:".
	GroupPrefix string `json:"groupPrefix"`
	// failedLogins limits failed logins per user, per user and source address, and per
	// source address.
	FailedLogins FailedLoginLimits `json:"failedLogins"`
	// ldap is the directory that checks passwords and holds the groups.
	LDAP LDAPConfiguration `json:"ldap"`
}

// FailedLoginLimits are token buckets of failed logins: a user (or a user at an address, or
// an address) may fail a burst of logins at once, and then as many per period. Beyond that
// every login for it is refused with 429 without asking the directory. The source address is
// the client's as kube-apiserver saw it: a proxy in front of kube-apiserver that replaces it
// with its own puts every client at one address.
type FailedLoginLimits struct {
	// perUser is the burst per user (every spelling of the name, and the directory entry)
	// from all addresses: the ceiling for guesses spread over many. Default: 10.
	PerUser int32 `json:"perUser"`
	// perUserAndSource is the burst per user from one source address, below perUser so
	// that a guesser at one address does not lock the user out at every other. Default: 5.
	PerUserAndSource int32 `json:"perUserAndSource"`
	// perSource is the burst per source address, over all users: the limit of one password
	// tried on many users. Default: 20.
	PerSource int32 `json:"perSource"`
	// period is the time in which a bucket refills entirely. Default: 1m.
	Period metav1.Duration `json:"period"`
}

// LDAPConfiguration says how to reach the directory and find users and groups in it.
type LDAPConfiguration struct {
	// url is ldaps://host:port, or ldap://host:port with startTLS. Plain ldap:// sends the
	// users' passwords in clear text: it is refused unless the host is loopback (127.0.0.1,
	// ::1, localhost) or insecureSendPasswordsInClear is set.
	URL string `json:"url"`
	// startTLS upgrades an ldap:// connection to TLS before binding.
	StartTLS bool `json:"startTLS,omitempty"`
	// insecureSendPasswordsInClear allows ldap:// without startTLS to a host that is not
	// loopback: every user's password and the service account's cross the network
	// readable by anyone on the path. Only for a directory reached over a network that is
	// itself encrypted and trusted.
	InsecureSendPasswordsInClear bool `json:"insecureSendPasswordsInClear,omitempty"`
	// caFile verifies the directory's certificate (ldaps:// or startTLS); default: the
	// system's roots.
	CAFile string `json:"caFile,omitempty"`
	// bindDN is the service account that searches users and groups, e.g.
	// cn=kubernetes,ou=services,dc=example,dc=com.
	BindDN string `json:"bindDN"`
	// bindPasswordFile holds bindDN's password (trailing newline ignored), read on every
	// login so that a rotated password is picked up.
	BindPasswordFile string `json:"bindPasswordFile"`
	// timeout bounds each login's directory round trips; a slower directory is a 503.
	// Default: 10s.
	Timeout metav1.Duration `json:"timeout"`
	// userSearch finds a user's entry.
	UserSearch LDAPUserSearch `json:"userSearch"`
	// groupSearch finds a user's groups.
	GroupSearch LDAPGroupSearch `json:"groupSearch"`
}

// LDAPUserSearch finds the one entry of a user.
type LDAPUserSearch struct {
	// baseDN is searched with scope subtree, e.g. ou=people,dc=example,dc=com.
	BaseDN string `json:"baseDN"`
	// filter finds the entry; {username} is replaced by the escaped user name typed at
	// login. It must match exactly one entry. Default: (uid={username}).
	Filter string `json:"filter"`
	// usernameAttribute of the entry is the Kubernetes user name. Default: uid.
	UsernameAttribute string `json:"usernameAttribute"`
	// uidAttribute of the entry is the Kubernetes UID; when the entry has none, its DN is.
	// Default: entryUUID.
	UIDAttribute string `json:"uidAttribute"`
}

// LDAPGroupSearch finds the groups of a user.
type LDAPGroupSearch struct {
	// baseDN is searched with scope subtree, e.g. ou=groups,dc=example,dc=com. Empty: the
	// user has no groups but system:authenticated.
	BaseDN string `json:"baseDN,omitempty"`
	// filter finds the user's groups; {dn} is the user's escaped DN and {username} the
	// escaped user name. Default: (member={dn}).
	Filter string `json:"filter"`
	// nameAttribute of a group entry is the group's name. Default: cn.
	NameAttribute string `json:"nameAttribute"`
}

// ExternalMetric is one metric served under external.metrics.k8s.io. Exactly one source
// (objects or prometheus) is set.
type ExternalMetric struct {
	// name is the metric's name as an HPA asks for it: a lowercase path segment such as
	// "http_requests" (client-go lowercases the name in the URL). Unique.
	Name string `json:"name"`
	// window is the time span a value describes, reported with every value. Default: 1m.
	Window metav1.Duration `json:"window"`
	// cacheTTL is how long a value is reused for the same namespace and selector, so that many
	// HPAs polling every 15s do not stampede the backend; while the backend fails, the last
	// value is served for one more TTL. 0s disables the cache. Default: 10s.
	CacheTTL *metav1.Duration `json:"cacheTTL,omitempty"`
	// objects computes the metric from this server's own CronTabs.
	Objects *ObjectsMetricSource `json:"objects,omitempty"`
	// prometheus computes the metric with a PromQL query.
	Prometheus *PrometheusMetricSource `json:"prometheus,omitempty"`
}

// ObjectsMetricSource computes a metric from the CronTabs of the HPA's namespace that match
// its metric selector, from the server's cache (no etcd read per request).
type ObjectsMetricSource struct {
	// metric is "crontabs" (how many match) or "crontab_replicas" (the sum of their
	// spec.replicas).
	Metric string `json:"metric"`
}

// PrometheusMetricSource computes a metric with a PromQL query against a Prometheus HTTP API.
type PrometheusMetricSource struct {
	// url is the Prometheus server, e.g. http://prometheus.monitoring.svc:9090.
	URL string `json:"url"`
	// query is a Go text/template of PromQL. {{.LabelMatchers}} expands to the label matchers
	// of the namespace and of the HPA's metric selector, comma-separated, e.g.
	// 'sum(http_requests{ {{- .LabelMatchers -}} })'; {{.Namespace}} is the namespace alone.
	// A scalar is one value; an instant vector is one value per series, labels kept.
	Query string `json:"query"`
	// namespaceLabel is the series label holding the namespace, matched in
	// {{.LabelMatchers}}. Default: "namespace"; "" leaves the namespace out.
	NamespaceLabel *string `json:"namespaceLabel,omitempty"`
	// timeout bounds each query; a slower backend is a 503. Default: 5s.
	Timeout metav1.Duration `json:"timeout"`
	// bearerTokenFile holds a bearer token to send; it is re-read every minute, and at once
	// after Prometheus answers 401, so a rotated token is picked up.
	BearerTokenFile string `json:"bearerTokenFile,omitempty"`
	// caFile verifies the server's certificate.
	CAFile string `json:"caFile,omitempty"`
	// insecureSkipVerify skips verifying the server's certificate. Never in production.
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
}

// EtcdConfiguration says where the objects are stored.
type EtcdConfiguration struct {
	// servers are the etcd client URLs (--etcd-servers). Empty starts an etcd inside the
	// server, listening on 127.0.0.1 only.
	Servers []string `json:"servers"`
	// prefix is prepended to every key (--etcd-prefix), keeping our keys apart from
	// kube-apiserver's when they share an etcd. Default: /registry/example.com.
	Prefix string `json:"prefix"`
	// embeddedDataDir is the data directory of the embedded etcd (--embedded-etcd-data-dir);
	// empty means a temporary directory removed at exit. Only valid without servers.
	EmbeddedDataDir string `json:"embeddedDataDir"`
	// storageVersion is the example.com version objects are written to etcd in
	// (--storage-version): "v1" or "v2". Every version is read whatever was written, and an
	// object is rewritten in this one on its next write. Default: v1, which the previous
	// release reads too; set v2 only once no server of a release that cannot read v2 shares
	// the etcd (docs/api.md).
	StorageVersion string `json:"storageVersion"`
}

// CronTabPolicy configures the admission plugins that police CronTabs.
type CronTabPolicy struct {
	// imagePolicy configures CronTabImagePolicy.
	ImagePolicy CronTabImagePolicy `json:"imagePolicy"`
	// namespaceLimits configures CronTabNamespaceLimits.
	NamespaceLimits CronTabNamespaceLimits `json:"namespaceLimits"`
}

// CronTabImagePolicy says which images a CronTab may run.
type CronTabImagePolicy struct {
	// allowedPrefixes are registries ("registry.example.com") or repository prefixes
	// ("docker.io/library"), matched on path segments against the normalized image name
	// ("nginx" is "docker.io/library/nginx"). Empty allows every image.
	AllowedPrefixes []string `json:"allowedPrefixes"`
	// requireDigest requires images pinned by digest (image@sha256:...).
	RequireDigest bool `json:"requireDigest"`
}

// CronTabNamespaceLimits are the caps of namespaces that do not set their own with the
// example.com/max-crontabs and example.com/max-crontab-replicas annotations.
type CronTabNamespaceLimits struct {
	// defaultMaxCronTabs caps the number of CronTabs in a namespace. Unset: no cap.
	DefaultMaxCronTabs *int32 `json:"defaultMaxCronTabs,omitempty"`
	// defaultMaxReplicas caps the sum of spec.replicas over a namespace's CronTabs, through
	// the scale subresource too. Unset: no cap.
	DefaultMaxReplicas *int32 `json:"defaultMaxReplicas,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTabImagePolicyConfiguration configures the CronTabImagePolicy plugin from an
// AdmissionConfiguration (--admission-control-config-file).
type CronTabImagePolicyConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	CronTabImagePolicy `json:",inline"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// CronTabNamespaceLimitsConfiguration configures the CronTabNamespaceLimits plugin from an
// AdmissionConfiguration (--admission-control-config-file).
type CronTabNamespaceLimitsConfiguration struct {
	metav1.TypeMeta `json:",inline"`

	CronTabNamespaceLimits `json:",inline"`
}
