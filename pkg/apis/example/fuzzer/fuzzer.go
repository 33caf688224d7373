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

// Package fuzzer holds the randfill functions of the example.com types, for round-trip tests:
// they produce objects the API server could store, so a round trip that loses data is a bug
// in conversion, defaulting or serialization rather than in the fuzzed input.
package fuzzer

import (
	"fmt"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/randfill"

	"example.com/example-apiserver/pkg/apis/example"
	v1 "example.com/example-apiserver/pkg/apis/example/v1"
	v2 "example.com/example-apiserver/pkg/apis/example/v2"
	"example.com/example-apiserver/pkg/apis/example/validation"
)

var (
	cronSpecs = []string{"* * * * */5", "*/5 * * * *", "0 9 * * 1-5", "@hourly", "@daily", "@every 90s"}
	images    = []string{"my-awesome-cron-image", "nginx:1.27", "registry.example.com/team/job:1.0", "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	// "" is UTC, the default.
	timeZones         = []string{"", "UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York"}
	conditionTypes    = []string{"Ready", "Scheduled", "Degraded", "example.com/Custom"}
	conditionStatuses = []metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown}
	conditionReasons  = []string{"Scheduled", "ImagePullFailed", "AsExpected", "Reason_With:Punctuation,1"}
	// "" is not among them: v1 defaults it to Allow on decode.
	concurrencyPolicies = []example.ConcurrencyPolicy{example.AllowConcurrent, example.ForbidConcurrent, example.ReplaceConcurrent}
)

// wholeSecondTime is a time as RFC 3339 on the wire keeps it: whole seconds in UTC.
func wholeSecondTime(c randfill.Continue) metav1.Time {
	return metav1.NewTime(time.Unix(c.Rand.Int63n(1<<32), 0).UTC())
}

// optional returns nil or a pointer to what value gives, at random.
func optional[T any](c randfill.Continue, value func() T) *T {
	if c.Bool() {
		return nil
	}
	v := value()
	return &v
}

// stringList returns up to three strings, each possibly empty, as a container's command or args may hold.
func stringList(c randfill.Continue) []string {
	var list []string
	for range c.Rand.Intn(4) {
		list = append(list, c.String(0))
	}
	return list
}

// jobTemplate returns a whole v2 job template with a random choice of what workloads set.
// It is built, not filled at random: the k8s.io/api types hold values (quantities, int-or-
// strings) whose random fill does not survive the wire, and their round trip is their own
// module's to test.
func jobTemplate(c randfill.Continue) batchv1.JobTemplateSpec {
	container := func(name string) corev1.Container {
		ctr := corev1.Container{Name: name, Image: pick(c, images), Command: stringList(c), Args: stringList(c)}
		if c.Bool() {
			ctr.Env = []corev1.EnvVar{{Name: "MODE", Value: c.String(0)}, {Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{
				SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}}
		}
		if c.Bool() {
			ctr.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}}
		}
		if c.Bool() {
			ctr.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi")}
		}
		if c.Bool() {
			ctr.VolumeMounts = []corev1.VolumeMount{{Name: "config", MountPath: "/etc/report", ReadOnly: true}}
		}
		if c.Bool() {
			ctr.SecurityContext = &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr.To(false),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			}
		}
		return ctr
	}
	var t batchv1.JobTemplateSpec
	if c.Bool() {
		t.Labels = map[string]string{"team": c.String(0)}
		t.Annotations = map[string]string{"example.com/owner": c.String(0)}
	}
	job := &t.Spec
	job.Parallelism = optional(c, func() int32 { return c.Rand.Int31n(validation.MaxReplicas + 1) })
	job.Completions = optional(c, func() int32 { return c.Rand.Int31n(validation.MaxReplicas + 1) })
	job.BackoffLimit = optional(c, func() int32 { return c.Rand.Int31n(100) })
	job.ActiveDeadlineSeconds = optional(c, func() int64 { return c.Rand.Int63n(1<<20) + 1 })
	job.TTLSecondsAfterFinished = optional(c, func() int32 { return c.Rand.Int31n(1 << 16) })
	pod := &job.Template.Spec
	if c.Bool() {
		job.Template.Labels = map[string]string{"app": c.String(0)}
	}
	// The first container may be the one v1 implies, alone or with others; a pod has one at least.
	for i := range c.Rand.Intn(3) + 1 {
		name := example.ContainerName
		if i > 0 || c.Bool() {
			name = fmt.Sprintf("c%d", i)
		}
		pod.Containers = append(pod.Containers, container(name))
	}
	if c.Bool() {
		pod.InitContainers = []corev1.Container{container("init")}
	}
	if c.Bool() {
		pod.RestartPolicy = pick(c, []corev1.RestartPolicy{corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure})
	}
	if c.Bool() {
		pod.ServiceAccountName = "report"
		pod.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
		pod.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "batch", Effect: corev1.TaintEffectNoSchedule}}
		pod.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "pull"}}
	}
	if c.Bool() {
		pod.Volumes = []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "report"}}}}}
	}
	if c.Bool() {
		pod.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr.To(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
	}
	return t
}

func pick[T any](c randfill.Continue, from []T) T {
	return from[c.Rand.Intn(len(from))]
}

// Funcs returns the fuzzer functions of the example.com group.
var Funcs = func(codecs runtimeserializer.CodecFactory) []any {
	return []any{
		func(ct *example.CronTab, c randfill.Continue) {
			c.FillNoCustom(ct) // fuzz metadata, spec and status with their own functions
			// status.selector is owned by the server and derived from the name.
			ct.Status.Selector = labels.SelectorFromSet(labels.Set{example.CronTabSelectorLabel: ct.Name}).String()
			// The status cannot have observed a generation that does not exist yet.
			ct.Status.ObservedGeneration = 0
			if ct.Generation > 0 {
				ct.Status.ObservedGeneration = c.Rand.Int63n(ct.Generation) + 1
			}
		},
		func(s *example.CronTabSpec, c randfill.Continue) {
			s.CronSpec = pick(c, cronSpecs)
			s.Image = pick(c, images)
			// The internal int32 becomes a non-nil *int32 in v1, so any valid value round-trips,
			// 0 included (the v1 default of 1 only applies to an absent field).
			s.Replicas = c.Rand.Int31n(validation.MaxReplicas + 1)
			s.TimeZone = pick(c, timeZones)
			s.Command = stringList(c)
			s.Args = stringList(c)
			s.Suspend = c.Bool()
			s.ConcurrencyPolicy = pick(c, concurrencyPolicies)
			s.StartingDeadlineSeconds = optional(c, func() int64 { return c.Rand.Int63n(1 << 20) })
			if !strings.HasPrefix(s.CronSpec, "@every") { // wall-clock schedules only
				s.StaggerWindowSeconds = optional(c, func() int64 { return c.Rand.Int63n(validation.MaxStaggerWindowSeconds) + 1 })
			}
			// Like replicas, the history limits are non-nil in v1, so 0 round-trips.
			s.SuccessfulJobsHistoryLimit = c.Rand.Int31n(100)
			s.FailedJobsHistoryLimit = c.Rand.Int31n(100)
			s.BackoffLimit = optional(c, func() int32 { return c.Rand.Int31n(100) })
			s.ActiveDeadlineSeconds = optional(c, func() int64 { return c.Rand.Int63n(1<<20) + 1 })
			// What the v2 template holds beyond the fields above, as the server keeps it.
			replicas, image, command, args := s.Replicas, s.Image, s.Command, s.Args
			backoffLimit, activeDeadlineSeconds := s.BackoffLimit, s.ActiveDeadlineSeconds
			s.WorkQueue = c.Bool()
			if c.Bool() {
				t := jobTemplate(c)
				s.SetJobTemplateRest(&t)
			} else {
				s.JobTemplate = batchv1.JobTemplateSpec{}
			}
			s.Replicas, s.Image, s.Command, s.Args = replicas, image, command, args
			s.BackoffLimit, s.ActiveDeadlineSeconds = backoffLimit, activeDeadlineSeconds
		},
		func(s *example.CronTabStatus, c randfill.Continue) {
			s.Replicas = c.Rand.Int31n(validation.MaxReplicas + 1)
			s.Conditions = nil
			// conditions is a map list keyed by type: at most one condition per type.
			for _, i := range c.Rand.Perm(len(conditionTypes))[:c.Rand.Intn(len(conditionTypes)+1)] {
				s.Conditions = append(s.Conditions, metav1.Condition{
					Type:               conditionTypes[i],
					Status:             pick(c, conditionStatuses),
					ObservedGeneration: c.Rand.Int63n(1 << 20),
					// Whole seconds in UTC: what RFC 3339 on the wire keeps.
					LastTransitionTime: wholeSecondTime(c),
					Reason:             pick(c, conditionReasons),
					Message:            c.String(0),
				})
			}
			s.Active = nil
			for range c.Rand.Intn(3) {
				s.Active = append(s.Active, corev1.ObjectReference{
					Kind:            "Job",
					APIVersion:      "batch/v1",
					Namespace:       c.String(0),
					Name:            fmt.Sprintf("job-%d", c.Uint32()),
					UID:             types.UID(c.String(0)),
					ResourceVersion: fmt.Sprint(c.Uint64()),
				})
			}
			s.LastScheduleTime = optional(c, func() metav1.Time { return wholeSecondTime(c) })
			s.LastSuccessfulTime = optional(c, func() metav1.Time { return wholeSecondTime(c) })
			s.NextScheduleTime = optional(c, func() metav1.Time { return wholeSecondTime(c) })
			s.LastMissedTime = optional(c, func() metav1.Time { return wholeSecondTime(c) })
			s.MissedRuns = c.Rand.Int63n(1 << 20)
			s.RunningPods = c.Rand.Int31n(validation.MaxReplicas + 1)
			// Selector and ObservedGeneration are set from the enclosing CronTab.
		},
		func(s *example.CustomResourceSpec, c randfill.Continue) {
			// An empty message does not round-trip: v1 defaults it when decoding, as the server does
			// for every stored object, so generate what the server would hold.
			s.Message = c.String(0)
			if s.Message == "" || len(s.Message) > validation.MaxMessageBytes {
				s.Message = fmt.Sprintf("message %d", c.Uint64())
			}
		},
		func(s *v1.CronTabSpec, c randfill.Continue) {
			c.FillNoCustom(s)
			// Decoding defaults what is absent; fill what a decoded object holds.
			defaultInt32 := func(p **int32, value int32) {
				if *p == nil {
					*p = &value
				}
			}
			defaultInt32(&s.Replicas, 1)
			defaultInt32(&s.SuccessfulJobsHistoryLimit, v1.DefaultSuccessfulJobsHistoryLimit)
			defaultInt32(&s.FailedJobsHistoryLimit, v1.DefaultFailedJobsHistoryLimit)
			if s.Suspend == nil {
				s.Suspend = new(bool)
			}
			if s.ConcurrencyPolicy == "" {
				s.ConcurrencyPolicy = v1.AllowConcurrent
			}
		},
		func(s *v2.CronTabSpec, c randfill.Continue) {
			c.FillNoCustom(s)
			s.JobTemplate = jobTemplate(c)
		},
		func(s *v1.CustomResourceSpec, c randfill.Continue) {
			c.FillNoCustom(s)
			if s.Message == "" {
				s.Message = "Hello from Custom Resource API!"
			}
		},
	}
}
