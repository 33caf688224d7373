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

package clientcertcache

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"time"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authentication/group"
	"k8s.io/apiserver/pkg/authentication/request/headerrequest"
	x509request "k8s.io/apiserver/pkg/authentication/request/x509"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/utils/clock"
	"k8s.io/utils/lru"
)

// Config says which certificate authorities the delegated authenticator trusts, from the same
// providers it uses, so a reload is seen by both at once.
type Config struct {
	// Size is how many verified connections are remembered, least recently used forgotten
	// first; 0 or less verifies on every request.
	Size int
	// RequestHeader is the front proxy's configuration (nil: none): its CA, the common names
	// allowed to send users in headers, and those headers.
	RequestHeader *authenticatorfactory.RequestHeaderConfig
	// ClientCA verifies client certificates that authenticate as their common name (nil: none).
	ClientCA dynamiccertificates.CAContentProvider
	// Clock is the time certificates must be valid at; nil is the real clock.
	Clock clock.PassiveClock
}

// New returns an authenticator that serves requests whose client certificate it has verified
// on the same connection from a cache, and hands everything else to delegate: the
// delegated authenticator of k8s.io/apiserver, which c must describe (the request-header
// authenticator first, then the client CA, then the rest, with system:authenticated added).
// Only a successful verification is remembered, never a user: the front proxy's headers and
// its allowed names are read on every request, and every refusal, every request without a
// certificate and every token is the delegate's, with its errors. A remembered verification
// is used while the CA bundle is the one it was made with and every certificate of the
// verified chain, the CA included, is valid.
func New(delegate authenticator.Request, c Config) authenticator.Request {
	if c.Size <= 0 || (c.RequestHeader == nil && c.ClientCA == nil) {
		return delegate
	}
	registerMetrics()
	certs := &certificates{verifications: lru.New(c.Size), clock: c.Clock}
	if certs.clock == nil {
		certs.clock = clock.RealClock{}
	}
	if rh := c.RequestHeader; rh != nil {
		certs.requestHeader = &authority{label: requestHeaderLabel, verifyOptions: rh.CAContentProvider.VerifyOptions}
		certs.allowedNames = rh.AllowedClientNames
		certs.headerUsers = headerrequest.NewDynamic(rh.UsernameHeaders, rh.UIDHeaders, rh.GroupHeaders, rh.ExtraHeaderPrefixes)
	}
	if c.ClientCA != nil {
		certs.clientCA = &authority{label: clientCALabel, verifyOptions: c.ClientCA.VerifyOptions}
	}
	return &cachingAuthenticator{cached: group.NewAuthenticatedGroupAdder(certs), delegate: delegate}
}

type cachingAuthenticator struct {
	cached   authenticator.Request
	delegate authenticator.Request
}

func (a *cachingAuthenticator) AuthenticateRequest(req *http.Request) (*authenticator.Response, bool, error) {
	if resp, ok, err := a.cached.AuthenticateRequest(req); ok && err == nil {
		return resp, true, nil
	}
	return a.delegate.AuthenticateRequest(req)
}

// authority is a CA bundle client certificates are verified against.
type authority struct {
	label         string // of the metric
	verifyOptions x509request.VerifyOptionFunc
}

// connectionKey names a connection's verification by one authority. net/http (HTTP/1.1) and
// golang.org/x/net/http2 both fill req.TLS from one *tls.ConnectionState per connection,
// made once after the handshake and shared by every request and stream on it, so the pointer
// is the connection; the cache holding it keeps it from being reused by another. (The leaf
// certificate's pointer is not: crypto/tls shares parsed certificates of resumed sessions.)
type connectionKey struct {
	connection *tls.ConnectionState
	authority  *authority
}

// verification is a successful verification of a connection's certificates.
type verification struct {
	// roots is the pool they were verified with: the dynamic CA providers build a new one on
	// every reload, so a rotated bundle never matches.
	roots  *x509.CertPool
	chains [][]*x509.Certificate
	// notBefore and notAfter bound the time every certificate of every chain is valid.
	notBefore, notAfter time.Time
}

func newVerification(roots *x509.CertPool, chains [][]*x509.Certificate) *verification {
	v := &verification{roots: roots, chains: chains}
	for _, chain := range chains {
		for _, cert := range chain {
			if v.notBefore.IsZero() || cert.NotBefore.After(v.notBefore) {
				v.notBefore = cert.NotBefore
			}
			if v.notAfter.IsZero() || cert.NotAfter.Before(v.notAfter) {
				v.notAfter = cert.NotAfter
			}
		}
	}
	return v
}

// validAt mirrors crypto/x509: a certificate is valid from NotBefore to NotAfter inclusive.
func (v *verification) validAt(now time.Time) bool {
	return !now.Before(v.notBefore) && !now.After(v.notAfter)
}

// certificates authenticates the successful certificate paths of the delegated
// authenticator, in its order: a front proxy's user, then a client certificate's.
type certificates struct {
	verifications *lru.Cache // connectionKey -> *verification
	clock         clock.PassiveClock

	requestHeader *authority
	allowedNames  headerrequest.StringSliceProvider
	headerUsers   authenticator.Request

	clientCA *authority
}

func (c *certificates) AuthenticateRequest(req *http.Request) (*authenticator.Response, bool, error) {
	if req.TLS == nil || len(req.TLS.PeerCertificates) == 0 {
		return nil, false, nil
	}
	// As the delegated authenticator's union: a front proxy that is not allowed or names no
	// user is no answer, and the client CA is tried next.
	if c.requestHeader != nil {
		if _, ok := c.verify(c.requestHeader, req.TLS); ok && c.allowedName(req.TLS.PeerCertificates[0].Subject.CommonName) {
			if resp, ok, err := c.headerUsers.AuthenticateRequest(req); ok || err != nil {
				return resp, ok, err
			}
		}
	}
	if c.clientCA != nil {
		if chains, ok := c.verify(c.clientCA, req.TLS); ok {
			for _, chain := range chains {
				if resp, ok, err := x509request.CommonNameUserConversion.User(chain); ok && err == nil {
					return resp, true, nil
				}
			}
		}
	}
	return nil, false, nil
}

// allowedName is the front proxy's allowed-names check: an empty list allows every name.
func (c *certificates) allowedName(commonName string) bool {
	allowed := c.allowedNames.Value()
	if len(allowed) == 0 {
		return true
	}
	for _, name := range allowed {
		if name == commonName {
			return true
		}
	}
	return false
}

// verify returns the connection's verified chains from the cache, or verifies its
// certificates as the delegated authenticator does and remembers a success.
func (c *certificates) verify(a *authority, connection *tls.ConnectionState) ([][]*x509.Certificate, bool) {
	opts, ok := a.verifyOptions()
	if !ok { // no CA bundle loaded yet
		return nil, false
	}
	key := connectionKey{connection: connection, authority: a}
	now := c.clock.Now()
	peers := connection.PeerCertificates
	remember := rememberable(peers)
	if cached, ok := c.verifications.Get(key); remember && ok {
		if v := cached.(*verification); v.roots == opts.Roots && v.validAt(now) {
			lookups.WithLabelValues(a.label, resultCached).Inc()
			return v.chains, true
		}
	}
	if opts.Intermediates == nil && len(peers) > 1 {
		opts.Intermediates = x509.NewCertPool()
		for _, intermediate := range peers[1:] {
			opts.Intermediates.AddCert(intermediate)
		}
	}
	opts.CurrentTime = now
	chains, err := peers[0].Verify(opts)
	if err != nil {
		c.verifications.Remove(key)
		lookups.WithLabelValues(a.label, resultFailed).Inc()
		return nil, false
	}
	if remember {
		c.verifications.Add(key, newVerification(opts.Roots, chains))
	}
	lookups.WithLabelValues(a.label, resultVerified).Inc()
	return chains, true
}

// An entry's key holds the connection's state, with every certificate the client sent, until
// the entry is forgotten, long after the connection closed. A client needs its certificate
// and an intermediate or two: one that sends more, or larger ones (a handshake carries up to
// 256 KiB), is verified on every request instead, so that no client can fill the cache with
// certificates.
const (
	maxCachedPeerCertificates     = 4
	maxCachedPeerCertificateBytes = 16 << 10
)

// rememberable tells whether a connection's verification may be kept.
func rememberable(peers []*x509.Certificate) bool {
	if len(peers) > maxCachedPeerCertificates {
		return false
	}
	size := 0
	for _, cert := range peers {
		size += len(cert.Raw)
	}
	return size <= maxCachedPeerCertificateBytes
}
