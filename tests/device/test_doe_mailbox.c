/* src/device/doe_mailbox.c: the DOE capability's registers as the state table of
 * doe_mailbox.h states them (PCIe 6.0 §6.30, §7.9.24). Discovery answers are checked
 * against objects 1, 3, 5 of the recorded DMTF emulator session (facts §3.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "device/doe_mailbox.h"
#include "lib/bytes.h"

enum mode { ECHO, SILENT, OVERSIZE, MALFORMED };

struct responder {
        enum mode mode;
        unsigned calls;
        uint8_t last_type;
};

/* ECHO answers with the request object itself (same type, same bytes). */
static bool respond(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap, size_t *rsp_len)
{
        struct responder *r = ctx;
        r->calls++;
        r->last_type = req[2];
        switch (r->mode) {
        case ECHO:
                assert_true(req_len <= rsp_cap);
                memcpy(rsp, req, req_len);
                *rsp_len = req_len;
                return true;
        case SILENT: return false;
        case OVERSIZE: *rsp_len = rsp_cap + 4; return true;
        case MALFORMED:
                memcpy(rsp, req, 8);
                *rsp_len = 12; /* header says req's length, 3 DW given */
                return true;
        }
        return false;
}

struct fixture {
        struct responder r;
        struct doe_mailbox *mb;
};

static struct doe_mailbox *make(struct responder *r, uint32_t max_dw, bool on_go)
{
        struct doe_mailbox_config cfg = { max_dw, 0x160, on_go, respond, r };
        char why[DOE_MAILBOX_WHY_LEN] = "";
        struct doe_mailbox *mb = doe_mailbox_new(&cfg, why);
        if (!mb)
                fail_msg("%s", why);
        return mb;
}

static int setup(void **state)
{
        static struct fixture f;
        memset(&f, 0, sizeof(f));
        f.mb = make(&f.r, 64, false);
        *state = &f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        char why[DOE_MAILBOX_WHY_LEN] = "";
        if (!doe_mailbox_invariants_ok(f->mb, why))
                fail_msg("%s", why);
        doe_mailbox_free(f->mb);
        return 0;
}

static uint32_t rd(struct doe_mailbox *mb, uint32_t off)
{
        uint32_t v = 0xdeadbeef;
        assert_true(doe_mailbox_read(mb, off, &v));
        return v;
}

static void wr(struct doe_mailbox *mb, uint32_t off, uint32_t val)
{
        char why[DOE_MAILBOX_WHY_LEN] = "";
        assert_true(doe_mailbox_write(mb, off, val));
        if (!doe_mailbox_invariants_ok(mb, why))
                fail_msg("%s", why);
}

static uint32_t status(struct doe_mailbox *mb)
{
        return rd(mb, DOE_REG_STATUS);
}

/* Writes a header (vendor 1, type, length_dw) and payload DWs; no Go. */
static void put(struct doe_mailbox *mb, uint8_t type, uint32_t length_dw, const uint32_t *payload, size_t n)
{
        wr(mb, DOE_REG_WRITE_MAILBOX, DOE_VENDOR_PCI_SIG | (uint32_t)type << 16);
        wr(mb, DOE_REG_WRITE_MAILBOX, length_dw);
        for (size_t i = 0; i < n; i++)
                wr(mb, DOE_REG_WRITE_MAILBOX, payload[i]);
}

/* Reads the whole response DW by DW (writing Read Mailbox to advance); returns its DW count. */
static size_t drain(struct doe_mailbox *mb, uint32_t *out, size_t cap)
{
        size_t n = 0;
        while (status(mb) & DOE_STATUS_DATA_OBJECT_READY) {
                assert_true(n < cap);
                out[n++] = rd(mb, DOE_REG_READ_MAILBOX);
                wr(mb, DOE_REG_READ_MAILBOX, 0);
        }
        return n;
}

static void assert_error(struct doe_mailbox *mb, const char *reason)
{
        assert_int_equal(doe_mailbox_state(mb), DOE_MB_ERROR);
        assert_int_equal(status(mb), DOE_STATUS_ERROR);
        if (!strstr(doe_mailbox_error(mb), reason))
                fail_msg("error \"%s\", expected \"%s\"", doe_mailbox_error(mb), reason);
}

static void doe_mailbox_new_refuses_sizes_offsets_and_a_missing_handler_outside_the_contract(void **state)
{
        struct responder r = { 0 };
        struct doe_mailbox_config bad[] = {
                { 15, 0, false, respond, &r },
                { DOE_MAX_DW + 1, 0, false, respond, &r },
                { 64, 0xFC, false, respond, &r },
                { 64, 0x102, false, respond, &r },
                { 64, 0x1000, false, respond, &r },
                { 64, 0, false, NULL, &r },
        };
        char why[DOE_MAILBOX_WHY_LEN];
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why[0] = '\0';
                assert_null(doe_mailbox_new(&bad[i], why));
                assert_true(why[0] != '\0');
        }
}

static void doe_mailbox_reads_the_capability_header_and_zero_capabilities_and_control(void **state)
{
        struct fixture *f = *state;
        assert_int_equal(rd(f->mb, DOE_REG_EXT_CAP_HEADER), 0x1601002Eu); /* next 0x160, version 1, ID 0x2E */
        assert_int_equal(rd(f->mb, DOE_REG_CAP), 0);                      /* no interrupt support */
        assert_int_equal(rd(f->mb, DOE_REG_CTRL), 0);
        assert_int_equal(rd(f->mb, DOE_REG_STATUS), 0);
        assert_int_equal(rd(f->mb, DOE_REG_WRITE_MAILBOX), 0);
        assert_int_equal(rd(f->mb, DOE_REG_READ_MAILBOX), 0);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_INT_EN); /* ignored without support */
        assert_int_equal(rd(f->mb, DOE_REG_CTRL), 0);
        wr(f->mb, DOE_REG_EXT_CAP_HEADER, 0);
        assert_int_equal(rd(f->mb, DOE_REG_EXT_CAP_HEADER), 0x1601002Eu);
}

static void doe_mailbox_refuses_offsets_outside_the_capability_or_unaligned(void **state)
{
        struct fixture *f = *state;
        uint32_t v = 1;
        assert_false(doe_mailbox_read(f->mb, DOE_CAP_SIZE, &v));
        assert_int_equal(v, 0);
        assert_false(doe_mailbox_read(f->mb, 0x11, &v));
        assert_false(doe_mailbox_write(f->mb, 0x0A, DOE_CTRL_GO));
        assert_false(doe_mailbox_write(f->mb, 0xFFFFFFFCu, 0));
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_IDLE);
}

static void doe_mailbox_answers_discovery_like_the_recorded_device_dword_by_dword(void **state)
{
        struct fixture *f = *state;
        /* objects 1, 3, 5: header 01000000 03000000, then vendor|type|next */
        static const uint32_t want[3] = { 0x01000001u, 0x02010001u, 0x00020001u };
        uint32_t got[8];
        for (uint32_t index = 0; index < 3; index++) {
                put(f->mb, DOE_TYPE_DISCOVERY, 3, &index, 1);
                wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
                assert_int_equal(status(f->mb), DOE_STATUS_BUSY);
                assert_true(doe_mailbox_step(f->mb));
                assert_int_equal(status(f->mb), DOE_STATUS_DATA_OBJECT_READY);
                assert_int_equal(drain(f->mb, got, 8), 3);
                assert_int_equal(got[0], 0x00000001u);
                assert_int_equal(got[1], 3);
                assert_int_equal(got[2], want[index]);
                assert_int_equal(status(f->mb), 0);
        }
        assert_int_equal(f->r.calls, 0); /* the responder never sees discovery */
}

static void doe_mailbox_discards_discovery_of_an_index_past_the_last_entry(void **state)
{
        struct fixture *f = *state;
        uint32_t index = 3;
        put(f->mb, DOE_TYPE_DISCOVERY, 3, &index, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_int_equal(status(f->mb), 0);
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_IDLE);
}

static void doe_mailbox_hands_cma_spdm_to_the_responder_and_returns_its_answer(void **state)
{
        struct fixture *f = *state;
        /* object 6 of the recording: GET_VERSION 10 84 00 00 */
        uint32_t get_version = 0x00008410u, got[8];
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &get_version, 1);
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_RECEIVING);
        assert_int_equal(status(f->mb), 0);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_int_equal(status(f->mb), DOE_STATUS_BUSY);
        assert_int_equal(rd(f->mb, DOE_REG_READ_MAILBOX), 0); /* nothing to read while busy */
        assert_true(doe_mailbox_step(f->mb));
        assert_false(doe_mailbox_step(f->mb)); /* nothing left to do */
        assert_int_equal(f->r.calls, 1);
        assert_int_equal(f->r.last_type, DOE_TYPE_CMA_SPDM);
        assert_int_equal(drain(f->mb, got, 8), 3);
        assert_int_equal(got[0], 0x00010001u);
        assert_int_equal(got[2], get_version);
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_IDLE);
}

static void doe_mailbox_hands_secured_cma_spdm_to_the_responder_too(void **state)
{
        struct fixture *f = *state;
        uint32_t record[2] = { 0xffffffffu, 0x00000000u }, got[8];
        put(f->mb, DOE_TYPE_SECURED_CMA_SPDM, 4, record, 2);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_int_equal(f->r.last_type, DOE_TYPE_SECURED_CMA_SPDM);
        assert_int_equal(drain(f->mb, got, 8), 4);
}

static void doe_mailbox_with_process_on_go_answers_inside_the_go_write(void **state)
{
        struct responder r = { 0 };
        struct doe_mailbox *mb = make(&r, 64, true);
        uint32_t dw = 0x00008410u, got[4];
        (void)state;
        put(mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_int_equal(status(mb), DOE_STATUS_DATA_OBJECT_READY);
        assert_int_equal(drain(mb, got, 4), 3);
        doe_mailbox_free(mb);
}

static void doe_mailbox_discards_unknown_vendors_and_types_without_calling_the_responder(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0;
        put(f->mb, 3, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_IDLE);
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 0x00011e98u); /* CXL's vendor ID, type 1 */
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 2);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_int_equal(status(f->mb), 0);
        assert_int_equal(f->r.calls, 0);
}

static void doe_mailbox_goes_idle_without_a_response_when_the_responder_stays_silent(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0x00008410u;
        f->r.mode = SILENT;
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_int_equal(f->r.calls, 1);
        assert_int_equal(status(f->mb), 0);
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_IDLE);
}

static void doe_mailbox_sets_error_for_a_response_longer_than_the_mailbox(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0;
        f->r.mode = OVERSIZE;
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_error(f->mb, "260 bytes for a 256-byte buffer");
}

static void doe_mailbox_sets_error_for_a_response_that_is_no_doe_object(void **state)
{
        struct fixture *f = *state;
        uint32_t dw[2] = { 0, 0 };
        f->r.mode = MALFORMED;
        put(f->mb, DOE_TYPE_CMA_SPDM, 4, dw, 2);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_error(f->mb, "no DOE object");
}

static void doe_mailbox_sets_error_for_go_before_a_whole_header(void **state)
{
        struct fixture *f = *state;
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_error(f->mb, "after 0 DW");
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT);
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 0x00010001u);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_error(f->mb, "after 1 DW");
}

static void doe_mailbox_sets_error_for_go_before_the_whole_object(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0;
        put(f->mb, DOE_TYPE_CMA_SPDM, 4, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_error(f->mb, "after 3 of the 4 DW");
        assert_false(doe_mailbox_step(f->mb));
        assert_int_equal(f->r.calls, 0);
}

static void doe_mailbox_silently_discards_more_dwords_than_the_length(void **state)
{
        struct fixture *f = *state;
        uint32_t dw[2] = { 0, 0 };
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, dw, 2);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_IDLE);
        assert_int_equal(status(f->mb), 0);
        assert_false(doe_mailbox_step(f->mb));
        assert_int_equal(f->r.calls, 0);
}

static void doe_mailbox_sets_error_for_a_request_longer_than_the_mailbox(void **state)
{
        struct fixture *f = *state;
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 0x00010001u);
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 65); /* Length beyond the 64-DW mailbox */
        assert_error(f->mb, "Length 65 DW exceeds");
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT);
        put(f->mb, DOE_TYPE_CMA_SPDM, 64, NULL, 0);
        for (unsigned i = 0; i < 62; i++)
                wr(f->mb, DOE_REG_WRITE_MAILBOX, i);
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_RECEIVING);
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 62); /* the 65th DW */
        assert_error(f->mb, "longer than the mailbox");
}

static void doe_mailbox_reads_length_zero_as_2_pow_18_dwords(void **state)
{
        struct responder r = { 0 };
        struct doe_mailbox *mb = make(&r, DOE_MAX_DW, false);
        (void)state;
        put(mb, DOE_TYPE_CMA_SPDM, 0, NULL, 0);
        wr(mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_error(mb, "after 2 of the 262144 DW");
        doe_mailbox_free(mb);
}

static void doe_mailbox_sets_error_for_writes_and_go_while_busy_and_keeps_the_request(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0x00008410u;
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 0x12345678u);
        assert_error(f->mb, "Write Data Mailbox written while BUSY");
        assert_false(doe_mailbox_step(f->mb)); /* the request is never processed after the fault */
        assert_int_equal(f->r.calls, 0);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT);
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_error(f->mb, "Go while BUSY");
}

static void doe_mailbox_sets_error_for_a_new_request_while_a_response_is_unread(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0x00008410u;
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 0x00010001u);
        assert_error(f->mb, "written while READY");
        assert_int_equal(rd(f->mb, DOE_REG_READ_MAILBOX), 0); /* the response is gone */
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT);
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_error(f->mb, "Go while READY");
}

static void doe_mailbox_sets_error_for_advancing_the_read_mailbox_with_nothing_to_read(void **state)
{
        struct fixture *f = *state;
        wr(f->mb, DOE_REG_READ_MAILBOX, 0);
        assert_error(f->mb, "Read Data Mailbox written while IDLE");
}

static void doe_mailbox_in_error_ignores_everything_but_abort(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0x00008410u, got[4];
        wr(f->mb, DOE_REG_READ_MAILBOX, 0);
        wr(f->mb, DOE_REG_WRITE_MAILBOX, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        wr(f->mb, DOE_REG_READ_MAILBOX, 0);
        wr(f->mb, DOE_REG_STATUS, 0xffffffffu);
        assert_false(doe_mailbox_step(f->mb));
        assert_error(f->mb, "Read Data Mailbox written while IDLE"); /* the first fault is kept */
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT);
        assert_int_equal(status(f->mb), 0);
        assert_string_equal(doe_mailbox_error(f->mb), "");
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1); /* and it works again */
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_int_equal(drain(f->mb, got, 4), 3);
}

static void doe_mailbox_abort_cancels_a_busy_request_and_drops_an_unread_response(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0x00008410u;
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT);
        assert_false(doe_mailbox_step(f->mb));
        assert_int_equal(f->r.calls, 0);
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_GO);
        assert_true(doe_mailbox_step(f->mb));
        assert_int_equal(rd(f->mb, DOE_REG_READ_MAILBOX), 0x00010001u);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT);
        assert_int_equal(status(f->mb), 0);
        assert_int_equal(rd(f->mb, DOE_REG_READ_MAILBOX), 0);
}

static void doe_mailbox_abort_wins_over_go_in_the_same_write(void **state)
{
        struct fixture *f = *state;
        uint32_t dw = 0x00008410u;
        put(f->mb, DOE_TYPE_CMA_SPDM, 3, &dw, 1);
        wr(f->mb, DOE_REG_CTRL, DOE_CTRL_ABORT | DOE_CTRL_GO);
        assert_int_equal(doe_mailbox_state(f->mb), DOE_MB_IDLE);
        assert_false(doe_mailbox_step(f->mb));
}

static void doe_mailbox_state_name_names_every_state(void **state)
{
        (void)state;
        assert_string_equal(doe_mailbox_state_name(DOE_MB_IDLE), "IDLE");
        assert_string_equal(doe_mailbox_state_name(DOE_MB_RECEIVING), "RECEIVING");
        assert_string_equal(doe_mailbox_state_name(DOE_MB_BUSY), "BUSY");
        assert_string_equal(doe_mailbox_state_name(DOE_MB_READY), "READY");
        assert_string_equal(doe_mailbox_state_name(DOE_MB_ERROR), "ERROR");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(doe_mailbox_new_refuses_sizes_offsets_and_a_missing_handler_outside_the_contract),
                T(doe_mailbox_reads_the_capability_header_and_zero_capabilities_and_control),
                T(doe_mailbox_refuses_offsets_outside_the_capability_or_unaligned),
                T(doe_mailbox_answers_discovery_like_the_recorded_device_dword_by_dword),
                T(doe_mailbox_discards_discovery_of_an_index_past_the_last_entry),
                T(doe_mailbox_hands_cma_spdm_to_the_responder_and_returns_its_answer),
                T(doe_mailbox_hands_secured_cma_spdm_to_the_responder_too),
                cmocka_unit_test(doe_mailbox_with_process_on_go_answers_inside_the_go_write),
                T(doe_mailbox_discards_unknown_vendors_and_types_without_calling_the_responder),
                T(doe_mailbox_goes_idle_without_a_response_when_the_responder_stays_silent),
                T(doe_mailbox_sets_error_for_a_response_longer_than_the_mailbox),
                T(doe_mailbox_sets_error_for_a_response_that_is_no_doe_object),
                T(doe_mailbox_sets_error_for_go_before_a_whole_header),
                T(doe_mailbox_sets_error_for_go_before_the_whole_object),
                T(doe_mailbox_silently_discards_more_dwords_than_the_length),
                T(doe_mailbox_sets_error_for_a_request_longer_than_the_mailbox),
                cmocka_unit_test(doe_mailbox_reads_length_zero_as_2_pow_18_dwords),
                T(doe_mailbox_sets_error_for_writes_and_go_while_busy_and_keeps_the_request),
                T(doe_mailbox_sets_error_for_a_new_request_while_a_response_is_unread),
                T(doe_mailbox_sets_error_for_advancing_the_read_mailbox_with_nothing_to_read),
                T(doe_mailbox_in_error_ignores_everything_but_abort),
                T(doe_mailbox_abort_cancels_a_busy_request_and_drops_an_unread_response),
                T(doe_mailbox_abort_wins_over_go_in_the_same_write),
                cmocka_unit_test(doe_mailbox_state_name_names_every_state),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
