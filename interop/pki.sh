#!/usr/bin/env bash
# pki.sh OUTDIR: a fresh lab PKI made with strongSwan's `pki` tool, laid out
# as swanctl expects (OUTDIR/{x509ca,x509,private}):
#   ECDSA P-256 CA, leaves a.ecdsa.lab and b.ecdsa.lab (P-256)
#   RSA-3072 CA,    leaves a.rsa.lab and b.rsa.lab (RSA-3072: big enough that
#                   IKE_AUTH needs IKE fragmentation)
# Keys are generated on every run; nothing secret is kept in the repository.
set -euo pipefail
out=${1:?usage: pki.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
export STRONGSWAN_CONF=$here/conf/tools.conf
command -v pki >/dev/null || { echo "pki.sh: strongSwan's pki is missing (apt-get install strongswan-pki)" >&2; exit 1; }
mkdir -p "$out/x509ca" "$out/x509" "$out/private"
chmod 700 "$out/private"
dn() { echo "C=XX, O=ikev2-rs interop lab, CN=$1"; }
ca() { # type bits name cn
	pki --gen --type "$1" --size "$2" --outform pem > "$out/private/$3.key.pem"
	pki --self --ca --lifetime 30 --type "$1" --in "$out/private/$3.key.pem" \
		--dn "$(dn "$4")" --outform pem > "$out/x509ca/$3.crt.pem"
}
leaf() { # type bits name ca id
	pki --gen --type "$1" --size "$2" --outform pem > "$out/private/$3.key.pem"
	pki --pub --type "$1" --in "$out/private/$3.key.pem" |
		pki --issue --lifetime 30 --cacert "$out/x509ca/$4.crt.pem" --cakey "$out/private/$4.key.pem" \
			--dn "$(dn "$5")" --san "$5" --flag serverAuth --flag clientAuth \
			--outform pem > "$out/x509/$3.crt.pem"
}
ca ecdsa 256 ca-ecdsa "lab ECDSA CA"
leaf ecdsa 256 a-ecdsa ca-ecdsa a.ecdsa.lab
leaf ecdsa 256 b-ecdsa ca-ecdsa b.ecdsa.lab
ca rsa 3072 ca-rsa "lab RSA CA"
leaf rsa 3072 a-rsa ca-rsa a.rsa.lab
leaf rsa 3072 b-rsa ca-rsa b.rsa.lab
# CA private keys are not needed by either peer
rm -f "$out/private/ca-ecdsa.key.pem" "$out/private/ca-rsa.key.pem"
chmod 600 "$out/private/"*
