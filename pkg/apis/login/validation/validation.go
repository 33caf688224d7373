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

// Package validation checks LoginRequests before the directory is asked, never quoting the
// password in an error, not even its length.
package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/login"
)

// Limits on what a user may type: far above any real name or password, far below what would
// cost the directory.
const (
	MaxUsernameLength = 256
	MaxPasswordLength = 1024
)

// ValidateLoginRequest requires a user name and a password (an empty password would be an
// anonymous LDAP bind) within the limits.
func ValidateLoginRequest(req *login.LoginRequest) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec")
	switch {
	case req.Spec.Username == "":
		errs = append(errs, field.Required(p.Child("username"), ""))
	case len(req.Spec.Username) > MaxUsernameLength:
		errs = append(errs, field.TooLong(p.Child("username"), "", MaxUsernameLength))
	}
	switch {
	case req.Spec.Password == "":
		errs = append(errs, field.Required(p.Child("password"), ""))
	case len(req.Spec.Password) > MaxPasswordLength:
		errs = append(errs, field.TooLong(p.Child("password"), "", MaxPasswordLength))
	}
	return errs
}
