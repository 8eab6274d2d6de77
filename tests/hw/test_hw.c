/* src/hw/hw.c: physical memory in regions, the GPT and the granule protection check
 * (Arm ARM D9). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"

#define BASE    0x80000000ull
#define SIZE    (16 * GRANULE_SIZE)

struct fixture {
        struct hw_mem *m;
        struct trace t;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f)
                return -1;
        trace_init(&f->t);
        if (!hw_mem_create(&f->m, BASE, SIZE, &f->t)) {
                free(f);
                return -1;
        }
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        hw_mem_destroy(f->m);
        (void)trace_close(&f->t);
        free(f);
        return 0;
}

/* Root moves granule pa to pas, whatever it is now. */
static void set_pas(struct hw_mem *m, uint64_t pa, enum hw_pas pas)
{
        enum hw_pas cur;

        assert_true(hw_gpt_get(m, pa, &cur));
        assert_int_equal(hw_gpt_transition(m, HW_WORLD_ROOT, pa, cur, pas), HW_OK);
}

/* ---- creation ---- */

static void hw_mem_create_rejects_unaligned_base_or_size(void **state)
{
        struct hw_mem *m = (struct hw_mem *)&m;

        (void)state;
        assert_false(hw_mem_create(&m, BASE + 1, SIZE, NULL));
        assert_null(m);
        assert_false(hw_mem_create(&m, BASE, SIZE + 8, NULL));
        assert_false(hw_mem_create(&m, BASE, 0, NULL));
        assert_false(hw_mem_create(&m, UINT64_MAX - GRANULE_SIZE + 1, 2 * GRANULE_SIZE, NULL));
}

static void hw_mem_create_starts_zeroed_and_non_secure(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[64];
        enum hw_pas pas = HW_PAS_ROOT;

        assert_int_equal(hw_mem_base(f->m), BASE);
        assert_int_equal(hw_mem_size(f->m), SIZE);
        for (uint64_t pa = BASE; pa < BASE + SIZE; pa += GRANULE_SIZE) {
                assert_true(hw_gpt_get(f->m, pa, &pas));
                assert_int_equal(pas, HW_PAS_NS);
        }
        memset(buf, 0xaa, sizeof(buf));
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, BASE + SIZE - sizeof(buf), buf,
                                 sizeof(buf), NULL), HW_OK);
        for (size_t i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], 0);
        assert_false(hw_gpt_get(f->m, BASE + SIZE, &pas));
}

/* ---- the GPC table ---- */

static void gpt_every_world_and_pas_pair_follows_gpc_table(void **state)
{
        struct fixture *f = *state;
        /* Arm ARM D9.1 (hw.h): allowed[world][pas], PAS order Secure, NS, Root, Realm */
        static const bool allowed[4][4] = {
                [HW_WORLD_SECURE] = { true, true, false, false },
                [HW_WORLD_NS] = { false, true, false, false },
                [HW_WORLD_ROOT] = { true, true, true, true },
                [HW_WORLD_REALM] = { false, true, false, true },
        };
        uint64_t pa = BASE + 3 * GRANULE_SIZE + 0x10;

        for (int pas = 0; pas < 4; pas++) {
                set_pas(f->m, pa & ~GRANULE_MASK, (enum hw_pas)pas);
                for (int w = 0; w < 4; w++) {
                        uint8_t v = (uint8_t)(0x10 * w + pas + 1);
                        uint8_t got = 0;
                        struct hw_fault fault;
                        enum hw_result want = allowed[w][pas] ? HW_OK : HW_GPF;
                        uint64_t before = hw_gpf_count(f->m);

                        assert_int_equal(hw_write(f->m, (enum hw_world)w, pa, &v, 1, &fault),
                                         want);
                        assert_int_equal(hw_read(f->m, (enum hw_world)w, pa, &got, 1, &fault),
                                         want);
                        assert_int_equal(hw_check(f->m, (enum hw_world)w, pa, 1,
                                                  HW_ACCESS_READ, NULL), want);
                        if (want == HW_OK) {
                                assert_int_equal(got, v);
                                assert_int_equal(hw_gpf_count(f->m), before);
                        } else {
                                assert_int_equal(got, 0);
                                assert_int_equal(hw_gpf_count(f->m), before + 3);
                        }
                }
        }
}

static void gpt_ns_world_read_of_realm_granule_faults(void **state)
{
        struct fixture *f = *state;
        uint64_t pa = BASE + GRANULE_SIZE;
        uint8_t secret = 0x5a, got = 0;
        struct hw_fault fault;

        set_pas(f->m, pa, HW_PAS_REALM);
        assert_int_equal(hw_write(f->m, HW_WORLD_REALM, pa + 8, &secret, 1, NULL), HW_OK);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, pa + 8, &got, 1, &fault), HW_GPF);
        assert_int_equal(got, 0);
        assert_int_equal(fault.world, HW_WORLD_NS);
        assert_int_equal(fault.pas, HW_PAS_REALM);
        assert_int_equal(fault.access, HW_ACCESS_READ);
        assert_int_equal(fault.pa, pa + 8);
        assert_int_equal(hw_gpf_count(f->m), 1);
}

/* ---- no data moves on a fault ---- */

static void gpt_denied_second_granule_moves_no_byte(void **state)
{
        struct fixture *f = *state;
        uint64_t g0 = BASE + 4 * GRANULE_SIZE;          /* NS */
        uint64_t g1 = g0 + GRANULE_SIZE;                /* Realm */
        uint8_t src[256], dst[256], mem[256];
        struct hw_fault fault;

        /* range: last 128 bytes of an NS granule, first 128 of a Realm granule */
        uint64_t pa = g1 - 128;
        for (size_t i = 0; i < sizeof(src); i++)
                src[i] = (uint8_t)(i + 1);
        assert_int_equal(hw_write(f->m, HW_WORLD_ROOT, pa, src, sizeof(src), NULL), HW_OK);
        set_pas(f->m, g1, HW_PAS_REALM);

        memset(dst, 0xee, sizeof(dst));
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, pa, dst, sizeof(dst), &fault), HW_GPF);
        for (size_t i = 0; i < sizeof(dst); i++)
                assert_int_equal(dst[i], 0xee);         /* destination untouched */
        assert_int_equal(fault.pa, g1);                 /* first faulting granule */
        assert_int_equal(fault.pas, HW_PAS_REALM);

        uint8_t junk[256];
        memset(junk, 0x33, sizeof(junk));
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, pa, junk, sizeof(junk), &fault), HW_GPF);
        assert_int_equal(fault.access, HW_ACCESS_WRITE);
        assert_int_equal(hw_fill(f->m, HW_WORLD_NS, pa, 0x44, sizeof(junk), NULL), HW_GPF);
        assert_int_equal(hw_copy(f->m, HW_WORLD_NS, pa, BASE, sizeof(junk), NULL), HW_GPF);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, pa, mem, sizeof(mem), NULL), HW_OK);
        assert_memory_equal(mem, src, sizeof(src));     /* memory unchanged, NS half too */
        assert_int_equal(hw_gpf_count(f->m), 4);
}

static void gpt_copy_from_denied_source_writes_nothing(void **state)
{
        struct fixture *f = *state;
        uint64_t realm = BASE + 2 * GRANULE_SIZE;
        uint64_t ns = BASE + 6 * GRANULE_SIZE;
        uint8_t v = 0x77, got = 0;
        struct hw_fault fault;

        set_pas(f->m, realm, HW_PAS_REALM);
        assert_int_equal(hw_write(f->m, HW_WORLD_REALM, realm, &v, 1, NULL), HW_OK);
        assert_int_equal(hw_copy(f->m, HW_WORLD_NS, ns, realm, 1, &fault), HW_GPF);
        assert_int_equal(fault.pa, realm);
        assert_int_equal(fault.access, HW_ACCESS_READ);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, ns, &got, 1, NULL), HW_OK);
        assert_int_equal(got, 0);
        /* the Realm world may copy its data out to NS memory */
        assert_int_equal(hw_copy(f->m, HW_WORLD_REALM, ns, realm, 1, NULL), HW_OK);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, ns, &got, 1, NULL), HW_OK);
        assert_int_equal(got, 0x77);
}

/* ---- gpf trace event ---- */

static void gpt_fault_emits_gpf_trace_line(void **state)
{
        struct fixture *f = *state;
        uint64_t pa = BASE + GRANULE_SIZE;
        uint8_t got;
        char *text = NULL;
        size_t len = 0;
        FILE *pipe = open_memstream(&text, &len);

        assert_non_null(pipe);
        trace_set_pipe(&f->t, pipe);
        assert_true(trace_set_events(&f->t, "gpf"));
        trace_set_who(&f->t, "vmm", 100, 0, NULL);
        set_pas(f->m, pa, HW_PAS_REALM);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, pa + 0x10, &got, 1, NULL), HW_GPF);
        assert_int_equal(trace_count(&f->t, "gpf"), 1);
        assert_int_equal(fflush(pipe), 0);
        assert_string_equal(text, "             vmm-100     [000] .....     0.000000: gpf: "
                                  "world=Non-secure pa=0x80001010 pas=Realm access=read\n");
        assert_int_equal(hw_write(f->m, HW_WORLD_SECURE, pa, &got, 1, NULL), HW_GPF);
        assert_int_equal(fflush(pipe), 0);
        assert_non_null(strstr(text, "gpf: world=Secure pa=0x80001000 pas=Realm access=write\n"));
        trace_set_pipe(&f->t, NULL);
        assert_int_equal(fclose(pipe), 0);
        free(text);
}

static void gpt_fault_without_trace_is_still_counted(void **state)
{
        struct hw_mem *m;
        struct hw_fault fault;
        uint8_t b = 0;

        (void)state;
        assert_true(hw_mem_create(&m, 0, 2 * GRANULE_SIZE, NULL));
        assert_int_equal(hw_gpt_transition(m, HW_WORLD_ROOT, GRANULE_SIZE, HW_PAS_NS,
                                           HW_PAS_ROOT), HW_OK);
        assert_int_equal(hw_read(m, HW_WORLD_REALM, GRANULE_SIZE - 1, &b, 2, &fault), HW_GPF);
        assert_int_equal(fault.pa, GRANULE_SIZE);
        assert_int_equal(fault.pas, HW_PAS_ROOT);
        assert_int_equal(fault.world, HW_WORLD_REALM);
        assert_int_equal(hw_gpf_count(m), 1);
        hw_mem_destroy(m);
}

/* ---- address faults ---- */

static void hw_access_outside_memory_is_address_fault(void **state)
{
        struct fixture *f = *state;
        uint8_t buf[16];
        struct hw_fault fault;

        memset(buf, 0xcc, sizeof(buf));
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE - 1, buf, 1, &fault), HW_ADDR_FAULT);
        assert_int_equal(fault.pa, BASE - 1);
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE + SIZE, buf, 0, &fault),
                         HW_ADDR_FAULT);
        /* straddles the end: nothing moves, the fault is at the first address outside */
        assert_int_equal(hw_read(f->m, HW_WORLD_ROOT, BASE + SIZE - 8, buf, 16, &fault),
                         HW_ADDR_FAULT);
        assert_int_equal(fault.pa, BASE + SIZE);
        assert_int_equal(buf[0], 0xcc);
        assert_int_equal(hw_write(f->m, HW_WORLD_ROOT, 0, buf, 1, NULL), HW_ADDR_FAULT);
        assert_int_equal(hw_fill(f->m, HW_WORLD_ROOT, BASE + SIZE, 0, 1, NULL), HW_ADDR_FAULT);
        assert_int_equal(hw_copy(f->m, HW_WORLD_ROOT, BASE, BASE + SIZE - 1, 2, NULL),
                         HW_ADDR_FAULT);
        assert_int_equal(hw_copy(f->m, HW_WORLD_ROOT, BASE + SIZE - 1, BASE, 2, NULL),
                         HW_ADDR_FAULT);
        assert_int_equal(hw_gpf_count(f->m), 0);        /* an external abort is not a GPF */
        assert_true(hw_mem_contains(f->m, BASE, SIZE));
        assert_false(hw_mem_contains(f->m, BASE, SIZE + 1));
        assert_true(hw_mem_contains(f->m, BASE + SIZE - 1, 0));
        assert_false(hw_mem_contains(f->m, BASE + SIZE, 0));
}

static void hw_range_wrapping_past_2_to_64_is_address_fault(void **state)
{
        struct fixture *f = *state;
        struct hw_mem *top;
        uint64_t top_base = UINT64_MAX - 2 * GRANULE_SIZE + 1;   /* last two granules */
        uint8_t b = 0;

        assert_int_equal(hw_check(f->m, HW_WORLD_ROOT, BASE + 1, UINT64_MAX, HW_ACCESS_READ,
                                  NULL), HW_ADDR_FAULT);
        assert_false(hw_mem_contains(f->m, BASE, UINT64_MAX));
        assert_true(hw_mem_create(&top, top_base, 2 * GRANULE_SIZE, NULL));
        assert_int_equal(hw_read(top, HW_WORLD_ROOT, UINT64_MAX, &b, 1, NULL), HW_OK);
        assert_int_equal(hw_check(top, HW_WORLD_ROOT, UINT64_MAX, 2, HW_ACCESS_READ, NULL),
                         HW_ADDR_FAULT);
        assert_int_equal(hw_check(top, HW_WORLD_ROOT, top_base, UINT64_MAX, HW_ACCESS_READ,
                                  NULL), HW_ADDR_FAULT);
        hw_mem_destroy(top);
}

/* ---- copy and fill ---- */

static void hw_copy_overlapping_ranges_behaves_like_memmove(void **state)
{
        struct fixture *f = *state;
        uint8_t in[100], out[110], want[110];

        for (size_t i = 0; i < sizeof(in); i++)
                in[i] = (uint8_t)i;
        /* forward overlap: dst above src */
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, BASE, in, sizeof(in), NULL), HW_OK);
        assert_int_equal(hw_copy(f->m, HW_WORLD_NS, BASE + 10, BASE, sizeof(in), NULL), HW_OK);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, BASE, out, sizeof(out), NULL), HW_OK);
        memcpy(want, in, 10);
        memcpy(want + 10, in, sizeof(in));
        assert_memory_equal(out, want, sizeof(want));
        /* backward overlap: dst below src */
        assert_int_equal(hw_copy(f->m, HW_WORLD_NS, BASE, BASE + 10, sizeof(in), NULL), HW_OK);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, BASE, out, sizeof(in), NULL), HW_OK);
        assert_memory_equal(out, in, sizeof(in));
}

static void hw_fill_sets_every_byte_across_granules(void **state)
{
        struct fixture *f = *state;
        uint8_t out[64];
        uint64_t pa = BASE + GRANULE_SIZE - 32;

        assert_int_equal(hw_fill(f->m, HW_WORLD_NS, pa, 0xa5, sizeof(out), NULL), HW_OK);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, pa, out, sizeof(out), NULL), HW_OK);
        for (size_t i = 0; i < sizeof(out); i++)
                assert_int_equal(out[i], 0xa5);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, pa - 1, out, 1, NULL), HW_OK);
        assert_int_equal(out[0], 0);
}

static void hw_zero_length_access_checks_pa_only(void **state)
{
        struct fixture *f = *state;
        uint64_t realm = BASE + 5 * GRANULE_SIZE;

        set_pas(f->m, realm, HW_PAS_REALM);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, realm - 1, NULL, 0, NULL), HW_OK);
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, realm, NULL, 0, NULL), HW_GPF);
        assert_int_equal(hw_copy(f->m, HW_WORLD_NS, BASE, BASE, 0, NULL), HW_OK);
}

/* ---- GPT transitions (the GTSI service) ---- */

static void gpt_transition_by_root_ns_to_realm_and_back_succeeds(void **state)
{
        struct fixture *f = *state;
        uint64_t pa = BASE + 7 * GRANULE_SIZE;
        enum hw_pas pas;

        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_REALM),
                         HW_OK);
        assert_true(hw_gpt_get(f->m, pa + 0xfff, &pas));
        assert_int_equal(pas, HW_PAS_REALM);
        assert_true(hw_gpt_get(f->m, pa + GRANULE_SIZE, &pas));   /* neighbour unaffected */
        assert_int_equal(pas, HW_PAS_NS);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, pa, HW_PAS_REALM, HW_PAS_NS),
                         HW_OK);
        assert_true(hw_gpt_get(f->m, pa, &pas));
        assert_int_equal(pas, HW_PAS_NS);
}

static void gpt_transition_by_non_root_world_is_refused(void **state)
{
        struct fixture *f = *state;
        uint64_t pa = BASE + 7 * GRANULE_SIZE;
        static const enum hw_world callers[] = { HW_WORLD_NS, HW_WORLD_REALM, HW_WORLD_SECURE };
        enum hw_pas pas;

        for (size_t i = 0; i < 3; i++)
                assert_int_equal(hw_gpt_transition(f->m, callers[i], pa, HW_PAS_NS,
                                                   HW_PAS_REALM), HW_GPF);
        assert_true(hw_gpt_get(f->m, pa, &pas));
        assert_int_equal(pas, HW_PAS_NS);
        assert_int_equal(hw_gpf_count(f->m), 0);        /* refused call, not a faulting access */
}

static void gpt_transition_from_wrong_pas_is_refused_and_changes_nothing(void **state)
{
        struct fixture *f = *state;
        uint64_t pa = BASE + 8 * GRANULE_SIZE;
        enum hw_pas pas;

        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, pa, HW_PAS_REALM, HW_PAS_NS),
                         HW_GPF);
        assert_true(hw_gpt_get(f->m, pa, &pas));
        assert_int_equal(pas, HW_PAS_NS);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, pa, HW_PAS_NS, (enum hw_pas)4),
                         HW_GPF);
        assert_true(hw_gpt_get(f->m, pa, &pas));
        assert_int_equal(pas, HW_PAS_NS);
}

static void gpt_transition_of_unaligned_or_outside_pa_is_address_fault(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, BASE + 8, HW_PAS_NS,
                                           HW_PAS_REALM), HW_ADDR_FAULT);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, BASE + SIZE, HW_PAS_NS,
                                           HW_PAS_REALM), HW_ADDR_FAULT);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, BASE - GRANULE_SIZE,
                                           HW_PAS_NS, HW_PAS_REALM), HW_ADDR_FAULT);
}

/* A party caching GPC verdicts (a REC's TLB) relies on this: the generation moves on every
 * change of a GPT entry, and on nothing else (a refused transition, an access, a fault). */
static void gpt_generation_advances_on_each_transition_and_only_then(void **state)
{
        struct fixture *f = *state;
        uint64_t pa = BASE + 9 * GRANULE_SIZE;
        uint8_t b = 0;

        uint64_t g0 = hw_gpt_gen(f->m);
        assert_int_equal(*hw_gpt_gen_view(f->m), g0);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_REALM), HW_OK);
        uint64_t g1 = hw_gpt_gen(f->m);
        assert_true(g1 != g0);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_NS, pa, HW_PAS_REALM, HW_PAS_NS), HW_GPF);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, pa, HW_PAS_NS, HW_PAS_REALM), HW_GPF);
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, pa, &b, 1, NULL), HW_GPF);
        assert_int_equal(hw_write(f->m, HW_WORLD_REALM, pa, &b, 1, NULL), HW_OK);
        assert_int_equal(hw_gpt_gen(f->m), g1);
        assert_int_equal(hw_gpt_transition(f->m, HW_WORLD_ROOT, pa, HW_PAS_REALM, HW_PAS_NS), HW_OK);
        assert_true(hw_gpt_gen(f->m) != g1 && hw_gpt_gen(f->m) != g0);
        assert_int_equal(*hw_gpt_gen_view(f->m), hw_gpt_gen(f->m));
}

/* hw_ptr is the address hw_read and hw_write use: bytes put there are what a checked read
 * returns. */
static void hw_ptr_is_where_checked_accesses_move_bytes(void **state)
{
        struct fixture *f = *state;
        uint64_t pa = BASE + 3 * GRANULE_SIZE + 0x10;
        uint8_t got = 0;

        *hw_ptr(f->m, pa) = 0x5C;
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, pa, &got, 1, NULL), HW_OK);
        assert_int_equal(got, 0x5C);
        assert_int_equal(hw_write(f->m, HW_WORLD_NS, pa + 1, &got, 1, NULL), HW_OK);
        assert_int_equal(*hw_ptr(f->m, pa + 1), 0x5C);
}

static void hw_names_match_arm_terms(void **state)
{
        (void)state;
        assert_string_equal(hw_pas_name(HW_PAS_SECURE), "Secure");
        assert_string_equal(hw_pas_name(HW_PAS_NS), "Non-secure");
        assert_string_equal(hw_pas_name(HW_PAS_ROOT), "Root");
        assert_string_equal(hw_pas_name(HW_PAS_REALM), "Realm");
        assert_string_equal(hw_world_name(HW_WORLD_NS), "Non-secure");
        assert_string_equal(hw_world_name(HW_WORLD_REALM), "Realm");
        assert_string_equal(hw_world_name((enum hw_world)9), "unknown");
        assert_string_equal(hw_result_name(HW_OK), "ok");
        assert_string_equal(hw_result_name(HW_GPF), "granule protection fault");
        assert_string_equal(hw_result_name(HW_ADDR_FAULT), "address fault");
        assert_string_equal(hw_result_name(HW_DMA_FAULT), "DMA fault");
}

static void hw_large_memory_range_check_is_fast_enough(void **state)
{
        struct hw_mem *m;
        uint64_t size = 256ull << 20;   /* 256 MiB: calloc'd lazily, only touched pages cost */
        uint8_t b = 1;

        (void)state;
        assert_true(hw_mem_create(&m, 0, size, NULL));
        /* a whole-memory check walks 65536 granules, 100 times */
        for (int i = 0; i < 100; i++)
                assert_int_equal(hw_check(m, HW_WORLD_NS, 0, size, HW_ACCESS_READ, NULL), HW_OK);
        assert_int_equal(hw_write(m, HW_WORLD_NS, size - 1, &b, 1, NULL), HW_OK);
        hw_mem_destroy(m);
}

/* ---- ownership (model aid) ---- */

static void hw_owner_tags_start_zero_and_follow_set(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(hw_owner_get(f->m, BASE), 0);
        hw_owner_set(f->m, BASE + GRANULE_SIZE + 5, 7);
        assert_int_equal(hw_owner_get(f->m, BASE + GRANULE_SIZE), 7);
        assert_int_equal(hw_owner_get(f->m, BASE + 2 * GRANULE_SIZE - 1), 7);
        assert_int_equal(hw_owner_get(f->m, BASE), 0);
        hw_owner_set(f->m, BASE + SIZE, 9); /* outside: ignored */
        assert_int_equal(hw_owner_get(f->m, BASE + SIZE), 0);
}

static void hw_owner_check_passes_ns_and_own_realm_granules(void **state)
{
        struct fixture *f = *state;
        uint64_t bad = 0;

        set_pas(f->m, BASE + GRANULE_SIZE, HW_PAS_REALM);
        hw_owner_set(f->m, BASE + GRANULE_SIZE, 3);
        assert_true(hw_owner_check(f->m, 3, BASE, 2 * GRANULE_SIZE, &bad));
}

static void hw_owner_check_reports_first_granule_of_another_realm(void **state)
{
        struct fixture *f = *state;
        uint64_t bad = 0;

        set_pas(f->m, BASE + GRANULE_SIZE, HW_PAS_REALM);
        set_pas(f->m, BASE + 2 * GRANULE_SIZE, HW_PAS_REALM);
        hw_owner_set(f->m, BASE + GRANULE_SIZE, 3);
        hw_owner_set(f->m, BASE + 2 * GRANULE_SIZE, 4);
        assert_false(hw_owner_check(f->m, 3, BASE + 100, 2 * GRANULE_SIZE, &bad));
        assert_int_equal(bad, BASE + 2 * GRANULE_SIZE);
        /* a Realm granule that no Realm owns (DELEGATED) is not the REC's either */
        set_pas(f->m, BASE + 3 * GRANULE_SIZE, HW_PAS_REALM);
        assert_false(hw_owner_check(f->m, 4, BASE + 3 * GRANULE_SIZE, 1, &bad));
        assert_int_equal(bad, BASE + 3 * GRANULE_SIZE);
        assert_false(hw_owner_check(f->m, 4, BASE + SIZE, 1, &bad)); /* outside memory */
}

/* ---- regions ---- */

/* Two banks with a two-granule gap between them: [R0, R0 + 4 granules), [R1, R1 + 2 granules). */
#define R0 0x80000000ull
#define R1 (R0 + 6 * GRANULE_SIZE)

static struct hw_mem *two_regions(struct trace *t)
{
        struct hw_mem *m;
        /* given high bank first: the order of the table does not matter */
        const struct hw_region_config r[2] = {
                { .base = R1, .size = 2 * GRANULE_SIZE },
                { .base = R0, .size = 4 * GRANULE_SIZE },
        };
        assert_true(hw_mem_create_regions(&m, r, 2, t));
        return m;
}

static void hw_regions_are_listed_in_address_order_and_span_the_gap(void **state)
{
        struct hw_mem *m = two_regions(NULL);
        struct hw_region_info info;
        (void)state;
        assert_int_equal(hw_mem_regions(m), 2);
        assert_true(hw_mem_region(m, 0, &info));
        assert_int_equal(info.base, R0);
        assert_int_equal(info.size, 4 * GRANULE_SIZE);
        assert_int_equal(info.backing, HW_BACKING_ANON);
        assert_int_equal(info.fd, -1);
        assert_true(hw_mem_region(m, 1, &info));
        assert_int_equal(info.base, R1);
        assert_false(hw_mem_region(m, 2, &info));
        assert_int_equal(hw_mem_base(m), R0);
        assert_int_equal(hw_mem_size(m), 8 * GRANULE_SIZE); /* the span, gap included */
        hw_mem_destroy(m);
}

static void hw_one_region_memory_is_one_region(void **state)
{
        struct fixture *f = *state;
        struct hw_region_info info;
        assert_int_equal(hw_mem_regions(f->m), 1);
        assert_true(hw_mem_region(f->m, 0, &info));
        assert_int_equal(info.base, BASE);
        assert_int_equal(info.size, SIZE);
}

static void hw_both_regions_hold_data_and_start_zeroed(void **state)
{
        struct hw_mem *m = two_regions(NULL);
        uint8_t in[64], out[64];
        (void)state;
        memset(in, 0x11, sizeof(in));
        assert_int_equal(hw_read(m, HW_WORLD_NS, R1 + 2 * GRANULE_SIZE - 64, out, 64, NULL), HW_OK);
        for (size_t i = 0; i < sizeof(out); i++)
                assert_int_equal(out[i], 0);
        assert_int_equal(hw_write(m, HW_WORLD_NS, R0 + 4 * GRANULE_SIZE - 64, in, 64, NULL), HW_OK);
        assert_int_equal(hw_write(m, HW_WORLD_NS, R1, in, 64, NULL), HW_OK);
        assert_int_equal(hw_copy(m, HW_WORLD_NS, R1 + 100, R0 + 4 * GRANULE_SIZE - 64, 64, NULL), HW_OK);
        assert_int_equal(hw_read(m, HW_WORLD_NS, R1 + 100, out, 64, NULL), HW_OK);
        assert_memory_equal(out, in, 64);
        hw_mem_destroy(m);
}

static void hw_access_in_a_gap_is_address_fault_at_its_start(void **state)
{
        struct hw_mem *m = two_regions(NULL);
        uint8_t b = 0xEE;
        struct hw_fault fault;
        enum hw_pas pas;
        (void)state;
        uint64_t gap = R0 + 4 * GRANULE_SIZE;
        assert_int_equal(hw_read(m, HW_WORLD_ROOT, gap + 5, &b, 1, &fault), HW_ADDR_FAULT);
        assert_int_equal(fault.pa, gap + 5);
        assert_int_equal(b, 0xEE);
        assert_int_equal(hw_check(m, HW_WORLD_ROOT, R1 - 1, 0, HW_ACCESS_READ, NULL), HW_ADDR_FAULT);
        assert_false(hw_mem_contains(m, gap, 1));
        assert_false(hw_gpt_get(m, gap, &pas));
        assert_int_equal(hw_gpf_count(m), 0);
        hw_mem_destroy(m);
}

/* From the last bytes of the low bank into the gap (and on into the high bank): no byte
 * moves, and the fault is at the first address that is not memory. */
static void hw_access_spanning_the_gap_fails_and_moves_nothing(void **state)
{
        struct hw_mem *m = two_regions(NULL);
        uint8_t buf[16], junk[16];
        struct hw_fault fault;
        (void)state;
        uint64_t gap = R0 + 4 * GRANULE_SIZE;
        memset(junk, 0x99, sizeof(junk));
        assert_int_equal(hw_write(m, HW_WORLD_ROOT, gap - 8, junk, 16, &fault), HW_ADDR_FAULT);
        assert_int_equal(fault.pa, gap);
        assert_int_equal(hw_read(m, HW_WORLD_ROOT, gap - 8, buf, 8, NULL), HW_OK);
        for (size_t i = 0; i < 8; i++)
                assert_int_equal(buf[i], 0); /* nothing written */
        assert_int_equal(hw_check(m, HW_WORLD_ROOT, R0, R1 + 1 - R0, HW_ACCESS_READ, &fault), HW_ADDR_FAULT);
        assert_int_equal(fault.pa, gap);
        assert_int_equal(hw_copy(m, HW_WORLD_ROOT, R1, gap - 8, 16, NULL), HW_ADDR_FAULT);
        assert_int_equal(hw_fill(m, HW_WORLD_ROOT, gap - 1, 0, 2, NULL), HW_ADDR_FAULT);
        assert_false(hw_mem_contains(m, R0, 8 * GRANULE_SIZE));
        hw_mem_destroy(m);
}

/* Adjacent regions are contiguous memory: one access may cross from one into the other. */
static void hw_access_across_adjacent_regions_succeeds(void **state)
{
        struct hw_mem *m;
        uint8_t in[32], out[32];
        const struct hw_region_config r[3] = {
                { .base = R0, .size = GRANULE_SIZE },
                { .base = R0 + GRANULE_SIZE, .size = GRANULE_SIZE },
                { .base = R0 + 4 * GRANULE_SIZE, .size = GRANULE_SIZE },
        };
        struct hw_fault fault;
        (void)state;
        assert_true(hw_mem_create_regions(&m, r, 3, NULL));
        for (size_t i = 0; i < sizeof(in); i++)
                in[i] = (uint8_t)(i + 1);
        assert_int_equal(hw_write(m, HW_WORLD_NS, R0 + GRANULE_SIZE - 16, in, 32, NULL), HW_OK);
        assert_int_equal(hw_read(m, HW_WORLD_NS, R0 + GRANULE_SIZE - 16, out, 32, NULL), HW_OK);
        assert_memory_equal(out, in, 32);
        assert_true(hw_mem_contains(m, R0, 2 * GRANULE_SIZE));
        /* past both: the fault is at the end of the pair, not of the first */
        assert_int_equal(hw_check(m, HW_WORLD_NS, R0 + 8, 2 * GRANULE_SIZE, HW_ACCESS_READ, &fault), HW_ADDR_FAULT);
        assert_int_equal(fault.pa, R0 + 2 * GRANULE_SIZE);
        hw_mem_destroy(m);
}

static void hw_gpc_applies_in_every_region(void **state)
{
        struct hw_mem *m = two_regions(NULL);
        struct hw_fault fault;
        uint8_t b = 0;
        (void)state;
        set_pas(m, R1 + GRANULE_SIZE, HW_PAS_REALM);
        assert_int_equal(hw_read(m, HW_WORLD_NS, R1 + GRANULE_SIZE + 3, &b, 1, &fault), HW_GPF);
        assert_int_equal(fault.pas, HW_PAS_REALM);
        assert_int_equal(hw_read(m, HW_WORLD_REALM, R1 + GRANULE_SIZE + 3, &b, 1, NULL), HW_OK);
        /* the granule-indexed views cover the span: index (pa - base) >> 12 */
        assert_int_equal(hw_gpt_view(m)[(R1 + GRANULE_SIZE - R0) >> GRANULE_SHIFT], HW_PAS_REALM);
        hw_owner_set(m, R1 + GRANULE_SIZE, 5);
        assert_int_equal(hw_owner_view(m)[(R1 + GRANULE_SIZE - R0) >> GRANULE_SHIFT], 5);
        assert_int_equal(hw_gpf_count(m), 1);
        hw_mem_destroy(m);
}

/* A gap granule reads as Non-secure, owner 0 in the views, and nothing can change that. */
static void hw_gap_granules_cannot_be_transitioned_or_tagged(void **state)
{
        struct hw_mem *m = two_regions(NULL);
        uint64_t bad = 0;
        (void)state;
        uint64_t gap = R0 + 4 * GRANULE_SIZE;
        assert_int_equal(hw_gpt_transition(m, HW_WORLD_ROOT, gap, HW_PAS_NS, HW_PAS_REALM), HW_ADDR_FAULT);
        hw_owner_set(m, gap, 9);
        assert_int_equal(hw_owner_get(m, gap), 0);
        assert_int_equal(hw_gpt_view(m)[4], HW_PAS_NS);
        assert_int_equal(hw_owner_view(m)[4], 0);
        assert_false(hw_owner_check(m, 1, gap - 1, 2, &bad));
        assert_int_equal(bad, gap - 1);
        hw_mem_destroy(m);
}

static void hw_mem_create_regions_rejects_bad_tables(void **state)
{
        struct hw_mem *m = (struct hw_mem *)&m;
        struct hw_region_config r[HW_MEM_MAX_REGIONS + 1];
        (void)state;
        for (unsigned i = 0; i < HW_MEM_MAX_REGIONS + 1; i++)
                r[i] = (struct hw_region_config){ .base = R0 + 2 * i * GRANULE_SIZE, .size = GRANULE_SIZE };
        assert_false(hw_mem_create_regions(&m, r, 0, NULL));
        assert_null(m);
        assert_false(hw_mem_create_regions(&m, NULL, 1, NULL));
        assert_false(hw_mem_create_regions(&m, r, HW_MEM_MAX_REGIONS + 1, NULL));
        assert_true(hw_mem_create_regions(&m, r, HW_MEM_MAX_REGIONS, NULL));
        hw_mem_destroy(m);
        r[1].base = r[0].base;                                       /* same base: overlap */
        assert_false(hw_mem_create_regions(&m, r, 2, NULL));
        r[1] = (struct hw_region_config){ .base = R0 + GRANULE_SIZE, .size = GRANULE_SIZE };
        r[0].size = 2 * GRANULE_SIZE;                                /* runs into r[1] */
        assert_false(hw_mem_create_regions(&m, r, 2, NULL));
        r[0].size = GRANULE_SIZE + 1;                                /* unaligned size */
        assert_false(hw_mem_create_regions(&m, r, 1, NULL));
        r[0] = (struct hw_region_config){ .base = R0, .size = GRANULE_SIZE, .backing = (enum hw_backing)7 };
        assert_false(hw_mem_create_regions(&m, r, 1, NULL));         /* no such backing */
        assert_null(m);
}

/* A bank that ends at 2^64 above one that does not: the gap check still holds. */
static void hw_region_ending_at_2_to_64_with_a_gap_below(void **state)
{
        struct hw_mem *m;
        uint64_t top = UINT64_MAX - 2 * GRANULE_SIZE + 1;
        const struct hw_region_config r[2] = {
                { .base = top - 4 * GRANULE_SIZE, .size = GRANULE_SIZE },
                { .base = top, .size = 2 * GRANULE_SIZE },
        };
        uint8_t b = 7;
        struct hw_fault fault;
        (void)state;
        assert_true(hw_mem_create_regions(&m, r, 2, NULL));
        assert_int_equal(hw_mem_size(m), 6 * GRANULE_SIZE);
        assert_int_equal(hw_write(m, HW_WORLD_NS, UINT64_MAX, &b, 1, NULL), HW_OK);
        assert_int_equal(hw_check(m, HW_WORLD_NS, UINT64_MAX, 2, HW_ACCESS_READ, &fault), HW_ADDR_FAULT);
        assert_int_equal(hw_check(m, HW_WORLD_NS, top - 4 * GRANULE_SIZE, 2 * GRANULE_SIZE, HW_ACCESS_READ,
                                  &fault), HW_ADDR_FAULT);
        assert_int_equal(fault.pa, top - 3 * GRANULE_SIZE);
        assert_true(hw_mem_contains(m, top, 2 * GRANULE_SIZE));
        hw_mem_destroy(m);
}

/* ---- mapping: the checked pointer the host hands its backends ---- */

static void hw_map_gives_the_bytes_hw_read_sees(void **state)
{
        struct fixture *f = *state;
        void *p = NULL;
        uint8_t v = 0x42, got = 0;
        assert_int_equal(hw_map(f->m, HW_WORLD_NS, BASE + GRANULE_SIZE + 7, 100, HW_ACCESS_WRITE, &p, NULL), HW_OK);
        *(uint8_t *)p = v;
        assert_int_equal(hw_read(f->m, HW_WORLD_NS, BASE + GRANULE_SIZE + 7, &got, 1, NULL), HW_OK);
        assert_int_equal(got, v);
        /* granule-aligned addresses are page-aligned in the host */
        assert_int_equal(hw_map(f->m, HW_WORLD_NS, BASE, 1, HW_ACCESS_READ, &p, NULL), HW_OK);
        assert_int_equal((uintptr_t)p % GRANULE_SIZE, 0);
}

static void hw_map_of_a_denied_granule_is_a_gpf_like_any_access(void **state)
{
        struct fixture *f = *state;
        void *p = (void *)&p;
        struct hw_fault fault;
        set_pas(f->m, BASE + 2 * GRANULE_SIZE, HW_PAS_REALM);
        assert_int_equal(hw_map(f->m, HW_WORLD_NS, BASE + 2 * GRANULE_SIZE - 1, 2, HW_ACCESS_READ, &p, &fault),
                         HW_GPF);
        assert_ptr_equal(p, (void *)&p); /* untouched */
        assert_int_equal(fault.pa, BASE + 2 * GRANULE_SIZE);
        assert_int_equal(hw_gpf_count(f->m), 1);
        assert_int_equal(hw_map(f->m, HW_WORLD_NS, BASE + SIZE - 1, 2, HW_ACCESS_READ, &p, NULL), HW_ADDR_FAULT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(hw_mem_create_rejects_unaligned_base_or_size),
                T(hw_mem_create_starts_zeroed_and_non_secure),
                T(gpt_every_world_and_pas_pair_follows_gpc_table),
                T(gpt_ns_world_read_of_realm_granule_faults),
                T(gpt_denied_second_granule_moves_no_byte),
                T(gpt_copy_from_denied_source_writes_nothing),
                T(gpt_fault_emits_gpf_trace_line),
                cmocka_unit_test(gpt_fault_without_trace_is_still_counted),
                T(hw_access_outside_memory_is_address_fault),
                T(hw_range_wrapping_past_2_to_64_is_address_fault),
                T(hw_copy_overlapping_ranges_behaves_like_memmove),
                T(hw_fill_sets_every_byte_across_granules),
                T(hw_zero_length_access_checks_pa_only),
                T(gpt_transition_by_root_ns_to_realm_and_back_succeeds),
                T(gpt_transition_by_non_root_world_is_refused),
                T(gpt_transition_from_wrong_pas_is_refused_and_changes_nothing),
                T(gpt_generation_advances_on_each_transition_and_only_then),
                T(hw_ptr_is_where_checked_accesses_move_bytes),
                T(gpt_transition_of_unaligned_or_outside_pa_is_address_fault),
                T(hw_owner_tags_start_zero_and_follow_set),
                T(hw_owner_check_passes_ns_and_own_realm_granules),
                T(hw_owner_check_reports_first_granule_of_another_realm),
                cmocka_unit_test(hw_names_match_arm_terms),
                cmocka_unit_test(hw_large_memory_range_check_is_fast_enough),
                cmocka_unit_test(hw_regions_are_listed_in_address_order_and_span_the_gap),
                T(hw_one_region_memory_is_one_region),
                cmocka_unit_test(hw_both_regions_hold_data_and_start_zeroed),
                cmocka_unit_test(hw_access_in_a_gap_is_address_fault_at_its_start),
                cmocka_unit_test(hw_access_spanning_the_gap_fails_and_moves_nothing),
                cmocka_unit_test(hw_access_across_adjacent_regions_succeeds),
                cmocka_unit_test(hw_gpc_applies_in_every_region),
                cmocka_unit_test(hw_gap_granules_cannot_be_transitioned_or_tagged),
                cmocka_unit_test(hw_mem_create_regions_rejects_bad_tables),
                cmocka_unit_test(hw_region_ending_at_2_to_64_with_a_gap_below),
                T(hw_map_gives_the_bytes_hw_read_sees),
                T(hw_map_of_a_denied_granule_is_a_gpf_like_any_access),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
