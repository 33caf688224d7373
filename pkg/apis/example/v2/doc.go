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

// +k8s:openapi-gen=true
// +k8s:deepcopy-gen=package
// +k8s:conversion-gen=example.com/example-apiserver/pkg/apis/example
// +k8s:defaulter-gen=TypeMeta
// +groupName=example.com
// +k8s:openapi-model-package=com.example.v2

// Package v2 is the v2 version of the example.com API: a CronTab carries a full batch/v1 Job
// template. It is the preferred version; v1 stays served and is converted in-process.
package v2
