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

package credentialplugin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/clock"
)

// credentialSource yields a credential. Sources never put a secret in an error.
type credentialSource interface {
	// Fetch runs the source once.
	Fetch(ctx context.Context) (*credentialStatus, error)
	// Describe says what the source is, without secrets, for messages.
	Describe() string
}

// cacheableSource is a credentialSource worth caching on disk: one that costs a round trip and whose
// credential has an expiry. CacheKey identifies what it would fetch.
type cacheableSource interface {
	credentialSource
	CacheKey() (string, error)
}

// tokenFileSource reads a token from a file on every run, so a rotated file is picked up
// at once (the file is its own cache). A JWT's exp becomes the expiry.
type tokenFileSource struct {
	path  string
	clock clock.PassiveClock
}

func (s *tokenFileSource) Describe() string { return "token file " + s.path }

func (s *tokenFileSource) Fetch(context.Context) (*credentialStatus, error) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("reading the token file: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return nil, fmt.Errorf("the token file %s is empty", s.path)
	}
	cred := &credentialStatus{Token: token}
	exp, ok, err := jwtExpiry(token)
	if err != nil {
		return nil, fmt.Errorf("the token in %s looks like a JWT but %v", s.path, err)
	}
	if ok {
		if !exp.After(s.clock.Now()) {
			return nil, fmt.Errorf("the token in %s expired at %s", s.path, exp.UTC().Format(time.RFC3339))
		}
		cred.ExpirationTimestamp = &metav1.Time{Time: exp}
	}
	return cred, nil
}

// jwtExpiry returns the exp claim of a JWT. ok is false for a token that is not a JWT (an
// opaque token has no expiry the plugin can know) or a JWT without exp. Errors never quote
// the token.
func jwtExpiry(token string) (exp time.Time, ok bool, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false, nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false, nil // not base64url: an opaque token that happens to hold two dots
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}, false, nil
	}
	raw, ok := claims["exp"]
	if !ok {
		return time.Time{}, false, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return time.Time{}, false, errors.New("its exp claim is not a number")
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*float64(time.Second))), true, nil
}

// staticTokenSource is for development: the token sits in the kubeconfig or the environment.
type staticTokenSource struct {
	token string
}

func (s *staticTokenSource) Describe() string { return "static token (development only)" }

func (s *staticTokenSource) Fetch(context.Context) (*credentialStatus, error) {
	return &credentialStatus{Token: s.token}, nil
}

// clientCertificateSource hands client-go a certificate and key read on every run; the
// expiry is the certificate's NotAfter, so client-go asks again when it lapses.
type clientCertificateSource struct {
	certFile, keyFile string
	clock             clock.PassiveClock
}

func (s *clientCertificateSource) Describe() string {
	return "client certificate " + s.certFile
}

func (s *clientCertificateSource) Fetch(context.Context) (*credentialStatus, error) {
	certPEM, err := os.ReadFile(s.certFile)
	if err != nil {
		return nil, fmt.Errorf("reading the client certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(s.keyFile)
	if err != nil {
		return nil, fmt.Errorf("reading the client key: %w", err)
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return nil, fmt.Errorf("%s and %s are not a certificate and its key: %v", s.certFile, s.keyFile, err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM certificate", s.certFile)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %v", s.certFile, err)
	}
	if !cert.NotAfter.After(s.clock.Now()) {
		return nil, fmt.Errorf("the client certificate %s expired at %s", s.certFile, cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return &credentialStatus{
		ClientCertificateData: string(certPEM),
		ClientKeyData:         string(keyPEM),
		ExpirationTimestamp:   &metav1.Time{Time: cert.NotAfter},
	}, nil
}

// nestedEnv marks a get-token that runs to authenticate another get-token's bootstrap
// client; seeing it means the bootstrap kubeconfig leads back to this plugin.
const nestedEnv = "EXAMPLE_CREDENTIAL_PLUGIN_NESTED"

// serviceAccountSource asks kube-apiserver's TokenRequest API for a ServiceAccount token,
// authenticating with a separate bootstrap kubeconfig.
type serviceAccountSource struct {
	namespace, name     string
	audiences           []string
	expiration          time.Duration
	bootstrapKubeconfig string
	bootstrapContext    string
	// self is this executable, to recognise a bootstrap kubeconfig that would run it again.
	self string

	config *rest.Config
}

func (s *serviceAccountSource) Describe() string {
	return fmt.Sprintf("TokenRequest for ServiceAccount %s/%s", s.namespace, s.name)
}

// restConfig loads the bootstrap kubeconfig once, refusing one whose user is this plugin.
func (s *serviceAccountSource) restConfig() (*rest.Config, error) {
	if s.config != nil {
		return s.config, nil
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: s.bootstrapKubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: s.bootstrapContext})
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the bootstrap kubeconfig: %w", err)
	}
	if err := s.refuseSelf(raw); err != nil {
		return nil, err
	}
	config, err := loader.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the bootstrap kubeconfig %s: %w", s.bootstrapKubeconfig, err)
	}
	if config.ExecProvider != nil {
		// Another exec plugin may be a wrapper that calls us after all: mark its environment
		// so that a nested get-token refuses instead of recursing.
		config.ExecProvider.Env = append(config.ExecProvider.Env, clientcmdapi.ExecEnvVar{Name: nestedEnv, Value: "1"})
	}
	config.UserAgent = programName
	// JSON rather than protobuf: the one request is small, and a proxy or test server can read it.
	config.ContentType = runtime.ContentTypeJSON
	s.config = config
	return config, nil
}

// refuseSelf fails when the bootstrap kubeconfig's user would run this plugin again.
func (s *serviceAccountSource) refuseSelf(raw clientcmdapi.Config) error {
	contextName := raw.CurrentContext
	if s.bootstrapContext != "" {
		contextName = s.bootstrapContext
	}
	ctx, ok := raw.Contexts[contextName]
	if !ok {
		return nil // clientcmd reports the missing context with its own words
	}
	user, ok := raw.AuthInfos[ctx.AuthInfo]
	if !ok || user.Exec == nil {
		return nil
	}
	command := user.Exec.Command
	base := strings.TrimSuffix(filepath.Base(command), ".exe")
	isSelf := base == programName
	if !isSelf && s.self != "" {
		if resolved, err := filepath.EvalSymlinks(command); err == nil {
			if self, err := filepath.EvalSymlinks(s.self); err == nil && resolved == self {
				isSelf = true
			}
		}
	}
	if isSelf {
		return fmt.Errorf("the bootstrap kubeconfig %s authenticates user %q with %s itself: that would recurse; give it a kubeconfig with a certificate, token or another plugin", s.bootstrapKubeconfig, ctx.AuthInfo, programName)
	}
	return nil
}

// CacheKey names what would be fetched: the cluster, the bootstrap identity and the request.
func (s *serviceAccountSource) CacheKey() (string, error) {
	config, err := s.restConfig()
	if err != nil {
		return "", err
	}
	key, err := json.Marshal(map[string]any{
		"source":     "serviceaccount",
		"server":     config.Host,
		"kubeconfig": absPath(s.bootstrapKubeconfig),
		"context":    s.bootstrapContext,
		"namespace":  s.namespace,
		"name":       s.name,
		"audiences":  s.audiences,
		"expiration": s.expiration.String(),
	})
	return string(key), err
}

func (s *serviceAccountSource) Fetch(ctx context.Context) (*credentialStatus, error) {
	config, err := s.restConfig()
	if err != nil {
		return nil, err
	}
	client, err := corev1client.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	seconds := int64(s.expiration / time.Second)
	tr, err := client.ServiceAccounts(s.namespace).CreateToken(ctx, s.name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{Audiences: s.audiences, ExpirationSeconds: &seconds},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("requesting a token for ServiceAccount %s/%s: %w", s.namespace, s.name, err)
	}
	if tr.Status.Token == "" {
		return nil, fmt.Errorf("the TokenRequest for ServiceAccount %s/%s returned no token", s.namespace, s.name)
	}
	exp := tr.Status.ExpirationTimestamp
	return &credentialStatus{Token: tr.Status.Token, ExpirationTimestamp: &exp}, nil
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
