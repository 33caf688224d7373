// Command etcdctl is upstream go.etcd.io/etcd/etcdctl/v3 (its main.go), at etcd's version,
// built from this module. It is in the etcd image of the real node (LOCAL_UP_NODE=real), whose
// probes run it (artifacts/deploy/etcd.yaml).
package main

import (
	"go.etcd.io/etcd/etcdctl/v3/ctlv3"
)

func main() {
	ctlv3.MustStart()
}
