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

package apiserver

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/utils/clock"

	"example.com/example-apiserver/pkg/apis/config"
	loginapi "example.com/example-apiserver/pkg/apis/login"
	loginv1alpha1 "example.com/example-apiserver/pkg/apis/login/v1alpha1"
	"example.com/example-apiserver/pkg/login/directory"
	"example.com/example-apiserver/pkg/login/token"
	"example.com/example-apiserver/pkg/login/webhook"
	"example.com/example-apiserver/pkg/registry/login/loginrequest"
)

// newLogin builds the login API's configuration and the webhook's handler from the login
// section; both are nil when it is absent.
func newLogin(cfg *config.LoginConfiguration) (*loginrequest.Config, *webhook.Handler, error) {
	if cfg == nil {
		return nil, nil, nil
	}
	clk := clock.RealClock{}
	keys, err := token.NewKeyFile(cfg.SigningKeysFile, clk)
	if err != nil {
		return nil, nil, fmt.Errorf("login.signingKeysFile: %w", err)
	}
	issuer := token.NewIssuer(keys, cfg.Issuer, cfg.Audience, cfg.TokenLifetime.Duration, clk)
	ldap, err := directory.NewLDAP(cfg.LDAP)
	if err != nil {
		return nil, nil, fmt.Errorf("login.ldap: %w", err)
	}
	loginrequest.RegisterMetrics()
	login := &loginrequest.Config{
		Directory:      ldap,
		Issuer:         issuer,
		UsernamePrefix: cfg.UsernamePrefix,
		GroupPrefix:    cfg.GroupPrefix,
		Limits:         loginrequest.NewLimits(cfg.FailedLogins, clk),
	}
	return login, &webhook.Handler{Verifier: token.NewVerifier(keys, cfg.Issuer, cfg.Audience, clk)}, nil
}

// loginAPIGroup returns a builder of login.example.com/v1alpha1 with loginrequests. The group
// is served even without a login section, answering 503, so that its APIService is Available
// whatever the configuration: an unavailable APIService breaks discovery.
func loginAPIGroup(login *loginrequest.Config) apiGroupBuilder {
	return func(generic.RESTOptionsGetter) (*genericapiserver.APIGroupInfo, error) {
		groupInfo := genericapiserver.NewDefaultAPIGroupInfo(loginapi.GroupName, Scheme, metav1.ParameterCodec, Codecs)
		groupInfo.VersionedResourcesStorageMap[loginv1alpha1.SchemeGroupVersion.Version] = map[string]rest.Storage{
			"loginrequests": loginrequest.NewREST(login),
		}
		return &groupInfo, nil
	}
}

// loginRequests is the resource whose objects carry a password.
var loginRequests = loginv1alpha1.SchemeGroupVersion.WithResource("loginrequests").GroupResource()

// withoutMutatingLoginRequests skips mutating admission for LoginRequests. The create handler
// runs it on the decoded request, password included, and the chain has the cluster's
// mutating webhooks and policies, which would receive every password. A LoginRequest is never
// stored, so there is nothing for them to default. Validating admission still runs: the
// storage calls it with the request without its password.
func withoutMutatingLoginRequests(chain admission.Interface) admission.Interface {
	if chain == nil {
		return nil
	}
	return loginAdmission{chain}
}

type loginAdmission struct {
	admission.Interface
}

var (
	_ admission.MutationInterface   = loginAdmission{}
	_ admission.ValidationInterface = loginAdmission{}
)

func (l loginAdmission) Admit(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	mutating, ok := l.Interface.(admission.MutationInterface)
	if !ok || a.GetResource().GroupResource() == loginRequests {
		return nil
	}
	return mutating.Admit(ctx, a, o)
}

func (l loginAdmission) Validate(ctx context.Context, a admission.Attributes, o admission.ObjectInterfaces) error {
	if validating, ok := l.Interface.(admission.ValidationInterface); ok {
		return validating.Validate(ctx, a, o)
	}
	return nil
}
