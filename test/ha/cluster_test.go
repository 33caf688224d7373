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

package ha

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// The processes of the HA shape, as hack/local-up.sh names them (and their env file keys).
var (
	etcdMembers         = []string{"etcd-0", "etcd-1", "etcd-2"}
	apiServerReplicas   = []string{"example-apiserver-0", "example-apiserver-1"}
	controllerReplicas  = []string{"example-controller-manager-0", "example-controller-manager-1"}
	acquiredLeaseInLogs = "successfully acquired lease"
)

// envKey is a component's key prefix in the env file: etcd-0 -> ETCD_0.
func envKey(component, suffix string) string {
	return strings.ToUpper(strings.ReplaceAll(component, "-", "_")) + "_" + suffix
}

// etcdCluster reaches the members with the stack's admin client certificate of the etcd CA.
type etcdCluster struct {
	client    *clientv3.Client
	endpoints map[string]string // member -> client URL
}

func newEtcdCluster(t *testing.T) *etcdCluster {
	t.Helper()
	tlsConfig, err := transport.TLSInfo{
		TrustedCAFile: stack.Env["ETCD_CAFILE"],
		CertFile:      stack.Env["ETCD_CERTFILE"],
		KeyFile:       stack.Env["ETCD_KEYFILE"],
	}.ClientConfig()
	if err != nil {
		t.Fatalf("etcd client TLS from the env file: %v", err)
	}
	c := &etcdCluster{endpoints: map[string]string{}}
	var urls []string
	for _, member := range etcdMembers {
		c.endpoints[member] = "https://127.0.0.1:" + stack.Env[envKey(member, "PORT")]
		urls = append(urls, c.endpoints[member])
	}
	c.client, err = clientv3.New(clientv3.Config{Endpoints: urls, TLS: tlsConfig, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.client.Close() })
	return c
}

// status asks one member for its status; its Leader field names the leader it follows.
func (c *etcdCluster) status(member string) (*clientv3.StatusResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.client.Status(ctx, c.endpoints[member])
}

// leader returns the member that leads, as the members other than except agree; empty while
// they know no leader (an election is running).
func (c *etcdCluster) leader(except string) (string, string) {
	ids := map[uint64]string{}
	var leaderID uint64
	var notes []string
	for _, member := range etcdMembers {
		if member == except {
			continue
		}
		s, err := c.status(member)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v", member, err))
			continue
		}
		ids[s.Header.MemberId] = member
		if leaderID != 0 && s.Leader != leaderID {
			return "", fmt.Sprintf("%s follows %x, another member %x", member, s.Leader, leaderID)
		}
		leaderID = s.Leader
	}
	if leader, ok := ids[leaderID]; ok && leader != except {
		return leader, ""
	}
	return "", fmt.Sprintf("no leader among the members but %s (%x) %s", except, leaderID, strings.Join(notes, "; "))
}

// caughtUp says whether member answers and has applied what the leader has committed.
func (c *etcdCluster) caughtUp(member string) (bool, string) {
	s, err := c.status(member)
	if err != nil {
		return false, err.Error()
	}
	leader, _ := c.leader(member)
	if leader == "" {
		leader = member // the others follow it (or know no leader yet): its own index tells
	}
	ls, err := c.status(leader)
	if err != nil {
		return false, err.Error()
	}
	return s.Leader != 0 && s.RaftAppliedIndex+100 >= ls.RaftIndex,
		fmt.Sprintf("%s applied %d, leader %s at %d", member, s.RaftAppliedIndex, leader, ls.RaftIndex)
}

// apiServerReady says whether a replica's own /readyz answers 200 on its port.
func apiServerReady(client *http.Client, replica string) (bool, string) {
	resp, err := client.Get("https://127.0.0.1:" + stack.Env[envKey(replica, "PORT")] + "/readyz")
	if err != nil {
		return false, err.Error()
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, resp.Status
}

// loadBalancerStatus returns what HAProxy thinks of a replica (UP, DOWN, ...), from `show stat`
// on its stats socket: whether a Service would have it among its ready endpoints.
func loadBalancerStatus(replica string) (string, error) {
	conn, err := net.DialTimeout("unix", stack.Env["HAPROXY_SOCKET"], 2*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "show stat\n"); err != nil {
		return "", err
	}
	// CSV: a "# pxname,svname,...,status,..." header, then a line per proxy and server.
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(readAll(conn), "# "))).ReadAll()
	if err != nil || len(records) == 0 {
		return "", fmt.Errorf("show stat: %v", err)
	}
	status := slices.Index(records[0], "status")
	for _, record := range records[1:] {
		if len(record) > status && record[0] == "example-apiserver" && record[1] == replica {
			return record[status], nil
		}
	}
	return "", fmt.Errorf("HAProxy has no server %s", replica)
}

// loadBalancerSays returns a condition: HAProxy reports want (UP or DOWN) for replica.
func loadBalancerSays(replica, want string) func() (bool, string) {
	return func() (bool, string) {
		status, err := loadBalancerStatus(replica)
		if err != nil {
			return false, err.Error()
		}
		return strings.HasPrefix(status, want), "HAProxy says " + status
	}
}

func readAll(r io.Reader) string {
	data, _ := io.ReadAll(r)
	return string(data)
}

// connectionsTo counts the established TCP connections to a port of 127.0.0.1, from
// /proc/net/tcp: HAProxy's (the aggregator's traffic) to a replica.
func connectionsTo(port string) int {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0
	}
	defer f.Close()
	want, err := strconv.Atoi(port)
	if err != nil {
		return 0
	}
	n := 0
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		// sl local_address rem_address st ...; addresses are hex IP:port, st 01 is ESTABLISHED.
		fields := strings.Fields(scanner.Text())
		if len(fields) < 4 || fields[3] != "01" {
			continue
		}
		_, remotePort, _ := strings.Cut(fields[2], ":")
		if p, err := strconv.ParseInt(remotePort, 16, 32); err == nil && int(p) == want {
			n++
		}
	}
	return n
}

// controllerLeader returns the controller replica whose current process acquired the Lease:
// the log of a process started again goes on in the same file after a new command line.
func controllerLeader() (string, string) {
	var notes []string
	for _, replica := range controllerReplicas {
		data, err := os.ReadFile(stack.LogPath(replica))
		if err != nil {
			return "", err.Error()
		}
		current := string(data)
		if i := strings.LastIndex(current, "\n# "); i >= 0 {
			current = current[i:]
		}
		if strings.Contains(strings.ToLower(current), acquiredLeaseInLogs) {
			return replica, ""
		}
		notes = append(notes, replica+" does not lead")
	}
	return "", strings.Join(notes, ", ")
}
