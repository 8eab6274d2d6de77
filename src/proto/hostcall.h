/* The host-call ABI between the ccada Realm kernel and the ccada host (RSI_HOST_CALL's
 * immediate selects the service; arguments in gprs[0..]). Like a hypercall ABI, it is a
 * contract of this guest/VMM pair, not of the RMM spec. */
#ifndef CCADA_PROTO_HOSTCALL_H
#define CCADA_PROTO_HOSTCALL_H

/* "Try to look at these pages": gprs[0] = shared IPA (alias), gprs[1] = private IPA,
 * gprs[2] = length. The host answers gprs[0] = 1 if it read the shared page,
 * gprs[1] = 1 if its read of the private page faulted, gprs[2] = 1 if its write faulted. */
#define HOSTCALL_DEMO_PEEK 0x0C0A

#endif
