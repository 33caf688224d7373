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

// Package ratelimit limits failed logins per key (a user name, a source address) with token
// buckets kept in a bounded LRU, so that guessing passwords is slow and a flood of invented
// keys cannot exhaust memory.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/utils/clock"
	"k8s.io/utils/lru"
)

// DefaultMaxKeys bounds each limiter's memory: about 100 bytes a key.
const DefaultMaxKeys = 10000

// FailureLimiter allows Burst failures per key at once and refills them in Period. A key
// evicted from the LRU starts afresh: under a flood of distinct keys an attacker gains at
// most one burst per eviction, for keys it cannot choose to be a victim's.
type FailureLimiter struct {
	limit rate.Limit
	burst int
	clock clock.PassiveClock

	mu      sync.Mutex
	buckets *lru.Cache
}

// NewFailureLimiter returns a limiter of burst failures per period per key, keeping at most
// maxKeys keys.
func NewFailureLimiter(burst int, period time.Duration, maxKeys int, clk clock.PassiveClock) *FailureLimiter {
	return &FailureLimiter{
		limit:   rate.Limit(float64(burst) / period.Seconds()),
		burst:   burst,
		clock:   clk,
		buckets: lru.New(maxKeys),
	}
}

// Allowed says whether key may try again, and if not, how long until it may.
func (l *FailureLimiter) Allowed(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.buckets.Get(key)
	if !ok {
		return true, 0
	}
	b := v.(*rate.Limiter)
	now := l.clock.Now()
	tokens := b.TokensAt(now)
	if tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second))
}

// Failed counts a failure of key.
func (l *FailureLimiter) Failed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *rate.Limiter
	if v, ok := l.buckets.Get(key); ok {
		b = v.(*rate.Limiter)
	} else {
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets.Add(key, b)
	}
	b.AllowN(l.clock.Now(), 1)
}
