#!/usr/bin/env bash
# An OpenLDAP directory (slapd, Debian's slapd package) for the login API on the
# local stack and in tests: run as the current user, its configuration, data
# and passwords in a directory of its own, listening only on
# ldap://127.0.0.1:PORT. It holds:
#   dc=example,dc=com
#     cn=kubernetes,ou=services  the service account example-apiserver binds as
#     uid=alice,ou=people        groups cron-admins and readers
#     uid=bob,ou=people          group readers
#     cn=cron-admins,ou=groups / cn=readers,ou=groups  (groupOfNames)
# Passwords are random, made when the directory is loaded, in DIR/<name>.password
# (0600): kubernetes.password, alice.password, bob.password.
#
# Sourced by hack/local-up.sh for ldap_prepare, ldap_slapd_args, ldap_ready and
# ldap_login_config; run as a program by tests:
#   hack/lib/ldap.sh prepare DIR      make the configuration and load the data
#   hack/lib/ldap.sh run DIR PORT     exec slapd in the foreground
#   hack/lib/ldap.sh login-config DIR PORT KEYS_FILE   print ldap_login_config's section
set -euo pipefail

LDAP_SUFFIX="dc=example,dc=com"
LDAP_USERS=(alice bob)

# ldap_new_password: a random password without characters a shell or LDIF
# would mangle.
ldap_new_password() {
  openssl rand -base64 24 | tr -d '/+=\n'
}

# ldap_prepare DIR: write DIR/slapd.conf, passwords and the data, loaded with
# slapadd (offline: no server needed, well under a second).
ldap_prepare() {
  local dir="$1" name
  command -v slapd >/dev/null 2>&1 && command -v slapadd >/dev/null 2>&1 && command -v slappasswd >/dev/null 2>&1 ||
    { echo "slapd not found (Debian: apt-get install -y slapd ldap-utils; hack/prereqs.sh run installs them)" >&2; return 1; }
  rm -rf "${dir}"
  mkdir -p "${dir}/data"
  chmod 700 "${dir}"
  for name in kubernetes "${LDAP_USERS[@]}"; do
    (umask 077 && ldap_new_password >"${dir}/${name}.password")
  done
  cat >"${dir}/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
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
    for name in "${LDAP_USERS[@]}"; do
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

# ldap_slapd_args DIR PORT: set LDAP_SLAPD_ARGS to slapd's arguments: in the
# foreground (-d 0 keeps it from forking, so its PID is the one started) on
# 127.0.0.1 only.
ldap_slapd_args() {
  LDAP_SLAPD_ARGS=(-d 0 -f "$1/slapd.conf" -h "ldap://127.0.0.1:$2/")
}

# ldap_ready DIR PORT: the service account can bind and read.
ldap_ready() {
  ldapsearch -x -LLL -o nettimeout=2 -H "ldap://127.0.0.1:$2/" -D "cn=kubernetes,ou=services,${LDAP_SUFFIX}" \
    -y "$1/kubernetes.password" -b "ou=people,${LDAP_SUFFIX}" '(uid=alice)' dn
}

# ldap_login_config DIR PORT KEYS_FILE: print the login section of
# example-apiserver's component configuration for this directory, signing
# tokens with KEYS_FILE. LDAP_TOKEN_LIFETIME sets its token lifetime.
ldap_login_config() {
  cat <<YAML
login:
  tokenLifetime: ${LDAP_TOKEN_LIFETIME:-15m}
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

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  case "${1:-}" in
    prepare)
      [[ $# -eq 2 ]] || { echo "usage: $0 prepare DIR" >&2; exit 2; }
      ldap_prepare "$2"
      ;;
    run)
      [[ $# -eq 3 ]] || { echo "usage: $0 run DIR PORT" >&2; exit 2; }
      ldap_slapd_args "$2" "$3"
      exec slapd "${LDAP_SLAPD_ARGS[@]}"
      ;;
    login-config)
      [[ $# -eq 4 ]] || { echo "usage: $0 login-config DIR PORT KEYS_FILE" >&2; exit 2; }
      ldap_login_config "$2" "$3" "$4"
      ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
fi
