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
	"errors"
	"net/http"

	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/server/healthz"
)

// requestHeaderCALoaded is ready once the CA that signs the aggregator's front-proxy client
// certificate is loaded. The generic server reads it from the ConfigMap
// kube-system/extension-apiserver-authentication through an informer that syncs only after
// the server started serving; until then every request the aggregator forwards is anonymous
// and answered 403. A load balancer (a Service, HAProxy) must not send traffic to a replica
// in that state: with another replica down, users would be refused.
func requestHeaderCALoaded(config *authenticatorfactory.RequestHeaderConfig) healthz.HealthChecker {
	return healthz.NamedCheck("request-header-client-ca", func(*http.Request) error {
		if len(config.CAContentProvider.CurrentCABundleContent()) == 0 {
			return errors.New("the front-proxy client CA of kube-system/extension-apiserver-authentication is not loaded yet: requests through the aggregator would be anonymous")
		}
		return nil
	})
}

// loginSigningKeysCurrent is ready while the login's signing key file yields the keys in force.
// When it cannot be read or parsed the keys read before stay, so a key that an edit of the file
// revokes would go on signing and verifying: the replica leaves its Service's endpoints
// instead, and with them the webhook kube-apiserver asks.
func loginSigningKeysCurrent(keys interface{ Err() error }) healthz.HealthChecker {
	return healthz.NamedCheck("login-signing-keys", func(*http.Request) error { return keys.Err() })
}
