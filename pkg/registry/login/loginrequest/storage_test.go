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

package loginrequest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/component-base/metrics/testutil"
	"k8s.io/utils/clock"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/login"
	"example.com/example-apiserver/pkg/apis/login/validation"
	"example.com/example-apiserver/pkg/login/directory"
	"example.com/example-apiserver/pkg/login/ratelimit"
	"example.com/example-apiserver/pkg/login/token"
	"example.com/example-apiserver/test/ldaptest"
	"example.com/example-apiserver/test/utils"
)

// newREST returns loginrequests on a real directory, with its verifier; the login section
// (failedLogins defaulted) edited by configure.
func newREST(t *testing.T, dir *ldaptest.Directory, configure ...func(*config.LoginConfiguration)) (*REST, *token.Verifier) {
	t.Helper()
	keysFile := filepath.Join(t.TempDir(), "keys.pem")
	if err := os.WriteFile(keysFile, utils.NewKeyPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := dir.LoginConfig(t, keysFile)
	for _, c := range configure {
		c(cfg)
	}
	keys, err := token.NewKeyFile(keysFile, clock.RealClock{})
	if err != nil {
		t.Fatal(err)
	}
	ldap, err := directory.NewLDAP(cfg.LDAP)
	if err != nil {
		t.Fatal(err)
	}
	issuer := token.NewIssuer(keys, cfg.Issuer, cfg.Audience, cfg.TokenLifetime.Duration, clock.RealClock{})
	return NewREST(&Config{
		Directory: ldap, Issuer: issuer, GroupPrefix: cfg.GroupPrefix,
		Limits: NewLimits(cfg.FailedLogins, clock.RealClock{}),
	}), token.NewVerifier(keys, cfg.Issuer, cfg.Audience, clock.RealClock{})
}

// perUser allows n failures an hour per user, and plenty per source.
func perUser(n int32) func(*config.LoginConfiguration) {
	return func(c *config.LoginConfiguration) {
		c.FailedLogins = config.FailedLoginLimits{PerUser: n, PerUserAndSource: n, PerSource: 100, Period: metav1.Duration{Duration: time.Hour}}
	}
}

func loginRequest(username, password string) *login.LoginRequest {
	return &login.LoginRequest{Spec: login.LoginRequestSpec{Username: username, Password: password}}
}

func TestLogin(t *testing.T) {
	dir := ldaptest.Start(t)
	r, verifier := newREST(t, dir, perUser(100))
	alicePassword := dir.Password(t, "alice")

	var admitted runtime.Object
	admit := func(_ context.Context, obj runtime.Object) error { admitted = obj; return nil }
	req := loginRequest("alice", alicePassword)
	req.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}
	obj, err := r.Create(context.Background(), req, admit, &metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	answer := obj.(*login.LoginRequest)
	if answer.Spec.Password != "" || admitted.(*login.LoginRequest).Spec.Password != "" {
		t.Error("the password reached the answer or admission")
	}
	if answer.Spec.Username != "alice" || len(answer.ManagedFields) > 0 {
		t.Errorf("the answer is more or less than the request's user name and the status: %+v", answer)
	}
	wantGroups := []string{"ldap:cron-admins", "ldap:readers"}
	if u := answer.Status.User; u.Username != "alice" || u.UID == "" || strings.Join(u.Groups, ",") != strings.Join(wantGroups, ",") {
		t.Errorf("status.user %+v, want alice with a UID and groups %v", u, wantGroups)
	}
	if left := time.Until(answer.Status.ExpirationTimestamp.Time); left < 14*time.Minute || left > 15*time.Minute {
		t.Errorf("expires in %s, want the default 15m", left)
	}
	user, err := verifier.Verify(answer.Status.Token)
	if err != nil {
		t.Fatalf("the webhook's verifier refuses the token: %v", err)
	}
	if user.Username != "alice" || user.UID != answer.Status.User.UID || strings.Join(user.Groups, ",") != strings.Join(wantGroups, ",") {
		t.Errorf("token user %+v, answer's %+v", user, answer.Status.User)
	}
}

// Every refused login is the same 401, whichever part was wrong: no user enumeration.
func TestLoginRefusedUniformly(t *testing.T) {
	dir := ldaptest.Start(t)
	r, _ := newREST(t, dir, perUser(100))
	alicePassword := dir.Password(t, "alice")
	tests := []struct{ name, username, password string }{
		{"wrong password", "alice", "not-" + alicePassword},
		{"unknown user", "mallory", alicePassword},
		{"another user's password", "bob", alicePassword},
		{"filter injection", "*", alicePassword},
		{"filter injection closing the filter", "alice)(uid=*", alicePassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Create(context.Background(), loginRequest(tt.username, tt.password), nil, &metav1.CreateOptions{})
			status, ok := err.(apierrors.APIStatus)
			if !ok || status.Status().Code != http.StatusUnauthorized || status.Status().Message != invalidCredentials {
				t.Fatalf("got %v, want 401 %q", err, invalidCredentials)
			}
			if strings.Contains(err.Error(), alicePassword) {
				t.Error("the error quotes the password")
			}
		})
	}
}

func TestLoginInvalid(t *testing.T) {
	r := NewREST(nil)
	_, err := r.Create(context.Background(), loginRequest("", strings.Repeat("p", validation.MaxPasswordLength+1)), nil, &metav1.CreateOptions{})
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.username: Required") || !strings.Contains(err.Error(), "spec.password: Too long") {
		t.Fatalf("got %v, want 422 on spec.username and spec.password", err)
	}
	if strings.Contains(err.Error(), "ppp") {
		t.Error("the error quotes the password")
	}
	_, err = r.Create(context.Background(), loginRequest("alice", "secret"), nil, &metav1.CreateOptions{})
	if !apierrors.IsServiceUnavailable(err) || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("without a login section: got %v, want 503 saying login is not configured", err)
	}
}

// After PerUser failures even the right password is refused, with 429, for any user name.
func TestLoginRateLimited(t *testing.T) {
	RegisterMetrics() // component-base metrics count once registered
	dir := ldaptest.Start(t)
	r, _ := newREST(t, dir, perUser(2))
	for _, username := range []string{"alice", "mallory"} {
		for i := 0; i < 2; i++ {
			if _, err := r.Create(context.Background(), loginRequest(username, "wrong"), nil, &metav1.CreateOptions{}); !apierrors.IsUnauthorized(err) {
				t.Fatalf("%s failure %d: got %v, want 401", username, i+1, err)
			}
		}
		_, err := r.Create(context.Background(), loginRequest(strings.ToUpper(username), dir.Password(t, "alice")), nil, &metav1.CreateOptions{})
		if !apierrors.IsTooManyRequests(err) {
			t.Fatalf("%s after 2 failures: got %v, want 429", username, err)
		}
	}
	if _, err := r.Create(context.Background(), loginRequest("bob", dir.Password(t, "bob")), nil, &metav1.CreateOptions{}); err != nil {
		t.Errorf("bob is limited by alice's failures: %v", err)
	}
	for result, want := range map[string]float64{resultRefused: 4, resultRateLimited: 2} {
		if got, err := testutil.GetCounterMetricValue(loginRequests.WithLabelValues(result)); err != nil || got < want {
			t.Errorf("login_requests_total{result=%q} = %v (%v), want at least %v", result, got, err, want)
		}
	}
}

// A directory that does not answer is a 503, never a success, and counts no failure.
func TestLoginDirectoryDown(t *testing.T) {
	dir := ldaptest.Start(t)
	r, _ := newREST(t, dir, perUser(1))
	dir.Stop()
	for i := 0; i < 2; i++ {
		_, err := r.Create(context.Background(), loginRequest("alice", dir.Password(t, "alice")), nil, &metav1.CreateOptions{})
		if !apierrors.IsServiceUnavailable(err) || !strings.Contains(err.Error(), "directory") {
			t.Fatalf("attempt %d: got %v, want 503 naming the directory", i+1, err)
		}
	}
}

// The directory matches uid ignoring case, extra spaces and compatibility forms: every
// spelling it takes for alice shares alice's limit. Each spelling is first shown to log in as
// alice, so the test fails if it is no variant the directory accepts.
func TestLoginRateLimitedSpellings(t *testing.T) {
	dir := ldaptest.Start(t)
	password := dir.Password(t, "alice")
	spellings := []string{" alice", "alice ", "  alice  ", "ａlice", "ALICE", "ALİCE", "alice\u00a0", "\u3000alice"}
	unlimited, _ := newREST(t, dir, perUser(100))
	for _, s := range spellings {
		obj, err := unlimited.Create(context.Background(), loginRequest(s, password), nil, &metav1.CreateOptions{})
		if err != nil || obj.(*login.LoginRequest).Status.User.Username != "alice" {
			t.Fatalf("the directory does not take %q for alice: %v", s, err)
		}
	}
	r, _ := newREST(t, dir, perUser(2))
	for i := 0; i < 2; i++ {
		if _, err := r.Create(context.Background(), loginRequest("alice", "wrong"), nil, &metav1.CreateOptions{}); !apierrors.IsUnauthorized(err) {
			t.Fatalf("failure %d: got %v, want 401", i+1, err)
		}
	}
	for _, s := range spellings {
		if _, err := r.Create(context.Background(), loginRequest(s, password), nil, &metav1.CreateOptions{}); !apierrors.IsTooManyRequests(err) {
			t.Errorf("%q after alice's 2 failures: got %v, want 429", s, err)
		}
	}
}

// A name the folding cannot know for alice's (here her mail address) shares her entry's limit.
func TestLoginRateLimitedPerEntry(t *testing.T) {
	dir := ldaptest.Start(t)
	r, _ := newREST(t, dir, perUser(2), func(c *config.LoginConfiguration) {
		c.LDAP.UserSearch.Filter = "(|(uid={username})(mail={username}))"
	})
	for i := 0; i < 2; i++ {
		if _, err := r.Create(context.Background(), loginRequest("alice", "wrong"), nil, &metav1.CreateOptions{}); !apierrors.IsUnauthorized(err) {
			t.Fatalf("failure %d: got %v, want 401", i+1, err)
		}
	}
	for _, password := range []string{"wrong", dir.Password(t, "alice")} {
		if _, err := r.Create(context.Background(), loginRequest("alice@example.com", password), nil, &metav1.CreateOptions{}); !apierrors.IsTooManyRequests(err) {
			t.Errorf("alice's mail address after her 2 failures: got %v, want 429 whatever the password", err)
		}
	}
	if _, err := r.Create(context.Background(), loginRequest("bob@example.com", dir.Password(t, "bob")), nil, &metav1.CreateOptions{}); err != nil {
		t.Errorf("bob is limited by alice's failures: %v", err)
	}
}

// Concurrent guesses cannot pass a limit together: with one failure allowed, 40 wrong
// passwords at once ask the directory once (counted in slapd's log), the rest are 429.
func TestLoginRateLimitedConcurrently(t *testing.T) {
	dir := ldaptest.Start(t)
	r, _ := newREST(t, dir, perUser(1))
	before := len(dir.Connections())
	const guesses = 40
	errs := make(chan error, guesses)
	var start sync.WaitGroup
	start.Add(1)
	for i := 0; i < guesses; i++ {
		go func() {
			start.Wait()
			_, err := r.Create(context.Background(), loginRequest("bob", fmt.Sprintf("guess-%d", i)), nil, &metav1.CreateOptions{})
			errs <- err
		}()
	}
	start.Done()
	refused := 0
	for i := 0; i < guesses; i++ {
		switch err := <-errs; {
		case apierrors.IsUnauthorized(err):
			refused++
		case !apierrors.IsTooManyRequests(err):
			t.Errorf("got %v, want 401 or 429", err)
		}
	}
	binds := 0
	for _, ops := range dir.WaitConnections(t, before+refused)[before:] {
		for _, op := range ops {
			if op.Kind == "BIND" && strings.HasPrefix(op.DN, "uid=bob,") {
				binds++
			}
		}
	}
	if refused != 1 || binds != 1 {
		t.Errorf("%d guesses answered 401 and %d binds as bob reached the directory, want 1 of each", refused, binds)
	}
}

// A guesser at one address exhausts the user's limit at that address only: the user still
// logs in from another (defaults: 5 failures per user and address, 10 per user).
func TestLoginRateLimitedPerSourceAndUser(t *testing.T) {
	dir := ldaptest.Start(t)
	r, _ := newREST(t, dir)
	attacker := ratelimit.ContextWithSourceAddress(context.Background(), "192.0.2.66")
	for i := 0; ; i++ {
		_, err := r.Create(attacker, loginRequest("alice", fmt.Sprintf("guess-%d", i)), nil, &metav1.CreateOptions{})
		if apierrors.IsTooManyRequests(err) {
			break
		}
		if !apierrors.IsUnauthorized(err) || i == 100 {
			t.Fatalf("guess %d: got %v, want 401 until 429", i+1, err)
		}
	}
	alice := ratelimit.ContextWithSourceAddress(context.Background(), "198.51.100.7")
	if _, err := r.Create(alice, loginRequest("alice", dir.Password(t, "alice")), nil, &metav1.CreateOptions{}); err != nil {
		t.Errorf("alice at another address, after a guesser's failures: got %v, want 201", err)
	}
	if _, err := r.Create(attacker, loginRequest("alice", dir.Password(t, "alice")), nil, &metav1.CreateOptions{}); !apierrors.IsTooManyRequests(err) {
		t.Errorf("the guesser's address, with the right password: got %v, want 429", err)
	}
}
