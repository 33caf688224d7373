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

	"k8s.io/utils/clock"
	"k8s.io/utils/lru"
)

// DefaultMaxKeys bounds each limiter's memory: about 100 bytes a key.
const DefaultMaxKeys = 10000

// FailureLimiter allows Burst failures per key at once and refills them in Period. An attempt
// takes its token before it is made and gives it back unless it failed, so that concurrent
// attempts never pass a limit together. A key evicted from the LRU starts afresh: under a
// flood of distinct keys an attacker gains at most one burst per eviction, for keys it
// cannot choose to be a victim's.
type FailureLimiter struct {
	perSecond float64
	burst     float64
	clock     clock.PassiveClock

	mu      sync.Mutex
	buckets *lru.Cache
}

// bucket holds the tokens a key had at a time; it refills at perSecond up to burst.
type bucket struct {
	tokens float64
	at     time.Time
}

// NewFailureLimiter returns a limiter of burst failures per period per key, keeping at most
// maxKeys keys.
func NewFailureLimiter(burst int, period time.Duration, maxKeys int, clk clock.PassiveClock) *FailureLimiter {
	return &FailureLimiter{
		perSecond: float64(burst) / period.Seconds(),
		burst:     float64(burst),
		clock:     clk,
		buckets:   lru.New(maxKeys),
	}
}

// Take takes a token of key for an attempt about to be made, or says how long until one is
// left. Give it back with Refund when the attempt did not fail.
func (l *FailureLimiter) Take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refilled(key)
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.perSecond * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// Refund gives back the token Take took for an attempt that did not fail.
func (l *FailureLimiter) Refund(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refilled(key)
	b.tokens = min(l.burst, b.tokens+1)
}

// refilled returns key's bucket as of now, added full if the LRU has none.
func (l *FailureLimiter) refilled(key string) *bucket {
	now := l.clock.Now()
	if v, ok := l.buckets.Get(key); ok {
		b := v.(*bucket)
		b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.perSecond)
		b.at = now
		return b
	}
	b := &bucket{tokens: l.burst, at: now}
	l.buckets.Add(key, b)
	return b
}
