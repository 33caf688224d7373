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

package main

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// An open loop sends each request at its time whether or not the earlier ones were answered:
// the first call here is answered only after the last one was sent, which a loop that waits
// for answers would never reach.
func TestRunOpenLoopSendsWithoutWaitingForAnswers(t *testing.T) {
	const rate, calls = 200, 10
	var sent atomic.Int32
	allSent := make(chan struct{})
	done := make(chan openLoop, 1)
	go func() {
		done <- runOpenLoop(rate, calls*time.Second/rate, func() error {
			if n := sent.Add(1); n == calls {
				close(allSent)
			} else if n == 1 {
				<-allSent
				return errors.New("answered last")
			}
			return nil
		})
	}()
	select {
	case ol := <-done:
		if ol.Latency.N != calls || ol.Errors != 1 || ol.FirstError != "answered last" {
			t.Errorf("got %d calls, %d errors (%q), want %d calls and the first one's error", ol.Latency.N, ol.Errors, ol.FirstError, calls)
		}
	case <-time.After(time.Minute):
		t.Fatal("the open loop waited for the first answer before sending the rest")
	}
}
