//go:build unix

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
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// homeVariable names the home directory, as os.UserHomeDir reads it.
const homeVariable = "HOME"

// ownedByUser refuses a cache directory that is not this user's: its owner could read the
// tokens or swap them.
func ownedByUser(dir string, info fs.FileInfo) error {
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("the cache directory %s: cannot tell its owner", dir)
	}
	if uid := os.Getuid(); int(stat.Uid) != uid {
		return fmt.Errorf("the cache directory %s is owned by user %d, not by this user (%d); refusing to keep credentials there", dir, stat.Uid, uid)
	}
	return nil
}
