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

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// profileSeconds is how long each CPU profile records.
const profileSeconds = 10

// profile records CPU profiles of the API servers a target goes through (--profiling is on
// by default: /debug/pprof) while that target runs its workload, and a heap profile of
// example-apiserver holding the objects. Read them with `go tool pprof -top <file>`.
func profile(ctx context.Context, o options, s *stack, kube kubernetes.Interface, plan []cell, kubeConfig, directConfig *rest.Config) error {
	if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
		return err
	}
	servers := map[string]*rest.Config{"example-apiserver": directConfig, "kube-apiserver": kubeConfig}
	through := map[string][]string{
		"aggregated": {"kube-apiserver", "example-apiserver"},
		"direct":     {"example-apiserver"},
		"crd":        {"kube-apiserver"},
	}
	for _, t := range plan {
		procs := through[t.Name()]
		if t.Client() != "dynamic" || len(procs) == 0 {
			continue
		}
		var wg sync.WaitGroup
		done := make(chan struct{})
		errs := make(chan error, len(procs))
		for _, proc := range procs {
			wg.Go(func() {
				path := filepath.Join(o.profileDir, fmt.Sprintf("%s-%s.cpu.pprof", t.Name(), proc))
				errs <- fetch(ctx, servers[proc], "/debug/pprof/profile", fmt.Sprint(profileSeconds), path)
			})
		}
		go func() { wg.Wait(); close(done) }()
		logf("profiling %s for %ds under the %s workload", procs, profileSeconds, t.Name())
		for i := 0; ; i++ {
			select {
			case <-done:
			default:
				if _, err := runInNamespace(ctx, kube, t, s, fmt.Sprintf("p%d", i), o); err != nil {
					return err
				}
				continue
			}
			break
		}
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
	}
	// The heap of example-apiserver holding N objects, for what its RSS is made of.
	for _, c := range plan {
		t, ok := c.(target)
		if !ok || t.Name() != "direct" || t.Client() != "typed" {
			continue
		}
		ns := "bench-heap"
		if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return err
		}
		p := runPhase(o.n, o.c, func(i int) error { _, err := t.Create(ctx, ns, i); return err })
		err := fetch(ctx, directConfig, "/debug/pprof/heap", "", filepath.Join(o.profileDir, "direct-example-apiserver.heap.pprof"))
		_ = kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		if p.Errors > 0 {
			return fmt.Errorf("creating objects for the heap profile: %s", p.FirstError)
		}
		if err != nil {
			return err
		}
	}
	logf("profiles in %s; read them with: go tool pprof -top <file>", o.profileDir)
	return nil
}

// profileControllers records, from at, CPU profiles of example-controller-manager and
// kube-apiserver at once into dir.
func profileControllers(ctx context.Context, s *stack, kubeConfig *rest.Config, at time.Time, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	controller := &rest.Config{
		Host: "https://127.0.0.1:" + s.env["EXAMPLE_CONTROLLER_MANAGER_PORT"],
		// Its serving certificate is self-signed in memory; the admin certificate is signed by
		// the cluster CA, which it trusts for client certificates as example-apiserver does.
		TLSClientConfig: rest.TLSClientConfig{Insecure: true, CertFile: s.path("pki", "admin.crt"), KeyFile: s.path("pki", "admin.key")},
	}
	time.Sleep(time.Until(at))
	logf("profiling %s and kube-apiserver for %ds", cronTabProcess, profileSeconds)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for name, config := range map[string]*rest.Config{"example-controller-manager": controller, "kube-apiserver": kubeConfig} {
		wg.Go(func() {
			errs <- fetch(ctx, config, "/debug/pprof/profile", fmt.Sprint(profileSeconds), filepath.Join(dir, name+".cpu.pprof"))
		})
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if err := errors.Join(all...); err != nil {
		return err
	}
	logf("profiles in %s; read them with: go tool pprof -top <file>", dir)
	return nil
}

func fetch(ctx context.Context, config *rest.Config, path, seconds, file string) error {
	var params map[string]string
	if seconds != "" {
		params = map[string]string{"seconds": seconds}
	}
	data, err := getRaw(ctx, config, path, params)
	if err != nil {
		return err
	}
	return os.WriteFile(file, data, 0o644)
}

// getRaw GETs path with the query params from the server config points at.
func getRaw(ctx context.Context, config *rest.Config, path string, params map[string]string) ([]byte, error) {
	c := rest.CopyConfig(config)
	c.Timeout = 0 // a CPU profile takes its seconds
	client, err := kubernetes.NewForConfig(c)
	if err != nil {
		return nil, err
	}
	req := client.Discovery().RESTClient().Get().AbsPath(path)
	for k, v := range params {
		req = req.Param(k, v)
	}
	data, err := req.DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return data, nil
}
