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

package server

import (
	"sort"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/component-base/featuregate"
	logsapi "k8s.io/component-base/logs/api/v1"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/config/logging"
	configvalidation "example.com/example-apiserver/pkg/apis/config/validation"
)

// ValidateComponentConfig validates a whole configuration: the API's rules, then featureGates
// and logging against featureGate, the server's, which is copied and never changed. A nil
// featureGate skips the feature gate names and checks logging against the gates' defaults.
func ValidateComponentConfig(cfg *config.ExampleAPIServerConfiguration, featureGate featuregate.FeatureGate) field.ErrorList {
	errs := configvalidation.ValidateExampleAPIServerConfiguration(cfg)
	var gates featuregate.FeatureGate
	if featureGate != nil {
		local := featureGate.DeepCopy()
		errs = append(errs, validateFeatureGates(cfg.FeatureGates, local, field.NewPath("featureGates"))...)
		gates = local
	}
	return append(errs, logsapi.Validate(toLogsAPI(&cfg.Logging), gates, field.NewPath("logging"))...)
}

// validateFeatureGates sets each gate on gates (a copy) one by one, so that every unknown or
// locked gate is reported under its own name.
func validateFeatureGates(m map[string]bool, gates featuregate.MutableFeatureGate, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := gates.SetFromMap(map[string]bool{name: m[name]}); err != nil {
			errs = append(errs, field.Invalid(fldPath.Key(name), m[name], err.Error()))
		}
	}
	return errs
}

// toLogsAPI returns the logging section as component-base's type, which validates and applies
// it; it shares nothing with c.
func toLogsAPI(c *logging.LoggingConfiguration) *logsapi.LoggingConfiguration {
	out := &logsapi.LoggingConfiguration{
		Format:         c.Format,
		FlushFrequency: logsapi.TimeOrMetaDuration{Duration: c.FlushFrequency.Duration, SerializeAsString: c.FlushFrequency.SerializeAsString},
		Verbosity:      logsapi.VerbosityLevel(c.Verbosity),
		Options: logsapi.FormatOptions{
			Text: logsapi.TextOptions{OutputRoutingOptions: logsapi.OutputRoutingOptions{
				SplitStream: c.Options.Text.SplitStream, InfoBufferSize: *c.Options.Text.InfoBufferSize.DeepCopy(),
			}},
			JSON: logsapi.JSONOptions{OutputRoutingOptions: logsapi.OutputRoutingOptions{
				SplitStream: c.Options.JSON.SplitStream, InfoBufferSize: *c.Options.JSON.InfoBufferSize.DeepCopy(),
			}},
		},
	}
	if c.VModule != nil {
		out.VModule = make(logsapi.VModuleConfiguration, 0, len(c.VModule))
		for _, item := range c.VModule {
			out.VModule = append(out.VModule, logsapi.VModuleItem{FilePattern: item.FilePattern, Verbosity: logsapi.VerbosityLevel(item.Verbosity)})
		}
	}
	return out
}

// fromLogsAPI is toLogsAPI's inverse.
func fromLogsAPI(c *logsapi.LoggingConfiguration) logging.LoggingConfiguration {
	out := logging.LoggingConfiguration{
		Format:         c.Format,
		FlushFrequency: logging.TimeOrMetaDuration{Duration: c.FlushFrequency.Duration, SerializeAsString: c.FlushFrequency.SerializeAsString},
		Verbosity:      logging.VerbosityLevel(c.Verbosity),
		Options: logging.FormatOptions{
			Text: logging.TextOptions{OutputRoutingOptions: logging.OutputRoutingOptions{
				SplitStream: c.Options.Text.SplitStream, InfoBufferSize: *c.Options.Text.InfoBufferSize.DeepCopy(),
			}},
			JSON: logging.JSONOptions{OutputRoutingOptions: logging.OutputRoutingOptions{
				SplitStream: c.Options.JSON.SplitStream, InfoBufferSize: *c.Options.JSON.InfoBufferSize.DeepCopy(),
			}},
		},
	}
	if c.VModule != nil {
		out.VModule = make(logging.VModuleConfiguration, 0, len(c.VModule))
		for _, item := range c.VModule {
			out.VModule = append(out.VModule, logging.VModuleItem{FilePattern: item.FilePattern, Verbosity: logging.VerbosityLevel(item.Verbosity)})
		}
	}
	return out
}
