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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=create
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// LoginRequest logs in with a directory account: created with a user name and password, it
// is answered with a short-lived token for kube-apiserver and the identity it carries. It is
// never stored, and the answer never repeats the password. Anyone may create one (the
// cluster role example-apiserver:login grants it to system:unauthenticated); failed logins
// are answered with one uniform 401 and limited per user name and per source address.
type LoginRequest struct {
	metav1.TypeMeta `json:",inline"`
	// metadata is ignored but for what the API machinery needs.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`

	// spec is the user name and password to check.
	Spec LoginRequestSpec `json:"spec" protobuf:"bytes,2,opt,name=spec"`
	// status is the token, set in the answer.
	// +optional
	Status LoginRequestStatus `json:"status,omitempty" protobuf:"bytes,3,opt,name=status"`
}

// LoginRequestSpec is what the user typed.
type LoginRequestSpec struct {
	// username is the directory account's user name.
	Username string `json:"username" protobuf:"bytes,1,opt,name=username"`
	// password is the account's password. Never stored, logged, audited or returned.
	Password string `json:"password" protobuf:"bytes,2,opt,name=password"`
}

// LoginRequestStatus is the token and whom it authenticates.
type LoginRequestStatus struct {
	// token is a bearer token for kube-apiserver, which accepts it through this server's
	// authentication webhook until expirationTimestamp.
	// +optional
	Token string `json:"token,omitempty" protobuf:"bytes,1,opt,name=token"`
	// expirationTimestamp is when the token stops being accepted.
	// +optional
	ExpirationTimestamp metav1.Time `json:"expirationTimestamp,omitempty" protobuf:"bytes,2,opt,name=expirationTimestamp"`
	// user is the identity the token carries, as kube-apiserver will see it.
	// +optional
	User LoginUser `json:"user,omitempty" protobuf:"bytes,3,opt,name=user"`
}

// LoginUser is the identity a token carries.
type LoginUser struct {
	// username is the Kubernetes user name.
	Username string `json:"username" protobuf:"bytes,1,opt,name=username"`
	// uid identifies the directory entry (its entryUUID, else its DN).
	// +optional
	UID string `json:"uid,omitempty" protobuf:"bytes,2,opt,name=uid"`
	// groups are the user's directory groups, prefixed (e.g. ldap:cron-admins).
	// +optional
	// +listType=atomic
	Groups []string `json:"groups,omitempty" protobuf:"bytes,3,rep,name=groups"`
}
