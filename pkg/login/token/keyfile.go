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
// restart. A file that no longer parses is reported and the keys read before stay in force.
type KeyFile struct {
	path  string
	clock clock.PassiveClock

	mu        sync.Mutex
	keys      *Keys
	modTime   time.Time
	size      int64
	checkedAt time.Time
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
	now := f.clock.Now()
	if now.Sub(f.checkedAt) < keyFileCheckInterval {
		return f.keys
	}
	f.checkedAt = now
	info, err := os.Stat(f.path)
	if err != nil {
		klog.ErrorS(err, "Login signing keys: keeping the keys read before", "path", f.path)
		return f.keys
	}
	if info.ModTime().Equal(f.modTime) && info.Size() == f.size {
		return f.keys
	}
	keys, err := LoadKeys(f.path)
	if err != nil {
		klog.ErrorS(err, "Login signing keys: keeping the keys read before", "path", f.path)
		return f.keys
	}
	f.keys, f.modTime, f.size = keys, info.ModTime(), info.Size()
	klog.InfoS("Login signing keys reloaded", "path", f.path, "keys", len(keys.keys), "signingKeyID", keys.keys[0].id)
	return f.keys
}
