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

package token

import (
	"fmt"
	"os"
	"sync"
	"time"

	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// KeySource yields the keys in force.
type KeySource interface {
	Current() *Keys
}

// Current makes fixed keys a KeySource.
func (k *Keys) Current() *Keys { return k }

// keyFileCheckInterval is how often a KeyFile looks at its file: a rotated Secret is picked up
// within it, without a stat per request.
const keyFileCheckInterval = 10 * time.Second

// KeyFile is a KeySource that re-reads its file when it changes, so that keys rotate without a
// restart. A file that can no longer be read or parsed leaves the keys read before in force,
// a key being revoked included: Err reports it, for the server's readiness.
type KeyFile struct {
	path  string
	clock clock.PassiveClock

	mu        sync.Mutex
	keys      *Keys
	modTime   time.Time
	size      int64
	checkedAt time.Time
	// err is why the last look at the file did not yield its keys; nil once one did.
	err error
}

// NewKeyFile reads path; it fails when the file holds no valid keys.
func NewKeyFile(path string, clk clock.PassiveClock) (*KeyFile, error) {
	f := &KeyFile{path: path, clock: clk}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	keys, err := LoadKeys(path)
	if err != nil {
		return nil, err
	}
	f.keys, f.modTime, f.size, f.checkedAt = keys, info.ModTime(), info.Size(), clk.Now()
	return f, nil
}

// Current returns the keys, reading the file again first if it changed since it was last
// looked at (at most every keyFileCheckInterval).
func (f *KeyFile) Current() *Keys {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh()
	return f.keys
}

// Err says why the keys in force may not be the file's: it could not be read or parsed when
// last looked at. It looks at the file as Current does, so that an idle server notices too.
func (f *KeyFile) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh()
	return f.err
}

// refresh reads the file again if it changed; f.mu is held.
func (f *KeyFile) refresh() {
	now := f.clock.Now()
	if now.Sub(f.checkedAt) < keyFileCheckInterval {
		return
	}
	f.checkedAt = now
	info, err := os.Stat(f.path)
	if err != nil {
		f.fail(err)
		return
	}
	if info.ModTime().Equal(f.modTime) && info.Size() == f.size {
		// The file the keys in force came from is back (or never left).
		f.err = nil
		return
	}
	keys, err := LoadKeys(f.path)
	if err != nil {
		f.fail(err)
		return
	}
	f.keys, f.modTime, f.size, f.err = keys, info.ModTime(), info.Size(), nil
	klog.InfoS("Login signing keys reloaded", "path", f.path, "keys", len(keys.keys), "signingKeyID", keys.keys[0].id)
}

// fail records err, which names the file (os and LoadKeys errors do).
func (f *KeyFile) fail(err error) {
	f.err = fmt.Errorf("%w; the %d keys read before stay in force", err, len(f.keys.keys))
	klog.ErrorS(err, "Login signing keys: keeping the keys read before", "path", f.path)
}
