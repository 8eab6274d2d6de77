/* The fake CPU (see fake_cpu.h). */
#include "fake_cpu.h"

#include <stdlib.h>
#include <string.h>

#include "ccada/rsi.h"
#include "ccada/smc.h"
#include "lib/bytes.h"
#include "proto/realm_image.h"

#define FAKE_CPU_RAM_BASE 0x80000000ull
#define FAKE_CPU_CONSOLE  0x1000000ull
#define PL011_DR 0x00

static struct fake_cpu *of(struct ccada_cpu *cpu) { return (struct fake_cpu *)cpu; }

/* The IPA without the shared bit; false when it is not RAM. */
static bool ram_at(struct fake_cpu *c, uint64_t ipa, size_t len, uint8_t **p)
{
        if (!c->rsi_absent && c->ipa_bits)
                ipa &= ~(1ull << (c->ipa_bits - 1));
        if (ipa < c->ram_base || len > c->ram_size || ipa - c->ram_base > c->ram_size - len)
                return false;
        *p = c->ram + (ipa - c->ram_base);
        return true;
}

static enum cpu_result load(struct ccada_cpu *cpu, uint64_t ipa, void *dst, size_t len)
{
        uint8_t *p;
        if (!ram_at(of(cpu), ipa, len, &p))
                return CPU_SEA;
        memcpy(dst, p, len);
        return CPU_OK;
}

static enum cpu_result store(struct ccada_cpu *cpu, uint64_t ipa, const void *src, size_t len)
{
        uint8_t *p;
        if (!ram_at(of(cpu), ipa, len, &p))
                return CPU_SEA;
        memcpy(p, src, len);
        return CPU_OK;
}

static enum cpu_result copy(struct ccada_cpu *cpu, uint64_t dst_ipa, uint64_t src_ipa, size_t len)
{
        uint8_t *d, *s;
        if (!ram_at(of(cpu), dst_ipa, len, &d) || !ram_at(of(cpu), src_ipa, len, &s))
                return CPU_SEA;
        memmove(d, s, len);
        return CPU_OK;
}

static enum cpu_result fill(struct ccada_cpu *cpu, uint64_t ipa, uint8_t byte, size_t len)
{
        uint8_t *p;
        if (!ram_at(of(cpu), ipa, len, &p))
                return CPU_SEA;
        memset(p, byte, len);
        return CPU_OK;
}

static uint64_t unaliased(struct fake_cpu *c, uint64_t ipa)
{
        return !c->rsi_absent && c->ipa_bits ? ipa & ~(1ull << (c->ipa_bits - 1)) : ipa;
}

static enum cpu_result mmio_read(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t *val)
{
        *val = size < 8 ? (1ull << (8 * size)) - 1 : ~0ull; /* nothing answers... */
        if (unaliased(of(cpu), ipa) >= of(cpu)->console_base &&
            unaliased(of(cpu), ipa) < of(cpu)->console_base + 0x1000)
                *val = 0; /* ...but the PL011: FIFOs never full */
        return CPU_OK;
}

static enum cpu_result mmio_write(struct ccada_cpu *cpu, uint64_t ipa, unsigned size, uint64_t val)
{
        struct fake_cpu *c = of(cpu);
        (void)size;
        if (unaliased(c, ipa) == c->console_base + PL011_DR)
                (void)fputc((int)(val & 0xFF), c->console);
        return CPU_OK;
}

static void smc(struct ccada_cpu *cpu, struct smc_regs *r)
{
        struct fake_cpu *c = of(cpu);
        uint64_t fid = r->x[0];
        uint8_t *p;

        if (fid == PSCI_SYSTEM_OFF) {
                c->off = true;
                return;
        }
        if (c->rsi_absent) {
                r->x[0] = SMCCC_RET_NOT_SUPPORTED;
                return;
        }
        switch (fid) {
        case RSI_VERSION:
                r->x[0] = c->version_status;
                r->x[1] = c->version_lower;
                r->x[2] = c->version_higher;
                return;
        case RSI_REALM_CONFIG:
                r->x[0] = c->config_status;
                if (c->config_status == RSI_SUCCESS && ram_at(c, r->x[1], RSI_REALM_CONFIG_SIZE, &p)) {
                        memset(p, 0, RSI_REALM_CONFIG_SIZE);
                        st_le64(p + RSI_REALM_CONFIG_IPA_WIDTH, c->ipa_bits);
                }
                return;
        case RSI_MEASUREMENT_READ: /* index i reads as bytes 0xi0, 0xi1, ... */
                r->x[0] = r->x[1] < 5 ? RSI_SUCCESS : RSI_ERROR_INPUT;
                for (unsigned w = 0; w < 8; w++) {
                        uint64_t v = 0;
                        for (unsigned b = 0; b < 8; b++)
                                v |= (uint64_t)((r->x[1] << 4 | (w * 8 + b)) & 0xFF) << (8 * b);
                        r->x[1 + w] = v;
                }
                return;
        case RSI_IPA_STATE_SET: /* every range accepted in one go */
                r->x[0] = RSI_SUCCESS;
                r->x[1] = r->x[2];
                r->x[2] = RSI_ACCEPT;
                return;
        case RSI_IPA_STATE_GET: {
                uint64_t base = r->x[1];
                bool ram = base >= c->ram_base && base - c->ram_base < c->ram_size;
                r->x[0] = RSI_SUCCESS;
                r->x[1] = r->x[2];
                r->x[2] = ram ? RSI_RIPAS_RAM : RSI_RIPAS_EMPTY;
                return;
        }
        default:
                r->x[0] = SMCCC_RET_NOT_SUPPORTED;
                return;
        }
}

static void wfi(struct ccada_cpu *cpu) { (void)cpu; }

static const struct ccada_cpu_ops fake_cpu_ops = {
        .smc = smc, .load = load, .store = store, .copy = copy, .fill = fill,
        .mmio_read = mmio_read, .mmio_write = mmio_write, .wfi = wfi,
};

void fake_cpu_init(struct fake_cpu *c, uint64_t ram_size, const char *cmdline)
{
        memset(c, 0, sizeof(*c));
        c->cpu.ops = &fake_cpu_ops;
        c->ram_base = FAKE_CPU_RAM_BASE;
        c->ram_size = ram_size;
        c->console_base = FAKE_CPU_CONSOLE;
        c->ram = calloc(1, (size_t)ram_size);
        c->version_status = RSI_SUCCESS;
        c->version_lower = c->version_higher = RSI_ABI_VERSION_1_0;
        c->config_status = RSI_SUCCESS;
        c->ipa_bits = 40;
        c->console = open_memstream(&c->console_text, &c->console_len);
        struct realm_image_info info = {
                .ram_base = c->ram_base, .ram_size = ram_size, .console_base = c->console_base,
        };
        snprintf(info.cmdline, sizeof(info.cmdline), "%s", cmdline ? cmdline : "");
        if (!c->ram || !c->console || !realm_image_build(&info, c->ram, REALM_IMAGE_SIZE))
                abort();
}

void fake_cpu_fini(struct fake_cpu *c)
{
        if (c->console)
                (void)fclose(c->console);
        free(c->console_text);
        free(c->ram);
        memset(c, 0, sizeof(*c));
}

const char *fake_cpu_console(struct fake_cpu *c)
{
        (void)fflush(c->console);
        return c->console_text ? c->console_text : "";
}
