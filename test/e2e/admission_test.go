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

package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/cert"

	"example.com/example-apiserver/test/utils"
)

// The stack runs example-apiserver with artifacts/config/example-apiserver.yaml, whose image
// allow list is docker.io/library, registry.k8s.io, ghcr.io and registry.example.com (and
// kwok.example.com, which the suite adds for the fake Node's images).

// createCronTab creates a CronTab with kubectl create; args may add --dry-run=server.
func createCronTab(ns, name, image string, replicas int, args ...string) (string, error) {
	manifest := fmt.Appendf(nil, `apiVersion: example.com/v1
kind: CronTab
metadata:
  name: %s
  namespace: %s
spec:
  cronSpec: "*/5 * * * *"
  image: %s
  replicas: %d
`, name, ns, image, replicas)
	return stack.KubectlWithInput(manifest, append([]string{"create", "-f", "-"}, args...)...)
}

// mustCreateCronTab creates a CronTab and fails the test if that fails.
func mustCreateCronTab(t *testing.T, ns, name, image string, replicas int) {
	t.Helper()
	if out, err := createCronTab(ns, name, image, replicas); err != nil {
		stack.Fatalf(t, "creating CronTab %s/%s: %v\n%s", ns, name, err, out)
	}
}

// wantDenied fails unless kubectl failed with output containing every want.
func wantDenied(t *testing.T, what, out string, err error, wants ...string) {
	t.Helper()
	if err == nil {
		stack.Fatalf(t, "%s was allowed:\n%s", what, out)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			stack.Fatalf(t, "%s: output does not mention %q:\n%s", what, want, out)
		}
	}
}

// eventuallyDenied polls a server-side dry run until it is refused with a message containing
// want: plugins and policies read their inputs from informers, which take a moment to catch up.
func eventuallyDenied(t *testing.T, what, want string, dryRun func() (string, error)) {
	t.Helper()
	stack.Eventually(t, time.Minute, what, func() (bool, string) {
		out, err := dryRun()
		return err != nil && strings.Contains(out, want), out
	})
}

// applyAdmissionObjects applies manifests to kube-apiserver and deletes them after the test.
func applyAdmissionObjects(t *testing.T, manifest string) {
	t.Helper()
	if out, err := stack.KubectlWithInput([]byte(manifest), "apply", "-f", "-"); err != nil {
		stack.Fatalf(t, "kubectl apply: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = stack.KubectlWithInput([]byte(manifest), "delete", "-f", "-", "--ignore-not-found") })
}

// applyCronTabLabelPolicy applies MutatingAdmissionPolicy name and its binding, which label
// every CronTab created in namespace with label=true, and waits until example-apiserver, which
// learns policies through its informers, applies it to a dry-run create.
func applyCronTabLabelPolicy(t *testing.T, name, namespace, label string) {
	t.Helper()
	applyAdmissionObjects(t, fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata:
  name: %[1]s
spec:
  failurePolicy: Fail
  reinvocationPolicy: Never
  matchConstraints:
    resourceRules:
    - apiGroups: ["example.com"]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["crontabs"]
  mutations:
  - patchType: JSONPatch
    jsonPatch:
      expression: '[JSONPatch{op: "add", path: "/metadata/labels", value: {%[2]q: "true"}}]'
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata:
  name: %[1]s
spec:
  policyName: %[1]s
  matchResources:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: %[3]s
`, name, label, namespace))
	stack.Eventually(t, time.Minute, "MutatingAdmissionPolicy "+name+" applied by example-apiserver (dry run)", func() (bool, string) {
		out, err := createCronTab(namespace, "probe", "busybox:1.36", 1, "--dry-run=server", "-o", "jsonpath={.metadata.labels}")
		return err == nil && strings.Contains(out, fmt.Sprintf(`%q:"true"`, label)), out
	})
}

func TestAdmissionImagePolicy(t *testing.T) {
	ns := stack.Namespace(t, "e2e-admission-image")

	out, err := createCronTab(ns, "miner", "evil.example.org/miner:1", 1)
	wantDenied(t, "a CronTab from a registry outside the allow list", out, err,
		"(Forbidden)", `crontabs.example.com "miner" is forbidden`, "CronTabImagePolicy", `container "crontab" (spec.image)`, "rule allowedPrefixes",
		"docker.io/library, registry.k8s.io, ghcr.io, registry.example.com")
	out, err = createCronTab(ns, "hub-user", "someone/nginx:1", 1)
	wantDenied(t, "a Docker Hub image outside docker.io/library", out, err, "repository docker.io/someone/nginx")

	mustCreateCronTab(t, ns, "official", "nginx:1.27", 1)
	mustCreateCronTab(t, ns, "ghcr", "ghcr.io/acme/job:2", 1)
	out, err = stack.Kubectl("patch", "crontabs.v1.example.com", "official", "-n", ns, "--type=merge", "-p", `{"spec":{"image":"quay.io/acme/job:1"}}`)
	wantDenied(t, "an update to an image outside the allow list", out, err, "CronTabImagePolicy", "(spec.image)")
}

func TestAdmissionNamespaceLimits(t *testing.T) {
	ns := stack.AnnotatedNamespace(t, "e2e-admission-limits", map[string]string{"example.com/max-crontabs": "2", "example.com/max-crontab-replicas": "4"})

	// Created right after the namespace: the plugin looks namespaces up live when its
	// informer has not seen them yet.
	mustCreateCronTab(t, ns, "a", "busybox:1.36", 1)
	mustCreateCronTab(t, ns, "b", "busybox:1.36", 1)
	eventuallyDenied(t, "a third CronTab refused (dry run)", "CronTabNamespaceLimits", func() (string, error) {
		return createCronTab(ns, "c", "busybox:1.36", 1, "--dry-run=server")
	})
	out, err := createCronTab(ns, "c", "busybox:1.36", 1)
	wantDenied(t, "a third CronTab", out, err, "(Forbidden)", `namespace "`+ns+`" allows at most 2 CronTabs`,
		"annotation example.com/max-crontabs", "has 2")

	// kubectl scale goes through crontabs/scale, as an HPA does.
	stack.MustKubectl(t, "scale", "crontab", "a", "-n", ns, "--replicas=3") // 3 + 1 = 4, the cap
	out, err = stack.Kubectl("scale", "crontab", "a", "-n", ns, "--replicas=4")
	wantDenied(t, "kubectl scale over the replicas cap", out, err, "(Forbidden)", "CronTabNamespaceLimits",
		"at most 4 CronTab replicas in total", "annotation example.com/max-crontab-replicas", "would make them 5")
	stack.MustKubectl(t, "scale", "crontab", "a", "-n", ns, "--replicas=1")
	if got := stack.MustKubectl(t, "get", "crontabs.v1.example.com", "a", "-n", ns, "-o", "jsonpath={.spec.replicas}"); got != "1" {
		stack.Fatalf(t, "replicas %q after scaling down, want 1", got)
	}

	// A malformed annotation is ignored with a warning, never a server error.
	stack.MustKubectl(t, "annotate", "namespace", ns, "--overwrite", "example.com/max-crontabs=lots")
	stack.Eventually(t, time.Minute, "a warning about the malformed annotation", func() (bool, string) {
		out, err := createCronTab(ns, "c", "busybox:1.36", 1, "--dry-run=server")
		return err == nil && strings.Contains(out, `Warning: CronTabNamespaceLimits: namespace "`+ns+`" annotation example.com/max-crontabs="lots" is not a non-negative integer; ignored`), out
	})
	mustCreateCronTab(t, ns, "c", "busybox:1.36", 1)
}

func TestAdmissionValidatingAdmissionPolicy(t *testing.T) {
	ns := stack.Namespace(t, "e2e-admission-vap")
	// The policy and its binding are cluster-scoped: named after the namespace, they are this
	// run's alone.
	policy := ns
	applyAdmissionObjects(t, fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: %[1]s
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["example.com"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["crontabs"]
  validations:
  - expression: "!has(object.spec.replicas) || object.spec.replicas <= 5"
    message: "e2e policy: a CronTab runs at most 5 replicas"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: %[1]s
spec:
  policyName: %[1]s
  validationActions: ["Deny"]
  matchResources:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: %[2]s
`, policy, ns))
	// The policy lives in kube-apiserver; example-apiserver, which alone admits CronTabs (the
	// aggregator only proxies), must learn it through its informers and enforce it.
	eventuallyDenied(t, "the policy enforced by example-apiserver (dry run)", "e2e policy: a CronTab runs at most 5 replicas", func() (string, error) {
		return createCronTab(ns, "big", "busybox:1.36", 6, "--dry-run=server")
	})
	out, err := createCronTab(ns, "big", "busybox:1.36", 6)
	wantDenied(t, "a CronTab with 6 replicas", out, err,
		fmt.Sprintf("ValidatingAdmissionPolicy '%[1]s' with binding '%[1]s' denied request", policy),
		"e2e policy: a CronTab runs at most 5 replicas")
	mustCreateCronTab(t, ns, "five", "busybox:1.36", 5)
	out, err = stack.Kubectl("patch", "crontabs.v1.example.com", "five", "-n", ns, "--type=merge", "-p", `{"spec":{"replicas":7}}`)
	wantDenied(t, "an update to 7 replicas", out, err, "e2e policy")
}

func TestAdmissionMutatingAdmissionPolicy(t *testing.T) {
	ns := stack.Namespace(t, "e2e-admission-map")
	applyCronTabLabelPolicy(t, ns, ns, "e2e-admission-mutated")
	mustCreateCronTab(t, ns, "labelled", "busybox:1.36", 1)
	if got := stack.MustKubectl(t, "get", "crontab", "labelled", "-n", ns, "-o", "jsonpath={.metadata.labels.e2e-admission-mutated}"); got != "true" {
		stack.Fatalf(t, "label %q, want the mutating policy's", got)
	}
}

func TestAdmissionWebhook(t *testing.T) {
	stack.RequireLocal(t, "serves its webhook on this machine's loopback, which only a local example-apiserver reaches")
	ns := stack.Namespace(t, "e2e-admission-webhook")
	hook := startDenyingWebhook(t)
	applyAdmissionObjects(t, fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: %s
webhooks:
- name: deny.e2e-admission.example.com
  clientConfig:
    url: %s/validate
    caBundle: %s
  rules:
  - apiGroups: ["example.com"]
    apiVersions: ["v1"]
    operations: ["CREATE"]
    resources: ["crontabs"]
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: %s
  sideEffects: None
  admissionReviewVersions: ["v1"]
  failurePolicy: Fail
  timeoutSeconds: 10
`, ns, hook.url, base64.StdEncoding.EncodeToString(hook.caPEM), ns))

	eventuallyDenied(t, "the webhook called by example-apiserver (dry run)", "e2e webhook denies names starting with deny-", func() (string, error) {
		return createCronTab(ns, "deny-me", "busybox:1.36", 1, "--dry-run=server")
	})
	out, err := createCronTab(ns, "deny-me", "busybox:1.36", 1)
	wantDenied(t, "a CronTab the webhook denies", out, err,
		`admission webhook "deny.e2e-admission.example.com" denied the request: e2e webhook denies names starting with deny-`)
	mustCreateCronTab(t, ns, "welcome", "busybox:1.36", 1)
	if !hook.saw("welcome") {
		stack.Fatalf(t, "the webhook never reviewed the allowed CronTab; it saw %v", hook.names())
	}

	// Our own plugins run before the webhooks: what they refuse never costs a webhook call.
	out, err = createCronTab(ns, "deny-evil", "evil.example.org/miner:1", 1)
	wantDenied(t, "a CronTab both refuse", out, err, "CronTabImagePolicy")
	if hook.saw("deny-evil") {
		stack.Fatalf(t, "the webhook was called for a request CronTabImagePolicy had refused")
	}
}

// denyingWebhook is an admission webhook on 127.0.0.1 with its own CA: at /validate it denies
// objects whose names start with "deny-", at /mutate it allows everything unchanged; it records
// the names and the objects it reviewed.
type denyingWebhook struct {
	url   string
	caPEM []byte

	mu       sync.Mutex
	reviewed []string
	objects  [][]byte
}

func (h *denyingWebhook) saw(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.reviewed {
		if n == name {
			return true
		}
	}
	return false
}

func (h *denyingWebhook) names() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.reviewed...)
}

// sawObjects are the objects of the reviews, as the AdmissionReviews carried them.
func (h *denyingWebhook) sawObjects() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.objects...)
}

func (h *denyingWebhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, fmt.Sprintf("not an AdmissionReview: %v", err), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.reviewed = append(h.reviewed, review.Request.Name)
	h.objects = append(h.objects, review.Request.Object.Raw)
	h.mu.Unlock()
	response := &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	if r.URL.Path == "/validate" && strings.HasPrefix(review.Request.Name, "deny-") {
		response.Allowed = false
		response.Result = &metav1.Status{Code: http.StatusForbidden, Message: "e2e webhook denies names starting with deny-"}
	}
	review.Response, review.Request = response, nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&review)
}

// startDenyingWebhook serves the webhook over HTTPS on 127.0.0.1 until the test ends.
func startDenyingWebhook(t *testing.T) *denyingWebhook {
	t.Helper()
	ca := utils.NewCA(t, "e2e-admission-webhook-ca")
	serving := ca.Issue(t, utils.Leaf{Config: cert.Config{
		CommonName: "127.0.0.1", AltNames: cert.AltNames{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}},
		Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook := &denyingWebhook{url: "https://" + listener.Addr().String(), caPEM: ca.CertPEM}
	server := &http.Server{
		Handler:           hook,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{serving.TLSCertificate()}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = server.ServeTLS(listener, "", "") }()
	t.Cleanup(func() { _ = server.Close() })
	return hook
}

// TestAdmissionPodSecurity: in a restricted namespace the v1 shape, whose runs' pods
// kube-apiserver would refuse, is created with a warning naming why; a baseline namespace
// takes it silently.
func TestAdmissionPodSecurity(t *testing.T) {
	restricted, baseline := stack.Namespace(t, "e2e-admission-psa-restricted"), stack.Namespace(t, "e2e-admission-psa-baseline")
	for ns, level := range map[string]string{restricted: "restricted", baseline: "baseline"} {
		stack.MustKubectl(t, "label", "namespace", ns, "pod-security.kubernetes.io/enforce="+level)
	}
	const want = `Warning: the pods of this CronTab's runs would be refused: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "crontab" must set securityContext.allowPrivilegeEscalation=false)`
	// The plugin reads the namespace's labels from an informer, which takes a moment to see them.
	stack.Eventually(t, time.Minute, "a warning about the restricted level (dry run)", func() (bool, string) {
		out, err := createCronTab(restricted, "report", "busybox:1.36", 1, "--dry-run=server")
		return err == nil && strings.Contains(out, want), out
	})
	out, err := createCronTab(restricted, "report", "busybox:1.36", 1)
	if err != nil || !strings.Contains(out, want) || !strings.Contains(out, "runAsNonRoot != true") || !strings.Contains(out, "seccompProfile") {
		stack.Fatalf(t, "creating a v1 CronTab in a restricted namespace: %v; want it created with the warning:\n%s", err, out)
	}
	out, err = createCronTab(baseline, "report", "busybox:1.36", 1)
	if err != nil || strings.Contains(out, "Warning") {
		stack.Fatalf(t, "creating a v1 CronTab in a baseline namespace: %v; want it created without a warning:\n%s", err, out)
	}
}
