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

// Images that choose how a pod ends on the stack's fake Node: kwok plays its
// kubelet with the Stages in artifacts/local/kwok/pod-stages.yaml, which match
// the image of the pod's first container. A pod with restartPolicy Never or
// OnFailure and any other image succeeds 1-2 s after it starts running.
const (
	// FailImage makes the pod fail (exit code 1) 1-2 s after it starts running.
	FailImage = "kwok.example.com/fail:1"
	// HangImage keeps the pod running until it is deleted.
	HangImage = "kwok.example.com/hang:1"
)
