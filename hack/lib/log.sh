# Logging of hack/local-up.sh: log (timestamped, to stderr) and die.
# Expects no variables.
# shellcheck shell=bash

# Never fails: a closed stderr (e.g. `run | tee` after Ctrl-C) must not stop
# the cleanup.
log() { printf '[local-up %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2 2>/dev/null || true; }
die() {
  log "ERROR: $*"
  exit 1
}
