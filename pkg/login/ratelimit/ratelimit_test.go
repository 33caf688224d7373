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
	"net/http/httptest"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"
)

func TestFailureLimiter(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Now())
	l := NewFailureLimiter(3, time.Minute, 2, clk)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Take("alice"); !ok {
			t.Fatalf("refused after %d failures, burst 3", i)
		}
	}
	ok, wait := l.Take("alice")
	if ok || wait <= 0 || wait > 20*time.Second {
		t.Fatalf("after 3 failures: allowed=%v wait=%s, want refused for up to 20s (3 per minute)", ok, wait)
	}
	if ok, _ := l.Take("bob"); !ok {
		t.Error("bob refused for alice's failures")
	}
	l.Refund("bob")
	clk.Step(wait)
	if ok, _ := l.Take("alice"); !ok {
		t.Errorf("still refused after the wait it announced (%s)", wait)
	}
	// A refunded attempt is no failure: alice may try again at once, and no more often.
	l.Refund("alice")
	if ok, _ := l.Take("alice"); !ok {
		t.Error("refused after a refund")
	}
	if ok, _ := l.Take("alice"); ok {
		t.Error("a refund gave back more than the token taken")
	}
	// Refunds never fill a bucket beyond its burst.
	for i := 0; i < 5; i++ {
		l.Refund("bob")
	}
	for i := 0; i < 3; i++ {
		l.Take("bob")
	}
	if ok, _ := l.Take("bob"); ok {
		t.Error("refunds filled bob's bucket beyond the burst of 3")
	}
	// Two keys at most: the oldest is forgotten, memory stays bounded.
	l.Take("carol")
	if l.buckets.Len() != 2 {
		t.Errorf("%d keys kept, want at most 2", l.buckets.Len())
	}
}

func TestSourceAddress(t *testing.T) {
	tests := []struct {
		name       string
		remoteAddr string
		xff        []string
		want       string
	}{
		{name: "direct", remoteAddr: "10.0.0.5:4431", want: "10.0.0.5"},
		{name: "through kube-apiserver", remoteAddr: "127.0.0.1:4431", xff: []string{"192.0.2.7"}, want: "192.0.2.7"},
		{name: "a forged first hop is ignored", remoteAddr: "127.0.0.1:4431", xff: []string{"203.0.113.1, 192.0.2.7"}, want: "192.0.2.7"},
		{name: "repeated headers: the last", remoteAddr: "127.0.0.1:4431", xff: []string{"203.0.113.1", "192.0.2.7"}, want: "192.0.2.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", nil)
			req.RemoteAddr = tt.remoteAddr
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := SourceAddress(req); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
