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

package ratelimit

import (
	"context"
	"net"
	"net/http"
	"strings"
)

type sourceAddressKey struct{}

// WithSourceAddress puts the request's source address into its context for the login API,
// whose storage does not see the HTTP request.
func WithSourceAddress(handler http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		handler.ServeHTTP(w, req.WithContext(ContextWithSourceAddress(req.Context(), SourceAddress(req))))
	})
}

// ContextWithSourceAddress returns ctx with the source address SourceAddressFrom returns.
func ContextWithSourceAddress(ctx context.Context, address string) context.Context {
	return context.WithValue(ctx, sourceAddressKey{}, address)
}

// SourceAddressFrom returns the address WithSourceAddress recorded, or "".
func SourceAddressFrom(ctx context.Context) string {
	s, _ := ctx.Value(sourceAddressKey{}).(string)
	return s
}

// SourceAddress is the client's address as the last proxy saw it: the last X-Forwarded-For
// entry, which kube-apiserver's aggregator appends and a client behind it cannot forge, else
// the connection's peer. (The first entries are whatever the client sent.)
func SourceAddress(req *http.Request) string {
	if xff := req.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(xff[len(xff)-1], ",")
		if last := strings.TrimSpace(hops[len(hops)-1]); last != "" {
			return last
		}
	}
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
