#!/usr/bin/python3
"""The certificate of src/lib/x509.c read by Python's `cryptography` (not OpenSSL's C API as
tests/lib/test_x509.c reads it, and not ccada's code): the fields x509.h promises, the
signature, the key, and the pin x509.c computed against cryptography's own SHA-256
fingerprint of the DER.

usage: x509_check.py X509_WRITE_BINARY
"""
import datetime
import ipaddress
import os
import subprocess
import sys
import tempfile

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, SignatureAlgorithmOID


def make(tool, tmp, cn, ip):
    subprocess.run([tool, tmp, cn] + ([ip] if ip else []), check=True)
    with open(os.path.join(tmp, "cert.pem"), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(tmp, "key.pem"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    with open(os.path.join(tmp, "pin.hex")) as f:
        pin = f.read().strip()
    return cert, key, pin


def check(cond, what):
    if not cond:
        sys.exit("x509_check: " + what)


def check_cert(cert, key, pin, cn, ip):
    check(cert.version == x509.Version.v3, "not version 3")
    check(cert.fingerprint(hashes.SHA256()).hex() == pin, "the pin is not the SHA-256 of the DER")
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    check(len(cert.subject) == 1 and names[0].value == cn, "subject %s" % cert.subject.rfc4514_string())
    check(cert.issuer == cert.subject, "issuer differs from subject")
    check(0 < cert.serial_number < 2**127 and cert.serial_number >= 2**126, "serial %x" % cert.serial_number)
    check(cert.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA256, "not ecdsa-with-SHA256")
    pub = cert.public_key()
    check(isinstance(pub, ec.EllipticCurvePublicKey) and pub.curve.name == "secp256r1", "not a P-256 key")
    pub.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))  # raises if bad
    check(key.public_key().public_numbers() == pub.public_numbers(), "the key is not the certificate's")
    life = cert.not_valid_after - cert.not_valid_before
    check(life == datetime.timedelta(days=30), "validity %s" % life)
    now = datetime.datetime.utcnow()
    check(cert.not_valid_before <= now < cert.not_valid_before + datetime.timedelta(minutes=5), "notBefore")

    ext = cert.extensions
    bc = ext.get_extension_for_class(x509.BasicConstraints)
    check(bc.critical and not bc.value.ca and bc.value.path_length is None, "basicConstraints")
    ku = ext.get_extension_for_class(x509.KeyUsage)
    check(ku.critical and ku.value.digital_signature, "keyUsage")
    check(not (ku.value.key_cert_sign or ku.value.crl_sign or ku.value.key_agreement or
               ku.value.key_encipherment or ku.value.content_commitment or ku.value.data_encipherment),
          "keyUsage has more than digitalSignature")
    eku = ext.get_extension_for_class(x509.ExtendedKeyUsage)
    check(not eku.critical and list(eku.value) == [ExtendedKeyUsageOID.SERVER_AUTH], "extendedKeyUsage")
    if ip:
        san = ext.get_extension_for_class(x509.SubjectAlternativeName).value
        check(list(san) == [x509.IPAddress(ipaddress.ip_address(ip))], "subjectAltName %s" % san)
        check(len(ext) == 4, "%d extensions" % len(ext))
    else:
        check(len(ext) == 3, "%d extensions (no subjectAltName asked)" % len(ext))


def main():
    tool = sys.argv[1]
    for cn, ip in (("ccada kbs", "10.0.2.2"), ("kbs", "fd00::2"), ("kbs \u00e9t\u00e9", None)):
        with tempfile.TemporaryDirectory() as tmp:
            cert, key, pin = make(tool, tmp, cn, ip)
            check_cert(cert, key, pin, cn, ip)
    print("x509_check: cryptography %s agrees on CN, SAN, extensions, key and pin" % cryptography.__version__)


if __name__ == "__main__":
    main()
