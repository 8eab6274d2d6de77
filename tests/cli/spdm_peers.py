#!/usr/bin/env python3
"""ccada spdm responder|requester and ccada pki, end to end over real sockets.

usage: spdm_peers.py CCADA CASE

Each case starts `ccada spdm responder --listen 127.0.0.1:0` in the background where it needs
one (reading the port from its first line, "listening on 127.0.0.1:PORT") in a scratch
directory. The raw cases speak the DMTF spdm-emu framing themselves, written here from
facts/spdm-tdisp-ide.md §8.2 and §3.1 (u32 big-endian Command, TransportType, Size; a DOE
object of u16 vendor, u8 type, u8 reserved, u32 length in DW, little-endian), independently
of src/proto: the C codecs are not what checks the C server.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile

CCADA = None
NORMAL, OOB_KEY_UPDATE, CONTINUE, SHUTDOWN, UNKNOWN, TEST = 0x0001, 0x8001, 0xFFFD, 0xFFFE, 0xFFFF, 0xDEAD
MCTP, PCI_DOE = 1, 2
PAYLOAD_MAX = 0x1200 + 128
ERROR_INVALID_REQUEST = bytes([0x12, 0x7F, 0x01, 0x00])


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def ccada(*args, timeout=30):
    return subprocess.run([CCADA] + list(args), capture_output=True, text=True, timeout=timeout)


class Responder:
    """ccada spdm responder on a free port, in the background."""

    def __init__(self, *args):
        self.p = subprocess.Popen([CCADA, "spdm", "responder", "--listen", "127.0.0.1:0"] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self.p.stdout.readline()
        if not first.startswith("listening on 127.0.0.1:"):
            raise Failed(f"first line {first!r}; stderr {self.p.stderr.read()!r}")
        self.port = int(first.rsplit(":", 1)[1])
        self.addr = f"127.0.0.1:{self.port}"

    def finish(self, timeout=10):
        """Its exit status and the rest of its output."""
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
            raise Failed(f"the responder did not exit; output {out!r} {err!r}")
        return self.p.returncode, out, err

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.communicate()


def requester(addr, *args):
    return ccada("spdm", "requester", "--connect", addr, *args)


def attested(r, want_json=False):
    if want_json:
        check(r.returncode == 0, f"exit {r.returncode}: {r.stderr}{r.stdout[-1500:]}")
        return json.loads(r.stdout)
    check(r.returncode == 0 and "verdict: attested" in r.stdout and "session established" in r.stdout,
          f"exit {r.returncode}: {r.stderr}{r.stdout[-1500:]}")
    return None


# ---- the framing, written from the facts ----

def frame(cmd, payload=b"", transport=PCI_DOE):
    return struct.pack(">III", cmd, transport, len(payload)) + payload


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            return None
        b += chunk
    return b


def recv_frame(s):
    h = recv_exact(s, 12)
    if h is None:
        return None
    cmd, transport, size = struct.unpack(">III", h)
    return cmd, transport, recv_exact(s, size) if size else b""


def doe(type_, payload):
    payload += b"\0" * (-len(payload) % 4)
    return struct.pack("<HBBI", 1, type_, 0, 2 + len(payload) // 4) + payload


def undoe(obj):
    vendor, type_, _, length = struct.unpack("<HBBI", obj[:8])
    check(length * 4 == len(obj), f"DOE length {length} DW for {len(obj)} bytes")
    return vendor, type_, obj[8:]


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def ask(s, cmd, payload=b"", transport=PCI_DOE):
    s.sendall(frame(cmd, payload, transport))
    return recv_frame(s)


# ---- cases ----

def case_attests_a_seeded_responder_with_the_root_it_wrote():
    rsp = Responder("--once", "--root-out", "root.der")
    try:
        attested(requester(rsp.addr, "--trust-anchor", "root.der"))
        rc, out, _ = rsp.finish()
        check(rc == 0 and "connection ended (SHUTDOWN)" in out, f"responder exit {rc}: {out}")
    finally:
        rsp.kill()


def case_attests_with_cert_dir_from_ccada_pki_on_both_sides():
    check(ccada("pki", "--out", "pki", "--seed", "7").returncode == 0, "ccada pki failed")
    rsp = Responder("--once", "--cert-dir", "pki", "--fw-version", "2.5.1")
    try:
        r = requester(rsp.addr, "--cert-dir", "pki")
        attested(r)
        check('root "CN=ccada test root CA"' in r.stdout and "measurement 254" in r.stdout, r.stdout)
        check(rsp.finish()[0] == 0, "responder exit")
    finally:
        rsp.kill()


def case_attests_with_pem_trust_anchor_and_measures_debug_mode():
    rsp = Responder("--once", "--root-out", "root.der", "--debug")
    try:
        der = open("root.der", "rb").read()
        import base64
        body = base64.encodebytes(der).decode()
        open("root.pem", "w").write("-----BEGIN CERTIFICATE-----\n" + body + "-----END CERTIFICATE-----\n")
        d = attested(requester(rsp.addr, "--trust-anchor", "root.pem", "--json"), want_json=True)
        mode = [m for m in d["measurements"] if m["index"] == 254][0]
        # DeviceModeState (4th u32) bit 1: invasive debug (device/identity.h)
        check(mode["raw"] and bytes.fromhex(mode["value"])[12] == 0x02, mode)
    finally:
        rsp.kill()


def case_no_handshake_in_the_clear_encrypts_finish():
    rsp = Responder("--once", "--root-out", "root.der", "--no-handshake-in-the-clear")
    try:
        d = attested(requester(rsp.addr, "--trust-anchor", "root.der", "--no-handshake-in-the-clear", "--json"),
                     want_json=True)
        fin = [m for m in d["messages"] if m["name"] in ("FINISH", "FINISH_RSP")]
        check(len(fin) == 2 and all(m["secured"] for m in fin), fin)
    finally:
        rsp.kill()
    # and the clear handshake when both offer it
    rsp = Responder("--once", "--root-out", "root.der")
    try:
        d = attested(requester(rsp.addr, "--trust-anchor", "root.der", "--json"), want_json=True)
        fin = [m for m in d["messages"] if m["name"] in ("FINISH", "FINISH_RSP")]
        check(len(fin) == 2 and not any(m["secured"] for m in fin), fin)
    finally:
        rsp.kill()


def case_json_has_the_verdict_fields():
    rsp = Responder("--once", "--root-out", "root.der")
    try:
        d = attested(requester(rsp.addr, "--trust-anchor", "root.der", "--json"), want_json=True)
        check(d["attested"] and d["verdict"] == "attested" and d["error"] == "", d)
        check(d["version"] == "1.2" and d["hello"] and d["doe_protocols"] == ["DISCOVERY", "CMA_SPDM",
                                                                               "SECURED_CMA_SPDM"], d)
        check(d["algorithms"].startswith("ECDSA-P384 SHA-384"), d["algorithms"])
        check(d["certificates"]["count"] == 3 and d["certificates"]["leaf"] == "CN=ccada device", d["certificates"])
        check([m["index"] for m in d["measurements"]] == [1, 2, 3, 4, 254], d["measurements"])
        check(all(len(m["digest"]) == 96 for m in d["measurements"] if not m["raw"]), d["measurements"])
        check(d["session"] and d["heartbeat"] and d["key_update"] and d["end_session"], d)
        check(d["discovery"] == 3 and d["requests"] >= 13, d)
        names = [m["name"] for m in d["messages"] if m["dir"] == "request" and m["name"] != "DOE DISCOVERY"]
        check(names[:3] == ["GET_VERSION", "GET_CAPABILITIES", "NEGOTIATE_ALGORITHMS"] and
              names[-1] == "END_SESSION", names)
    finally:
        rsp.kill()


def case_requester_to_a_closed_port_exits_one_and_says_what_to_run():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = requester(f"127.0.0.1:{port}", "--trust-anchor", "/dev/null", "--timeout", "2")
    # the anchor is read first: an empty one is refused before connecting
    check(r.returncode == 1 and "trust anchor '/dev/null'" in r.stderr, r.stderr)
    open("x.der", "wb").write(b"\x30\x00")
    r = requester(f"127.0.0.1:{port}", "--trust-anchor", "x.der")
    want = f"cannot connect to 127.0.0.1:{port}: Connection refused - is spdm_responder_emu (or ccada spdm " \
           "responder) running?"
    check(r.returncode == 1 and want in r.stderr and "verdict: FAILED: connect:" in r.stdout, r.stderr + r.stdout)


def case_requester_with_another_pki_root_fails_cert_chain():
    check(ccada("pki", "--out", "other", "--seed", "99").returncode == 0, "ccada pki failed")
    rsp = Responder("--once")
    try:
        r = requester(rsp.addr, "--cert-dir", "other")
        check(r.returncode == 1 and "verdict: FAILED: cert-chain:" in r.stdout and "session established" not in
              r.stdout, r.stdout + r.stderr)
    finally:
        rsp.kill()


def case_requester_times_out_on_a_silent_responder():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    open("x.der", "wb").write(b"\x30\x00")
    p = subprocess.Popen([CCADA, "spdm", "requester", "--connect", f"127.0.0.1:{port}", "--trust-anchor", "x.der",
                          "--timeout", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    conn, _ = srv.accept()
    out, err = p.communicate(timeout=10)
    conn.close()
    srv.close()
    check(p.returncode == 1 and "timeout: TEST hello: the responder did not answer within 1000 ms" in err, err)


def case_pcap_has_every_doe_object_of_both_sides():
    rsp = Responder("--once", "--root-out", "root.der", "--pcap", "rsp.pcap")
    try:
        d = attested(requester(rsp.addr, "--trust-anchor", "root.der", "--json", "--pcap", "req.pcap"), want_json=True)
        check(rsp.finish()[0] == 0, "responder exit")
    finally:
        rsp.kill()
    want = 2 * (d["requests"] + d["discovery"])
    objs = {}
    for name in ("req.pcap", "rsp.pcap"):
        b = open(name, "rb").read()
        magic, major, minor, _, _, snaplen, linktype = struct.unpack("<IHHiIII", b[:24])
        check(magic == 0xa1b2c3d4 and (major, minor) == (2, 4) and linktype == 292, (name, magic, linktype))
        off, recs = 24, []
        while off < len(b):
            _, usec, incl, orig = struct.unpack("<IIII", b[off:off + 16])
            check(incl == orig and usec < 10**6 and off + 16 + incl <= len(b), (name, off))
            recs.append(b[off + 16:off + 16 + incl])
            off += 16 + incl
        check(len(recs) == want, f"{name}: {len(recs)} records, {want} expected")
        for r in recs:
            vendor, type_, _ = undoe(r)
            check(vendor == 1 and type_ in (0, 1, 2), (vendor, type_))
        objs[name] = recs
    # both sides saw the same objects, in the same order
    check(objs["req.pcap"] == objs["rsp.pcap"], "the two captures differ")


def case_raw_framing_follows_the_emulator_protocol():
    rsp = Responder()
    try:
        s = connect(rsp.port)
        check(ask(s, TEST, b"Client Hello!\0") == (TEST, PCI_DOE, b"Server Hello!\0"), "TEST hello")
        for index, (type_, nxt) in enumerate([(0, 1), (1, 2), (2, 0)]):
            cmd, tr, obj = ask(s, NORMAL, doe(0, struct.pack("<I", index)))
            check(cmd == NORMAL and undoe(obj) == (1, 0, struct.pack("<HBB", 1, type_, nxt)), (index, obj.hex()))
        # what cannot be answered otherwise: a plain ERROR InvalidRequest, never silence
        for bad in (b"\x01\x00\x01", doe(0, struct.pack("<I", 3)), doe(5, b"\x12\x84\0\0"),
                    struct.pack("<HBBI", 1, 1, 0, 7) + b"\0" * 8):
            cmd, tr, obj = ask(s, NORMAL, bad)
            check(cmd == NORMAL and undoe(obj)[:2] == (1, 1) and undoe(obj)[2] == ERROR_INVALID_REQUEST,
                  (bad.hex(), obj.hex()))
        # a plain GET_VERSION is answered with VERSION, padded to a DW
        cmd, tr, obj = ask(s, NORMAL, doe(1, bytes([0x10, 0x84, 0, 0])))
        v, t, p = undoe(obj)
        check(t == 1 and p[:2] == bytes([0x10, 0x04]), obj.hex())
        # a command not implemented: UNKNOWN
        check(ask(s, OOB_KEY_UPDATE) == (UNKNOWN, PCI_DOE, b""), "OOB command")
        # CONTINUE is echoed and ends the connection
        check(ask(s, CONTINUE) == (CONTINUE, PCI_DOE, b""), "CONTINUE echo")
        check(s.recv(1) == b"", "the connection stays open after CONTINUE")
        s.close()
        # a frame larger than the emulator's buffer: the connection is closed, nothing read
        s = connect(rsp.port)
        s.sendall(struct.pack(">III", NORMAL, PCI_DOE, PAYLOAD_MAX + 1))
        check(recv_frame(s) is None, "an oversized frame was answered")
        s.close()
        # another transport: closed
        s = connect(rsp.port)
        s.sendall(frame(NORMAL, doe(0, b"\0\0\0\0"), MCTP))
        check(recv_frame(s) is None, "an MCTP frame was answered")
        s.close()
        # the server still serves, and SHUTDOWN is echoed and stops it with status 0
        s = connect(rsp.port)
        check(ask(s, TEST, b"Client Hello!\0")[2] == b"Server Hello!\0", "TEST after refusals")
        check(ask(s, SHUTDOWN) == (SHUTDOWN, PCI_DOE, b""), "SHUTDOWN echo")
        s.close()
        rc, out, err = rsp.finish()
        check(rc == 0, f"exit {rc}")
        check("answered ERROR InvalidRequest" in out and "DOE discovery index 3" in out and
              "transport MCTP" in out and "refused frame header" in out, out)
    finally:
        rsp.kill()


def case_once_exits_one_when_its_connection_is_dropped_for_a_bad_frame():
    rsp = Responder("--once")
    try:
        s = connect(rsp.port)
        s.sendall(struct.pack(">III", 0x1234, PCI_DOE, 0))
        check(recv_frame(s) is None, "an unknown command was answered")
        s.close()
        rc, out, err = rsp.finish()
        check(rc == 1 and "dropped for a bad frame" in err, (rc, err))
    finally:
        rsp.kill()


def case_pki_writes_five_files_and_keeps_them_without_force():
    names = ["root_ca.der", "intermediate_ca.der", "device_leaf.der", "device_chain.der", "device_leaf_key.pem"]
    r = ccada("pki", "--out", "p")
    check(r.returncode == 0 and all(f"p/{n}" in r.stdout for n in names), r.stdout + r.stderr)
    check(sorted(os.listdir("p")) == sorted(names), os.listdir("p"))
    check(os.stat("p/device_leaf_key.pem").st_mode & 0o077 == 0, "the key file is readable by others")
    chain = open("p/device_chain.der", "rb").read()
    check(chain == b"".join(open(f"p/{n}", "rb").read() for n in names[:3]), "chain != root||intermediate||leaf")
    before = open("p/root_ca.der", "rb").read()
    r = ccada("pki", "--out", "p")
    check(r.returncode == 1 and "p/root_ca.der: exists (use --force to replace it)" in r.stderr, r.stderr)
    check(open("p/root_ca.der", "rb").read() == before, "a refused run changed a file")
    r = ccada("pki", "--out", "p", "--force")
    check(r.returncode == 0 and open("p/root_ca.der", "rb").read() != before, "--force did not replace")
    # checked with python3-cryptography: the leaf is issued by the intermediate, which the root issued
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    certs = [x509.load_der_x509_certificate(open(f"p/{n}", "rb").read()) for n in names[:3]]
    for issuer, cert in zip(certs, certs[1:]):  # raises InvalidSignature if not
        check(cert.issuer == issuer.subject, (cert.issuer, issuer.subject))
        issuer.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    check(certs[2].subject.rfc4514_string() == "CN=ccada device", certs[2].subject)


def main():
    global CCADA
    CCADA = os.path.abspath(sys.argv[1])
    fn = globals().get("case_" + sys.argv[2])
    if not fn:
        sys.exit(f"no case {sys.argv[2]}")
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            fn()
        except Failed as e:
            print(f"{sys.argv[2]}: {e}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
