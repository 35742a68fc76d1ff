#!/usr/bin/env bash
# Makes the secrets of docker-compose.yml's `secure` profile in deploy/secure/ (git- and docker-ignored): a CA,
# certificates for kafka-secure, postgres-secure and redis-secure signed by it, the broker's PKCS12 keystore,
# random passwords, the personal-data master key, the broker's JAAS file, the admin client properties, the Redis ACL file and PostgreSQL's
# pg_hba.conf. Existing files are kept, so running it again changes nothing.
#
# This is a local rehearsal of a production setup: on a real platform the CA is your PKI's or the managed
# service's, and the passwords live in the orchestrator's secret store. The files are world-readable (except
# the CA key) because the containers run as their own users and compose mounts secret files as they are on
# the host.
set -euo pipefail

dir="${1:-deploy/secure}"
mkdir -p "$dir"
cd "$dir"

password() { openssl rand -base64 30 | tr -d '/+=\n' | cut -c1-32; }
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

if [[ ! -f ca.pem ]]; then
  openssl req -x509 "${newkey[@]}" -keyout ca.key -out ca.pem -days 825 -subj '/CN=credit-ledger compose CA' \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
fi

# A server certificate for a compose service, named for its host name (and localhost).
certificate() {
  local name="$1"
  [[ -f "$name.pem" ]] && return
  openssl req "${newkey[@]}" -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
    "$name" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" -days 825 \
    -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}
certificate kafka-secure
certificate postgres-secure
certificate redis-secure

for secret in kafka_admin_password kafka_ledger_password kafka_billing_password keystore_password \
  postgres_password redis_password; do
  [[ -f "$secret" ]] || password >"$secret"
done

# The master key wrapping personal data's per-customer keys (docs/personal-data.md): version 1, 32 random bytes.
[[ -f personal_data_master_key ]] || printf '1:%s' "$(openssl rand -base64 32)" >personal_data_master_key

# The broker's keystore (Kafka reads PKCS12; the image wants the store and key passwords in files).
[[ -f kafka.keystore.p12 ]] || openssl pkcs12 -export -in kafka-secure.pem -inkey kafka-secure.key \
  -certfile ca.pem -name kafka-secure -passout file:keystore_password -out kafka.keystore.p12

admin_password="$(cat kafka_admin_password)"
# Listener-prefixed JAAS sections: PLAIN for the admin on INTERNAL_SASL_SSL, SCRAM for the clients on SASL_SSL.
cat >broker_jaas.conf <<EOF
internal_sasl_ssl.KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required
  username="admin"
  password="$admin_password"
  user_admin="$admin_password";
};
sasl_ssl.KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required;
};
EOF

# For the Kafka command-line tools (health check, topic/ACL/user setup) as the admin.
cat >admin.properties <<EOF
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$admin_password";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/secrets/ca.pem
EOF

# Redis: no default user; the ledger's user may touch only the BullMQ keys under its QUEUE_PREFIX.
cat >redis_users.acl <<EOF
user default off
user ledger on >$(cat redis_password) ~credit-ledger:* &* +@all -@admin
EOF

# PostgreSQL: TLS only for TCP clients, SCRAM passwords.
cat >pg_hba.conf <<EOF
local all all trust
hostssl all all all scram-sha-256
hostnossl all all all reject
EOF

chmod 0644 ./*
chmod 0600 ca.key # signs certificates; no container mounts it
echo "secrets of the secure profile in $(pwd)"
