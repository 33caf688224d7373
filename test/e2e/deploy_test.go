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
	"bufio"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// TestDeployManifestsAreAccepted renders artifacts/deploy with kubectl's kustomize and has the
// real kube-apiserver validate every object (server-side dry run), so the manifests a user
// applies to a cluster are at least well-formed for this Kubernetes version. It then checks
// that the rendered workloads have the shape that survives losing any one pod or node.
func TestDeployManifestsAreAccepted(t *testing.T) {
	rendered := stack.MustKubectl(t, "kustomize", filepath.Join(stack.Root, "artifacts", "deploy"))
	// Namespaced objects are only dry-run created in a namespace that exists.
	stack.MustKubectl(t, "apply", "-f", filepath.Join(stack.Root, "artifacts", "deploy", "namespace.yaml"))
	out, err := stack.KubectlWithInput([]byte(rendered), "apply", "--dry-run=server", "-f", "-")
	if err != nil {
		stack.Fatalf(t, "kube-apiserver refused artifacts/deploy: %v\n%s", err, out)
	}
	for _, kind := range []string{
		"deployment.apps/example-apiserver", "deployment.apps/example-controller-manager",
		"poddisruptionbudget.policy/example-apiserver", "poddisruptionbudget.policy/example-controller-manager",
		"statefulset.apps/etcd", "service/etcd", "poddisruptionbudget.policy/etcd",
		"apiservice.apiregistration.k8s.io/v1.example.com", "apiservice.apiregistration.k8s.io/v2.example.com",
		"networkpolicy.networking.k8s.io/example-apiserver", "networkpolicy.networking.k8s.io/etcd",
		"networkpolicy.networking.k8s.io/example-controller-manager",
	} {
		if !strings.Contains(out, kind) {
			t.Errorf("the dry run did not cover %s:\n%s", kind, out)
		}
	}

	// example-system enforces the restricted level, and kube-apiserver warns about every
	// workload whose pod template would be refused there.
	if strings.Contains(out, "PodSecurity") {
		t.Errorf("Pod Security admission warned about artifacts/deploy:\n%s", out)
	}

	objects := decodeManifests(t, rendered)
	if level := objects.namespaces["example-system"].Labels["pod-security.kubernetes.io/enforce"]; level != "restricted" {
		t.Errorf("Namespace example-system enforces Pod Security level %q, want restricted", level)
	}
	checkIngressIsolated(t, objects)
	for _, name := range []string{"example-apiserver", "example-controller-manager"} {
		deployment := objects.deployment(t, name)
		checkHighlyAvailable(t, "Deployment "+name, *deployment.Spec.Replicas, &deployment.Spec.Template, objects.pdbs)
		if name == "example-controller-manager" && !slices.Contains(deployment.Spec.Template.Spec.Containers[0].Args, "--leader-elect=true") {
			t.Errorf("Deployment %s: two replicas without --leader-elect=true would both run CronTabs", name)
		}
	}
	checkEtcdClientTLS(t, objects.deployment(t, "example-apiserver"))
	etcd := objects.statefulSets["etcd"]
	if etcd == nil {
		t.Fatal("no StatefulSet etcd in artifacts/deploy")
	}
	if *etcd.Spec.Replicas != 3 {
		t.Errorf("StatefulSet etcd has %d members, want 3: a quorum survives losing one only from three", *etcd.Spec.Replicas)
	}
}

// manifests are the workload objects of the rendered kustomization, by name.
type manifests struct {
	deployments     map[string]*appsv1.Deployment
	statefulSets    map[string]*appsv1.StatefulSet
	pdbs            []*policyv1.PodDisruptionBudget
	namespaces      map[string]*corev1.Namespace
	networkPolicies []*networkingv1.NetworkPolicy
}

func decodeManifests(t *testing.T, rendered string) manifests {
	t.Helper()
	m := manifests{deployments: map[string]*appsv1.Deployment{}, statefulSets: map[string]*appsv1.StatefulSet{}, namespaces: map[string]*corev1.Namespace{}}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(rendered)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return m
		}
		if err != nil {
			t.Fatalf("reading the rendered manifests: %v", err)
		}
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("decoding %s: %v", doc, err)
		}
		var into any
		switch meta.Kind {
		case "Deployment":
			d := &appsv1.Deployment{}
			into, m.deployments[objectName(t, doc)] = d, d
		case "StatefulSet":
			s := &appsv1.StatefulSet{}
			into, m.statefulSets[objectName(t, doc)] = s, s
		case "PodDisruptionBudget":
			p := &policyv1.PodDisruptionBudget{}
			into, m.pdbs = p, append(m.pdbs, p)
		case "Namespace":
			n := &corev1.Namespace{}
			into, m.namespaces[objectName(t, doc)] = n, n
		case "NetworkPolicy":
			p := &networkingv1.NetworkPolicy{}
			into, m.networkPolicies = p, append(m.networkPolicies, p)
		default:
			continue
		}
		if err := yaml.UnmarshalStrict(doc, into); err != nil {
			t.Fatalf("decoding %s: %v", meta.Kind, err)
		}
	}
}

func objectName(t *testing.T, doc []byte) string {
	t.Helper()
	var obj metav1.PartialObjectMetadata
	if err := yaml.Unmarshal(doc, &obj); err != nil {
		t.Fatal(err)
	}
	return obj.Name
}

func (m manifests) deployment(t *testing.T, name string) *appsv1.Deployment {
	t.Helper()
	d := m.deployments[name]
	if d == nil {
		t.Fatalf("no Deployment %s in artifacts/deploy", name)
	}
	return d
}

// checkHighlyAvailable checks what lets a workload lose one pod, voluntarily or not, and keep
// serving: two replicas or more, preferably on different nodes, a PodDisruptionBudget that
// keeps one, and probes that take a replica out of service or restart it.
func checkHighlyAvailable(t *testing.T, what string, replicas int32, pod *corev1.PodTemplateSpec, pdbs []*policyv1.PodDisruptionBudget) {
	t.Helper()
	if replicas < 2 {
		t.Errorf("%s: %d replicas, want 2 or more", what, replicas)
	}
	podLabels := labels.Set(pod.Labels)
	var budget *policyv1.PodDisruptionBudget
	for _, pdb := range pdbs {
		selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err == nil && selector.Matches(podLabels) {
			budget = pdb
		}
	}
	if budget == nil || budget.Spec.MinAvailable == nil || budget.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("%s: want a PodDisruptionBudget with minAvailable 1 selecting its pods, got %+v", what, budget)
	}
	spread := false
	if affinity := pod.Spec.Affinity; affinity != nil && affinity.PodAntiAffinity != nil {
		for _, term := range affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			selector, err := metav1.LabelSelectorAsSelector(term.PodAffinityTerm.LabelSelector)
			spread = spread || (term.PodAffinityTerm.TopologyKey == corev1.LabelHostname && err == nil && selector.Matches(podLabels))
		}
	}
	if !spread {
		t.Errorf("%s: want a preferred pod anti-affinity of its own pods on %s", what, corev1.LabelHostname)
	}
	container := pod.Spec.Containers[0]
	for probe, want := range map[*corev1.Probe]string{container.ReadinessProbe: "/readyz", container.LivenessProbe: "/livez"} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != want {
			t.Errorf("%s: want a probe on %s, got %+v", what, want, probe)
		}
	}
}

// checkEtcdClientTLS checks that example-apiserver reaches etcd with the client certificate of
// a Secret it mounts, at the paths its --etcd-* flags name.
func checkEtcdClientTLS(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	container := d.Spec.Template.Spec.Containers[0]
	mounts := map[string]string{} // mount path -> Secret
	for _, volume := range d.Spec.Template.Spec.Volumes {
		if volume.Secret == nil {
			continue
		}
		for _, m := range container.VolumeMounts {
			if m.Name == volume.Name {
				mounts[m.MountPath] = volume.Secret.SecretName
			}
		}
	}
	for _, flag := range []string{"--etcd-cafile", "--etcd-certfile", "--etcd-keyfile"} {
		i := slices.IndexFunc(container.Args, func(arg string) bool { return strings.HasPrefix(arg, flag+"=") })
		if i < 0 {
			t.Errorf("Deployment %s: no %s", d.Name, flag)
			continue
		}
		path := strings.TrimPrefix(container.Args[i], flag+"=")
		if secret := mounts[filepath.Dir(path)]; secret != "etcd-client-tls" {
			t.Errorf("Deployment %s: %s is not in the mounted Secret etcd-client-tls (mounted there: %q)", d.Name, container.Args[i], secret)
		}
	}
	for _, arg := range container.Args {
		if servers, ok := strings.CutPrefix(arg, "--etcd-servers="); ok {
			if n := len(strings.Split(servers, ",")); n != 3 || strings.Contains(servers, "http://") {
				t.Errorf("Deployment %s: %s: want the 3 etcd members over https", d.Name, arg)
			}
		}
	}
}

// checkIngressIsolated checks that a NetworkPolicy isolates every workload's pods for ingress
// and that, port by port, the only pods it admits are the ones that must call it: etcd's
// clients are example-apiserver's pods, its peers each other; example-apiserver and the
// controller admit no pod of the cluster (kube-apiserver reaches example-apiserver from the
// control-plane hosts, the ipBlock's business). Namespace-selected scrapers are allowed.
func checkIngressIsolated(t *testing.T, m manifests) {
	t.Helper()
	podLabels := map[string]labels.Set{}
	for name, d := range m.deployments {
		podLabels[name] = d.Spec.Template.Labels
	}
	for name, s := range m.statefulSets {
		podLabels[name] = s.Spec.Template.Labels
	}
	// workload -> its port name -> the workloads whose pods may call it there.
	callers := map[string]map[string][]string{
		"etcd":                       {"client": {"example-apiserver"}, "peer": {"etcd"}},
		"example-apiserver":          {"https": nil},
		"example-controller-manager": {"https": nil},
	}
	for workload, pods := range podLabels {
		isolated := false
		for _, policy := range m.networkPolicies {
			selector, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
			if err != nil || !selector.Matches(pods) || !slices.Contains(policy.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) {
				continue
			}
			isolated = true
			for _, rule := range policy.Spec.Ingress {
				for _, port := range rule.Ports {
					if port.Port == nil {
						t.Errorf("NetworkPolicy %s admits every port of %s", policy.Name, workload)
						continue
					}
					allowed, known := callers[workload][port.Port.String()]
					if !known {
						t.Errorf("NetworkPolicy %s opens port %s of %s, which it does not serve", policy.Name, port.Port, workload)
					}
					if len(rule.From) == 0 {
						t.Errorf("NetworkPolicy %s admits everyone to %s:%s", policy.Name, workload, port.Port)
					}
					for _, peer := range rule.From {
						checkPeer(t, policy.Name, workload+":"+port.Port.String(), peer, allowed, podLabels)
					}
				}
				if len(rule.Ports) == 0 {
					t.Errorf("NetworkPolicy %s admits every port of %s", policy.Name, workload)
				}
			}
		}
		if !isolated {
			t.Errorf("no NetworkPolicy isolates the pods of %s for ingress", workload)
		}
	}
}

// checkPeer fails unless peer admits only the pods of allowed (by podSelector), a namespace
// chosen by a label, or addresses that leave a range out.
func checkPeer(t *testing.T, policy, target string, peer networkingv1.NetworkPolicyPeer, allowed []string, podLabels map[string]labels.Set) {
	t.Helper()
	switch {
	case peer.IPBlock != nil:
		if len(peer.IPBlock.Except) == 0 {
			t.Errorf("NetworkPolicy %s admits all of %s to %s: want the pod range excepted", policy, peer.IPBlock.CIDR, target)
		}
	case peer.NamespaceSelector != nil && peer.PodSelector == nil:
		if len(peer.NamespaceSelector.MatchLabels) == 0 && len(peer.NamespaceSelector.MatchExpressions) == 0 {
			t.Errorf("NetworkPolicy %s admits every namespace to %s", policy, target)
		}
	case peer.PodSelector != nil && peer.NamespaceSelector == nil:
		selector, err := metav1.LabelSelectorAsSelector(peer.PodSelector)
		if err != nil {
			t.Errorf("NetworkPolicy %s: %v", policy, err)
			return
		}
		for workload, pods := range podLabels {
			if selector.Matches(pods) != slices.Contains(allowed, workload) {
				t.Errorf("NetworkPolicy %s: %s reaching %s is %v, want %v", policy, workload, target, selector.Matches(pods), slices.Contains(allowed, workload))
			}
		}
	default:
		t.Errorf("NetworkPolicy %s: a peer of %s that selects pods of other namespaces: %+v", policy, target, peer)
	}
}
