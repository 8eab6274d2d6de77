/* The host-call ABI between the ccada Realm kernel and the ccada host (RSI_HOST_CALL's
 * immediate selects the service; arguments in gprs[0..]). Like a hypercall ABI, it is a
 * contract of this guest/VMM pair, not of the RMM spec. */
#ifndef CCADA_PROTO_HOSTCALL_H
#define CCADA_PROTO_HOSTCALL_H

/* "Try to look at these pages": gprs[0] = shared IPA (the alias; 0: none), gprs[1] =
 * private IPA, gprs[2] = length (the host reads at most HOSTCALL_PEEK_MAX bytes).
 * The host answers:
 *   gprs[0] = 1 if it read the shared page;
 *   gprs[1] = HOSTCALL_PEEK_FAULTED if its read of the private page faulted,
 *             HOSTCALL_PEEK_DONE if the read worked (a normal VM), 0 if it had no such page;
 *   gprs[2] = the same for its write of the private page;
 *   gprs[3..10] = the first HOSTCALL_PEEK_MAX bytes it read from the shared page, and
 *   gprs[11..18] = those it read from the private page (little-endian words; zero where
 *   it read nothing). The bytes are what the host says it saw: a caller compares them with
 *   what it knows, never trusts them. */
#define HOSTCALL_DEMO_PEEK 0x0C0A
#define HOSTCALL_PEEK_MAX 64
#define HOSTCALL_PEEK_FAULTED 1
#define HOSTCALL_PEEK_DONE 2
#define HOSTCALL_PEEK_SHARED_WORDS 3
#define HOSTCALL_PEEK_PRIVATE_WORDS 11
_Static_assert(HOSTCALL_PEEK_PRIVATE_WORDS + HOSTCALL_PEEK_MAX / 8 <= 31, "the answer fits in the 31 GPRs");

/* "A benchmark figure" (the bench apps, ccada bench): gprs[0] = the cell (the app's own
 * numbering, described in its report), gprs[1] = the repetition, gprs[2] = elapsed
 * nanoseconds, gprs[3] = operations, gprs[4] = bytes moved, gprs[5] = picoseconds of one
 * memcpy of one operation's bytes, timed right after, gprs[6] = the same into memory that is
 * not in the cache (a destination walking a 64 MiB area, as bounce slots do). The host hands the figure to its
 * owner, which may let the other VM of a comparison run before this call returns (ABAB
 * alternation); gprs[0] = 1 when an owner took the figure, else the call returns unchanged. */
#define HOSTCALL_BENCH_SAMPLE 0x0C0B

/* "The relying party's challenge" (the attest app): the host relays the challenge a
 * verifier gave for an attestation token, as a Linux Realm's user space gets it from the
 * network. gprs[0] = its length in bytes (32..64; anything else: none), gprs[1..8] = the
 * bytes, little-endian words, zero-padded. Untrusted like every host answer: the Realm
 * checks the length, and a wrong challenge only makes a token the verifier refuses. */
#define HOSTCALL_GET_CHALLENGE 0x0C0C
#define HOSTCALL_CHALLENGE_MAX 64

/* The Realm asks the host for its app's arguments: the command line a user types in the
 * Realm's shell (a Linux Realm's user space gets them from its shell, not from the kernel
 * command line, which the RIM measures: arguments must not change the measurement).
 * gprs[0] = the length in bytes (0..HOSTCALL_ARGS_MAX), gprs[1..30] = the text,
 * little-endian words, zero-padded. Untrusted: the Realm checks the length and parses the
 * text as any argv. */
#define HOSTCALL_GET_ARGS 0x0C0D
#define HOSTCALL_ARGS_MAX 240

/* "A device object the host cached" (the Realm's TDISP driver): gprs[0] = the vdev_id,
 * gprs[1] = the object (RMI_DEV_OBJ_*: 0 VCA, 1 certificate chain, 2 measurements, 3
 * interface report), gprs[2] = the offset into it, gprs[3] = the shared IPA of the Realm's
 * buffer (page-aligned), gprs[4] = the buffer's length (at most HOSTCALL_DEV_OBJECT_MAX).
 * The host copies the object's bytes [offset, offset + n) there and answers gprs[0] = the
 * object's whole length, gprs[1] = n (0 and 0 when it has no such object). Untrusted like
 * every host answer: the Realm hashes what it was given and compares the digest with
 * RSI_VDEV_GET_INFO's (a Linux Realm gets the same objects from its host's TSM driver). */
#define HOSTCALL_DEV_OBJECT 0x0C0E
#define HOSTCALL_DEV_OBJECT_MAX 4096u
#define HOSTCALL_DEV_OBJECT_TOTAL_MAX (64u * 1024u) /* the largest object a Realm takes */

/* "Where did you map this device memory?" (the Realm's TDISP driver, before it validates the
 * mapping): gprs[0] = the vdev_id, gprs[1] = the physical address of an MMIO range as the
 * device's interface report gives it. The host answers gprs[0] = the protected IPA where it
 * mapped that range for the Realm (RMI_RTT_DEV_MAP; 0: it did not), gprs[1] = how many bytes.
 * Untrusted: the Realm confirms the mapping with RSI_VDEV_VALIDATE_MAPPING, which the RMM
 * checks page by page (a Linux Realm learns the IPA from the BAR its host shows it). */
#define HOSTCALL_DEV_MMIO 0x0C0F

/* "Start the device" (the Realm accepted it): gprs[0] = the vdev_id. The host runs
 * RMI_VDEV_START (TDISP START_INTERFACE) and answers gprs[0] = 1 if it says it did. Untrusted:
 * the Realm asks the RMM (RSI_VDEV_GET_INFO) whether the device is STARTED with the nonces it
 * verified (a Linux Realm asks through the PCI/TSM guest request channel). */
#define HOSTCALL_DEV_START 0x0C10

/* A normal VM has no RMM and so no RSI_HOST_CALL: it makes the same calls with a hypercall
 * to the host, as a KVM guest does (SMCCC 1.4 §2.5: a fast SMC64 call, owner 6 = Vendor
 * Specific Hypervisor Service). x1 = the guest-physical address of a block laid out as
 * RsiHostCall (imm, then 31 GPRs: include/ccada/rsi.h), which the host reads and writes
 * back in place (the guest's memory is the host's own). x0 returns SMCCC_RET_SUCCESS, or
 * HOSTCALL_RET_INVALID_PARAMETER when the block is not in the guest's RAM. */
#define HOSTCALL_VENDOR_HYP_FID 0xC6000C0AULL
#define HOSTCALL_RET_INVALID_PARAMETER 0xFFFFFFFFFFFFFFFDULL /* SMCCC INVALID_PARAMETER, -3 */

#endif
