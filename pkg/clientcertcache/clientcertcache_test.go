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
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authentication/request/headerrequest"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/client-go/util/cert"
	"k8s.io/component-base/metrics/testutil"
	testingclock "k8s.io/utils/clock/testing"

	"example.com/example-apiserver/test/utils"
)

// How a request was authenticated, as the handler reports it.
const (
	refused   = "refused" // an error: the server answers 401
	anonymous = "system:anonymous"
)

// checked says how the cache checked a request's certificate, from the counters it moved;
// a certificate checked from the cache may still be refused by what is read per request.
type checked int

const (
	notVerified checked = iota // no certificate, or none that verifies
	verified                   // verified now, and remembered
	fromCache                  // verified earlier on the same connection
)

// step is one request on a client's connection, after an optional change of the world.
type step struct {
	client string
	// before runs first: a CA rotation, the clock moving, the allowed names changing.
	before func(f *fixture)
	header map[string]string
	// want is the user (name and groups) the request authenticates as, or refused.
	want    string
	checked checked
}

func TestAuthenticate(t *testing.T) {
	for _, protocol := range []string{"HTTP/1.1", "HTTP/2.0"} {
		t.Run(protocol, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				// size of the cache; 16 unless set.
				size int
				// clockBehind sets the cache's clock 90 minutes back; the library reads the real
				// clock, so its answers are not compared.
				clockBehind bool
				steps       []step
			}{{
				name: "a client certificate is verified once per connection",
				steps: []step{
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: fromCache},
					{client: "alice", want: "alice [devs system:authenticated]", checked: fromCache},
				},
			}, {
				name: "a client CA rotated away refuses the next request on the same connection",
				steps: []step{
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: fromCache},
					{client: "alice", before: rotateClientCA(otherCA), want: refused},
					{client: "alice", want: refused},
				},
			}, {
				name: "a reloaded client CA bundle verifies again",
				steps: []step{
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice", before: rotateClientCA(clientCA, otherCA), want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: fromCache},
				},
			}, {
				name:        "an expired client certificate is refused on the same connection",
				clockBehind: true,
				steps: []step{
					{client: "expired-alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "expired-alice", want: "alice [devs system:authenticated]", checked: fromCache},
					{client: "expired-alice", before: advanceClock(31 * time.Minute), want: refused},
				},
			}, {
				name:        "a client CA that expires refuses its certificates on the same connection",
				clockBehind: true,
				steps: []step{
					{client: "alice-of-expiring-ca", before: rotateClientCA(expiringCA), want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice-of-expiring-ca", want: "alice [devs system:authenticated]", checked: fromCache},
					{client: "alice-of-expiring-ca", before: advanceClock(11 * time.Minute), want: refused},
				},
			}, {
				name: "a certificate of another CA is refused and never remembered",
				steps: []step{
					{client: "mallory", want: refused},
					{client: "mallory", want: refused},
				},
			}, {
				name: "a second connection is never served from the first's verification",
				steps: []step{
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "mallory", want: refused},
					{client: "bob", want: "bob [system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: fromCache},
					{client: "bob", want: "bob [system:authenticated]", checked: fromCache},
				},
			}, {
				name: "a full cache forgets the least recently used connection",
				size: 1,
				steps: []step{
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "bob", want: "bob [system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
				},
			}, {
				// What an entry keeps is bounded: a client that pads its handshake with
				// certificates would otherwise fill the cache with them.
				name: "a connection with more certificates than a chain needs is verified on every request",
				steps: []step{
					{client: "padded-alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "padded-alice", want: "alice [devs system:authenticated]", checked: verified},
				},
			}, {
				name: "a connection whose certificates are larger than an entry keeps is verified on every request",
				steps: []step{
					{client: "large-alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "large-alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: fromCache},
				},
			}, {
				name: "no certificate is the delegate's",
				steps: []step{
					{client: "anonymous", want: anonymous},
				},
			}, {
				name: "the front proxy's user is read from every request",
				steps: []step{
					{client: "front-proxy", header: map[string]string{"X-Remote-User": "carol", "X-Remote-Group": "ops"}, want: "carol [ops system:authenticated]", checked: verified},
					{client: "front-proxy", header: map[string]string{"X-Remote-User": "dave"}, want: "dave [system:authenticated]", checked: fromCache},
					{client: "front-proxy", header: map[string]string{"X-Remote-User": "erin", "X-Remote-Extra-Scopes": "a"}, want: "erin [system:authenticated] scopes=[a]", checked: fromCache},
				},
			}, {
				name: "a front proxy that names no user is the delegate's",
				steps: []step{
					{client: "front-proxy", header: map[string]string{"X-Remote-User": "carol"}, want: "carol [system:authenticated]", checked: verified},
					{client: "front-proxy", want: refused, checked: fromCache},
				},
			}, {
				name: "a name taken off the allowed list is refused at once",
				steps: []step{
					{client: "front-proxy", header: map[string]string{"X-Remote-User": "carol"}, want: "carol [system:authenticated]", checked: verified},
					{client: "front-proxy", before: allowNames("another-proxy"), header: map[string]string{"X-Remote-User": "carol"}, want: refused, checked: fromCache},
					{client: "front-proxy", before: allowNames(), header: map[string]string{"X-Remote-User": "carol"}, want: "carol [system:authenticated]", checked: fromCache},
				},
			}, {
				name: "a request-header CA rotated away refuses the front proxy on the same connection",
				steps: []step{
					{client: "front-proxy", header: map[string]string{"X-Remote-User": "carol"}, want: "carol [system:authenticated]", checked: verified},
					{client: "front-proxy", before: rotateFrontProxyCA(otherCA), header: map[string]string{"X-Remote-User": "carol"}, want: refused},
				},
			}, {
				name: "a front proxy's certificate does not authenticate as itself on another connection",
				steps: []step{
					{client: "front-proxy", header: map[string]string{"X-Remote-User": "carol"}, want: "carol [system:authenticated]", checked: verified},
					{client: "alice", want: "alice [devs system:authenticated]", checked: verified},
					{client: "alice", header: map[string]string{"X-Remote-User": "carol"}, want: "alice [devs system:authenticated]", checked: fromCache},
				},
			}} {
				t.Run(tc.name, func(t *testing.T) {
					size := tc.size
					if size == 0 {
						size = 16
					}
					f := newFixture(t, protocol, size, tc.clockBehind)
					firstAddr := map[string]string{}
					for i, s := range tc.steps {
						if s.before != nil {
							s.before(f)
						}
						before := f.counts()
						got := f.do(s.client, s.header)
						if got.Cached != s.want {
							t.Errorf("step %d (%s): authenticated as %q, want %q", i, s.client, got.Cached, s.want)
						}
						if !tc.clockBehind && got.Library != got.Cached {
							t.Errorf("step %d (%s): %q, the library chain alone %q", i, s.client, got.Cached, got.Library)
						}
						if got.Proto != protocol {
							t.Errorf("step %d (%s): spoke %s", i, s.client, got.Proto)
						}
						if first, ok := firstAddr[s.client]; ok && got.RemoteAddr != first {
							t.Errorf("step %d (%s): a new connection from %s, want the one from %s", i, s.client, got.RemoteAddr, first)
						}
						firstAddr[s.client] = got.RemoteAddr
						if how := f.counts().since(before); how != s.checked {
							t.Errorf("step %d (%s): certificate %v, want %v", i, s.client, how, s.checked)
						}
					}
				})
			}
		})
	}
}

type nobody struct{}

func (*nobody) AuthenticateRequest(*http.Request) (*authenticator.Response, bool, error) {
	return nil, false, nil
}

func TestNewWithoutCacheIsTheDelegate(t *testing.T) {
	var delegate authenticator.Request = &nobody{}
	provider, err := dynamiccertificates.NewStaticCAContent(clientCA, utils.NewCA(t, clientCA).CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	if got := New(delegate, Config{Size: 0, ClientCA: provider}); got != delegate {
		t.Errorf("size 0: got %T, want the delegate", got)
	}
	if got := New(delegate, Config{Size: 16}); got != delegate {
		t.Errorf("no CA: got %T, want the delegate", got)
	}
}

func (c checked) String() string {
	return [...]string{"not verified", "verified", "from the cache"}[c]
}

// Names of the CAs the fixture holds.
const (
	clientCA     = "client-ca"
	frontProxyCA = "front-proxy-ca"
	otherCA      = "other-ca"
	// expiringCA expired 80 minutes ago.
	expiringCA = "expiring-ca"
)

type fixture struct {
	t        *testing.T
	clock    *testingclock.FakePassiveClock
	cas      map[string]*utils.KeyPair
	caFiles  map[string]string // clientCA, frontProxyCA -> file
	provider map[string]*dynamiccertificates.DynamicFileCAContent

	mu      sync.Mutex
	allowed []string

	server  *httptest.Server
	clients map[string]*http.Client
}

// reply is what the handler answers: the user each authenticator found, and the connection.
type reply struct {
	Library, Cached   string
	Proto, RemoteAddr string
}

func newFixture(t *testing.T, protocol string, size int, clockBehind bool) *fixture {
	now := time.Now()
	f := &fixture{
		t:        t,
		clock:    testingclock.NewFakePassiveClock(now),
		cas:      map[string]*utils.KeyPair{},
		caFiles:  map[string]string{},
		provider: map[string]*dynamiccertificates.DynamicFileCAContent{},
		allowed:  []string{"front-proxy"},
		clients:  map[string]*http.Client{},
	}
	for _, name := range []string{clientCA, frontProxyCA, otherCA} {
		f.cas[name] = utils.NewCAValid(t, name, now.Add(-24*time.Hour), now.Add(24*time.Hour))
	}
	f.cas[expiringCA] = utils.NewCAValid(t, expiringCA, now.Add(-24*time.Hour), now.Add(-80*time.Minute))
	dir := t.TempDir()
	for _, name := range []string{clientCA, frontProxyCA} {
		f.caFiles[name] = filepath.Join(dir, name+".crt")
		f.writeCAFile(name, name)
		p, err := dynamiccertificates.NewDynamicCAContentFromFile(name, f.caFiles[name])
		if err != nil {
			t.Fatal(err)
		}
		f.provider[name] = p
	}

	// The request-header configuration as the delegated authentication builds it.
	requestHeader := &authenticatorfactory.RequestHeaderConfig{
		CAContentProvider:   f.provider[frontProxyCA],
		AllowedClientNames:  headerrequest.StringSliceProviderFunc(f.allowedNames),
		UsernameHeaders:     headerrequest.StaticStringSlice{"X-Remote-User"},
		UIDHeaders:          headerrequest.StaticStringSlice{},
		GroupHeaders:        headerrequest.StaticStringSlice{"X-Remote-Group"},
		ExtraHeaderPrefixes: headerrequest.StaticStringSlice{"X-Remote-Extra-"},
	}
	library, _, err := authenticatorfactory.DelegatingAuthenticatorConfig{
		Anonymous:                          &apiserver.AnonymousAuthConfig{Enabled: true},
		ClientCertificateCAContentProvider: f.provider[clientCA],
		RequestHeaderConfig:                requestHeader,
	}.New()
	if err != nil {
		t.Fatal(err)
	}
	cached := New(library, Config{Size: size, RequestHeader: requestHeader, ClientCA: f.provider[clientCA], Clock: f.clock})

	f.server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The library's request-header authenticator removes the headers it read: each
		// authenticator gets its own copy of the request.
		got := reply{
			Library:    describe(library.AuthenticateRequest(r.Clone(r.Context()))),
			Cached:     describe(cached.AuthenticateRequest(r)),
			Proto:      r.Proto,
			RemoteAddr: r.RemoteAddr,
		}
		_ = json.NewEncoder(w).Encode(got)
	}))
	// As the generic apiserver: ask for a certificate, verify it per request, HTTP/2 from x/net.
	f.server.TLS = &tls.Config{ClientAuth: tls.RequestClientCert, NextProtos: []string{"http/1.1"}}
	if protocol == "HTTP/2.0" {
		if err := http2.ConfigureServer(f.server.Config, &http2.Server{}); err != nil {
			t.Fatal(err)
		}
		f.server.TLS.NextProtos = []string{"h2"}
	}
	f.server.StartTLS()
	t.Cleanup(f.server.Close)

	valid := [2]time.Time{now.Add(-time.Hour), now.Add(time.Hour)}
	f.addClient("alice", protocol, f.cas[clientCA], "alice", []string{"devs"}, valid)
	f.addClient("bob", protocol, f.cas[clientCA], "bob", nil, valid)
	f.addClient("mallory", protocol, f.cas[otherCA], "alice", []string{"devs"}, valid)
	f.addClient("front-proxy", protocol, f.cas[frontProxyCA], "front-proxy", nil, valid)
	f.addClient("anonymous", protocol, nil, "", nil, valid)
	// Expired an hour ago; the clock behind shows it valid until it moves 31 minutes on.
	f.addClient("expired-alice", protocol, f.cas[clientCA], "alice", []string{"devs"}, [2]time.Time{now.Add(-2 * time.Hour), now.Add(-time.Hour)})
	f.addClient("alice-of-expiring-ca", protocol, f.cas[expiringCA], "alice", []string{"devs"}, [2]time.Time{now.Add(-2 * time.Hour), now.Add(time.Hour)})
	f.addOversizedClients(protocol, valid)
	if clockBehind {
		f.clock.SetTime(now.Add(-90 * time.Minute))
	}
	return f
}

func (f *fixture) allowedNames() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.allowed
}

// addClient makes a client with its own connection, presenting a certificate of ca (none if
// nil).
func (f *fixture) addClient(name, protocol string, ca *utils.KeyPair, commonName string, groups []string, valid [2]time.Time) {
	if ca == nil {
		f.addClientPresenting(name, protocol, nil)
		return
	}
	leaf := ca.Issue(f.t, utils.Leaf{Config: cert.Config{CommonName: commonName, Organization: groups, NotBefore: valid[0],
		Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, NotAfter: valid[1]})
	f.addClientPresenting(name, protocol, []tls.Certificate{leaf.TLSCertificate()})
}

// addClientPresenting makes a client with its own connection that presents certificates.
func (f *fixture) addClientPresenting(name, protocol string, certificates []tls.Certificate) {
	transport := f.server.Client().Transport.(*http.Transport).Clone()
	transport.MaxConnsPerHost = 1
	transport.ForceAttemptHTTP2 = protocol == "HTTP/2.0"
	transport.TLSClientConfig.Certificates = certificates
	f.t.Cleanup(transport.CloseIdleConnections)
	f.clients[name] = &http.Client{Transport: transport}
}

// addOversizedClients adds alice's certificate sent with more certificates than any chain
// needs (padded-alice), and a certificate larger than the cache keeps (large-alice).
func (f *fixture) addOversizedClients(protocol string, valid [2]time.Time) {
	usages := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	padded := f.cas[clientCA].Issue(f.t, utils.Leaf{Config: cert.Config{CommonName: "alice", Organization: []string{"devs"},
		NotBefore: valid[0], Usages: usages}, NotAfter: valid[1]}).TLSCertificate()
	for i := range maxCachedPeerCertificates {
		padded.Certificate = append(padded.Certificate, utils.NewCA(f.t, fmt.Sprintf("padding-%d", i)).Cert.Raw)
	}
	f.addClientPresenting("padded-alice", protocol, []tls.Certificate{padded})

	var names []string
	for i := 0; len(names)*len("name-0000.example.com") <= maxCachedPeerCertificateBytes; i++ {
		names = append(names, fmt.Sprintf("name-%04d.example.com", i))
	}
	large := f.cas[clientCA].Issue(f.t, utils.Leaf{Config: cert.Config{CommonName: "alice", Organization: []string{"devs"},
		NotBefore: valid[0], Usages: usages, AltNames: cert.AltNames{DNSNames: names}}, NotAfter: valid[1]})
	f.addClientPresenting("large-alice", protocol, []tls.Certificate{large.TLSCertificate()})
}

func (f *fixture) do(client string, header map[string]string) reply {
	req, err := http.NewRequest(http.MethodGet, f.server.URL, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.clients[client].Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var got reply
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		f.t.Fatal(err)
	}
	// Read to the end, or HTTP/1.1 would not reuse the connection.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		f.t.Fatal(err)
	}
	return got
}

// writeCAFile writes the PEM of the named CAs to the file of provider.
func (f *fixture) writeCAFile(provider string, cas ...string) {
	var data []byte
	for _, name := range cas {
		data = append(data, f.cas[name].CertPEM...)
	}
	if err := os.WriteFile(f.caFiles[provider], data, 0o600); err != nil {
		f.t.Fatal(err)
	}
}

// rotate rewrites a provider's CA file and reloads it, as its file watch would.
func rotate(provider string, cas ...string) func(*fixture) {
	return func(f *fixture) {
		f.writeCAFile(provider, cas...)
		if err := f.provider[provider].RunOnce(context.Background()); err != nil {
			f.t.Fatal(err)
		}
	}
}

func rotateClientCA(cas ...string) func(*fixture) { return rotate(clientCA, cas...) }

func rotateFrontProxyCA(cas ...string) func(*fixture) { return rotate(frontProxyCA, cas...) }

func advanceClock(d time.Duration) func(*fixture) {
	return func(f *fixture) { f.clock.SetTime(f.clock.Now().Add(d)) }
}

func allowNames(names ...string) func(*fixture) {
	return func(f *fixture) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.allowed = names
	}
}

// counts are the cache's counters, summed over both CAs.
type counts struct{ cached, verified float64 }

func (f *fixture) counts() counts {
	var c counts
	for _, ca := range []string{requestHeaderLabel, clientCALabel} {
		c.cached += counterValue(f.t, ca, resultCached)
		c.verified += counterValue(f.t, ca, resultVerified)
	}
	return c
}

func (c counts) since(before counts) checked {
	switch {
	case c.verified > before.verified:
		return verified
	case c.cached > before.cached:
		return fromCache
	}
	return notVerified
}

func counterValue(t *testing.T, ca, result string) float64 {
	v, err := testutil.GetCounterMetricValue(lookups.WithLabelValues(ca, result))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// describe prints an authenticator's answer: the user, or refused.
func describe(resp *authenticator.Response, ok bool, err error) string {
	if err != nil || !ok {
		return refused
	}
	u := resp.User
	if u.GetName() == anonymous {
		return anonymous
	}
	s := fmt.Sprintf("%s %v", u.GetName(), u.GetGroups())
	keys := make([]string, 0, len(u.GetExtra()))
	for k := range u.GetExtra() {
		if k != "authentication.kubernetes.io/credential-id" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		s += fmt.Sprintf(" %s=%v", k, u.GetExtra()[k])
	}
	return s
}
