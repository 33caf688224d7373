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

// Package pluginconfig resolves an admission plugin's configuration: the plugin's entry in the
// AdmissionConfiguration (--admission-control-config-file) when there is one, else its section
// of the component config.
package pluginconfig

import (
	"fmt"
	"io"
)

// Load returns what decode makes of r, the plugin's AdmissionConfiguration entry, or defaults()
// when r is nil; a nil defaults means the zero configuration.
func Load[T any](plugin string, r io.Reader, defaults func() T, decode func([]byte) (T, error)) (T, error) {
	var cfg T
	if r == nil {
		if defaults != nil {
			cfg = defaults()
		}
		return cfg, nil
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return cfg, fmt.Errorf("%s configuration: %w", plugin, err)
	}
	if cfg, err = decode(data); err != nil {
		return cfg, fmt.Errorf("%s configuration: %w", plugin, err)
	}
	return cfg, nil
}
