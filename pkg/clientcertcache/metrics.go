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

package clientcertcache

import (
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
)

// Labels of lookups.
const (
	requestHeaderLabel = "request_header"
	clientCALabel      = "client_ca"

	resultCached   = "cached"
	resultVerified = "verified"
	resultFailed   = "failed"
)

// lookups shows the cache at work: cached against verified is the share of requests that
// skipped a verification.
var lookups = metrics.NewCounterVec(&metrics.CounterOpts{
	Subsystem:      "client_certificate_cache",
	Name:           "lookups_total",
	Help:           "Client certificates checked against a CA bundle (ca: request_header, client_ca), by result: cached (verified earlier on the same connection), verified, failed.",
	StabilityLevel: metrics.ALPHA,
}, []string{"ca", "result"})

var registerOnce sync.Once

func registerMetrics() {
	registerOnce.Do(func() { legacyregistry.MustRegister(lookups) })
}
