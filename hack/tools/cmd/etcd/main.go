// Command etcd is upstream go.etcd.io/etcd/server/v3 (its main.go), at the
// version k8s.io/kubernetes pins, built from this module. It is used only by
// hack/local-up.sh.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
