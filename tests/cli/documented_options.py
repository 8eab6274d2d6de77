#!/usr/bin/env python3
"""Every option the README and --help mention works as written (issue 8, point 10).

usage: documented_options.py CCADA README coverage
       documented_options.py CCADA README run OPTION

coverage: every --option named in README.md or in `ccada demo|run|bench|token|measure|kbs|lab|pki|spdm --help` has an
          entry in CASES below (a new option cannot be documented without a test here).
run:      runs every case of OPTION in a scratch directory and checks its exit status, the
          text it prints on stdout and stderr, and the files it writes.
"""
import os
import re
import subprocess
import sys
import tempfile

SMALL = ["--disk-ram", "--ram", "8M", "--swiotlb", "1M"]  # a fast machine


def case(args, status=0, out=(), err=(), no_err=(), files=(), setup=None, no_out=()):
    return dict(args=args, status=status, out=out, err=err, no_err=no_err, files=files, setup=setup, no_out=no_out)


CCADA = None  # the binary under test, set by main() (for set-ups that run it)
CH = "ab" * 64
TOKEN = ["token", "make", "--format", "hex"]


def make_token(*opts):
    subprocess.run([CCADA, "token", "make", "-o", "t.cbor", "--iak-pub-out", "p.pem", "--force"] + list(opts),
                   check=True)


def write_key(path, private=True):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    k = ec.generate_private_key(ec.SECP384R1())
    data = (k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            if private else
            k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with open(path, "wb") as f:
        f.write(data)


def write_rv(path, rim=None):
    """A Key Broker reference-values file: the attest workload's RIM, or rim."""
    import base64
    if rim is None:
        rim = bytes.fromhex(subprocess.run([CCADA, "measure", "--workload", "attest"], capture_output=True,
                                           text=True).stdout.strip())
    with open(path, "w") as f:
        f.write('{"reference-values": ["%s"]}' % base64.b64encode(rim).decode())


RESPONDERS = []  # ccada spdm responder processes a case's setup started (run_case ends them)
PORT = 0         # the last one's port: "{port}" in a case's args


def responder(*opts):
    """ccada spdm responder on a free port in the background, writing its root to root.der."""
    global PORT
    p = subprocess.Popen([CCADA, "spdm", "responder", "--listen", "127.0.0.1:0", "--root-out", "root.der"] +
                         list(opts), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    RESPONDERS.append(p)
    PORT = int(p.stdout.readline().rsplit(":", 1)[1])


def pki_and_responder(*opts):
    subprocess.run([CCADA, "pki", "--out", "pki"], check=True, capture_output=True)
    responder("--cert-dir", "pki", *opts)


REQ = ["spdm", "requester", "--connect", "127.0.0.1:{port}"]


def device_policy(path, firmware="1.0.0", extra=""):
    """The Realm owner's policy for ccada-dev, its digest computed here (hashlib), not by ccada."""
    import hashlib
    digest = hashlib.sha384(("ccada device firmware " + firmware).encode()).hexdigest()
    with open(path, "w") as f:
        f.write("# mine\nfirmware_digest = %s\ndebug = off\n%s" % (digest, extra))


def data_image(path):
    with open(path, "wb") as f:
        f.write(os.urandom(393216))


CASES = {
    "help": [case(["demo", "--help"], out=["usage: ccada demo", "docs/learning-path.md"]),
             case(["kbs", "--help"], out=["usage: ccada kbs", "keybroker-demo"]),
             case(["lab", "--help"], out=["usage: ccada lab", "keybroker-app -v --endpoint"]),
             case(["token", "--help"], out=["usage: ccada token make"]),
             case(["run", "--help"], out=["usage: ccada run", "128M of RAM"]),
             case(["bench", "--help"], out=["usage: ccada bench"]),
             case(["help", "run"], out=["--workload NAME"]),
             case(["pki", "--help"], out=["usage: ccada pki --out DIR"]),
             case(["spdm", "--help"], out=["usage: ccada spdm responder", "ccada spdm requester --connect"])],
    "json": [case(["measure", "--json"], out=['"rim": "', '"hash": "sha-256"']),
             case(["lab", "--json"], out=['"result": "released"', '"key": "May the force be with you."', '"token_len": ',
                                          '"cca_token_in_clear": true', '"http_out": "POST /keys/v1/key/skywalker HTTP/1.1 | '],
                  no_err=["FAILED"]),
             case(["token", "dump", "t.cbor", "--json"], setup=make_token, out=['"initial-measurement"']),
             case(["demo", "--json"] + SMALL, out=['"passed": true', '"host_view"']),
             case(["run", "--json"] + SMALL, out=['"passed": true']),
             case(["bench", "swiotlb", "--reps", "1", "--json"], out=['"swiotlb"']),
             case(REQ + ["--trust-anchor", "root.der", "--json"], setup=lambda: responder("--once"),
                  out=['"attested": true', '"session": true'])],
    "trace": [case(["demo", "--trace", "t.txt"] + SMALL, files=[("t.txt", "# tracer: nop")])],
    "trace-json": [case(["demo", "--trace-json", "t.json"] + SMALL, files=[("t.json", '"traceEvents"')])],
    "events": [case(["demo", "--events", "gpf"] + SMALL, out=["gpf: world=Non-secure"]),
               case(["demo", "--events", "list"], out=["swiotlb_bounced"]),
               case(["demo", "--events", "nope"], status=2, err=["'nope'"])],
    "seed": [case(["demo", "--seed", "5"] + SMALL, out=["ccada.seed=5", "demo: all checks passed"]),
             case(["pki", "--out", "p", "--seed", "3"], out=["the test PKI of seed 3"]),
             case(REQ + ["--trust-anchor", "root.der"], setup=lambda: responder("--once", "--seed", "3"),
                  out=["verdict: attested"]),
             case(["kbs", "--seed", "x"], status=2, err=["--seed 'x' is not a number"]),
             case(["demo", "--seed", "-1"], status=2, err=["--seed '-1' is not a number"])],
    "hash": [case(["demo", "--hash", "sha512"] + SMALL, out=["Realm Initial Measurement (sha-512): "]),
             case(["demo", "--hash", "md5"], status=2, err=["must be sha256 or sha512"])],
    "ipa-bits": [case(["demo", "--ipa-bits", "44"] + SMALL, out=["IPA width 44, shared bit 43"]),
                 case(["demo", "--ipa-bits", "49"], status=2, err=["must be 33..48"])],
    "ram": [case(["demo", "--ram", "16M", "--disk-ram"], out=["[realm] ccada: 16384K RAM at 0x80000000"]),
            case(["demo", "--ram", "3M"], status=2, err=["must be a multiple of 2M from 2M to 1G"])],
    "vm": [case(["demo", "--vm", "normal"] + SMALL, out=["normal VM (no RMM, no isolation): boot ok",
                                                         "yes: the guest's data, in clear"]),
           case(["demo", "--vm", "realm"] + SMALL, out=["host reads private page        granule protection fault"]),
           case(["demo", "--vm", "cloud"], status=2, err=["must be realm or normal"]),
           case(["bench", "swiotlb", "--vm", "normal", "--reps", "1", "--json"], out=['"copies":0', '"pool":"busy"']),
           case(["bench", "swiotlb", "--vm", "normal", "--reps", "1"], out=["DMA map+unmap in a normal VM"]),
           case(["bench", "blk", "--vm", "normal", "--reps", "1"], out=["normal VM only (median of 1)"]),
           case(["bench", "--vm", "normal"], status=2, err=["--vm picks the VM of one benchmark"])],
    "disk": [case(["demo", "--disk", "new.img"], out=["demo: all checks passed"], files=[("new.img", None)]),
             case(["demo", "--disk", "/"], status=2, err=["Is a directory"])],
    "disk-writable": [case(["demo", "--disk", "data.img", "--disk-writable"], setup=lambda: data_image("data.img"),
                           out=["demo: all checks passed"], no_err=["not modified"]),
                      case(["demo", "--disk-writable"], status=2, err=["give --disk PATH too"])],
    "disk-ram": [case(["demo", "--disk-ram"], out=["demo: all checks passed"]),
                 case(["demo", "--disk-ram", "--disk", "x.img"], status=2, err=["exclude each other"])],
    "swiotlb": [case(["demo", "--swiotlb", "1M", "--disk-ram"], out=["nslabs 512 (1024 KiB)", "swiotlb=512"]),
                case(["demo", "--swiotlb", "3"], status=2, err=["--swiotlb '3'"])],
    "swiotlb-grow": [case(["demo", "--swiotlb-grow"] + SMALL, out=[" swiotlb.grow ", "demo: all checks passed"])],
    "swiotlb-backpressure": [case(["demo", "--swiotlb-backpressure"] + SMALL,
                                  out=[" swiotlb.backpressure ", "demo: all checks passed"])],
    "swiotlb-alloc": [case(["demo", "--swiotlb-alloc", "bitmap"] + SMALL,
                           out=[" swiotlb.alloc=bitmap ", "demo: all checks passed"]),
                      case(["demo", "--swiotlb-alloc", "list"] + SMALL,
                           out=["swiotlb=512 init=ccada-demo", "demo: all checks passed"]),
                      case(["demo", "--swiotlb-alloc", "first-fit"], status=2,
                           err=["--swiotlb-alloc 'first-fit': must be list or bitmap"])],
    "device": [case(["run", "--device", "virtio-blk,ram,size=1M"] + SMALL, out=["passed"]),
               case(["run", "--device", "nope"], status=2, err=["unknown device type 'nope'"]),
               case(["demo", "--device", "tdisp"], out=["virtio-blk        none: the board's disk is the assigned device",
                                                        "0 bounced", "demo: all checks passed"]),
               case(["demo", "--device", "tdisp,fw=2.0"], out=["Realm verdict   FIRMWARE (expected FIRMWARE)",
                                                               "demo: all checks passed"]),
               case(["demo", "--device", "tdisp", "--pdev", "off"], status=2, err=["--pdev off removes"])],
    "check-invariants": [case(["demo", "--check-invariants"] + SMALL, out=["demo: all checks passed"])],
    "workload": [case(["run", "--workload", "bench-swiotlb"] + SMALL, out=["bench_swiotlb/to/idle/64", "init=ccada-bench-swiotlb"]),
                 case(["run", "--workload", "nope"], status=2, err=["no such workload"]),
                 case(["measure", "--workload", "attest"], out=["\n"]),
                 case(["measure", "--workload", "nope"], status=2, err=["no such workload"])],
    "reps": [case(["bench", "swiotlb", "--reps", "1"], out=["median of 1"]),
             case(["bench", "swiotlb", "--reps", "0"], status=2, err=["must be 1..31"])],
    "ops": [case(["bench", "swiotlb", "--ops", "3", "--size", "64"], out=["3 map+unmap of 64 bytes, TO_DEVICE"]),
            case(["bench", "blk", "--ops", "3"], out=["virtio-blk (Realm): 3 read requests of 4096 bytes, 1 per batch"]),
            case(["bench", "--ops", "3"], status=2, err=["name it (swiotlb or blk)"])],
    "size": [case(["bench", "swiotlb", "--ops", "1", "--size", "100"], out=["of 100 bytes"]),
             case(["bench", "blk", "--ops", "1", "--size", "1M"], out=["1 read requests of 1048576 bytes"]),
             case(["bench", "swiotlb", "--ops", "1", "--size", "300K"], status=2, err=["--size at most 256K"]),
             case(["bench", "blk", "--ops", "1", "--size", "1000"], status=2, err=["whole 512-byte sectors"])],
    "dir": [case(["bench", "swiotlb", "--ops", "1", "--size", "64", "--dir", "from"], out=["FROM_DEVICE"]),
            case(["bench", "blk", "--ops", "1", "--dir", "write"], out=["1 write requests"]),
            case(["bench", "swiotlb", "--ops", "1", "--dir", "write"], status=2, err=["--dir must be to, from or bidi"]),
            case(["bench", "swiotlb", "--ops", "1", "--dir", "up"], status=2, err=["must be to, from or bidi"])],
    "challenge": [case(TOKEN + ["--challenge", CH], out=["d9018f"]),
                  case(TOKEN + ["--challenge", "12"], status=2, err=["must be 32 to 64 bytes of hex"]),
                  case(["token", "verify", "t.cbor", "--iak", "p.pem", "--challenge", "cd" * 64], status=1,
                       setup=lambda: make_token("--challenge", CH), out=["FAILED challenge"]),
                  case(["token", "verify", "t.cbor", "--iak", "p.pem", "--challenge", CH],
                       setup=lambda: make_token("--challenge", CH), out=["challenge           ok", "token verified"])],
    "output": [case(["token", "make", "--output", "t.cbor"], files=[("t.cbor", None)]),
               case(["token", "make", "-o", "t.cbor"], setup=lambda: open("t.cbor", "w").write("mine"), status=1,
                    err=["'t.cbor' exists; it is kept (give --force to replace it)"], files=[("t.cbor", "mine")])],
    "format": [case(["token", "make", "--format", "b64url"], out=["2QGP"]),
               case(["token", "make", "--format", "hex"], out=["d9018f"]),
               case(["token", "make", "--format", "pem"], status=2, err=["must be raw, hex or b64url"])],
    "iak-pub-out": [case(TOKEN + ["--iak-pub-out", "p.pem"], files=[("p.pem", "BEGIN PUBLIC KEY")])],
    "force": [case(["token", "make", "-o", "t.cbor", "--force"], setup=lambda: open("t.cbor", "w").write("old"),
                   files=[("t.cbor", None)], no_err=["exists"]),
              case(["pki", "--out", "p", "--force"],
                   setup=lambda: subprocess.run([CCADA, "pki", "--out", "p"], capture_output=True),
                   out=["p/device_chain.der"], no_err=["exists"])],
    "iak": [case(TOKEN + ["--iak", "k.pem", "--iak-pub-out", "p.pem"], setup=lambda: write_key("k.pem"),
                 files=[("p.pem", "BEGIN PUBLIC KEY")]),
            case(TOKEN + ["--iak", "k.pem"], setup=lambda: write_key("k.pem", private=False), status=2,
                 err=["give the private key"]),
            case(["token", "verify", "t.cbor", "--iak", "p.pem"], setup=make_token, out=["token verified"]),
            case(["token", "verify", "t.cbor", "--iak", "k.pem"], status=1,
                 setup=lambda: (make_token(), write_key("k.pem", private=False)), out=["FAILED platform-signature"]),
            case(["token", "verify", "t.cbor", "--iak", "none.pem"], status=1, setup=make_token,
                 err=["cannot read it"])],
    "token-profile": [case(["token", "dump", "t.cbor"], setup=lambda: make_token("--token-profile"),
                           out=["tag:arm.com,2023:realm#1.0.0", "tag:arm.com,2023:cca_platform#1.0.0"])],
    "args": [case(["run", "--workload", "net-test", "--args", "bytes=1"] + SMALL, status=1,
                  out=["no port=P"]),
             case(["run", "--workload", "net-test", "--args", "x" * 241], status=2, err=["at most 240 bytes"])],
    "token-cmw": [case(["token", "dump", "t.cbor"], setup=lambda: make_token("--token-cmw"), out=["tag 907"])],
    "pdev": [case(["demo"], out=["session         0xffffffff established (handshake in the clear)",
                                 "certificates    CN=ccada test root CA -> CN=ccada device"]),
             case(["demo", "--pdev", "on,secured-handshake,fw=2.0,debug"], out=["handshake secured"]),
             case(["demo", "--pdev", "off"], out=["demo: all checks passed"], no_err=["physical device"]),
             case(["run", "--pdev", "on"] + SMALL, out=["device"]),
             case(["demo", "--pdev", "on,certs=/nonexistent"], status=1, err=["root_ca.der: No such file"]),
             case(["demo", "--pdev", "sideways"], status=2, err=["expected on, off"])],
    "attack": [case(["demo", "--attack", "list"], out=["flip-cert", "impostor", "caught as: signature"]),
               case(["demo", "--attack", "flip-cert"], out=["caught          cert-chain", "no session"]),
               case(["demo", "--attack", "impostor"], out=["caught          signature: CHALLENGE_AUTH"]),
               case(["demo", "--attack", "flip-tlp"], out=["caught          IDE MAC: the Root Port's IDE check refused",
                                                           "outcome         detected and contained"]),
               case(["demo", "--attack", "nope"], status=2, err=["no attack named 'nope'"]),
               case(["demo", "--pdev", "off", "--attack", "truncate"], status=2, err=["add --pdev on"])],
    "device-policy": [
        case(["demo", "--device-policy", "show"],
             out=["firmware_digest = " + __import__("hashlib").sha384(b"ccada device firmware 1.0.0").hexdigest(),
                  "firmware_index = 2", "debug = off"], no_out=["Realm verdict"]),
        case(["demo", "--device", "tdisp,fw=2.0.0", "--device-policy", "p.txt"],
             setup=lambda: device_policy("p.txt", "2.0.0"),
             out=["Realm verdict   ACCEPT (under --device-policy)", "0 bounced", "demo: all checks passed"]),
        case(["demo", "--device", "tdisp", "--device-policy", "p.txt"], setup=lambda: device_policy("p.txt", "2.0.0"),
             out=["Realm verdict   FIRMWARE (under --device-policy)", "VDEV LOCKED", "demo: all checks passed"]),
        case(["demo", "--device-policy", "p.txt"], setup=lambda: device_policy("p.txt", extra="debug = maybe\n"),
             status=2, err=["--device-policy 'p.txt': line 4: debug"]),
        case(["demo", "--device-policy", "missing.txt"], status=2, err=["cannot read it"]),
        case(["demo", "--pdev", "off", "--device-policy", "p.txt"], setup=lambda: device_policy("p.txt"), status=2,
             err=["--device-policy needs the physical device"])],
    "rim": [case(["token", "verify", "t.cbor", "--iak", "p.pem", "--rim", "00" * 32], setup=make_token, status=1,
                 out=["FAILED reference-value"]),
            case(["token", "verify", "t.cbor", "--iak", "p.pem", "--rim", "00"], setup=make_token, status=2,
                 err=["must be 32, 48 or 64 bytes of hex"])],
    "reference-values": [case(["token", "verify", "t.cbor", "--iak", "p.pem", "--reference-values", "rv.json"],
                              setup=lambda: (make_token(), write_rv("rv.json")), out=["reference value     ok"]),
                         case(["token", "verify", "t.cbor", "--iak", "p.pem", "--reference-values", "rv.json"],
                              setup=lambda: (make_token(), write_rv("rv.json", b"\0" * 32)), status=1,
                              out=["FAILED reference-value"]),
                         case(["kbs", "--reference-values", "rv.json"], setup=lambda: open("rv.json", "w").write("[]"),
                              status=1, err=["--reference-values 'rv.json': not {\"reference-values\""])],
    "addr": [case(["kbs", "--addr", "localhost"], status=1, err=["'localhost' is not an IPv4 address"])],
    "port": [case(["kbs", "--port", "70000"], status=2, err=["--port '70000': must be 0..65535"])],
    "key": [case(["kbs", "--key", "nosecret"], status=2, err=["--key 'nosecret': must be NAME=SECRET"])],
    "tls": [case(["lab", "--tls"], out=["https://10.0.2.2:", "--pin=", "May the force be with you.",
                                        "requests in clear: none", "the attestation token: not seen", " TLS records"]),
            case(["lab", "--tls", "--endpoint", "https://10.0.2.2:8443"], status=2, err=["--tls makes the lab's own"])],
    "pin": [case(["lab", "--endpoint", "https://10.0.2.2:1", "--pin", "ab" * 32], status=2, out=["connection refused"]),
            case(["lab", "--endpoint", "https://10.0.2.2:1"], status=2, err=["needs --pin"]),
            case(["lab", "--pin", "xyz"], status=2, err=["64 hex digits"])],
    "refused": [case(["lab", "--refused"], status=1,
                     out=["-> 403", "not a reference value", "INFO Attestation failure :-( !", "this Realm's RIM is"])],
    "all": [case(["lab", "--all"], out=["<idle>-0", "size=1526 FORCE", "May the force be with you."])],
    "endpoint": [case(["lab", "--endpoint", "http://10.0.2.2:1"], status=2, out=["connection refused"]),
                 case(["lab", "--endpoint", "10.0.2.2:8088"], status=2, err=["an http:// or https:// URL"]),
                 case(["kbs", "--endpoint", "https://10.0.2.2:8088"], status=2,
                      err=["--endpoint 'https://10.0.2.2:8088': an http:// URL of at most 160 characters"])],
    "out": [case(["pki", "--out", "p"], out=["p/root_ca.der", "p/device_leaf_key.pem"],
                 files=[("p/device_leaf_key.pem", "BEGIN PRIVATE KEY")]),
            case(["pki", "--out", "p"], setup=lambda: subprocess.run([CCADA, "pki", "--out", "p"], capture_output=True),
                 status=1, err=["p/root_ca.der: exists (use --force to replace it)"])],
    "listen": [case(["spdm", "responder", "--listen", "127.0.0.1:x"], status=2, err=["the port must be a number"]),
               case(REQ + ["--trust-anchor", "root.der"], setup=lambda: responder("--once"),
                    out=["verdict: attested"])],
    "connect": [case(["spdm", "requester", "--connect", "::1:2323", "--cert-dir", "d"], status=2,
                     err=["an IPv6 address goes in brackets"]),
                case(REQ + ["--trust-anchor", "root.der"], setup=lambda: responder("--once"),
                     out=["responder         127.0.0.1:", "verdict: attested"])],
    "cert-dir": [case(REQ + ["--cert-dir", "pki"], setup=lambda: pki_and_responder("--once"),
                      out=["verdict: attested"]),
                 case(["spdm", "responder", "--cert-dir", "nodir"], status=1, err=["nodir/root_ca.der"])],
    "fw-version": [case(REQ + ["--trust-anchor", "root.der", "--json"], setup=lambda: responder("--once", "--fw-version", "9.9"),
                        out=['"attested": true']),
                   case(["spdm", "responder", "--fw-version", "x" * 64], status=2, err=["1 to 63 characters"])],
    "debug": [case(REQ + ["--trust-anchor", "root.der"], setup=lambda: responder("--once", "--debug"),
                   out=["raw 04000000040000000300000002000000"])],
    "no-handshake-in-the-clear": [case(REQ + ["--trust-anchor", "root.der", "--no-handshake-in-the-clear"],
                                       setup=lambda: responder("--once", "--no-handshake-in-the-clear"),
                                       out=["FINISH                        52 bytes  (secured)",
                                            "verdict: attested"])],
    "once": [case(REQ + ["--trust-anchor", "root.der", "--keep-open"], setup=lambda: responder("--once"),
                  out=["verdict: attested"])],
    "pcap": [case(["demo", "--pcap", "d.pcap"], files=[("d.pcap", None)]),
             case(["demo", "--pcap", "/nonexistent/d.pcap"], status=1, err=["cannot write"]),
             case(REQ + ["--trust-anchor", "root.der", "--pcap", "r.pcap"], setup=lambda: responder("--once"),
                  out=["verdict: attested"], files=[("r.pcap", None)]),
             case(REQ + ["--trust-anchor", "root.der", "--pcap", "/nonexistent-ccada-dir/r.pcap"],
                  setup=lambda: responder("--once"), status=1, err=["pcap: --pcap: cannot write"])],
    "verbose": [case(REQ + ["--trust-anchor", "root.der"], setup=lambda: responder("--once", "-v"),
                     out=["verdict: attested"])],
    "root-out": [case(REQ + ["--trust-anchor", "root.der"], setup=lambda: responder("--once"), files=[("root.der", None)],
                      out=["verdict: attested"]),
                 case(["spdm", "responder", "--root-out", "/nonexistent-ccada-dir/r.der"], status=1,
                      err=["--root-out: cannot write '/nonexistent-ccada-dir/r.der'"])],
    "trust-anchor": [case(REQ + ["--trust-anchor", "none.der"], setup=lambda: responder("--once"), status=1,
                          err=["cannot read the trust anchor 'none.der'"]),
                     case(REQ + ["--trust-anchor", "pki/root_ca.der"],
                          setup=lambda: (responder("--once"),
                                         subprocess.run([CCADA, "pki", "--out", "pki"], capture_output=True)),
                          status=1, out=["verdict: FAILED: cert-chain:"])],
    "no-hello": [case(REQ + ["--trust-anchor", "root.der", "--no-hello"], setup=lambda: responder("--once"),
                      out=["verdict: attested"], no_out=["TEST hello answered"])],
    "timeout": [case(REQ + ["--trust-anchor", "root.der", "--timeout", "5"], setup=lambda: responder("--once"),
                     out=["verdict: attested"]),
                case(["spdm", "requester", "--connect", "127.0.0.1:1", "--timeout", "0"], status=2,
                     err=["--timeout '0': must be 1..3600 seconds"])],
    "keep-open": [case(REQ + ["--trust-anchor", "root.der", "--keep-open"], setup=lambda: responder(),
                       out=["verdict: attested"], no_err=["did not echo"])],
    "queue-depth": [case(["demo", "--queue-depth", "1", "--json"] + SMALL, out=['"queue_depth": 1', '"max_in_flight": 1']),
                    case(["demo", "--queue-depth", "0"], status=2, err=["must be 1..1024"])],
}
# Options of other programs the README quotes (DMTF's spdm_requester_emu / spdm_responder_emu
# command lines in "Device attestation over the DMTF emulator protocol"; --exe from
# --exe_conn and --exe_session). Not ccada's: no case here.
FOREIGN = {"trans", "ver", "asym", "dhe", "aead", "exe"}
OPTION = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]+)")


def documented(ccada, readme):
    texts = [open(readme, encoding="utf-8").read()]
    for cmd in ("demo", "run", "bench", "token", "measure", "kbs", "lab", "pki", "spdm"):
        texts.append(subprocess.run([ccada, cmd, "--help"], capture_output=True, text=True).stdout)
    return {m for t in texts for m in OPTION.findall(t)}


def run_case(ccada, c):
    if c["setup"]:
        c["setup"]()
    args = [a.replace("{port}", str(PORT)) for a in c["args"]]
    try:
        r = subprocess.run([ccada] + args, capture_output=True, text=True, timeout=600)
    finally:
        while RESPONDERS:  # a responder the case did not stop (--keep-open, a failure)
            p = RESPONDERS.pop()
            if p.poll() is None:
                p.kill()
            p.communicate()
    bad = []
    if r.returncode != c["status"]:
        bad.append(f"exit status {r.returncode}, expected {c['status']}")
    bad += [f"stdout lacks {t!r}" for t in c["out"] if t not in r.stdout]
    bad += [f"stderr lacks {t!r}" for t in c["err"] if t not in r.stderr]
    bad += [f"stderr has {t!r}" for t in c["no_err"] if t in r.stderr]
    bad += [f"stdout has {t!r}" for t in c["no_out"] if t in r.stdout]
    for path, text in c["files"]:
        if not os.path.exists(path):
            bad.append(f"{path} was not written")
        elif text and text not in open(path, encoding="utf-8", errors="replace").read():
            bad.append(f"{path} lacks {text!r}")
    if bad:
        print(f"ccada {' '.join(c['args'])}: " + "; ".join(bad))
        print(f"--- stderr:\n{r.stderr[-2000:]}--- stdout:\n{r.stdout[-2000:]}")
    return not bad


def main():
    global CCADA
    ccada, readme, mode = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    CCADA = ccada
    if mode == "coverage":
        missing = sorted(documented(ccada, readme) - set(CASES) - FOREIGN)
        for o in missing:
            print(f"--{o} is documented but has no case in {__file__}")
        return 1 if missing else 0
    option = sys.argv[4]
    if option not in CASES:
        sys.exit(f"no cases for --{option}")
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        results = [run_case(ccada, c) for c in CASES[option]]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
