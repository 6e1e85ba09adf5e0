#!/usr/bin/env bash
# Extra encrypted-key vectors for tests/auth, made by OpenSSL (3.x, with the
# legacy provider for single DES and PBES1). Run from this folder:
# bash make_vectors.sh. The RSA vectors re-encrypt ../../fixtures/client.key,
# so each must decrypt to exactly the bytes of client.key / client.rsa.key.
set -euo pipefail
cd "$(dirname "$0")"
pass=test-passphrase
key=../../fixtures/client.key
legacy=(-provider legacy -provider default)

openssl pkcs8 -topk8 -in $key -out client.enc-pkcs8-sha224-aes128.key \
  -v2 aes-128-cbc -v2prf hmacWithSHA224 -passout "pass:$pass"
openssl pkcs8 -topk8 -in $key -out client.enc-pkcs8-sha512-aes192.key \
  -v2 aes-192-cbc -v2prf hmacWithSHA512 -passout "pass:$pass"
openssl pkcs8 -topk8 -in $key -out client.enc-pkcs8-sha384-des3.key \
  -v2 des3 -v2prf hmacWithSHA384 -passout "pass:$pass"
openssl pkcs8 -topk8 -in $key -out client.enc-pkcs8-sha256-des.key \
  -v2 des-cbc -v2prf hmacWithSHA256 -passout "pass:$pass" "${legacy[@]}"
openssl pkcs8 -topk8 -in $key -out client.enc-pbes1.key \
  -v1 PBE-MD5-DES -passout "pass:$pass" "${legacy[@]}"
openssl rsa -in $key -traditional -aes128 -passout "pass:$pass" -out client.enc-rsa-aes128.key 2>/dev/null
openssl rsa -in $key -traditional -aes192 -passout "pass:$pass" -out client.enc-rsa-aes192.key 2>/dev/null
openssl rsa -in $key -traditional -des -passout "pass:$pass" -out client.enc-rsa-des.key \
  "${legacy[@]}" 2>/dev/null

# An EC (P-256) certificate and its key in SEC1 and PKCS#8 forms.
openssl ecparam -name prime256v1 -genkey -noout -out ec.key
openssl req -x509 -new -key ec.key -subj "/UID=com.example.ec/CN=EC test" -days 36500 -out ec.crt
openssl ec -in ec.key -aes256 -passout "pass:$pass" -out ec.enc-aes.key 2>/dev/null
openssl pkcs8 -topk8 -in ec.key -out ec.enc-pkcs8.key -v2 aes-256-cbc -passout "pass:$pass"
openssl pkcs8 -topk8 -in ec.key -out ec.pkcs8.key -nocrypt

# Not a key, correctly encrypted (valid padding) the way a traditional
# DES-EDE3-CBC PEM key is: decrypting succeeds, the structure check must fail.
iv=0011223344556677
keyhex=$(openssl enc -des-ede3-cbc -md md5 -pass "pass:$pass" -S $iv -P 2>/dev/null | sed -n 's/^key=//p')
{
  echo "-----BEGIN RSA PRIVATE KEY-----"
  echo "Proc-Type: 4,ENCRYPTED"
  echo "DEK-Info: DES-EDE3-CBC,$iv"
  echo
  printf 'this is not a private key at all' | openssl enc -des-ede3-cbc -K "$keyhex" -iv $iv | openssl base64
  echo "-----END RSA PRIVATE KEY-----"
} > not-a-key.enc-des3.pem

# Ed25519 and P-384 certificates with their PKCS#8 keys.
openssl genpkey -algorithm ed25519 -out ed25519.key
openssl req -x509 -new -key ed25519.key -subj "/CN=Ed25519 test" -days 36500 -out ed25519.crt
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key
openssl req -x509 -new -key p384.key -subj "/CN=P-384 test" -days 36500 -out p384.crt
