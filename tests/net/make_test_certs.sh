#!/bin/sh
# Makes the certificates the net integration tests need in $1: a test CA and server certificates
# (good, expired, not yet valid, wrong host, and one from a CA nobody trusts).
set -eu
dir=$1
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

for ca in ca other_ca; do
  mkdir -p "$ca/newcerts"
  : > "$ca/index.txt"
  echo 1000 > "$ca/serial"
  key "$ca/ca.key"
  openssl req -x509 -new -key "$ca/ca.key" -out "$ca/ca.crt" -days 365 -subj "/CN=sirenbox $ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  cat > "$ca/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $dir/$ca/index.txt
new_certs_dir = $dir/$ca/newcerts
serial = $dir/$ca/serial
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ wrong_host ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
CNF
done

# name ca extensions start end
server() {
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1"
  openssl ca -batch -notext -config "$2/ca.cnf" -cert "$2/ca.crt" -keyfile "$2/ca.key" -in "$1.csr" \
    -out "$1.crt" -extensions "$3" -startdate "$4" -enddate "$5" 2>/dev/null
}
yesterday=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)
next_month=$(date -u -d '+30 day' +%y%m%d%H%M%SZ)
server good ca server "$yesterday" "$next_month"
server expired ca server 200101000000Z 200201000000Z
server future ca server 450101000000Z 460101000000Z
server wrong_host ca wrong_host "$yesterday" "$next_month"
server unknown_ca other_ca server "$yesterday" "$next_month"

# Two chains Mbed TLS calls "not trusted" alike: a self-signed leaf, and a leaf under an intermediate that
# the trusted CA signed without CA:TRUE (the server sends both, leaf first).
key self_signed.key
openssl req -x509 -new -key self_signed.key -out self_signed.crt -days 30 -subj "/CN=localhost" \
  -addext "basicConstraints=CA:FALSE" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
server not_a_ca ca server "$yesterday" "$next_month"
key broken_chain.key
openssl req -new -key broken_chain.key -out broken_chain.csr -subj "/CN=localhost"
printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' > leaf.ext
openssl x509 -req -in broken_chain.csr -CA not_a_ca.crt -CAkey not_a_ca.key -CAcreateserial -days 30 \
  -extfile leaf.ext -out broken_chain_leaf.crt 2>/dev/null
cat broken_chain_leaf.crt not_a_ca.crt > broken_chain.crt
