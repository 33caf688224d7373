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

// Package credentialplugin implements example-credential-plugin, a client-go exec credential
// plugin: "get-token" prints one ExecCredential from a directory (LDAP) login through the
// login API, a token file, a ServiceAccount's TokenRequest, a client certificate or a static
// token, with an on-disk cache; "setup" prints the kubectl config commands that make a
// kubeconfig user run it, and "clean" empties the cache.
package credentialplugin
