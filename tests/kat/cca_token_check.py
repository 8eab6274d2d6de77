#!/usr/bin/python3
"""An independent check of the CCA attestation tokens ccada makes, and of ccada's verifier.

Decodes `ccada token make` tokens with cbor2 and verifies them with cryptography (not with
ccada's C code), following DEN0137 1.0 A7.2 as written down in
../shared/facts/rme-swiotlb-virtio.md §4: the collection (tag 399 or 907), both COSE_Sign1
(tag 18, ES384 over the RFC 9052 Sig_structure), every realm and platform claim's shape,
the binding (platform challenge = SHA-256 of claim 44237 as encoded), the challenge given,
and the RIM against `ccada measure`. Then the other direction: a token this script builds
and signs with its own keys must pass `ccada token verify`, and a tampered one must fail
with the check named.

usage: cca_token_check.py CCADA_BINARY      (exit 0 when every case holds)
Needs Debian's python3-cbor2 and python3-cryptography (/usr/bin/python3).
"""
import hashlib
import os
import subprocess
import sys
import tempfile

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

CHALLENGE = bytes(range(0x40, 0x80))  # 64 bytes
LEGACY_PLATFORM_PROFILE = "http://arm.com/CCA-SSD/1.0.0"
PLATFORM_PROFILE = "tag:arm.com,2023:cca_platform#1.0.0"
REALM_PROFILE = "tag:arm.com,2023:realm#1.0.0"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


def sig_structure(protected, payload):
    return cbor2.dumps(["Signature1", protected, b"", payload])


def verify_sign1(raw, key, what):
    item = cbor2.loads(raw)
    check(raw[0] == 0xD2, f"{what}: not tag 18 in its one-byte form")
    check(isinstance(item, cbor2.CBORTag) and item.tag == 18, f"{what}: not a COSE_Sign1")
    protected, unprotected, payload, sig = item.value
    check(cbor2.loads(protected) == {1: -35}, f"{what}: protected header is not {{1: ES384}}")
    check(unprotected == {}, f"{what}: unprotected header not empty")
    check(len(sig) == 96, f"{what}: signature is {len(sig)} bytes, ES384 gives 96")
    der = utils.encode_dss_signature(int.from_bytes(sig[:48], "big"), int.from_bytes(sig[48:], "big"))
    try:
        key.verify(der, sig_structure(protected, payload), ec.ECDSA(hashes.SHA384()))
    except InvalidSignature:
        fail(f"{what}: the signature does not verify")
    return cbor2.loads(payload)


def collection(token, cmw):
    top = cbor2.loads(token)
    check(isinstance(top, cbor2.CBORTag), "the token is not tagged")
    check(top.tag == (907 if cmw else 399), f"collection tag {top.tag}")
    check(set(top.value) == {44234, 44241}, f"collection keys {sorted(top.value)}")
    if cmw:
        for k in (44234, 44241):
            check(top.value[k][0] == 263 and isinstance(top.value[k][1], bytes), "CMW entry is not [263, bstr]")
        return top.value[44234][1], top.value[44241][1]
    return top.value[44234], top.value[44241]


def rak_key(claim, profile):
    if not profile:
        check(len(claim) == 97 and claim[0] == 4, "raw RAK is not a 97-byte SEC1 point")
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), claim)
    key = cbor2.loads(claim)
    check(claim[:8] == bytes.fromhex("a401022002215830"), "COSE_Key RAK does not begin A4 01 02 20 02 21 58 30")
    check(set(key) == {1, -1, -2, -3} and key[1] == 2 and key[-1] == 2, f"COSE_Key parameters {sorted(key)}")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), b"\x04" + key[-2] + key[-3])


def check_realm(claims, profile, hash_name, rim, rak):
    n = 64 if hash_name == "sha-512" else 32
    check(claims[10] == CHALLENGE, "realm challenge is not the one given")
    check((265 in claims) == profile, "realm profile claim presence")
    if profile:
        check(claims[265] == REALM_PROFILE, "realm profile value")
    check(len(claims[44235]) == 64, "RPV is not 64 bytes")
    check(claims[44236] == hash_name, f"hash algo id {claims[44236]}")
    check(claims[44238] == rim, f"RIM {claims[44238].hex()} is not ccada measure's {rim.hex()}")
    check(len(claims[44239]) == 4 and all(len(m) == n for m in claims[44239]), "REMs")
    check(claims[44240] == "sha-256", "RAK hash algo id")
    return rak_key(claims[44237], profile)


def check_platform(claims, profile, realm_rak_claim, iak_point):
    check(claims[265] == (PLATFORM_PROFILE if profile else LEGACY_PLATFORM_PROFILE), "platform profile")
    check(claims[10] == hashlib.sha256(realm_rak_claim).digest(), "binding: platform challenge != SHA-256(RAK claim)")
    check(claims[2396] == hashlib.sha256(b"ccada model platform").digest(), "implementation id")
    check(claims[256] == b"\x01" + hashlib.sha256(iak_point).digest(), "instance id is not 0x01 || SHA-256(IAK)")
    check(claims[2395] == 0x3000, "lifecycle is not secured (0x3000)")
    check(claims[2401] == (1).to_bytes(8, "little"), "config")
    comps = claims[2399]
    check([c[1] for c in comps] == ["BL1", "BL2", "BL31", "RMM"], "software component types")
    for c in comps:
        want = hashlib.sha256(f"ccada {c[1]} {c[4]}".encode()).digest()
        check(c[2] == want and len(c[5]) == 32 and c[6] == "sha-256", f"software component {c[1]}")
    check(claims[2402] == "sha-256", "platform hash algo id")


def case(ccada, tmp, opts):
    profile, cmw = "--token-profile" in opts, "--token-cmw" in opts
    hash_name = "sha-512" if "sha512" in opts else "sha-256"
    tok, pem = os.path.join(tmp, "t.cbor"), os.path.join(tmp, "iak.pem")
    for f in (tok, pem):
        if os.path.exists(f):
            os.remove(f)
    r = run([ccada, "token", "make", "-o", tok, "--iak-pub-out", pem, "--challenge", CHALLENGE.hex()] + opts)
    check(r.returncode == 0, f"token make {opts}: {r.stderr.decode()}")
    m = run([ccada, "measure", "--workload", "attest"] + [o for o in opts if not o.startswith("--token")])
    check(m.returncode == 0, f"measure {opts}: {m.stderr.decode()}")
    rim = bytes.fromhex(m.stdout.decode().strip())
    token = open(tok, "rb").read()
    iak = serialization.load_pem_public_key(open(pem, "rb").read())
    iak_point = iak.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    plat_raw, realm_raw = collection(token, cmw)
    plat = verify_sign1(plat_raw, iak, "platform token")
    realm = cbor2.loads(cbor2.loads(realm_raw).value[2])
    rak = check_realm(realm, profile, hash_name, rim, None)
    verify_sign1(realm_raw, rak, "realm token")
    check_platform(plat, profile, realm[44237], iak_point)
    print(f"ok: ccada token make {' '.join(opts) or '(defaults)'}: {len(token)} bytes verified independently")
    return token, realm, pem


def sign1(key, payload):
    protected = cbor2.dumps({1: -35})
    der = key.sign(sig_structure(protected, payload), ec.ECDSA(hashes.SHA384()))
    r, s = utils.decode_dss_signature(der)
    return b"\xd2" + cbor2.dumps([protected, {}, payload, r.to_bytes(48, "big") + s.to_bytes(48, "big")])


def independent_token(tmp, realm_claims):
    """A token built and signed here, with this script's own IAK and RAK."""
    iak, rak = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
    point = rak.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    claims = dict(realm_claims)
    claims[44237] = point
    plat = {265: LEGACY_PLATFORM_PROFILE, 10: hashlib.sha256(point).digest(), 2396: bytes(32), 256: b"\x01" + bytes(32),
            2401: b"", 2395: 0x3000, 2399: [{1: "BL1", 2: bytes(32), 5: bytes(32)}], 2402: "sha-256"}
    realm_tok, plat_tok = sign1(rak, cbor2.dumps(claims)), sign1(iak, cbor2.dumps(plat))
    token = cbor2.dumps(cbor2.CBORTag(399, {44234: plat_tok, 44241: realm_tok}))
    pem = os.path.join(tmp, "py-iak.pem")
    with open(pem, "wb") as f:
        f.write(iak.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return token, pem


def expect_verify(ccada, tmp, token, pem, status, word, what):
    path = os.path.join(tmp, "v.cbor")
    with open(path, "wb") as f:
        f.write(token)
    r = run([ccada, "token", "verify", path, "--iak", pem, "--challenge", CHALLENGE.hex()])
    out = r.stdout.decode()
    check(r.returncode == status and word in out, f"{what}: exit {r.returncode}, output {out!r}")
    print(f"ok: ccada token verify: {what}")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    ccada = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        token, realm, pem = case(ccada, tmp, [])
        first = open(pem, "rb").read()
        case(ccada, tmp, ["--token-profile"])
        case(ccada, tmp, ["--token-cmw"])
        case(ccada, tmp, ["--hash", "sha512"])
        case(ccada, tmp, ["--seed", "7", "--token-profile", "--token-cmw"])
        # Same seed, same keys: the IAK ccada exports does not change between runs.
        token, realm, pem = case(ccada, tmp, [])
        check(open(pem, "rb").read() == first, "the IAK derived from seed 1 changed between runs")

        expect_verify(ccada, tmp, token, pem, 0, "token verified", "ccada's own token")
        bad = bytearray(token)
        bad[-5] ^= 1  # inside the realm token's signature, the collection's last entry
        expect_verify(ccada, tmp, bytes(bad), pem, 1, "FAILED realm-signature", "a flipped signature bit")
        py_token, py_pem = independent_token(tmp, realm)
        expect_verify(ccada, tmp, py_token, py_pem, 0, "token verified", "a token built and signed by Python")
        expect_verify(ccada, tmp, py_token, pem, 1, "FAILED platform-signature", "Python's token against ccada's IAK")
    print("cca_token_check: all cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
