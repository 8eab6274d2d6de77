/* The DOE mailbox under any sequence of config-space accesses from a hostile host, with a
 * responder that answers, stays silent, overflows or answers garbage as the input says.
 * Input: byte 0 = mailbox size (16 + b % 49 DW) and bit 7 process_on_go; byte 1 = the
 * responder's mode; then 5-byte operations: op (bits 1:0 read/write/step/abort, bits 4:2
 * register index 0..7, so offsets past the capability and unaligned ones occur too), then
 * a little-endian u32 value. What must hold after every operation: the mailbox's own
 * invariants (doe_mailbox_invariants_ok), at most one Status bit, Status agreeing with the
 * state, the Read Mailbox reading 0 unless READY, no access outside its buffers (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/doe_mailbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct responder {
        uint8_t mode;
};

static bool respond(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap, size_t *rsp_len)
{
        const struct responder *r = ctx;
        if (req_len < 8 || req_len % 4)
                abort(); /* the mailbox hands over only whole objects */
        switch (r->mode % 4) {
        case 0: /* echo */
                if (req_len > rsp_cap)
                        abort();
                memcpy(rsp, req, req_len);
                *rsp_len = req_len;
                return true;
        case 1: return false;
        case 2: *rsp_len = rsp_cap + (r->mode >> 2); return true;
        default: /* garbage of a length the input picks */
                *rsp_len = (size_t)(r->mode >> 2) % (rsp_cap + 1);
                memset(rsp, r->mode, *rsp_len);
                return true;
        }
}

static void check(struct doe_mailbox *mb)
{
        uint32_t st, rdv;
        if (!doe_mailbox_invariants_ok(mb, NULL) || !doe_mailbox_read(mb, DOE_REG_STATUS, &st) ||
            !doe_mailbox_read(mb, DOE_REG_READ_MAILBOX, &rdv))
                abort();
        if (st & (st - 1))
                abort(); /* at most one bit */
        enum doe_mailbox_state s = doe_mailbox_state(mb);
        uint32_t want = s == DOE_MB_BUSY ? DOE_STATUS_BUSY : s == DOE_MB_ERROR ? DOE_STATUS_ERROR
                        : s == DOE_MB_READY ? DOE_STATUS_DATA_OBJECT_READY : 0;
        if (st != want || (s != DOE_MB_READY && rdv != 0))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 2)
                return 0;
        struct responder r = { data[1] };
        struct doe_mailbox_config cfg = { 16u + data[0] % 49u, 0, (data[0] & 0x80) != 0, respond, &r };
        struct doe_mailbox *mb = doe_mailbox_new(&cfg, NULL);
        if (!mb)
                abort();
        for (size_t i = 2; i + 5 <= size; i += 5) {
                uint8_t op = data[i];
                uint32_t val = (uint32_t)data[i + 1] | (uint32_t)data[i + 2] << 8 | (uint32_t)data[i + 3] << 16 |
                               (uint32_t)data[i + 4] << 24;
                uint32_t reg = ((op >> 2) & 7u) * 4u + (op & 0x20 ? 1u : 0u), got;
                switch (op & 3) {
                case 0: (void)doe_mailbox_read(mb, reg, &got); break;
                case 1: (void)doe_mailbox_write(mb, reg, val); break;
                case 2: (void)doe_mailbox_step(mb); break;
                default: (void)doe_mailbox_write(mb, DOE_REG_CTRL, DOE_CTRL_ABORT); break;
                }
                check(mb);
        }
        doe_mailbox_free(mb);
        return 0;
}
