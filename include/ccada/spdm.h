/* Device attestation over DMTF's emulator socket protocol: ccada's SPDM responder (the
 * device, src/device/spdm_responder.c) and ccada's SPDM requester (the RMM's TSM side,
 * src/rmm/spdm_requester.c) as network peers, so either can face DMTF's spdm_requester_emu /
 * spdm_responder_emu, each other, or a user's own device firmware.
 * Facts: ../shared/facts/spdm-tdisp-ide.md §3 (DOE), §8 (the emulators).
 *
 * The wire (proto/spdm_emu.h): TCP, every message a 12-byte big-endian header (Command,
 * TransportType, Size) and Size bytes of payload; with TransportType PCI_DOE each NORMAL
 * payload is one whole DOE data object (proto/doe.h): type 0 DOE Discovery, type 1 plain
 * SPDM, type 2 secured SPDM (DSP0277). TCP_NODELAY is set on every socket (the peers send
 * small frames; facts §8.5). No threads, no globals; every wait is a poll() with a timeout.
 *
 * The server (the responder) serves one connection at a time:
 *   TEST                  answered with TEST "Server Hello!\0"
 *   NORMAL, PCI_DOE       the DOE object's answer in one NORMAL:
 *                           discovery index 0 / 1 / 2 -> type 0 / 1 / 2, next 1 / 2 / 0
 *                           type 1 / 2 -> the SPDM responder, its answer as type 1 / 2
 *                         an object the DOE codec refuses, of another vendor or type, or a
 *                         discovery index past 2, is answered with a plain SPDM ERROR
 *                         InvalidRequest (type 1) and logged. spdm-emu's responder sends
 *                         nothing then (facts §8.2); ccada never leaves a requester waiting.
 *   SHUTDOWN              echoed; the server stops (ccada_spdm_server_run returns CCADA_OK)
 *   CONTINUE              echoed; the connection ends, the next one gets a fresh device state
 *   OOB_* and UNKNOWN     answered with UNKNOWN (Size 0): not implemented here
 *   another TransportType (MCTP, TCP, NONE), a header the codec refuses (unknown command or
 *   transport, Size > SPDM_EMU_PAYLOAD_MAX: nothing is allocated for it), a frame cut short
 *   or stalled for the frame timeout: logged, and the connection is closed. A connection
 *   closed by the peer: the server waits for the next one.
 * Each connection gets a fresh responder (the device's SPDM state does not outlive it).
 *
 * The client (the requester): connect (with the timeout), TEST hello unless no_hello, DOE
 * discovery from index 0 following Next Index (types 1 and 2 must be listed), the attestation
 * flow of rmm/spdm_requester.h, then HEARTBEAT, KEY_UPDATE (UpdateAllKeys + VerifyNewKey) and
 * END_SESSION in the session, then SHUTDOWN (or CONTINUE with keep_open), whose echo is
 * awaited. Every answer is awaited at most timeout_ms.
 *
 * Captures (pcap, LINKTYPE_PCI_DOE 292, proto/pcap.h): one record per DOE object in each
 * direction, discovery included; an existing file is replaced (as ccada demo --trace does).
 */
#ifndef CCADA_SPDM_H
#define CCADA_SPDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ccada/status.h"

#define CCADA_SPDM_DEFAULT_PORT 2323u           /* spdm-emu's PCI_DOE / MCTP port */
#define CCADA_SPDM_DEFAULT_TIMEOUT_MS 10000u
#define CCADA_SPDM_WHY_LEN 256u
#define CCADA_SPDM_HOST_LEN 256u
#define CCADA_SPDM_MAX_MEAS 32u
#define CCADA_SPDM_MAX_MESSAGES 96u

/* "HOST:PORT" ("127.0.0.1:2323", "localhost:0", "[::1]:2323"). */
struct ccada_spdm_endpoint {
        char host[CCADA_SPDM_HOST_LEN];
        uint16_t port;
};

/* Parses text into *ep: a non-empty host (IPv6 in brackets) and a decimal port 0..65535
 * after the last ':'. False, with why (CCADA_SPDM_WHY_LEN bytes), when it is not that. */
bool ccada_spdm_endpoint_parse(const char *text, struct ccada_spdm_endpoint *ep, char *why);

/* ccada pki --out DIR: writes the test PKI of seed into dir (the keys of a responder made
 * from that seed; not its certificates, whose ECDSA signatures differ on every run, and a
 * requester's trust anchor must be the very root certificate the device presents): root_ca.der, intermediate_ca.der, device_leaf.der,
 * device_chain.der, device_leaf_key.pem (device/identity.h). Existing files are kept
 * unless force (nothing is written then). CCADA_E_INVAL or CCADA_E_IO with why. */
ccada_status ccada_spdm_write_pki(const char *dir, uint64_t seed, bool force, char *why);
/* The names and what each file of such a directory is, for listings: i < count. */
unsigned ccada_spdm_pki_file_count(void);
const char *ccada_spdm_pki_file_name(unsigned i);
const char *ccada_spdm_pki_file_what(unsigned i);

/* ---- the responder (the device) ---- */

struct ccada_spdm_responder_opts {
        struct ccada_spdm_endpoint listen;      /* port 0: any free one (ccada_spdm_server_port) */
        const char *cert_dir;                   /* the identity in this directory; NULL: from seed */
        uint64_t seed;                          /* the test PKI's seed (8 bytes, little-endian) */
        const char *fw_version;                 /* what the device measures; NULL or "": 1.0.0 */
        bool debug;                             /* invasive debug mode on (measured) */
        bool no_handshake_in_the_clear;
        bool once;                              /* serve one connection, then stop */
        const char *pcap;                       /* capture file; NULL: none */
        const char *root_out;                   /* write the root certificate it presents (DER) */
        bool verbose;                           /* a line per DOE object, not only per connection */
        FILE *log;                              /* connections, refusals, messages; NULL: none */
        unsigned frame_timeout_ms;              /* the rest of a started frame; 0: default */
};

struct ccada_spdm_server;

/* Makes the device identity, writes root_out, opens the capture and listens. CCADA_E_INVAL
 * (identity), CCADA_E_IO (address, bind, capture or root file), CCADA_E_NOMEM, with why. */
ccada_status ccada_spdm_server_open(struct ccada_spdm_server **out, const struct ccada_spdm_responder_opts *o,
                                    char *why);
/* The port it listens on (the one picked when 0 was asked) and its numeric address. */
uint16_t ccada_spdm_server_port(const struct ccada_spdm_server *s);
const char *ccada_spdm_server_address(const struct ccada_spdm_server *s);
/* Serves (see above) until SHUTDOWN, or with once until the first connection ends.
 * CCADA_OK; with once, CCADA_E_PEER when that connection was dropped for a bad frame;
 * CCADA_E_IO when accepting or writing the capture failed (why says which). */
ccada_status ccada_spdm_server_run(struct ccada_spdm_server *s, char *why);
void ccada_spdm_server_close(struct ccada_spdm_server *s); /* NULL: no-op */

/* ---- the requester (the TSM) ---- */

struct ccada_spdm_requester_opts {
        struct ccada_spdm_endpoint connect;
        const char *trust_anchor;       /* root certificate, DER or PEM; NULL: cert_dir's */
        const char *cert_dir;           /* its root_ca.der is the anchor when trust_anchor is NULL */
        bool no_hello;                  /* skip TEST (as TF-RMM's harness does) */
        bool keep_open;                 /* end with CONTINUE, not SHUTDOWN */
        bool no_handshake_in_the_clear;
        unsigned timeout_ms;            /* connect and each answer; 0: CCADA_SPDM_DEFAULT_TIMEOUT_MS */
        const char *pcap;               /* capture file; NULL: none */
        FILE *log;                      /* one line per message as it goes; NULL: none */
};

/* One message, as exchanged (secured ones as the requester opened them). */
struct ccada_spdm_message {
        bool request;           /* to the device */
        bool secured;           /* in a DSP0277 record (DOE type 2) */
        bool discovery;         /* a DOE discovery object, not SPDM */
        const char *name;       /* "GET_VERSION", "DOE DISCOVERY", ... (static) */
        size_t len;             /* the SPDM message (or discovery payload) */
};

struct ccada_spdm_measurement {
        uint8_t index, type;    /* DMTF DMTFSpecMeasurementValueType, bits 6:0 */
        bool raw;               /* a raw bit stream, not a digest */
        size_t len;             /* its size (a raw value may be longer than what hex shows) */
        char type_name[24];     /* "immutable ROM", ... */
        char hex[129];          /* the digest or the first 64 bytes, lower-case hex */
};

/* What the requester saw and verified. Only attested says the device is trusted: the other
 * fields describe how far it got (they are filled in as the flow goes). */
struct ccada_spdm_verdict {
        bool attested;
        char error[24];                 /* "" or a name: "connect", "timeout", "transport",
                                           "doe-discovery", "trust-anchor", "pcap", or the
                                           requester's ("cert-chain", "signature", ...) */
        char why[CCADA_SPDM_WHY_LEN];
        char peer[CCADA_SPDM_HOST_LEN + 8];
        bool hello;                     /* TEST answered with the server hello */
        uint8_t doe_types[8];           /* what discovery listed, in order */
        unsigned ndoe_types;
        char version[8];                /* "1.2" */
        char algorithms[128];
        unsigned cert_count;
        char root_subject[128], leaf_subject[128];
        struct ccada_spdm_measurement meas[CCADA_SPDM_MAX_MEAS];
        unsigned nmeas;
        uint32_t session_id;
        bool session;                   /* established (KEY_EXCHANGE + FINISH) */
        bool heartbeat, key_update, end_session;
        bool goodbye_echoed;            /* the closing SHUTDOWN / CONTINUE was echoed */
        unsigned requests;              /* SPDM requests sent (one DOE object each way) */
        unsigned discovery;             /* DOE discovery requests sent (one object each way) */
        struct ccada_spdm_message messages[CCADA_SPDM_MAX_MESSAGES];
        unsigned nmessages;             /* kept (at most CCADA_SPDM_MAX_MESSAGES) */
};

/* Runs the whole conversation with o->connect. CCADA_OK when attested; otherwise
 * v->error and v->why say what failed: CCADA_E_IO (connect, capture, trust anchor file),
 * CCADA_E_TIMEOUT (no answer in time), CCADA_E_PEER (framing, DOE), CCADA_E_VERIFY (the
 * SPDM requester failed: error is its name), CCADA_E_NOMEM. */
ccada_status ccada_spdm_requester_run(const struct ccada_spdm_requester_opts *o, struct ccada_spdm_verdict *v);

/* The verdict as text (ends with "verdict: attested" or "verdict: FAILED: <error>: <why>"),
 * or as one JSON object. The JSON form returns false if the stream failed. */
void ccada_spdm_verdict_print(FILE *f, const struct ccada_spdm_verdict *v);
bool ccada_spdm_verdict_json(FILE *f, const struct ccada_spdm_verdict *v);

#endif
