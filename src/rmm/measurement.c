/* Realm Initial Measurement and Realm Extensible Measurements.
 * DEN0137 1.0 A7.1 (measurement model), B4.3.x.4 (what each command measures),
 * C1.11-C1.13 (RmmMeasurementDescriptorData / Rec / Ripas).
 *
 * Every descriptor is 256 bytes, zero except: desc_type @0x0 (1 byte), len @0x8 (8 bytes,
 * = 0x100), rim @0x10 (64 bytes: the current RIM, zero-padded past the hash size), and
 * its own fields from 0x50. RIM := H(descriptor). */
#include <string.h>

#include "lib/bytes.h"
#include "rmm/rmm_internal.h"

#define MEAS_DESC_SIZE   0x100
#define MEAS_DESC_TYPE   0x00
#define MEAS_DESC_LEN    0x08
#define MEAS_DESC_RIM    0x10
#define MEAS_DESC_FIELDS 0x50

#define MEAS_TYPE_DATA  0x0
#define MEAS_TYPE_REC   0x1
#define MEAS_TYPE_RIPAS 0x2

static void desc_begin(const struct realm *r, uint8_t *d, uint8_t type)
{
        memset(d, 0, MEAS_DESC_SIZE);
        d[MEAS_DESC_TYPE] = type;
        st_le64(d + MEAS_DESC_LEN, MEAS_DESC_SIZE);
        memcpy(d + MEAS_DESC_RIM, r->rim, 64);
}

static bool rim_update(struct realm *r, const uint8_t *d)
{
        uint8_t h[HASH_MAX_LEN] = { 0 };
        if (!hasher_digest(r->meas, d, MEAS_DESC_SIZE, h))
                return false;
        memset(r->rim, 0, sizeof(r->rim));
        memcpy(r->rim, h, hash_len(r->hash));
        return true;
}

/* REALM_CREATE: RIM0 = H(RmiRealmParams page holding only the measured fields). */
bool measure_realm_create(struct realm *r, const struct rmi_realm_params *p)
{
        const struct rmi_realm_params measured = {
                .flags = p->flags, .s2sz = p->s2sz, .sve_vl = p->sve_vl, .num_bps = p->num_bps,
                .num_wps = p->num_wps, .pmu_num_ctrs = p->pmu_num_ctrs, .hash_algo = p->hash_algo,
        };
        uint8_t page[RMI_REALM_PARAMS_SIZE];
        uint8_t h[HASH_MAX_LEN] = { 0 };

        rmi_realm_params_encode(&measured, page);
        if (!hasher_digest(r->meas, page, sizeof(page), h))
                return false;
        memset(r->rim, 0, sizeof(r->rim));
        memcpy(r->rim, h, hash_len(r->hash));
        memset(r->rem, 0, sizeof(r->rem));
        return true;
}

/* DATA_CREATE: content = H(granule) when measured, else zero. */
bool measure_data(struct realm *r, uint64_t ipa, uint64_t flags, const uint8_t *content4k)
{
        uint8_t d[MEAS_DESC_SIZE];
        desc_begin(r, d, MEAS_TYPE_DATA);
        st_le64(d + MEAS_DESC_FIELDS, ipa);
        st_le64(d + MEAS_DESC_FIELDS + 8, flags);
        if (flags & RMI_MEASURE_CONTENT) {
                if (!hasher_digest(r->meas, content4k, GRANULE_SIZE, d + MEAS_DESC_FIELDS + 0x10))
                        return false;
        }
        return rim_update(r, d);
}

/* REC_CREATE (runnable RECs only): content = H(RmiRecParams page with flags, pc, gprs). */
bool measure_rec(struct realm *r, const struct rmi_rec_params *p)
{
        struct rmi_rec_params measured = { .flags = p->flags, .pc = p->pc };
        uint8_t page[RMI_REC_PARAMS_SIZE];
        uint8_t d[MEAS_DESC_SIZE];

        memcpy(measured.gprs, p->gprs, sizeof(measured.gprs));
        rmi_rec_params_encode(&measured, page);
        desc_begin(r, d, MEAS_TYPE_REC);
        if (!hasher_digest(r->meas, page, sizeof(page), d + MEAS_DESC_FIELDS))
                return false;
        return rim_update(r, d);
}

/* RTT_INIT_RIPAS: one extension per RTT entry, [base, top) of that entry. */
bool measure_ripas(struct realm *r, uint64_t base, uint64_t top)
{
        uint8_t d[MEAS_DESC_SIZE];
        desc_begin(r, d, MEAS_TYPE_RIPAS);
        st_le64(d + MEAS_DESC_FIELDS, base);
        st_le64(d + MEAS_DESC_FIELDS + 8, top);
        return rim_update(r, d);
}

/* RSI_MEASUREMENT_EXTEND: REM[i] = H(REM[i] (hash size bytes) || value[0..size)).
 * index is 1..4 (validated by the caller). */
bool measure_extend_rem(struct realm *r, unsigned index, const uint8_t *val, size_t size)
{
        uint8_t buf[HASH_MAX_LEN + RSI_MEASUREMENT_MAX];
        uint8_t h[HASH_MAX_LEN] = { 0 };
        size_t hl = hash_len(r->hash);
        uint8_t *rem = r->rem[index - 1];

        memcpy(buf, rem, hl);
        memcpy(buf + hl, val, size);
        if (!hasher_digest(r->meas, buf, hl + size, h))
                return false;
        memset(rem, 0, 64);
        memcpy(rem, h, hl);
        return true;
}
