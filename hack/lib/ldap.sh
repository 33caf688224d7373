#!/usr/bin/env bash
# The directory of the login API: an OpenLDAP slapd (Debian's slapd package),
# run as the current user, its configuration, data and passwords in a
# directory of its own, listening only on ldap://127.0.0.1:PORT. It holds:
#   dc=example,dc=com
#     cn=kubernetes,ou=services  the service account example-apiserver binds as
#     uid=alice,ou=people        groups cron-admins and readers
#     uid=bob,ou=people          group readers
#     cn=cron-admins,ou=groups / cn=readers,ou=groups  (groupOfNames)
# Passwords are random, made when the directory is loaded, in DIR/<name>.password
# (0600): kubernetes.password, alice.password, bob.password.
#
# Sourced by hack/local-up.sh: start_ldap starts the directory (component
# "ldap") and configure_login wires the login into the stack: a token signing
# key, example-apiserver's configuration with the login section, and
# kube-apiserver's authentication webhook (LOGIN_KUBE_APISERVER_FLAGS).
# Expects (for those two) BIN_DIR, PKI_DIR, LOG_DIR, LOCAL_DIR, MANIFEST_DIR,
# EXAMPLE_CONFIG, EXAMPLE_APISERVER_URL, LDAP_PORT, LDAP_DIR.
# Run as a program by tests (test/ldaptest):
#   hack/lib/ldap.sh prepare DIR [CERT KEY]   make the configuration and load the data;
#                                     with a PEM certificate and key, TLS (StartTLS, ldaps);
#                                     LDAP_EXTRA_USERS="a b" adds accounts in no group
#   hack/lib/ldap.sh run DIR PORT [LDAPS_PORT]   exec slapd in the foreground
#   hack/lib/ldap.sh login-config DIR PORT KEYS_FILE   print ldap_login_config's section
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

LDAP_SUFFIX="dc=example,dc=com"
LDAP_USERS=(alice bob)

# ldap_new_password: a random password without characters a shell or LDIF
# would mangle.
ldap_new_password() {
  openssl rand -base64 24 | tr -d '/+=\n'
}

# ldap_prepare DIR [CERT KEY]: (re)make DIR: slapd.conf (serving TLS with CERT
# and KEY when given), passwords and the data, loaded with
# slapadd (offline: no server needed, well under a second).
ldap_prepare() {
  local dir="$1" cert="${2:-}" key="${3:-}" name
  local program users extra
  read -r -a extra <<<"${LDAP_EXTRA_USERS:-}"
  users=("${LDAP_USERS[@]}" "${extra[@]}")
  for program in slapd slapadd slappasswd ldapsearch; do
    if ! command -v "${program}" >/dev/null 2>&1; then
      echo "${program} not found (Debian: apt-get install -y slapd ldap-utils; hack/prereqs.sh run installs them)" >&2
      return 1
    fi
  done
  [[ -n "${dir}" ]] || return 1
  rm -rf "${dir}"
  mkdir -p "${dir}/data"
  chmod 700 "${dir}"
  for name in kubernetes "${users[@]}"; do
    (umask 077 && ldap_new_password >"${dir}/${name}.password")
  done
  cat >"${dir}/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
${cert:+TLSCertificateFile ${cert}}
${key:+TLSCertificateKeyFile ${key}}
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 104857600
suffix "${LDAP_SUFFIX}"
directory ${dir}/data
# Users bind with their own password; only the service account reads entries.
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="cn=kubernetes,ou=services,${LDAP_SUFFIX}" read
  by self read
  by * none
CONF
  {
    cat <<LDIF
dn: ${LDAP_SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=services,${LDAP_SUFFIX}
objectClass: organizationalUnit
ou: services

dn: ou=people,${LDAP_SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${LDAP_SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: cn=kubernetes,ou=services,${LDAP_SUFFIX}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: kubernetes
userPassword: $(slappasswd -s "$(cat "${dir}/kubernetes.password")")

LDIF
    for name in "${users[@]}"; do
      cat <<LDIF
dn: uid=${name},ou=people,${LDAP_SUFFIX}
objectClass: inetOrgPerson
uid: ${name}
cn: ${name^}
sn: ${name^}
mail: ${name}@example.com
userPassword: $(slappasswd -s "$(cat "${dir}/${name}.password")")

LDIF
    done
    cat <<LDIF
dn: cn=cron-admins,ou=groups,${LDAP_SUFFIX}
objectClass: groupOfNames
cn: cron-admins
member: uid=alice,ou=people,${LDAP_SUFFIX}

dn: cn=readers,ou=groups,${LDAP_SUFFIX}
objectClass: groupOfNames
cn: readers
member: uid=alice,ou=people,${LDAP_SUFFIX}
member: uid=bob,ou=people,${LDAP_SUFFIX}
LDIF
  } >"${dir}/data.ldif"
  slapadd -q -f "${dir}/slapd.conf" -l "${dir}/data.ldif" >"${dir}/slapadd.log" 2>&1 ||
    { cat "${dir}/slapadd.log" >&2; return 1; }
}

# ldap_slapd_args DIR PORT [LDAPS_PORT]: set LDAP_SLAPD_ARGS to slapd's
# arguments: in the foreground (-d keeps it from forking, so its PID is the one
# started) on 127.0.0.1 only, logging every operation and its result to stderr
# (-d stats: what a login asked the directory; test/ldaptest reads it).
ldap_slapd_args() {
  local urls="ldap://127.0.0.1:$2/"
  [[ -z "${3:-}" ]] || urls+=" ldaps://127.0.0.1:$3/"
  LDAP_SLAPD_ARGS=(-d stats -f "$1/slapd.conf" -h "${urls}")
}

# ldap_ready DIR PORT: the service account can bind and read.
ldap_ready() {
  ldapsearch -x -LLL -o nettimeout=2 -H "ldap://127.0.0.1:$2/" -D "cn=kubernetes,ou=services,${LDAP_SUFFIX}" \
    -y "$1/kubernetes.password" -b "ou=people,${LDAP_SUFFIX}" '(uid=alice)' dn
}

# ldap_login_config DIR PORT KEYS_FILE: print the login section of
# example-apiserver's component configuration for this directory, signing
# tokens with KEYS_FILE. LOCAL_UP_LOGIN_TOKEN_LIFETIME sets the tokens'
# lifetime (default 15m).
ldap_login_config() {
  cat <<YAML
login:
  tokenLifetime: ${LOCAL_UP_LOGIN_TOKEN_LIFETIME:-15m}
  signingKeysFile: $3
  groupPrefix: "ldap:"
  ldap:
    url: ldap://127.0.0.1:$2
    bindDN: cn=kubernetes,ou=services,${LDAP_SUFFIX}
    bindPasswordFile: $1/kubernetes.password
    userSearch:
      baseDN: ou=people,${LDAP_SUFFIX}
      filter: (uid={username})
      usernameAttribute: uid
    groupSearch:
      baseDN: ou=groups,${LDAP_SUFFIX}
      filter: (member={dn})
      nameAttribute: cn
YAML
}

# start_ldap: load the directory into LDAP_DIR and start slapd on LDAP_PORT.
start_ldap() {
  ldap_prepare "${LDAP_DIR}" || fail "loading the LDAP directory failed"
  ldap_slapd_args "${LDAP_DIR}" "${LDAP_PORT}"
  start_component ldap "$(command -v slapd)" "${LDAP_SLAPD_ARGS[@]}"
  wait_until "slapd on ${LDAP_URL}" ldap ldap_ready "${LDAP_DIR}" "${LDAP_PORT}" || fail
}

# configure_login: the login's token signing key, example-apiserver's
# configuration with the login section (EXAMPLE_CONFIG then names it), and
# kube-apiserver's webhook: it calls example-apiserver's TokenReview path with
# a client certificate of the cluster CA, bound in artifacts/deploy/login-rbac.yaml.
configure_login() {
  local keys="${PKI_DIR}/login-signing.key" webhook_kubeconfig="${LOCAL_DIR}/login-webhook.kubeconfig"
  local config="${MANIFEST_DIR}/example-apiserver-config.yaml"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "${keys}" >>"${LOG_DIR}/pki.log" 2>&1 ||
    die "openssl failed creating the login signing key"
  chmod 600 "${keys}"
  pki_cert ca kube-apiserver-authn-webhook "/CN=kube-apiserver-authn-webhook" client
  write_kubeconfig "${webhook_kubeconfig}" "${EXAMPLE_APISERVER_URL}/authenticate/tokenreview" \
    "${PKI_DIR}/example-serving-ca.crt" kube-apiserver-authn-webhook
  {
    if [[ -n "${EXAMPLE_CONFIG}" ]]; then
      cat "${EXAMPLE_CONFIG}"
      printf '\n'
    else
      printf 'apiVersion: config.example.com/v1alpha1\nkind: ExampleAPIServerConfiguration\n'
    fi
    ldap_login_config "${LDAP_DIR}" "${LDAP_PORT}" "${keys}"
  } >"${config}"
  EXAMPLE_CONFIG="${config}"
  # A short cache: kube-apiserver goes on accepting a token this long after it expires.
  # Anonymous requests (the default, said here because the login depends on it): people
  # create LoginRequests before they have credentials; RBAC opens only that to them.
  # shellcheck disable=SC2034 # read by start_kubernetes (hack/lib/kubernetes.sh)
  LOGIN_KUBE_APISERVER_FLAGS=(
    --anonymous-auth=true
    --authentication-token-webhook-config-file="${webhook_kubeconfig}"
    --authentication-token-webhook-version=v1
    --authentication-token-webhook-cache-ttl=10s
  )
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    prepare)
      [[ $# -eq 2 || $# -eq 4 ]] || { echo "usage: $0 prepare DIR [CERT KEY]" >&2; exit 2; }
      ldap_prepare "${@:2}"
      ;;
    run)
      [[ $# -eq 3 || $# -eq 4 ]] || { echo "usage: $0 run DIR PORT [LDAPS_PORT]" >&2; exit 2; }
      ldap_slapd_args "${@:2}"
      exec slapd "${LDAP_SLAPD_ARGS[@]}"
      ;;
    login-config)
      [[ $# -eq 4 ]] || { echo "usage: $0 login-config DIR PORT KEYS_FILE" >&2; exit 2; }
      ldap_login_config "$2" "$3" "$4"
      ;;
    *)
      sed -n '2,/^# shellcheck/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
fi
