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

// Package loginrequest is the storage of loginrequests: it logs users in, it stores nothing.
package loginrequest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/login"
	"example.com/example-apiserver/pkg/apis/login/validation"
	"example.com/example-apiserver/pkg/login/directory"
	"example.com/example-apiserver/pkg/login/ratelimit"
	"example.com/example-apiserver/pkg/login/token"
)

// invalidCredentials is the one answer to every refused login, whatever the reason.
const invalidCredentials = "invalid username or password"

// Config is what logins need.
type Config struct {
	Directory directory.Authenticator
	Issuer    *token.Issuer
	// UsernamePrefix and GroupPrefix are prepended to the directory's names.
	UsernamePrefix string
	GroupPrefix    string
	// Limits are the buckets of failed logins.
	Limits Limits
}

// Limits are the buckets of failed logins. A login takes a token of each before it asks the
// directory, so that concurrent guesses cannot pass a limit together, and gives them back
// unless it failed.
type Limits struct {
	// PerUser is keyed on the folded user name (directory.FoldUsername) and, once the
	// directory found an entry, on the entry's DN: every spelling or alias of one account
	// shares its limit.
	PerUser *ratelimit.FailureLimiter
	// PerUserAndSource is keyed on the folded user name at the source address: lower than
	// PerUser, so that a guesser at one address leaves the user logins from the others.
	PerUserAndSource *ratelimit.FailureLimiter
	// PerSource is keyed on the source address.
	PerSource *ratelimit.FailureLimiter
}

// NewLimits returns the buckets limits configures, each keeping ratelimit.DefaultMaxKeys keys.
func NewLimits(limits config.FailedLoginLimits, clk clock.PassiveClock) Limits {
	limiter := func(burst int32) *ratelimit.FailureLimiter {
		return ratelimit.NewFailureLimiter(int(burst), limits.Period.Duration, ratelimit.DefaultMaxKeys, clk)
	}
	return Limits{
		PerUser:          limiter(limits.PerUser),
		PerUserAndSource: limiter(limits.PerUserAndSource),
		PerSource:        limiter(limits.PerSource),
	}
}

// heldToken is a token a login took of a limiter's key.
type heldToken struct {
	limiter *ratelimit.FailureLimiter
	key     string
}

// takeTokens takes a token of every key, or of none and answers the 429 to return.
func takeTokens(tokens []heldToken) error {
	for i, t := range tokens {
		if ok, wait := t.limiter.Take(t.key); !ok {
			refundTokens(tokens[:i])
			loginRequests.WithLabelValues(resultRateLimited).Inc()
			return apierrors.NewTooManyRequests("too many failed logins; try again later", int(wait.Round(time.Second)/time.Second)+1)
		}
	}
	return nil
}

// refundTokens gives back the tokens of a login that did not fail.
func refundTokens(tokens []heldToken) {
	for _, t := range tokens {
		t.limiter.Refund(t.key)
	}
}

// REST creates LoginRequests. A nil config answers every login with 503: the server has no
// login configured, yet keeps the group served so that its APIService stays Available.
type REST struct {
	config *Config
}

var (
	_ rest.Creater              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.Storage              = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

// NewREST returns the storage of loginrequests; config nil means login is not configured.
func NewREST(config *Config) *REST { return &REST{config: config} }

// New returns an empty LoginRequest.
func (*REST) New() runtime.Object { return &login.LoginRequest{} }

// Destroy has nothing to release.
func (*REST) Destroy() {}

// NamespaceScoped is false: a login is the cluster's.
func (*REST) NamespaceScoped() bool { return false }

// GetSingularName names the kind in singular.
func (*REST) GetSingularName() string { return "loginrequest" }

// Create checks the user name and password and answers with a token. The password is only
// passed to the directory: validating admission sees the request without it (mutating
// admission is skipped for LoginRequests, see pkg/apiserver), and the answer drops it.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	req, ok := obj.(*login.LoginRequest)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a LoginRequest: %T", obj))
	}
	password := req.Spec.Password
	// Nothing of the request but its name and user name: not the password, nor the
	// managedFields the create handler added.
	answer := &login.LoginRequest{
		ObjectMeta: metav1.ObjectMeta{Name: req.Name, GenerateName: req.GenerateName},
		Spec:       login.LoginRequestSpec{Username: req.Spec.Username},
	}
	if errs := validation.ValidateLoginRequest(req); len(errs) > 0 {
		return nil, apierrors.NewInvalid(login.Kind("LoginRequest"), answer.Name, errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, answer.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	if r.config == nil {
		return nil, apierrors.NewServiceUnavailable("login is not configured on this server: its component configuration has no login section")
	}
	c := r.config
	sourceKey := ratelimit.SourceAddressFrom(ctx)
	userKey := directory.FoldUsername(req.Spec.Username)
	held := []heldToken{
		{c.Limits.PerUser, "name:" + userKey},
		{c.Limits.PerUserAndSource, sourceKey + "\x00" + userKey},
		{c.Limits.PerSource, sourceKey},
	}
	if err := takeTokens(held); err != nil {
		return nil, err
	}

	identity, err := c.Directory.Authenticate(ctx, req.Spec.Username, password)
	// The entry's own limit, taken once the directory named the entry: a spelling or an
	// alias the folding does not catch gets no more answers than the entry allows. A limited
	// entry answers 429 whatever the password, so the answer tells nothing of it.
	var refused *directory.RefusedError
	var dn string
	switch {
	case errors.As(err, &refused):
		dn = refused.DN
	case err == nil:
		dn = identity.DN
	}
	if dn != "" {
		entry := heldToken{c.Limits.PerUser, "dn:" + strings.ToLower(dn)}
		if err := takeTokens([]heldToken{entry}); err != nil {
			if refused == nil {
				refundTokens(held) // the right password is no failure
			}
			return nil, err
		}
		held = append(held, entry)
	}
	switch {
	case errors.Is(err, directory.ErrInvalidCredentials):
		klog.V(2).InfoS("Login refused", "username", req.Spec.Username, "source", sourceKey)
		loginRequests.WithLabelValues(resultRefused).Inc()
		return nil, apierrors.NewUnauthorized(invalidCredentials)
	case err != nil:
		refundTokens(held)
		klog.ErrorS(err, "Login failed: the directory did not answer", "username", req.Spec.Username)
		loginRequests.WithLabelValues(resultUnavailable).Inc()
		return nil, apierrors.NewServiceUnavailable("the directory that checks passwords is unavailable; try again later")
	}
	refundTokens(held)
	user := token.User{Username: c.UsernamePrefix + identity.Username, UID: identity.UID}
	for _, g := range identity.Groups {
		user.Groups = append(user.Groups, c.GroupPrefix+g)
	}
	if strings.HasPrefix(user.Username, "system:") {
		// Kubernetes' own identities are never the directory's to give.
		klog.InfoS("Login refused: the directory's user name is reserved", "username", user.Username)
		loginRequests.WithLabelValues(resultRefused).Inc()
		return nil, apierrors.NewUnauthorized(invalidCredentials)
	}
	signed, expiry, err := c.Issuer.Issue(user)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	klog.V(2).InfoS("Login", "username", user.Username, "groups", user.Groups, "expires", expiry)
	loginRequests.WithLabelValues(resultSuccess).Inc()
	answer.Status = login.LoginRequestStatus{
		Token:               signed,
		ExpirationTimestamp: metav1.NewTime(expiry),
		User:                login.LoginUser{Username: user.Username, UID: user.UID, Groups: user.Groups},
	}
	return answer, nil
}
