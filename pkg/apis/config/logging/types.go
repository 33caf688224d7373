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

package logging

import (
	"encoding/json"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LoggingConfiguration configures the logger: k8s.io/component-base/logs/api/v1's
// LoggingConfiguration, field for field (the server's tests compare the two).
type LoggingConfiguration struct {
	// format of log messages: "text" (the default) or "json".
	Format string `json:"format,omitempty"`
	// flushFrequency is the longest time between log flushes: a duration string ("5s") or
	// nanoseconds. Ignored by a logging backend that writes without buffering.
	FlushFrequency TimeOrMetaDuration `json:"flushFrequency"`
	// verbosity is the threshold of the messages logged; 0, the default, logs only the most
	// important ones. Errors are always logged.
	Verbosity VerbosityLevel `json:"verbosity"`
	// vmodule overrides the verbosity for individual files; only for the "text" format.
	VModule VModuleConfiguration `json:"vmodule,omitempty"`
	// [Alpha] options of the formats; only with the LoggingAlphaOptions feature gate.
	Options FormatOptions `json:"options,omitempty"`
}

// TimeOrMetaDuration is a duration written as a string ("5s") or as nanoseconds, and written
// back the way it was read.
type TimeOrMetaDuration struct {
	// Duration holds the duration.
	Duration metav1.Duration
	// SerializeAsString writes the duration as a string rather than nanoseconds.
	SerializeAsString bool `json:"-"`
}

// MarshalJSON writes the duration as it was read.
func (t TimeOrMetaDuration) MarshalJSON() ([]byte, error) {
	if t.SerializeAsString {
		return t.Duration.MarshalJSON()
	}
	return json.Marshal(t.Duration.Duration)
}

// UnmarshalJSON reads a duration string or nanoseconds.
func (t *TimeOrMetaDuration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		t.SerializeAsString = true
		return json.Unmarshal(b, &t.Duration)
	}
	t.SerializeAsString = false
	if err := json.Unmarshal(b, &t.Duration.Duration); err != nil {
		return fmt.Errorf("invalid duration %q: %w", string(b), err)
	}
	return nil
}

// FormatOptions are the options of the logging formats.
type FormatOptions struct {
	// [Alpha] text holds the options of the "text" format.
	Text TextOptions `json:"text,omitempty"`
	// [Alpha] json holds the options of the "json" format.
	JSON JSONOptions `json:"json,omitempty"`
}

// TextOptions are the options of the "text" format.
type TextOptions struct {
	OutputRoutingOptions `json:""`
}

// JSONOptions are the options of the "json" format.
type JSONOptions struct {
	OutputRoutingOptions `json:""`
}

// OutputRoutingOptions are the options both formats have.
type OutputRoutingOptions struct {
	// [Alpha] splitStream writes errors to stderr and info messages to stdout, buffered.
	SplitStream bool `json:"splitStream,omitempty"`
	// [Alpha] infoBufferSize is the size of the info stream's buffer with splitStream; 0
	// disables buffering.
	InfoBufferSize resource.QuantityValue `json:"infoBufferSize,omitempty"`
}

// VModuleConfiguration sets the verbosity of files by name pattern.
type VModuleConfiguration []VModuleItem

// VModuleItem sets the verbosity of the files matching a pattern.
type VModuleItem struct {
	// filePattern is a base file name (without ".go") or a glob pattern of one, without ","
	// and "=".
	FilePattern string `json:"filePattern"`
	// verbosity is the threshold of the messages logged in those files.
	Verbosity VerbosityLevel `json:"verbosity"`
}

// VerbosityLevel is a klog or logr verbosity threshold.
type VerbosityLevel uint32

// DefaultFlushFrequency is component-base's LogFlushFreqDefault.
const DefaultFlushFrequency = 5 * time.Second

// SetRecommendedLoggingConfiguration defaults c as component-base's function of that name:
// text format, a flush every 5s, unbuffered output.
func SetRecommendedLoggingConfiguration(c *LoggingConfiguration) {
	if c.Format == "" {
		c.Format = "text"
	}
	if c.FlushFrequency.Duration.Duration == 0 {
		c.FlushFrequency.Duration.Duration = DefaultFlushFrequency
		c.FlushFrequency.SerializeAsString = true
	}
	setRecommendedOutputRouting(&c.Options.Text.OutputRoutingOptions)
	setRecommendedOutputRouting(&c.Options.JSON.OutputRoutingOptions)
}

func setRecommendedOutputRouting(o *OutputRoutingOptions) {
	if o.InfoBufferSize == (resource.QuantityValue{}) {
		o.InfoBufferSize = resource.QuantityValue{Quantity: *resource.NewQuantity(0, resource.DecimalSI)}
		// Sets the Quantity's cached string, as component-base does, so that DeepEqual holds.
		_ = o.InfoBufferSize.String()
	}
}
