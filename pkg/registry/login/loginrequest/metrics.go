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

package loginrequest

import (
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

// Results of a login, the label of loginRequests.
const (
	resultSuccess     = "success"
	resultRefused     = "refused"
	resultRateLimited = "rate_limited"
	resultUnavailable = "directory_unavailable"
)

// loginRequests counts logins by result: a rise of refused or rate_limited is someone
// guessing passwords, of directory_unavailable an outage.
var loginRequests = metrics.NewCounterVec(&metrics.CounterOpts{
	Subsystem:      "login",
	Name:           "requests_total",
	Help:           "LoginRequests answered, by result: success, refused, rate_limited, directory_unavailable.",
	StabilityLevel: metrics.ALPHA,
}, []string{"result"})

var registerMetrics sync.Once

// RegisterMetrics registers the login's metrics with the legacy registry that /metrics serves.
func RegisterMetrics() {
	registerMetrics.Do(func() { legacyregistry.MustRegister(loginRequests) })
}
