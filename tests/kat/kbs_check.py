#!/usr/bin/python3
"""`ccada kbs` driven as the keybroker-demo client drives it, from Python (not ccada's code).

Starts `ccada kbs` on a free loopback port with the reference value `ccada measure
--workload attest` gives, then plays the client of veraison/keybroker-demo
(rust-keybroker/keybroker-client; facts rme-swiotlb-virtio.md §4.5): an RSA-1024 key as a
JWK, POST /keys/v1/key/skywalker (201, Location, a 64-byte challenge), a token over that
challenge from `ccada token make`, POST of its base64url to the Location with the exact
media type (200 and the key wrapped to the RSA key, which Python unwraps), and every
refusal: a replayed or unknown challenge, a Realm whose RIM is not a reference value (and
the ready-to-paste line the broker logs), a token over another challenge, a tampered
token, the wrong media type, malformed requests, an unknown key, other paths and methods.

usage: kbs_check.py CCADA_BINARY
"""
import base64
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

EVIDENCE_TYPE = 'application/eat-collection; profile="http://arm.com/CCA-SSD/1.0.0"'
SECRET = b"May the force be with you."


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Broker:
    def __init__(self, ccada, tmp, rv):
        self.proc = subprocess.Popen([ccada, "kbs", "--port", "0", "--reference-values", rv],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/keys/v1", line)
        if not m:
            fail(f"ccada kbs did not start: {line!r}")
        self.port = int(m.group(1))

    def post(self, path, body, ctype):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("POST", path, body=body, headers={"Content-Type": ctype} if ctype else {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.getheader("Location"), data

    def request(self, method, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path)
        r = c.getresponse()
        r.read()
        return r.status

    def log(self):
        self.proc.terminate()
        out = self.proc.stdout.read()
        self.proc.wait(timeout=30)
        return out


def jwk(key, alg):
    n = key.public_key().public_numbers()
    return json.dumps({"pubkey": {"kty": "RSA", "alg": alg, "n": b64url(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big")),
                                  "e": b64url(n.e.to_bytes(3, "big"))}})


def token(ccada, challenge, *opts):
    r = subprocess.run([ccada, "token", "make", "--format", "b64url", "--challenge", challenge.hex()] + list(opts),
                       capture_output=True, text=True)
    if r.returncode:
        fail(f"token make: {r.stderr}")
    return r.stdout.strip()


def ask(b, key, alg="RSA1_5", name="skywalker"):
    st, loc, body = b.post(f"/keys/v1/key/{name}", jwk(key, alg), "application/json")
    if st != 201:
        fail(f"key request: {st} {body!r}")
    doc = json.loads(body)
    if doc["accept"] != ["application/eat-collection; profile=http://arm.com/CCA-SSD/1.0.0"]:
        fail(f"accept list {doc['accept']}")
    m = re.fullmatch(rf"http://127\.0\.0\.1:{b.port}(/keys/v1/evidence/[1-9]\d*)", loc or "")
    if not m:
        fail(f"Location {loc!r}")
    ch = unb64url(doc["challenge"])
    if len(ch) != 64:
        fail("challenge is not 64 bytes")
    return m.group(1), ch


def expect(got, status, text, what):
    st, _, body = got
    if st != status or text.encode() not in body:
        fail(f"{what}: {st} {body!r}")
    if st >= 400:
        doc = json.loads(body)
        if set(doc) != {"type", "detail"}:
            fail(f"{what}: not an ErrorInformation body: {doc}")
    print(f"ok: {what}: {st}")
    return body


def main():
    ccada = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        rim = subprocess.run([ccada, "measure", "--workload", "attest"], capture_output=True, text=True).stdout.strip()
        rv = os.path.join(tmp, "rv.json")
        with open(rv, "w") as f:
            json.dump({"reference-values": [base64.b64encode(bytes.fromhex(rim)).decode()]}, f)
        b = Broker(ccada, tmp, rv)
        key = rsa.generate_private_key(65537, 1024)
        try:
            for alg, pad in (("RSA1_5", padding.PKCS1v15()),
                             ("RSA-OAEP", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None))):
                path, ch = ask(b, key, alg)
                tok = token(ccada, ch)
                body = expect(b.post(path, tok, EVIDENCE_TYPE), 200, '"data"', f"an attested Realm gets the key ({alg})")
                if key.decrypt(unb64url(json.loads(body)["data"]), pad) != SECRET:
                    fail(f"{alg}: the unwrapped key is not the secret")
                print(f"ok: {alg}: unwrapped '{SECRET.decode()}'")
                expect(b.post(path, tok, EVIDENCE_TYPE), 403, "did not match any issued challenge",
                       "a challenge is single use")
            expect(b.post("/keys/v1/evidence/7", "x", EVIDENCE_TYPE), 403, "did not match any issued challenge",
                   "an unknown challenge id")
            path, ch = ask(b, key)
            expect(b.post(path, token(ccada, ch, "--ram", "64M"), EVIDENCE_TYPE), 403, "not in policy",
                   "a Realm whose RIM is not a reference value")
            path, ch = ask(b, key)
            expect(b.post(path, token(ccada, bytes(64)), EVIDENCE_TYPE), 403, "challenge",
                   "a token over another challenge")
            path, ch = ask(b, key)
            raw = bytearray(unb64url(token(ccada, ch)))
            raw[-3] ^= 0x80
            expect(b.post(path, b64url(bytes(raw)), EVIDENCE_TYPE), 403, "No attestation result was obtained",
                   "a tampered token")
            path, ch = ask(b, key)
            expect(b.post(path, token(ccada, ch), EVIDENCE_TYPE.replace('"', "")), 403, "media type",
                   "the media type without its quotes")
            path, ch = ask(b, key)
            expect(b.post(path, "not base64!", EVIDENCE_TYPE), 403, "base64url", "evidence that is not base64url")
            expect(b.post("/keys/v1/key/skywalker", "{", "application/json"), 400, "not JSON", "a body that is not JSON")
            expect(b.post("/keys/v1/key/skywalker", '{"pubkey": {"kty": "EC"}}', "application/json"), 400, "kty",
                   "a key that is not RSA")
            expect(b.post("/keys/v1/key/vader", jwk(key, "RSA1_5"), "application/json"), 404, "KeyNotFound",
                   "an unknown key")
            expect(b.post("/keys/v1/key/skywalker", jwk(key, "RSA1_5"), "text/plain"), 415, "application/json",
                   "a key request that is not JSON by its type")
            expect(b.post("/keys/v1/other", "", None), 404, "NotFound", "another path")
            if b.request("GET", "/keys/v1/key/skywalker") != 405:
                fail("GET was not refused with 405")
            print("ok: GET: 405")
        finally:
            log = b.log()
        want = "give --reference-values a file holding {\"reference-values\": [\""
        if want not in log:
            fail(f"the broker did not log the refused RIM ready to paste:\n{log}")
        print("ok: the broker logged the refused RIM ready to paste")
    print("kbs_check: all cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
