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
	"encoding/json"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientauthenticationv1 "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	clientauthenticationv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
)

// execInfoEnv is the variable client-go sets for exec plugins: an ExecCredential whose
// apiVersion is the one the kubeconfig asks for, and which the plugin must answer in.
const execInfoEnv = "KUBERNETES_EXEC_INFO"

// Supported ExecCredential versions; v1 is the default when client-go says nothing.
var (
	APIVersionV1      = clientauthenticationv1.SchemeGroupVersion.String()
	APIVersionV1beta1 = clientauthenticationv1beta1.SchemeGroupVersion.String()
)

// credentialStatus is what a source yields; it is also what the cache stores.
type credentialStatus = clientauthenticationv1.ExecCredentialStatus

// execInfo is the part of KUBERNETES_EXEC_INFO the plugin reads.
type execInfo struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Interactive bool `json:"interactive"`
	} `json:"spec"`
}

// responseAPIVersion returns the ExecCredential apiVersion to answer in, from the value of
// KUBERNETES_EXEC_INFO (empty when run by hand).
func responseAPIVersion(info string) (string, error) {
	if strings.TrimSpace(info) == "" {
		return APIVersionV1, nil
	}
	var ei execInfo
	if err := json.Unmarshal([]byte(info), &ei); err != nil {
		return "", fmt.Errorf("%s is not a JSON ExecCredential: %v", execInfoEnv, err)
	}
	switch ei.APIVersion {
	case APIVersionV1, APIVersionV1beta1:
		return ei.APIVersion, nil
	case "":
		return APIVersionV1, nil
	}
	return "", fmt.Errorf("%s asks for apiVersion %q; supported: %s, %s", execInfoEnv, ei.APIVersion, APIVersionV1, APIVersionV1beta1)
}

// isInteractive says whether the plugin may ask the user something: client-go says so in
// KUBERNETES_EXEC_INFO's spec.interactive; run by hand (no KUBERNETES_EXEC_INFO) it may.
func isInteractive(info string) bool {
	if strings.TrimSpace(info) == "" {
		return true
	}
	var ei execInfo
	return json.Unmarshal([]byte(info), &ei) == nil && ei.Spec.Interactive
}

// encodeExecCredential renders exactly one ExecCredential of apiVersion carrying cred.
func encodeExecCredential(apiVersion string, cred *credentialStatus) ([]byte, error) {
	typeMeta := metav1.TypeMeta{APIVersion: apiVersion, Kind: "ExecCredential"}
	var obj any
	switch apiVersion {
	case APIVersionV1:
		obj = &clientauthenticationv1.ExecCredential{TypeMeta: typeMeta, Status: cred}
	case APIVersionV1beta1:
		obj = &clientauthenticationv1beta1.ExecCredential{TypeMeta: typeMeta, Status: &clientauthenticationv1beta1.ExecCredentialStatus{
			ExpirationTimestamp:   cred.ExpirationTimestamp,
			Token:                 cred.Token,
			ClientCertificateData: cred.ClientCertificateData,
			ClientKeyData:         cred.ClientKeyData,
		}}
	default:
		return nil, fmt.Errorf("unsupported ExecCredential apiVersion %q", apiVersion)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
