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

// Command testworkload is the container the suites run on a real node (CronTab runs, the HPA's
// target Deployment, a Service's backend): it prints its arguments and environment, then sleeps,
// waits for a signal, serves HTTP, fetches a URL (a Service by name) or fails, as its flags say.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"
)

func main() {
	sleep := flag.Duration("sleep", 0, "sleep this long before exiting")
	untilSignal := flag.Bool("until-signal", false, "run until SIGTERM or SIGINT (a Deployment's pod)")
	exitCode := flag.Int("exit-code", 0, "exit with this code once done (a failing run)")
	listen := flag.String("listen", "", "serve HTTP on this address until SIGTERM or SIGINT, answering every request with the host name (a Service's backend)")
	get := flag.String("get", "", "GET this URL and print the answer; exit 1 if that fails (a Service's client, by its DNS name)")
	flag.Parse()

	// Before the first line, so whoever waits for the output may signal at once.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)

	fmt.Printf("testworkload: args %q\n", os.Args[1:])
	fmt.Printf("testworkload: uid %d gid %d\n", os.Getuid(), os.Getgid())
	env := os.Environ()
	sort.Strings(env)
	for _, kv := range env {
		fmt.Printf("testworkload: env %s\n", kv)
	}

	if *get != "" && !fetch(*get) {
		*exitCode = 1
	}
	if *listen != "" {
		serve(*listen)
		*untilSignal = true
	}
	var timeout <-chan time.Time
	if !*untilSignal {
		timeout = time.After(*sleep)
	}
	select {
	case sig := <-signals:
		// Stopped on purpose (a pod deleted, a Deployment scaled down): a clean exit.
		fmt.Printf("testworkload: %v, exiting\n", sig)
		os.Exit(0)
	case <-timeout:
	}
	fmt.Printf("testworkload: done, exit code %d\n", *exitCode)
	os.Exit(*exitCode)
}

// serve answers every request on addr with "testworkload: <host name>", from the moment it
// prints that it listens; the process ends on a signal, as with --until-signal.
func serve(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Printf("testworkload: %v\n", err)
		os.Exit(1)
	}
	host, _ := os.Hostname()
	fmt.Printf("testworkload: listening on %s\n", l.Addr())
	go func() {
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, "testworkload: %s\n", host)
		}))
	}()
}

// fetch prints the status and body of a GET of url, or why there is none.
func fetch(url string) bool {
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Printf("testworkload: GET %s: %v\n", url, err)
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Printf("testworkload: GET %s: %s %q %v\n", url, resp.Status, body, err)
	return err == nil && resp.StatusCode == http.StatusOK
}
