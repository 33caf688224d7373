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

package validation

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/config"
)

// Bounds of login.tokenLifetime: long enough to be worth a login, short enough that a
// disabled directory account loses access the same day.
const (
	MinTokenLifetime = 10 * time.Second
	MaxTokenLifetime = 24 * time.Hour
)

// ValidateLoginConfiguration validates the login section.
func ValidateLoginConfiguration(l *config.LoginConfiguration, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if l.Issuer == "" {
		errs = append(errs, field.Required(fldPath.Child("issuer"), "the tokens' iss claim"))
	}
	if l.Audience == "" {
		errs = append(errs, field.Required(fldPath.Child("audience"), "the tokens' aud claim"))
	}
	if d := l.TokenLifetime.Duration; d < MinTokenLifetime || d > MaxTokenLifetime {
		errs = append(errs, field.Invalid(fldPath.Child("tokenLifetime"), d.String(), "must be between 10s and 24h"))
	}
	if l.SigningKeysFile == "" {
		errs = append(errs, field.Required(fldPath.Child("signingKeysFile"), "a PEM file of private keys; the first signs"))
	}
	// A directory must never be able to hand out Kubernetes' own identities, and no prefix
	// only when asked for: unprefixed directory users share names with other authenticators'.
	// Defaulting fills an omitted prefix; nil reaches here only from a configuration built
	// without it.
	switch {
	case l.UsernamePrefix == nil:
		errs = append(errs, field.Required(fldPath.Child("usernamePrefix"), `e.g. "ldap:", or "" set explicitly for none`))
	case strings.HasPrefix(*l.UsernamePrefix, "system:"):
		errs = append(errs, field.Invalid(fldPath.Child("usernamePrefix"), *l.UsernamePrefix, "must not start with system:"))
	}
	switch {
	case l.GroupPrefix == "":
		errs = append(errs, field.Required(fldPath.Child("groupPrefix"), `e.g. "ldap:": directory groups must not be mistaken for other groups`))
	case strings.HasPrefix(l.GroupPrefix, "system:"):
		errs = append(errs, field.Invalid(fldPath.Child("groupPrefix"), l.GroupPrefix, "must not start with system:"))
	}
	limits := fldPath.Child("failedLogins")
	if l.FailedLogins.PerUser < 1 {
		errs = append(errs, field.Invalid(limits.Child("perUser"), l.FailedLogins.PerUser, "must be at least 1"))
	}
	switch {
	case l.FailedLogins.PerUserAndSource < 1:
		errs = append(errs, field.Invalid(limits.Child("perUserAndSource"), l.FailedLogins.PerUserAndSource, "must be at least 1"))
	case l.FailedLogins.PerUserAndSource > l.FailedLogins.PerUser:
		errs = append(errs, field.Invalid(limits.Child("perUserAndSource"), l.FailedLogins.PerUserAndSource, "must not be more than perUser, which counts every address"))
	}
	if l.FailedLogins.PerSource < 1 {
		errs = append(errs, field.Invalid(limits.Child("perSource"), l.FailedLogins.PerSource, "must be at least 1"))
	}
	if l.FailedLogins.Period.Duration <= 0 {
		errs = append(errs, field.Invalid(limits.Child("period"), l.FailedLogins.Period.Duration.String(), "must be positive"))
	}
	errs = append(errs, validateLDAP(&l.LDAP, fldPath.Child("ldap"))...)
	return errs
}

func validateLDAP(l *config.LDAPConfiguration, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	u, err := url.Parse(l.URL)
	switch {
	case l.URL == "":
		errs = append(errs, field.Required(fldPath.Child("url"), "ldap://host:port or ldaps://host:port"))
	case err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Host == "" || (u.Path != "" && u.Path != "/"):
		errs = append(errs, field.Invalid(fldPath.Child("url"), l.URL, "must be ldap://host:port or ldaps://host:port"))
	case u.Scheme == "ldaps" && l.StartTLS:
		errs = append(errs, field.Forbidden(fldPath.Child("startTLS"), "ldaps:// is TLS already; startTLS goes with ldap://"))
	}
	if u != nil && u.Scheme == "ldap" && !l.StartTLS {
		if l.CAFile != "" {
			errs = append(errs, field.Forbidden(fldPath.Child("caFile"), "only used with ldaps:// or startTLS"))
		}
		if !l.InsecureSendPasswordsInClear && !isLoopback(u.Hostname()) {
			errs = append(errs, field.Forbidden(fldPath.Child("url"), "ldap:// without startTLS sends passwords in clear text: use ldaps:// or startTLS: true "+
				"(or, on an encrypted network, insecureSendPasswordsInClear: true)"))
		}
	} else if l.InsecureSendPasswordsInClear {
		errs = append(errs, field.Forbidden(fldPath.Child("insecureSendPasswordsInClear"), "only with ldap:// without startTLS"))
	}
	if (l.BindDN == "") != (l.BindPasswordFile == "") {
		errs = append(errs, field.Required(fldPath.Child("bindPasswordFile"), "bindDN and bindPasswordFile go together"))
	}
	if l.BindDN != "" {
		errs = append(errs, validateDN(l.BindDN, fldPath.Child("bindDN"))...)
	}
	if l.Timeout.Duration <= 0 {
		errs = append(errs, field.Invalid(fldPath.Child("timeout"), l.Timeout.Duration.String(), "must be positive"))
	}
	us := fldPath.Child("userSearch")
	if l.UserSearch.BaseDN == "" {
		errs = append(errs, field.Required(us.Child("baseDN"), "e.g. ou=people,dc=example,dc=com"))
	} else {
		errs = append(errs, validateDN(l.UserSearch.BaseDN, us.Child("baseDN"))...)
	}
	errs = append(errs, validateFilter(l.UserSearch.Filter, "{username}", us.Child("filter"))...)
	if l.UserSearch.UsernameAttribute == "" {
		errs = append(errs, field.Required(us.Child("usernameAttribute"), "e.g. uid"))
	}
	if l.UserSearch.UIDAttribute == "" {
		errs = append(errs, field.Required(us.Child("uidAttribute"), "e.g. entryUUID"))
	}
	gs := fldPath.Child("groupSearch")
	if l.GroupSearch.BaseDN != "" {
		errs = append(errs, validateDN(l.GroupSearch.BaseDN, gs.Child("baseDN"))...)
		errs = append(errs, validateFilter(l.GroupSearch.Filter, "", gs.Child("filter"))...)
		if l.GroupSearch.NameAttribute == "" {
			errs = append(errs, field.Required(gs.Child("nameAttribute"), "e.g. cn"))
		}
	}
	return errs
}

// isLoopback says whether host is this machine's own: a password sent there in clear text
// never crosses a network.
func isLoopback(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return host == "localhost"
}

func validateDN(dn string, fldPath *field.Path) field.ErrorList {
	if _, err := ldap.ParseDN(dn); err != nil {
		return field.ErrorList{field.Invalid(fldPath, dn, "not a distinguished name: "+err.Error())}
	}
	return nil
}

// validateFilter compiles filter with its placeholders filled in, so that a typo stops the
// server at start rather than failing every login; must is a placeholder it has to contain.
func validateFilter(filter, must string, fldPath *field.Path) field.ErrorList {
	if must != "" && !strings.Contains(filter, must) {
		return field.ErrorList{field.Invalid(fldPath, filter, "must contain "+must)}
	}
	filled := strings.NewReplacer("{username}", "x", "{dn}", "cn=x").Replace(filter)
	if _, err := ldap.CompileFilter(filled); err != nil {
		return field.ErrorList{field.Invalid(fldPath, filter, "not an LDAP filter: "+err.Error())}
	}
	return nil
}
