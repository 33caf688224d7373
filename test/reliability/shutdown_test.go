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

package reliability

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"example.com/example-apiserver/test/loadcheck"
	"example.com/example-apiserver/test/utils"
)

// TestGracefulShutdown sends SIGTERM to example-apiserver while 16 clients create CronTabs
// and one create is deliberately held in flight (its body half sent). The held request must
// still be answered 201 after the server stopped accepting connections, the process must
// exit cleanly and promptly, and every create that was acknowledged must be in etcd.
func TestGracefulShutdown(t *testing.T) {
	const (
		ns = "shutdown"
		// The server has no --shutdown-delay-duration flag (RecommendedOptions lacks it), so
		// its delay is 0: it stops listening at once and exits when in-flight requests are
		// done. Allow for a loaded machine.
		exitWithin = 15 * time.Second
	)
	certs := newPKI(t)
	etcd := startEtcd(t)
	server := startAPIServer(t, "example-apiserver", certs, etcd.URL)

	held := holdCreate(t, server, certs, ns, "held-in-flight")
	utils.Eventually(t, 30*time.Second, "the held create is in flight on the server", func() (bool, string) {
		n, err := mutatingInFlight(server)
		return err == nil && n >= 1, fmt.Sprintf("mutating in flight %d, %v", n, err)
	})

	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	load := loadcheck.NewOutcome()
	waitLoad := loadcheck.CreateLoad(ctx, server.Client, ns, "load", 16, 10*time.Second, load)
	utils.Eventually(t, 60*time.Second, "300 creates acknowledged under load", func() (bool, string) {
		return load.AckedCount() >= 300, load.String()
	})

	if err := server.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	terminated := time.Now()
	// New connections are refused once the server is shutting down...
	utils.Eventually(t, 10*time.Second, "new connections refused after SIGTERM", func() (bool, string) {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(server.URL, "https://"), time.Second)
		if err != nil {
			return true, err.Error()
		}
		conn.Close()
		return false, "connected"
	})
	t.Logf("stopped accepting connections %s after SIGTERM", time.Since(terminated).Round(time.Millisecond))
	// ...but the request already in flight is served to the end.
	status, body := held.finish(t)
	if status != http.StatusCreated {
		t.Errorf("the create in flight at SIGTERM was answered %d, want 201: %s", status, body)
	}

	if err := server.WaitExit(exitWithin); err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	t.Logf("exited %s after SIGTERM", time.Since(terminated).Round(time.Millisecond))
	stopLoad()
	waitLoad()
	t.Logf("load: %s", load)
	server.AssertNoPanic(t)

	stored := etcd.storedNames(t, ns)
	if status == http.StatusCreated && !stored["held-in-flight"] {
		t.Error("the create in flight at SIGTERM was acknowledged but is not in etcd")
	}
	if lost := loadcheck.Lost(stored, load); len(lost) > 0 {
		t.Errorf("%d of %d acknowledged creates are not in etcd, e.g. %v", len(lost), load.AckedCount(), lost[:min(10, len(lost))])
	}
	// Requests under way when the server went away may fail, but only in ways a client can
	// retry: the server refused them or told them to go away, never a 5xx for a write it
	// may have made.
	for answer, n := range load.Failures() {
		if code, err := strconv.Atoi(answer); err == nil && code >= 500 && code != http.StatusServiceUnavailable {
			t.Errorf("%d creates were answered %s during shutdown: %s", n, answer, load.Sample(answer))
		}
	}
}

// heldRequest is a create sent over its own HTTP/1.1 connection whose body is only half
// written: the server is handling it and waits for the rest.
type heldRequest struct {
	conn net.Conn
	rest []byte
}

func holdCreate(t *testing.T, s *apiServer, certs *pki, ns, name string) *heldRequest {
	t.Helper()
	clientCert, err := tls.X509KeyPair(certs.clientCertPEM, certs.clientKey)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certs.caPEM)
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", strings.TrimPrefix(s.URL, "https://"), &tls.Config{
		RootCAs:      roots,
		Certificates: []tls.Certificate{clientCert},
		NextProtos:   []string{"http/1.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body := fmt.Appendf(nil, `{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":%q},"spec":{"cronSpec":"@hourly","image":"registry.example.com/job:1.0"}}`, name)
	head := fmt.Sprintf("POST /apis/example.com/v1/namespaces/%s/crontabs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: %d\r\n\r\n",
		ns, strings.TrimPrefix(s.URL, "https://"), len(body))
	half := len(body) / 2
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	return &heldRequest{conn: conn, rest: body[half:]}
}

// finish sends the rest of the body and returns the answer.
func (h *heldRequest) finish(t *testing.T) (int, string) {
	t.Helper()
	_ = h.conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := h.conn.Write(h.rest); err != nil {
		t.Fatalf("sending the rest of the held request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(h.conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to the held request: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var mutatingInFlightMetric = regexp.MustCompile(`(?m)^apiserver_current_inflight_requests\{request_kind="mutating"\} (\d+)`)

// mutatingInFlight reads the server's high-water mark of mutating requests in flight over
// the last second (the max-in-flight filter's metric; standalone mode has no priority and
// fairness).
func mutatingInFlight(s *apiServer) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, err := s.Client.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return 0, err
	}
	m := mutatingInFlightMetric.FindSubmatch(data)
	if m == nil {
		return 0, fmt.Errorf("no apiserver_current_inflight_requests{request_kind=\"mutating\"} in /metrics")
	}
	return strconv.Atoi(string(m[1]))
}
