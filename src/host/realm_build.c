/* host_vm_create_realm: the Realm creation sequence, RMI calls only. The order of the
 * measured steps (REALM_CREATE, RTT_INIT_RIPAS, DATA_CREATE of the image, REC_CREATE) is
 * part of the contract with whoever verifies the RIM (DEN0137 1.0 A7.1.1). */
#include <stdlib.h>
#include <string.h>

#include "host/vm_internal.h"
#include "proto/rmi_params.h"

#define CHECK_RMI(vm, call, what)                                                            \
        do {                                                                                 \
                uint64_t x0_ = (call);                                                       \
                if (x0_ != RMI_SUCCESS) {                                                    \
                        host_log(vm, "%s failed: %s (index %u)", what,                      \
                                 rmi_status_name(RMI_STATUS(x0_)), RMI_INDEX(x0_));          \
                        return CCADA_E_RMM;                                                  \
                }                                                                            \
        } while (0)

/* The deepest starting level whose concatenated tables (<= 16) cover ipa_bits. */
static void pick_start_level(unsigned ipa_bits, int *level, unsigned *num)
{
        for (int l = 3; l >= 0; l--) {
                unsigned cover = (unsigned)(GRANULE_SHIFT + 9 * (4 - l));
                if (ipa_bits <= cover + 4 && ipa_bits + 9 > cover) {
                        *level = l;
                        *num = ipa_bits > cover ? 1u << (ipa_bits - cover) : 1u;
                        return;
                }
        }
        *level = 0;
        *num = 1;
}

static ccada_status write_ns_page(struct host_vm *vm, uint64_t pa, const uint8_t *page)
{
        return hw_write(vm->mem, HW_WORLD_NS, pa, page, GRANULE_SIZE, NULL) == HW_OK ? CCADA_OK : CCADA_E_GPF;
}

static ccada_status realm_create(struct host_vm *vm, const struct host_vm_config *cfg)
{
        uint8_t page[GRANULE_SIZE];

        pick_start_level(cfg->ipa_bits, &vm->level_start, &vm->num_start);
        vm->rd = host_delegated_granule(vm);
        uint64_t rtt0 = 0;
        for (unsigned i = 0; i < vm->num_start; i++) {
                uint64_t pa = host_delegated_granule(vm);
                if (!pa || (i && pa != rtt0 + i * GRANULE_SIZE))
                        return CCADA_E_NOMEM; /* the starting tables must be contiguous */
                if (!i)
                        rtt0 = pa;
        }
        vm->params = host_alloc_granule(vm);
        if (!vm->rd || !rtt0 || !vm->params)
                return CCADA_E_NOMEM;
        /* num_bps, num_wps: counts minus one, 0 reserved (DEN0137 1.0 B4.4.12). 1 asks for
         * two breakpoints and two watchpoints, the least any PE implements, so the same
         * parameters (and RIM) are valid on every RMM. They are measured. */
        struct rmi_realm_params p = { .s2sz = cfg->ipa_bits, .num_bps = 1, .num_wps = 1,
                                      .hash_algo = cfg->hash_algo, .vmid = cfg->vmid, .rtt_base = rtt0,
                                      .rtt_level_start = vm->level_start, .rtt_num_start = vm->num_start };
        memcpy(p.rpv, cfg->rpv, sizeof(p.rpv));
        rmi_realm_params_encode(&p, page);
        if (write_ns_page(vm, vm->params, page) != CCADA_OK)
                return CCADA_E_INVAL;
        CHECK_RMI(vm, host_rmi(vm, RMI_REALM_CREATE, vm->rd, vm->params, 0, 0, 0, NULL), "RMI_REALM_CREATE");
        return CCADA_OK;
}

static ccada_status realm_init_ram(struct host_vm *vm, const struct host_vm_config *cfg)
{
        struct smc_regs r;
        uint64_t base = cfg->ram_base, top = cfg->ram_base + cfg->ram_size;
        for (uint64_t ipa = base; ipa < top; ipa += 2ULL << 20) {
                ccada_status st = host_ensure_rtt(vm, ipa, 3);
                if (st != CCADA_OK)
                        return st;
        }
        for (uint64_t ipa = base; ipa < top; ipa = r.x[1])
                CHECK_RMI(vm, host_rmi(vm, RMI_RTT_INIT_RIPAS, vm->rd, ipa, top, 0, 0, &r), "RMI_RTT_INIT_RIPAS");
        return CCADA_OK;
}

/* The image: DATA_CREATE with measurement, from an NS source page. */
static ccada_status realm_load_image(struct host_vm *vm, const struct host_vm_config *cfg)
{
        uint8_t page[GRANULE_SIZE];
        uint64_t src = host_alloc_granule(vm);
        if (!src)
                return CCADA_E_NOMEM;
        for (size_t off = 0; off < cfg->image_len; off += GRANULE_SIZE) {
                size_t n = cfg->image_len - off < GRANULE_SIZE ? cfg->image_len - off : GRANULE_SIZE;
                memset(page, 0, sizeof(page));
                memcpy(page, cfg->image + off, n);
                uint64_t ipa = cfg->ram_base + off, idx;
                uint64_t data = host_delegated_granule(vm);
                if (!data || write_ns_page(vm, src, page) != CCADA_OK || !host_ram_index(vm, ipa, &idx))
                        return CCADA_E_NOMEM;
                CHECK_RMI(vm, host_rmi(vm, RMI_DATA_CREATE, vm->rd, data, ipa, src, RMI_MEASURE_CONTENT, NULL),
                          "RMI_DATA_CREATE");
                vm->prot_pa[idx] = data;
        }
        host_free_granule(vm, src);
        return CCADA_OK;
}

static ccada_status realm_create_rec(struct host_vm *vm, const struct host_vm_config *cfg)
{
        uint8_t page[GRANULE_SIZE];
        struct smc_regs r;

        CHECK_RMI(vm, host_rmi(vm, RMI_REC_AUX_COUNT, vm->rd, 0, 0, 0, 0, &r), "RMI_REC_AUX_COUNT");
        if (r.x[1] != 0)
                return CCADA_E_UNSUPPORTED;
        vm->rec = host_delegated_granule(vm);
        vm->run = host_alloc_granule(vm);
        if (!vm->rec || !vm->run)
                return CCADA_E_NOMEM;
        struct rmi_rec_params p = { .flags = RMI_REC_FLAG_RUNNABLE, .mpidr = 0, .pc = cfg->ram_base,
                                    .gprs[0] = cfg->ram_base /* x0: the boot image */ };
        rmi_rec_params_encode(&p, page);
        if (write_ns_page(vm, vm->params, page) != CCADA_OK)
                return CCADA_E_INVAL;
        CHECK_RMI(vm, host_rmi(vm, RMI_REC_CREATE, vm->rd, vm->rec, vm->params, 0, 0, NULL), "RMI_REC_CREATE");
        return CCADA_OK;
}

static ccada_status realm_checks(struct host_vm *vm, const struct host_vm_config *cfg)
{
        struct smc_regs r;
        CHECK_RMI(vm, host_rmi(vm, RMI_VERSION, RMI_ABI_VERSION_1_0, 0, 0, 0, 0, &r), "RMI_VERSION 1.0");
        CHECK_RMI(vm, host_rmi(vm, RMI_FEATURES, 0, 0, 0, 0, 0, &r), "RMI_FEATURES");
        unsigned s2sz = (unsigned)(r.x[1] & 0xFF);
        bool sha512 = r.x[1] & RMI_FEATURE_REGISTER_0_HASH_SHA_512;
        if (cfg->ipa_bits < 33 || cfg->ipa_bits > s2sz || cfg->ram_size == 0 ||
            (cfg->ram_base | cfg->ram_size) & ((2ULL << 20) - 1) ||
            cfg->ram_base + cfg->ram_size > 1ULL << (cfg->ipa_bits - 1) ||
            (cfg->hash_algo == RMI_HASH_SHA_512 && !sha512) || cfg->image_len > cfg->ram_size) {
                host_log(vm, "unsupported realm configuration (ipa_bits %u, RMM offers up to %u)",
                         cfg->ipa_bits, s2sz);
                return CCADA_E_INVAL;
        }
        return CCADA_OK;
}

static ccada_status realm_build_all(struct host_vm *vm, const struct host_vm_config *cfg)
{
        ccada_status st;
        if ((st = realm_checks(vm, cfg)) != CCADA_OK)
                return st;
        vm->cfg = *cfg;
        vm->cfg.image = NULL; /* not kept: the caller owns it */
        vm->shared_bit = 1ULL << (cfg->ipa_bits - 1);
        vm->ram_pages = cfg->ram_size >> GRANULE_SHIFT;
        vm->prot_pa = calloc(vm->ram_pages, sizeof(uint64_t));
        vm->shared_pa = calloc(vm->ram_pages, sizeof(uint64_t));
        if (!vm->prot_pa || !vm->shared_pa)
                return CCADA_E_NOMEM;
        vm->created = true;
        if ((st = realm_create(vm, cfg)) != CCADA_OK || (st = realm_init_ram(vm, cfg)) != CCADA_OK ||
            (st = realm_load_image(vm, cfg)) != CCADA_OK)
                return st;
        for (uint64_t i = 0; i < vm->ram_pages; i++)
                if (!vm->prot_pa[i] && (st = host_populate_page(vm, cfg->ram_base + (i << GRANULE_SHIFT))) != CCADA_OK)
                        return st;
        if ((st = realm_create_rec(vm, cfg)) != CCADA_OK)
                return st;
        CHECK_RMI(vm, host_rmi(vm, RMI_REALM_ACTIVATE, vm->rd, 0, 0, 0, 0, NULL), "RMI_REALM_ACTIVATE");
        return CCADA_OK;
}

ccada_status host_vm_create_realm(struct host_vm *vm, const struct host_vm_config *cfg)
{
        if (vm->created)
                return CCADA_E_STATE;
        struct trace_who saved = host_trace_enter(vm);
        ccada_status st = realm_build_all(vm, cfg);
        host_trace_leave(vm, saved);
        return st;
}
