/* The devices a board can put on a Realm's PCI bus: type -> constructor. The only place
 * that names a device model; machine.c builds each configured device through this table.
 *
 * Options are "key=value" or "flag" items, comma-separated, checked before the machine is
 * built (ccada_device_check) with the strict number parser. */
#include <stdio.h>
#include <string.h>

#include "ccada/parse.h"
#include "host/virtio_blk_dev.h"
#include "machine/machine_internal.h"
#include "lib/container.h"

/* ---- virtio-blk: a disk (options: file=PATH, ram, size=SIZE) ---- */

struct blk_opts {
        char file[4096];        /* "": not given */
        bool ram;
        uint64_t size;          /* 0: not given */
};

/* Parses opts into o; false with the reason in err. */
static bool blk_parse(const char *opts, struct blk_opts *o, char *err, size_t errlen)
{
        memset(o, 0, sizeof(*o));
        for (const char *p = opts ? opts : ""; *p;) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n == 3 && !strncmp(p, "ram", 3)) {
                        o->ram = true;
                } else if (n > 5 && !strncmp(p, "file=", 5)) {
                        if (n - 5 >= sizeof(o->file)) {
                                snprintf(err, errlen, "virtio-blk: file= is longer than %zu bytes",
                                         sizeof(o->file) - 1);
                                return false;
                        }
                        memcpy(o->file, p + 5, n - 5);
                        o->file[n - 5] = '\0';
                } else if (n > 5 && !strncmp(p, "size=", 5)) {
                        enum ccada_number_error e = ccada_parse_size(p + 5, n - 5, &o->size);
                        if (e != CCADA_NUMBER_OK || o->size < 512) {
                                snprintf(err, errlen, "virtio-blk: size='%.*s' %s", (int)(n - 5), p + 5,
                                         e != CCADA_NUMBER_OK ? ccada_number_error_text(e)
                                                              : "is less than a sector");
                                return false;
                        }
                } else {
                        snprintf(err, errlen, "virtio-blk: unknown option '%.*s' (options: %s)", (int)n, p,
                                 "file=PATH, ram, size=SIZE");
                        return false;
                }
                p += n + (end ? 1 : 0);
        }
        if (o->ram && o->file[0]) {
                snprintf(err, errlen, "virtio-blk: file= and ram exclude each other");
                return false;
        }
        return true;
}

static void blk_close(void *obj)
{
        virtio_blk_dev_close(obj);
}

/* Realm A's disk as its options (else the machine's disk settings) say; Realm B's always
 * in RAM (a file cannot back two disks). */
static ccada_status blk_add(struct ccada_machine *m, unsigned i, const char *opts, unsigned devfn, void **obj,
                            void (**close)(void *))
{
        static const char *const serial[MACHINE_MAX_REALMS] = { "ccada-blk0", "ccada-blk1" };
        struct machine_slot *s = &m->slot[i];
        struct blk_opts o;
        char err[160];
        if (!blk_parse(opts, &o, err, sizeof(err)))
                return CCADA_E_INVAL;
        uint64_t size = o.size ? o.size : m->cfg.disk_size;
        const char *file = o.file[0] ? o.file : m->cfg.disk_path;
        struct virtio_blk_dev_config bc = { .vm = s->vm, .trace = &m->trace, .serial = serial[i] };
        struct virtio_blk_dev *d;
        struct blk_error why = { 0 };
        ccada_status st;
        bool ram = i > 0 || o.ram || (!o.file[0] && m->cfg.disk_ram);
        if (ram)
                st = virtio_blk_dev_open_ram(&d, &bc, size, &why);
        else if (file)
                st = virtio_blk_dev_open_file(&d, &bc, file, size, &why);
        else
                st = virtio_blk_dev_open_temp(&d, &bc, size, &why);
        if (st != CCADA_OK) {
                /* Say which disk and why: the status alone ("I/O error") does not help. */
                const char *what = ram ? "a RAM disk" : file ? "'" : "a temporary image";
                const char *reason = why.reason ? blk_error_reason_name(why.reason) : ccada_status_text(st);
                fprintf(stderr, "virtio-blk: cannot open %s%s%s: %s%s%s\n", what, !ram && file ? file : "",
                        !ram && file ? "'" : "", reason, why.sys_errno ? ": " : "",
                        why.sys_errno ? strerror(why.sys_errno) : "");
                return st;
        }
        if ((st = host_pci_bus_add(&s->pci, virtio_blk_dev_func(d), devfn)) != CCADA_OK) {
                virtio_blk_dev_close(d);
                return st;
        }
        *obj = d;
        *close = blk_close;
        return CCADA_OK;
}

static bool blk_check(const char *opts, char *err, size_t errlen)
{
        struct blk_opts o;
        return blk_parse(opts, &o, err, errlen);
}

/* ---- the table ---- */

static const struct device_type {
        const char *name, *summary;
        bool (*check)(const char *opts, char *err, size_t errlen);
        ccada_status (*add)(struct ccada_machine *m, unsigned i, const char *opts, unsigned devfn, void **obj,
                            void (**close)(void *));
} types[] = {
        { "virtio-blk", "a disk; options: file=PATH, ram, size=SIZE", blk_check, blk_add },
};
#define NTYPES (ARRAY_SIZE(types))

static const struct device_type *find(const char *name)
{
        for (size_t i = 0; name && i < NTYPES; i++)
                if (!strcmp(types[i].name, name))
                        return &types[i];
        return NULL;
}

size_t ccada_device_type_count(void) { return NTYPES; }
const char *ccada_device_type_name(size_t i) { return i < NTYPES ? types[i].name : NULL; }
const char *ccada_device_type_summary(size_t i) { return i < NTYPES ? types[i].summary : NULL; }

bool ccada_device_check(const struct ccada_device_cfg *d, char *err, size_t errlen)
{
        char scratch[1];
        if (!err || !errlen)
                err = scratch, errlen = sizeof(scratch);
        const struct device_type *t = find(d->type);
        if (!t) {
                snprintf(err, errlen, "unknown device type '%s'", d->type ? d->type : "(none)");
                return false;
        }
        return t->check(d->opts, err, errlen);
}

ccada_status machine_device_add(struct ccada_machine *m, unsigned i, const struct ccada_device_cfg *d,
                                unsigned devfn)
{
        struct machine_slot *s = &m->slot[i];
        const struct device_type *t = find(d->type);
        if (!t || s->ndev >= CCADA_MAX_DEVICES)
                return CCADA_E_INVAL;
        ccada_status st = t->add(m, i, d->opts, devfn, &s->dev[s->ndev].obj, &s->dev[s->ndev].close);
        if (st == CCADA_OK)
                s->ndev++;
        return st;
}
