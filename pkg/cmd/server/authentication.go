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

package server

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"example.com/example-apiserver/pkg/clientcertcache"
)

const flagClientCertificateCacheSize = "client-certificate-cache-size"

// defaultClientCertificateCacheSize remembers more connections than a server usually keeps
// open: kube-apiserver's aggregator and the clients that talk to us directly.
const defaultClientCertificateCacheSize = 1024

func (o *Options) addClientCertificateCacheFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.ClientCertificateCacheSize, flagClientCertificateCacheSize, o.ClientCertificateCacheSize,
		"How many TLS connections whose client certificate was verified (against the client CA or the request-header CA) are remembered, "+
			"so their further requests skip the verification. A remembered verification is used only while the CA bundle it was made with is loaded "+
			"and every certificate of its chain is valid; refusals are never remembered. 0 verifies on every request.")
}

func validateClientCertificateCacheSize(size int) []error {
	if size < 0 {
		return []error{fmt.Errorf("--%s must not be negative, got %d", flagClientCertificateCacheSize, size)}
	}
	return nil
}

// shareClientCAProvider creates the client CA provider the delegated authentication would
// create (from --client-ca-file, else the cluster's extension-apiserver-authentication
// ConfigMap) and gives it to the options, so the authenticator, the TLS handshake and the
// client certificate cache all see one instance and its reloads at the same time. The server
// starts it with the serving certificates' controllers, as it would its own. Nil when the
// options would have none.
func shareClientCAProvider(authn *genericoptions.DelegatingAuthenticationOptions) (dynamiccertificates.CAContentProvider, error) {
	if authn.ClientCert != (genericoptions.ClientCertAuthenticationOptions{}) {
		provider, err := authn.ClientCert.GetClientCAContentProvider()
		if err != nil {
			return nil, fmt.Errorf("unable to load client CA provider: %w", err)
		}
		authn.ClientCert.CAContentProvider = provider
		return provider, nil
	}
	if authn.SkipInClusterLookup {
		return nil, nil
	}
	client, err := authenticationClient(authn)
	if err != nil || client == nil {
		return nil, err
	}
	provider, err := dynamiccertificates.NewDynamicCAFromConfigMapController("client-ca",
		metav1.NamespaceSystem, "extension-apiserver-authentication", "client-ca-file", client)
	if err != nil {
		return nil, fmt.Errorf("unable to load configmap based client CA file: %w", err)
	}
	authn.ClientCert.CAContentProvider = provider
	return provider, nil
}

// authenticationClient reaches the cluster the delegated authentication reads its ConfigMap
// from: --authentication-kubeconfig, else the in-cluster configuration. Nil, as for the
// delegated authentication, when neither is there and the kubeconfig is optional.
func authenticationClient(authn *genericoptions.DelegatingAuthenticationOptions) (kubernetes.Interface, error) {
	var config *rest.Config
	var err error
	if authn.RemoteKubeConfigFile != "" {
		config, err = clientcmd.BuildConfigFromFlags("", authn.RemoteKubeConfigFile)
	} else {
		config, err = rest.InClusterConfig()
		if errors.Is(err, rest.ErrNotInCluster) && authn.RemoteKubeConfigFileOptional {
			return nil, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("failed to get delegated authentication kubeconfig: %w", err)
	}
	return kubernetes.NewForConfig(config)
}

// cacheClientCertificates puts the client certificate cache in front of the delegated
// authenticator that ApplyTo built with the client CA provider shareClientCAProvider made.
func cacheClientCertificates(authn *genericapiserver.AuthenticationInfo, clientCA dynamiccertificates.CAContentProvider, size int) {
	if authn.Authenticator == nil {
		return
	}
	authn.Authenticator = clientcertcache.New(authn.Authenticator, clientcertcache.Config{
		Size:          size,
		RequestHeader: authn.RequestHeaderConfig,
		ClientCA:      clientCA,
	})
}
