// Command coredns is upstream CoreDNS with only the plugins the local stack's Corefile
// (artifacts/local/coredns.yaml.tmpl) uses, the way CoreDNS documents builds with a plugin set
// of one's own: the full build also compiles every cloud provider's SDK, several times the
// work, for plugins the stack never loads. A directive outside this set fails at start-up
// with CoreDNS' own "unknown directive" error; add its plugin to both lists below.
// Its own module keeps CoreDNS' dependency versions away from the Kubernetes tools'.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives orders the plugins as CoreDNS' own list (core/dnsserver/zdirectives.go) does:
// a plugin sees a request after those above it.
var directives = []string{
	"ready",
	"health",
	"errors",
	"cache",
	"kubernetes",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
