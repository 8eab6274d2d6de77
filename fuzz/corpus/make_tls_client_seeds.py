#!/usr/bin/env python3
"""Writes the seed corpus of the Realm's TLS client fuzzer (fuzz/corpus/tls_client/).

Each input is what fuzz/realm/fuzz_tls_client.c reads: one control byte (bits 0-6 the size
of each piece the transport hands over, 0 for all at once; bit 7 a timeout at the end
instead of a close), then everything the server says. The flights come from a real TLS
server, Python's ssl module (OpenSSL through CPython, not ccada's code), answering a
ClientHello of a TLS 1.3-only client over memory BIOs, with a self-signed P-256
certificate made by `cryptography`: a full TLS 1.3 flight whole, in pieces, and ending in
a timeout; a HelloRetryRequest; a TLS 1.2-only server's refusal; and two answers that are
no TLS (an HTTP response, a bare alert). Run it from the repository root; it overwrites
only the files it names.
"""
import datetime
import os
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OUT = os.path.join(os.path.dirname(__file__), "tls_client")


def cert_files(tmp):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ccada kbs")])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cpath, kpath = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    with open(cpath, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(kpath, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cpath, kpath


def step(obj):
    try:
        obj.do_handshake()
    except (ssl.SSLWantReadError, ssl.SSLError):
        pass


def server_flight(cpath, kpath, max_version=None, curve=None):
    """What a server answers to a TLS 1.3-only client's ClientHello."""
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    cctx.minimum_version = ssl.TLSVersion.TLSv1_3
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cpath, kpath)
    if max_version:
        sctx.maximum_version = max_version
    if curve:
        sctx.set_ecdh_curve(curve)
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = cctx.wrap_bio(c_in, c_out, server_side=False)
    server = sctx.wrap_bio(s_in, s_out, server_side=True)
    step(client)
    s_in.write(c_out.read())
    step(server)
    return s_out.read()


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cpath, kpath = cert_files(tmp)
        flight = server_flight(cpath, kpath)
        seeds = {
            "00_tls13_flight": b"\x00" + flight,
            "01_tls13_flight_in_5_byte_pieces": b"\x05" + flight,
            "02_tls13_flight_then_timeout": b"\x80" + flight,
            "03_hello_retry_request": b"\x00" + server_flight(cpath, kpath, curve="secp384r1"),
            "04_tls12_server_refuses": b"\x00" + server_flight(cpath, kpath, max_version=ssl.TLSVersion.TLSv1_2),
            "05_http_answer": b"\x00HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
            "06_handshake_failure_alert": b"\x00\x15\x03\x03\x00\x02\x02\x28",
        }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print("%s: %d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
