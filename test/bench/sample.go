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
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"example.com/example-apiserver/test/utils"
)

// The memory baseline goal: "RSS ≤ ½ of what sample-apiserver uses for the same
// objects". k8s.io/sample-apiserver (built from hack/tools at the same Kubernetes version)
// runs beside the stack on its etcd, under its own prefix, and both servers store the
// same number of objects of the same stored size.

const (
	sampleName   = "sample-apiserver"
	samplePrefix = "/registry/bench-sample-apiserver"
)

var flunders = schema.GroupVersionResource{Group: "wardle.example.com", Version: "v1beta1", Resource: "flunders"}

// rssBaseline is what both servers' processes hold, idle and with the objects stored.
type rssBaseline struct {
	Objects int `json:"objects"`
	// StoredBytes is the size in etcd of one object of each server (a CronTab, a Flunder).
	StoredBytes map[string]int `json:"stored_bytes"`
	// IdleRSS is each process's RSS before the objects, RSS with them stored (after a
	// few seconds' settling), PeakRSS its high-water mark then.
	IdleRSS map[string]int64 `json:"idle_rss_bytes"`
	RSS     map[string]int64 `json:"rss_bytes"`
	PeakRSS map[string]int64 `json:"peak_rss_bytes"`
	// IdleAnon and Anon are the anonymous parts of IdleRSS and RSS: what the process
	// allocated, without the pages of its binary.
	IdleAnon map[string]int64 `json:"idle_anon_rss_bytes"`
	Anon     map[string]int64 `json:"anon_rss_bytes"`
	// Create is how fast each server stored them (dynamic client, JSON, -c workers).
	Create map[string]phase `json:"create"`
	// ExampleFresh says example-apiserver started with this benchmark's stack; a reused
	// stack's example-apiserver carries what it served before.
	ExampleFresh bool `json:"example_apiserver_fresh"`
	// Ratio is example-apiserver's RSS ÷ sample-apiserver's, with the objects stored.
	Ratio float64 `json:"ratio"`
}

// settle is how long the servers idle before their RSS is read.
const settle = 5 * time.Second

// measureBaseline starts sample-apiserver, stores n objects in each server and reads both
// processes' RSS; it stops sample-apiserver and removes the objects before it returns.
func measureBaseline(ctx context.Context, o options, s *stack, kube kubernetes.Interface, directConfig *rest.Config, etcdClient *clientv3.Client, cronTabStored []byte) (b *rssBaseline, err error) {
	// An interrupted run may have left Flunders behind (no namespace controller knows
	// sample-apiserver); they would load into its watch cache.
	if _, err := etcdClient.Delete(ctx, samplePrefix+"/", clientv3.WithPrefix()); err != nil {
		return nil, err
	}
	sample, err := startSample(o.sampleAPIServer, s, directConfig)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, sample.stop()) }()

	b = &rssBaseline{
		Objects: o.n, ExampleFresh: s.ours, StoredBytes: map[string]int{}, IdleRSS: map[string]int64{},
		RSS: map[string]int64{}, PeakRSS: map[string]int64{}, IdleAnon: map[string]int64{},
		Anon: map[string]int64{}, Create: map[string]phase{},
	}
	examplePID, err := s.pid("example-apiserver")
	if err != nil {
		return nil, err
	}
	pids := map[string]int{"example-apiserver": examplePID, sampleName: sample.cmd.Process.Pid}
	readRSS := func(rss, anon, peak map[string]int64) error {
		for name, pid := range pids {
			st, err := readProcStat(pid)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			rss[name], anon[name] = st.RSSBytes, st.AnonBytes
			if peak != nil {
				peak[name] = st.PeakBytes
			}
		}
		return nil
	}
	time.Sleep(settle)
	if err := readRSS(b.IdleRSS, b.IdleAnon, nil); err != nil {
		return nil, err
	}

	ns := fmt.Sprintf("bench-%d-rss", time.Now().Unix()%100000)
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	defer func() { _ = kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}) }()
	example, err := newDynamicTarget("example-apiserver", directConfig, cronTabs)
	if err != nil {
		return nil, err
	}
	flunder, err := newFlunderTarget(ctx, sample.config, etcdClient, ns, len(cronTabStored))
	if err != nil {
		return nil, err
	}
	servers := []*dynamicTarget{example, flunder}
	for _, t := range servers {
		b.Create[t.Name()] = runPhase(o.n, o.c, func(i int) error { _, err := t.Create(ctx, ns, i); return err })
		if p := b.Create[t.Name()]; p.Errors > 0 {
			return nil, fmt.Errorf("storing %d objects in %s: %d errors, e.g. %s", o.n, t.Name(), p.Errors, p.FirstError)
		}
	}
	b.StoredBytes["example-apiserver"] = len(cronTabStored)
	_, flunder0, err := utils.StoredObject(ctx, etcdClient, samplePrefix, flunders.Resource, ns, objectName(0))
	if err != nil {
		return nil, err
	}
	b.StoredBytes[sampleName] = len(flunder0)
	time.Sleep(settle)
	if err := readRSS(b.RSS, b.Anon, b.PeakRSS); err != nil {
		return nil, err
	}
	b.Ratio = float64(b.RSS["example-apiserver"]) / float64(b.RSS[sampleName])
	logf("RSS with %d objects stored: example-apiserver %s, sample-apiserver %s (%.2f×)", o.n, mib(b.RSS["example-apiserver"]), mib(b.RSS[sampleName]), b.Ratio)

	for _, t := range servers {
		if p := runPhase(o.n, o.c, func(i int) error { return t.Delete(ctx, ns, i) }); p.Errors > 0 {
			return nil, fmt.Errorf("deleting the objects of %s: %d errors, e.g. %s", t.Name(), p.Errors, p.FirstError)
		}
	}
	return b, nil
}

// newFlunderTarget stores Flunders on sample-apiserver, each as many bytes in etcd as
// example-apiserver's CronTab (size): spec.flunderReference, a free-form name, is padded.
func newFlunderTarget(ctx context.Context, config *rest.Config, etcdClient *clientv3.Client, ns string, size int) (*dynamicTarget, error) {
	t, err := newDynamicTarget(sampleName, config, flunders)
	if err != nil {
		return nil, err
	}
	fill := ""
	t.object = func(i int) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": flunders.GroupVersion().String(),
			"kind":       "Flunder",
			"metadata":   map[string]any{"name": objectName(i)},
			"spec":       map[string]any{"flunderReference": objectName(i+1) + fill, "referenceType": "Flunder"},
		}}
	}
	// Store one unpadded Flunder to learn the padding.
	if _, err := t.Create(ctx, ns, 0); err != nil {
		return nil, fmt.Errorf("creating a Flunder: %w", err)
	}
	_, bare, err := utils.StoredObject(ctx, etcdClient, samplePrefix, flunders.Resource, ns, objectName(0))
	if err = errors.Join(err, t.Delete(ctx, ns, 0)); err != nil {
		return nil, err
	}
	fill = strings.Repeat("x", max(0, size-len(bare)))
	return t, nil
}

// sampleServer is a sample-apiserver process the benchmark started.
type sampleServer struct {
	cmd    *exec.Cmd
	exited chan struct{}
	config *rest.Config
}

// startSample starts sample-apiserver on 127.0.0.1 against the stack's etcd (own prefix),
// with the stack's admin kubeconfig for delegated authentication and authorization and the
// same serving certificate and audit policy as example-apiserver, and waits until it is
// ready. Clients use directConfig's credentials (the admin client certificate).
func startSample(binary string, s *stack, directConfig *rest.Config) (*sampleServer, error) {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		var ss *sampleServer
		if ss, err = trySample(binary, s, directConfig); err == nil {
			return ss, nil
		}
		logf("starting %s (attempt %d): %v", sampleName, attempt, err)
	}
	return nil, err
}

func trySample(binary string, s *stack, directConfig *rest.Config) (*sampleServer, error) {
	port, err := utils.GetFreePort()
	if err != nil {
		return nil, err
	}
	dir := s.path(sampleName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logPath := s.path("logs", sampleName+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	kubeconfig := s.path("kubeconfig")
	cmd := exec.Command(binary,
		"--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(port),
		"--tls-cert-file="+s.path("pki", "example-apiserver-serving.crt"),
		"--tls-private-key-file="+s.path("pki", "example-apiserver-serving.key"),
		"--kubeconfig="+kubeconfig,
		"--authentication-kubeconfig="+kubeconfig,
		"--authorization-kubeconfig="+kubeconfig,
		"--etcd-servers="+s.env["ETCD_SERVERS"],
		"--etcd-prefix="+samplePrefix,
		"--audit-log-path="+s.path("logs", sampleName+"-audit.log"),
		"--audit-policy-file="+filepath.Join(s.root, "artifacts", "local", "audit-policy.yaml"),
	)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	// Dies with the benchmark, however that ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	logf("starting %s on 127.0.0.1:%d (log: %s)", sampleName, port, logPath)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ss := &sampleServer{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(ss.exited) }()
	ss.config = rest.CopyConfig(directConfig)
	ss.config.Host = fmt.Sprintf("https://127.0.0.1:%d", port)

	client, err := kubernetes.NewForConfig(ss.config)
	if err != nil {
		return nil, errors.Join(err, ss.stop())
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		cancel()
		if err == nil {
			return ss, nil
		}
		select {
		case <-ss.exited:
			return nil, fmt.Errorf("%s exited: %s\n%s", sampleName, cmd.ProcessState, utils.Tail(logPath, 20))
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, errors.Join(fmt.Errorf("%s not ready after 60s: %w\n%s", sampleName, err, utils.Tail(logPath, 20)), ss.stop())
		}
	}
}

// stop sends SIGTERM, and SIGKILL if the process has not exited 30 s later.
func (ss *sampleServer) stop() error {
	select {
	case <-ss.exited:
		return nil
	default:
	}
	_ = ss.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-ss.exited:
		logf("%s stopped", sampleName)
		return nil
	case <-time.After(30 * time.Second):
	}
	_ = ss.cmd.Process.Kill()
	select {
	case <-ss.exited:
		return fmt.Errorf("%s did not exit within 30s of SIGTERM; killed", sampleName)
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", sampleName, ss.cmd.Process.Pid)
	}
}
