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

package credentialplugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cacheSubdir is the plugin's directory under the kubectl cache directory.
const cacheSubdir = "example-credential-plugin"

// defaultCacheDir is ${KUBECACHEDIR:-~/.kube/cache}/example-credential-plugin, or "" with
// neither a home nor KUBECACHEDIR: then the cache is refused, never put in a shared
// directory such as /tmp, where another local user could have made it first.
func defaultCacheDir(getenv func(string) string) string {
	base := getenv("KUBECACHEDIR")
	if base == "" {
		home := getenv(homeVariable)
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".kube", "cache")
	}
	return filepath.Join(base, cacheSubdir)
}

// errNoCacheDir is a cache without a directory.
var errNoCacheDir = errors.New("no cache directory: neither $" + homeVariable + " nor $KUBECACHEDIR is set; set one, or --cache-dir")

// credentialCache keeps credentials on disk between runs: kubectl starts the plugin afresh for every
// command, and without a cache every "kubectl get" would cost a TokenRequest.
//
// Files: <dir>/<sha256 of the key>.json (0600, written to a temporary file and renamed into
// place, so a reader never sees half a credential) beside <hash>.lock, which a run holds
// with flock while it reads, fetches and writes, so parallel kubectl calls run the source
// once. The directory is 0700.
type credentialCache struct {
	Dir string
}

// cacheEntry is a cache file.
type cacheEntry struct {
	// Source says what fetched the credential, without secrets.
	Source    string            `json:"source"`
	FetchedAt time.Time         `json:"fetchedAt"`
	Status    *credentialStatus `json:"status"`
}

// unlockFunc releases a lock taken by Lock.
type unlockFunc func()

func (c *credentialCache) paths(key string) (data, lock string) {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(c.Dir, name+".json"), filepath.Join(c.Dir, name+".lock")
}

func (c *credentialCache) ensureDir() error {
	if c.Dir == "" {
		return errNoCacheDir
	}
	if _, err := os.Lstat(c.Dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(c.Dir, 0o700); err != nil {
			return fmt.Errorf("creating the cache directory: %w", err)
		}
	}
	if err := checkDir(c.Dir); err != nil {
		return err
	}
	// MkdirAll leaves an existing directory's mode alone; credentials must not be readable
	// by others, whoever created it.
	if err := os.Chmod(c.Dir, 0o700); err != nil {
		return fmt.Errorf("securing the cache directory: %w", err)
	}
	return nil
}

// checkDir refuses a cache directory that another local user may control: a symbolic link
// (which can point anywhere), anything but a directory, or a directory not the user's own.
func checkDir(dir string) error {
	info, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("checking the cache directory: %w", err)
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("the cache directory %s is a symbolic link; refusing to follow it", dir)
	case !info.IsDir():
		return fmt.Errorf("the cache directory %s is not a directory", dir)
	}
	return ownedByUser(dir, info)
}

// Lock takes the exclusive lock for key, waiting until ctx is done.
func (c *credentialCache) Lock(ctx context.Context, key string) (unlockFunc, error) {
	if err := c.ensureDir(); err != nil {
		return nil, err
	}
	_, lockPath := c.paths(key)
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the cache lock: %w", err)
	}
	for {
		locked, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", lockPath, err)
		}
		if locked {
			return func() { unlock(f); f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another run of the plugin to release %s: %w", lockPath, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Read returns the cached entry for key, or nil when there is none or it cannot be read
// (a damaged file is simply replaced by the next Write).
func (c *credentialCache) Read(key string) *cacheEntry {
	dataPath, _ := c.paths(key)
	data, err := os.ReadFile(dataPath)
	if err != nil {
		return nil
	}
	var e cacheEntry
	if err := json.Unmarshal(data, &e); err != nil || e.Status == nil || e.Status.ExpirationTimestamp == nil {
		return nil
	}
	return &e
}

// Write stores entry for key atomically, readable by the owner only.
func (c *credentialCache) Write(key string, e *cacheEntry) error {
	if err := c.ensureDir(); err != nil {
		return err
	}
	dataPath, _ := c.paths(key)
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.Dir, filepath.Base(dataPath)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing the cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the cache: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the cache: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), dataPath); err != nil {
		return fmt.Errorf("writing the cache: %w", err)
	}
	return nil
}

// Clean removes every cached credential and lock; it returns how many credentials it removed.
func (c *credentialCache) Clean() (int, error) {
	if c.Dir == "" {
		return 0, errNoCacheDir
	}
	if _, err := os.Lstat(c.Dir); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err := checkDir(c.Dir); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return 0, err
	}
	removed := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".tmp")) {
			continue // not ours: leave it
		}
		if err := os.Remove(filepath.Join(c.Dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		if strings.HasSuffix(name, ".json") {
			removed++
		}
	}
	return removed, errors.Join(errs...)
}
