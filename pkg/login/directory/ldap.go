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

// Package directory checks user names and passwords against an LDAP directory and reads the
// user's identity and groups from it, for the login API.
package directory

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"

	"example.com/example-apiserver/pkg/apis/config"
)

var (
	// ErrInvalidCredentials is every refused login alike (unknown user, wrong password,
	// ambiguous user name), so that callers answer the same way and never tell which.
	ErrInvalidCredentials = errors.New("invalid username or password")
	// ErrUnavailable wraps every failure to ask the directory: the login neither succeeds
	// nor counts as failed.
	ErrUnavailable = errors.New("the directory is unavailable")
)

// RefusedError is ErrInvalidCredentials for a user name that found an entry: a wrong
// password. Its DN lets callers limit guesses per entry, whatever spelling or alias found it.
type RefusedError struct{ DN string }

func (*RefusedError) Error() string { return ErrInvalidCredentials.Error() }

// Is makes a RefusedError an ErrInvalidCredentials.
func (*RefusedError) Is(target error) bool { return target == ErrInvalidCredentials }

// Identity is what the directory says about a user who logged in.
type Identity struct {
	// DN is the entry's distinguished name.
	DN string
	// Username is the entry's username attribute.
	Username string
	// UID is the entry's UID attribute, or its DN when it has none.
	UID string
	// Groups are the names of the user's groups, sorted, without prefix.
	Groups []string
}

// Authenticator checks passwords against an LDAP directory.
type Authenticator interface {
	Authenticate(ctx context.Context, username, password string) (*Identity, error)
}

// LDAP is an Authenticator on one directory; it opens a connection per login.
type LDAP struct {
	cfg       config.LDAPConfiguration
	tlsConfig *tls.Config
	// noSuchUserDN is the name under the user search base that a refused user name's
	// password is tried on: random, so that it is no entry.
	noSuchUserDN string
}

var _ Authenticator = &LDAP{}

// NewLDAP returns the authenticator of cfg; the CA file is read here, once.
func NewLDAP(cfg config.LDAPConfiguration) (*LDAP, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("ldap url: %w", err)
	}
	host, _, err := net.SplitHostPort(u.Host)
	if err != nil {
		host = u.Host
	}
	tlsConfig := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ldap caFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ldap caFile %s holds no PEM certificate", cfg.CAFile)
		}
		tlsConfig.RootCAs = pool
	}
	noSuchUserDN := "cn=no-such-user-" + rand.Text() + "," + cfg.UserSearch.BaseDN
	return &LDAP{cfg: cfg, tlsConfig: tlsConfig, noSuchUserDN: noSuchUserDN}, nil
}

// Authenticate finds username's entry with the service account, binds as that entry with
// password, and reads its groups. A refused login is ErrInvalidCredentials (a RefusedError
// when the name found an entry), after the same
// requests to the directory whatever the reason; a directory that cannot be asked is wrapped
// in ErrUnavailable. Errors never hold the password.
func (l *LDAP) Authenticate(ctx context.Context, username, password string) (*Identity, error) {
	// An empty password is an unauthenticated bind, which LDAP servers accept: never a login.
	if username == "" || password == "" {
		return nil, ErrInvalidCredentials
	}
	deadline := time.Now().Add(l.cfg.Timeout.Duration)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn, err := l.connect(deadline)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// The request's context ends a login whose client went away.
	defer context.AfterFunc(ctx, func() { conn.Close() })()

	if err := l.bindServiceAccount(conn); err != nil {
		return nil, err
	}
	filter := strings.ReplaceAll(l.cfg.UserSearch.Filter, "{username}", ldap.EscapeFilter(username))
	users, err := conn.Search(ldap.NewSearchRequest(l.cfg.UserSearch.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		2, timeLimit(deadline), false, filter,
		[]string{l.cfg.UserSearch.UsernameAttribute, l.cfg.UserSearch.UIDAttribute}, nil))
	// sizeLimitExceeded, whatever number of entries came with it (the directory's own limit
	// may be 1), means more than one: an ambiguous user name.
	ambiguous := ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded)
	if err != nil && !ambiguous {
		return nil, fmt.Errorf("%w: searching users: %v", ErrUnavailable, err)
	}
	var entry *ldap.Entry
	var name string
	if !ambiguous && users != nil && len(users.Entries) == 1 {
		entry = users.Entries[0]
		name = entry.GetAttributeValue(l.cfg.UserSearch.UsernameAttribute)
	}
	if name == "" {
		// No user (none, several, or without a user name): the password is still tried, on
		// a name that is no entry, so that the directory does the work of a wrong password and
		// the refusal takes as long: a quicker one would tell which accounts exist. Whatever
		// the directory answers, the login is refused.
		if err := passwordBindError(conn.Bind(l.noSuchUserDN, password)); errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		return nil, ErrInvalidCredentials
	}
	if err := passwordBindError(conn.Bind(entry.DN, password)); err != nil {
		if errors.Is(err, ErrInvalidCredentials) {
			return nil, &RefusedError{DN: entry.DN}
		}
		return nil, err
	}
	uid := entry.GetAttributeValue(l.cfg.UserSearch.UIDAttribute)
	if uid == "" {
		uid = entry.DN
	}
	identity := &Identity{DN: entry.DN, Username: name, UID: uid, Groups: []string{}}
	if l.cfg.GroupSearch.BaseDN == "" {
		return identity, nil
	}
	// Groups are read as the service account: users may not be allowed to read them.
	if err := l.bindServiceAccount(conn); err != nil {
		return nil, err
	}
	filter = strings.NewReplacer("{dn}", ldap.EscapeFilter(entry.DN), "{username}", ldap.EscapeFilter(name)).Replace(l.cfg.GroupSearch.Filter)
	groups, err := conn.Search(ldap.NewSearchRequest(l.cfg.GroupSearch.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, timeLimit(deadline), false, filter, []string{l.cfg.GroupSearch.NameAttribute}, nil))
	if err != nil {
		return nil, fmt.Errorf("%w: searching groups: %v", ErrUnavailable, err)
	}
	for _, g := range groups.Entries {
		if n := g.GetAttributeValue(l.cfg.GroupSearch.NameAttribute); n != "" {
			identity.Groups = append(identity.Groups, n)
		}
	}
	sort.Strings(identity.Groups)
	return identity, nil
}

func (l *LDAP) connect(deadline time.Time) (*ldap.Conn, error) {
	dialer := &net.Dialer{Deadline: deadline}
	opts := []ldap.DialOpt{ldap.DialWithDialer(dialer)}
	if strings.HasPrefix(l.cfg.URL, "ldaps://") {
		opts = append(opts, ldap.DialWithTLSConfig(l.tlsConfig))
	}
	conn, err := ldap.DialURL(l.cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: connecting to %s: %v", ErrUnavailable, l.cfg.URL, err)
	}
	conn.SetTimeout(time.Until(deadline))
	if l.cfg.StartTLS {
		if err := conn.StartTLS(l.tlsConfig); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%w: StartTLS with %s: %v", ErrUnavailable, l.cfg.URL, err)
		}
	}
	return conn, nil
}

// passwordBindError is what a bind with the user's password means for the login. Any answer
// of the directory but success refuses it; only the directory failing to answer (the
// connection lost or timed out, the server busy or unavailable) is ErrUnavailable. The same
// for a user's entry and for noSuchUserDN, so that an unknown user gets the answer of a wrong
// password even from a directory that answers a name that is no entry with another code than
// invalidCredentials (noSuchObject, say).
func passwordBindError(err error) error {
	var ldapErr *ldap.Error
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &ldapErr), ldapErr.ResultCode >= ldap.ErrorNetwork, // go-ldap's own: no answer
		ldapErr.ResultCode == ldap.LDAPResultBusy, ldapErr.ResultCode == ldap.LDAPResultUnavailable:
		return fmt.Errorf("%w: binding with the user's password: %v", ErrUnavailable, err)
	default:
		return ErrInvalidCredentials
	}
}

func (l *LDAP) bindServiceAccount(conn *ldap.Conn) error {
	if l.cfg.BindDN == "" {
		return nil
	}
	data, err := os.ReadFile(l.cfg.BindPasswordFile)
	if err != nil {
		return fmt.Errorf("%w: reading bindPasswordFile: %v", ErrUnavailable, err)
	}
	if err := conn.Bind(l.cfg.BindDN, strings.TrimRight(string(data), "\r\n")); err != nil {
		return fmt.Errorf("%w: binding as %s: %v", ErrUnavailable, l.cfg.BindDN, err)
	}
	return nil
}

// timeLimit is the search time limit in whole seconds, at least 1 (0 means none).
func timeLimit(deadline time.Time) int {
	return max(1, int(time.Until(deadline)/time.Second))
}
