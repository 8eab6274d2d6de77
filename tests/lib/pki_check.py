#!/usr/bin/python3
"""The PKI of src/lib/pki.c read by Python's `cryptography` (not OpenSSL's C API through ccada,
and not ccada's code): every field and extension pki.h promises, every signature checked with
the issuer's key along root -> intermediate -> leaf, the chain file is the three DER files in
order, each private key belongs to its certificate, and seeded keys are the ones the rule of
ec.h gives (SHA-512(label || 0x00 || seed || be32(counter)), first 48 bytes in [1, n-1]),
computed here with hashlib.

usage: pki_check.py PKI_WRITE_BINARY
"""
import datetime
import hashlib
import os
import subprocess
import sys
import tempfile

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import SignatureAlgorithmOID

P384_N = int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
             "581a0db248b0a77aecec196accc52973", 16)
NAMES = ("root", "intermediate", "leaf")
LABELS = {"root": "ccada pki root", "intermediate": "ccada pki intermediate", "leaf": "ccada pki leaf"}
DEFAULTS = {"root": "CN=ccada test root CA", "intermediate": "CN=ccada test intermediate CA",
            "leaf": "CN=ccada device"}


def check(cond, what):
    if not cond:
        sys.exit("pki_check: " + what)


def derived_scalar(seed, label):
    for counter in range(1000):
        d = hashlib.sha512(label.encode() + b"\0" + seed + counter.to_bytes(4, "big")).digest()[:48]
        v = int.from_bytes(d, "big")
        if 1 <= v < P384_N:
            return v
    sys.exit("pki_check: no scalar")


def make(tool, tmp, nb, na, seed, subjects):
    args = [tool, tmp, str(nb), str(na), seed.hex() if seed else "-"]
    if subjects:
        args += [subjects[n] for n in NAMES]
    subprocess.run(args, check=True)
    certs, keys = {}, {}
    for n in NAMES:
        with open(os.path.join(tmp, n + ".der"), "rb") as f:
            certs[n] = f.read()
        with open(os.path.join(tmp, n + ".key"), "rb") as f:
            keys[n] = serialization.load_pem_private_key(f.read(), password=None)
    with open(os.path.join(tmp, "chain.der"), "rb") as f:
        chain = f.read()
    return certs, keys, chain


def check_extensions(name, cert, issuer):
    ext = cert.extensions
    bc = ext.get_extension_for_class(x509.BasicConstraints)
    ku = ext.get_extension_for_class(x509.KeyUsage)
    check(bc.critical and ku.critical, "%s: basicConstraints or keyUsage not critical" % name)
    if name == "leaf":
        check(not bc.value.ca and bc.value.path_length is None, "leaf basicConstraints")
        check(ku.value.digital_signature and not ku.value.key_cert_sign and not ku.value.crl_sign and
              not ku.value.content_commitment and not ku.value.key_encipherment and
              not ku.value.data_encipherment and not ku.value.key_agreement, "leaf keyUsage")
    else:
        check(bc.value.ca, "%s not a CA" % name)
        check(bc.value.path_length == (0 if name == "intermediate" else None), "%s pathLen" % name)
        check(ku.value.key_cert_sign and ku.value.crl_sign and not ku.value.digital_signature and
              not ku.value.key_encipherment, "%s keyUsage" % name)
    ski = ext.get_extension_for_class(x509.SubjectKeyIdentifier)
    check(not ski.critical and ski.value.digest ==
          x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest, "%s SKI is not method 1" % name)
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier)
    issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    check(aki.value.key_identifier == issuer_ski, "%s AKI is not its issuer's SKI" % name)
    check(len(ext) == 4, "%s has %d extensions" % (name, len(ext)))


def check_pki(certs, keys, chain, nb, na, seed, subjects):
    parsed = {n: x509.load_der_x509_certificate(certs[n]) for n in NAMES}
    check(chain == certs["root"] + certs["intermediate"] + certs["leaf"], "chain is not root || inter || leaf")
    issuer_of = {"root": "root", "intermediate": "root", "leaf": "intermediate"}
    for n in NAMES:
        c, iss = parsed[n], parsed[issuer_of[n]]
        check(c.version == x509.Version.v3, "%s not v3" % n)
        check(c.subject.rfc4514_string() == (subjects or DEFAULTS)[n], "%s subject %s" % (n, c.subject.rfc4514_string()))
        check(c.issuer == iss.subject, "%s issuer is not its issuer's subject" % n)
        check(2**126 <= c.serial_number < 2**127, "%s serial %x" % (n, c.serial_number))
        check(c.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA384, "%s not ecdsa-with-SHA384" % n)
        pub = c.public_key()
        check(isinstance(pub, ec.EllipticCurvePublicKey) and pub.curve.name == "secp384r1", "%s not P-384" % n)
        iss.public_key().verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(hashes.SHA384()))  # raises if bad
        check(c.not_valid_before == datetime.datetime.utcfromtimestamp(nb), "%s notBefore" % n)
        check(c.not_valid_after == datetime.datetime.utcfromtimestamp(na), "%s notAfter" % n)
        check(keys[n].public_key().public_numbers() == pub.public_numbers(), "%s key is not its certificate's" % n)
        if seed:
            check(keys[n].private_numbers().private_value == derived_scalar(seed, LABELS[n]),
                  "%s key is not ec_key_derive(seed, %r)" % (n, LABELS[n]))
        check_extensions(n, c, iss)
    return parsed


def main():
    tool = sys.argv[1]
    nb, na = 1767225600, 2082758400  # 2026-01-01 .. 2036-01-01
    custom = {"root": "CN=Acme root,O=Acme", "intermediate": "CN=Acme intermediate",
              "leaf": "CN=widget 42,OU=devices,O=Acme"}
    seed = bytes(range(32))
    runs = [(None, None), (seed, None), (b"\x07", custom)]
    points = []
    for s, subjects in runs + [(seed, None)]:
        with tempfile.TemporaryDirectory() as tmp:
            certs, keys, chain = make(tool, tmp, nb, na, s, subjects)
            parsed = check_pki(certs, keys, chain, nb, na, s, subjects)
            points.append(parsed["leaf"].public_key().public_numbers())
    check(points[1] == points[3], "the same seed gave another leaf key")
    check(points[0] != points[1], "fresh keys equal seeded ones")
    print("pki_check: cryptography %s agrees on %d PKIs: names, serials, validity, extensions, "
          "signatures, keys" % (cryptography.__version__, len(points)))


if __name__ == "__main__":
    main()
