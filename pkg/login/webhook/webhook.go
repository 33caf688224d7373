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

// Package webhook is the authentication webhook through which kube-apiserver accepts the
// login API's tokens: it answers TokenReviews (authentication.k8s.io/v1, or v1beta1 for
// kube-apiserver's default --authentication-token-webhook-version).
package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	"k8s.io/klog/v2"

	"example.com/example-apiserver/pkg/login/token"
)

// Path is where the server serves the webhook; kube-apiserver's webhook kubeconfig names it.
const Path = "/authenticate/tokenreview"

// maxBodyBytes bounds a TokenReview: a token and a few audiences.
const maxBodyBytes = 64 << 10

// Handler answers TokenReviews with a Verifier. It runs behind the server's authentication
// and authorization filters: only a caller allowed to POST to Path (kube-apiserver, with its
// client certificate) gets an answer, so it is no token oracle for anyone else.
type Handler struct {
	Verifier *token.Verifier
}

// ServeHTTP decodes one TokenReview and answers it in the same apiVersion.
func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST of a TokenReview", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxBodyBytes))
	if err != nil {
		http.Error(w, "reading the TokenReview: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	// v1 and v1beta1 TokenReviews have the same fields: decode both into v1.
	var review authenticationv1.TokenReview
	if err := json.Unmarshal(body, &review); err != nil {
		http.Error(w, "not a JSON TokenReview", http.StatusBadRequest)
		return
	}
	switch review.APIVersion {
	case authenticationv1.SchemeGroupVersion.String(), authenticationv1beta1.SchemeGroupVersion.String():
	default:
		http.Error(w, fmt.Sprintf("apiVersion %q: want %s or %s", review.APIVersion,
			authenticationv1.SchemeGroupVersion, authenticationv1beta1.SchemeGroupVersion), http.StatusBadRequest)
		return
	}
	if review.Kind != "TokenReview" {
		http.Error(w, fmt.Sprintf("kind %q: want TokenReview", review.Kind), http.StatusBadRequest)
		return
	}
	review.Status = h.review(review.Spec.Token)
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(&authenticationv1.TokenReview{TypeMeta: review.TypeMeta, Status: review.Status}); err != nil {
		klog.V(2).InfoS("Writing the TokenReview answer failed", "err", err)
	}
}

// review verifies a token. Audiences stay empty: kube-apiserver then takes its own, the token
// having been checked against the login's audience here.
func (h *Handler) review(raw string) authenticationv1.TokenReviewStatus {
	user, err := h.Verifier.Verify(raw)
	if err != nil {
		if !errors.Is(err, token.ErrInvalid) {
			klog.ErrorS(err, "Verifying a token failed")
		}
		klog.V(4).InfoS("TokenReview refused", "reason", err)
		// A token of another authenticator lands here too: say nothing but "not ours".
		return authenticationv1.TokenReviewStatus{Authenticated: false}
	}
	return authenticationv1.TokenReviewStatus{
		Authenticated: true,
		User:          authenticationv1.UserInfo{Username: user.Username, UID: user.UID, Groups: user.Groups},
	}
}
