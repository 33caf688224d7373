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

package utils

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Poll calls condition every interval until it reports done or timeout passes; then it returns
// an error with what and the condition's last status. Tests wait with it (or Eventually), never
// with a fixed sleep.
func Poll(interval, timeout time.Duration, what string, condition func() (done bool, status string)) error {
	return PollContext(context.Background(), interval, timeout, what, condition)
}

// PollContext is Poll that also ends when ctx does (a program's Ctrl-C, say).
func PollContext(ctx context.Context, interval, timeout time.Duration, what string, condition func() (done bool, status string)) error {
	var status string
	err := wait.PollUntilContextTimeout(ctx, interval, timeout, true, func(context.Context) (bool, error) {
		var done bool
		done, status = condition()
		return done, nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w; last: %s", what, context.Cause(ctx), status)
	default:
		return fmt.Errorf("%s: not true after %s; last: %s", what, timeout, status)
	}
}

// Eventually polls condition every 100ms until it reports done, and fails the test with its
// last status if it has not after timeout.
func Eventually(t testing.TB, timeout time.Duration, what string, condition func() (done bool, status string)) {
	t.Helper()
	if err := Poll(100*time.Millisecond, timeout, what, condition); err != nil {
		t.Fatal(err)
	}
}
