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

package login

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// LoginRequest checks a user name and password and returns a token. It is never stored.
type LoginRequest struct {
	metav1.TypeMeta
	metav1.ObjectMeta

	Spec   LoginRequestSpec
	Status LoginRequestStatus
}

// LoginRequestSpec is what the user typed.
type LoginRequestSpec struct {
	Username string
	Password string
}

// LoginRequestStatus is the token and whom it authenticates.
type LoginRequestStatus struct {
	Token               string
	ExpirationTimestamp metav1.Time
	User                LoginUser
}

// LoginUser is the identity the token carries.
type LoginUser struct {
	Username string
	UID      string
	Groups   []string
}
