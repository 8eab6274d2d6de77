/* The devices a board can put on a Realm's PCI bus: type -> constructor. The only place
 * that names a device model; machine.c builds each configured device through this table.
 *
 * Options are "key=value" or "flag" items, comma-separated, checked before the machine is
 * built (ccada_device_check) with the strict number parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccada/parse.h"
#include "host/net_slirp.h"
#include "host/net_snoop.h"
#include "host/virtio_blk_dev.h"
#include "host/virtio_net_dev.h"
#include "machine/machine_internal.h"
#include "lib/container.h"

/* ---- virtio-blk: a disk (options: file=PATH, ram, size=SIZE, writable) ---- */

#define BLK_OPTIONS "file=PATH, ram, size=SIZE, writable"

struct blk_opts {
        char file[4096];        /* "": not given */
        bool ram;
        bool writable;          /* the Realm may write to an image that holds data */
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
                } else if (n == 8 && !strncmp(p, "writable", 8)) {
                        o->writable = true;
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
                                 BLK_OPTIONS);
                        return false;
                }
                p += n + (end ? 1 : 0);
        }
        if (o->ram && o->file[0]) {
                snprintf(err, errlen, "virtio-blk: file= and ram exclude each other");
                return false;
        }
        if (o->ram && o->writable) {
                snprintf(err, errlen, "virtio-blk: writable is for an image file, not a RAM disk");
                return false;
        }
        return true;
}

/* Where disk i (slot 0: Realm A) of cfg keeps its data, from its options and the machine's
 * disk settings: Realm B's disks are always in RAM (a file cannot back two disks). */
static void blk_image(const struct ccada_machine_config *cfg, unsigned i, const struct blk_opts *o,
                      struct ccada_disk_image *img)
{
        memset(img, 0, sizeof(*img));
        img->size = o->size ? o->size : cfg->disk_size;
        img->ram = i > 0 || o->ram || (!o->file[0] && cfg->disk_ram);
        if (img->ram)
                return;
        const char *file = o->file[0] ? o->file : cfg->disk_path;
        if (file)
                snprintf(img->path, sizeof(img->path), "%s", file);
        img->own_file = o->file[0] != '\0';
        img->writable = o->writable || (!o->file[0] && cfg->disk_writable);
}

/* Says on stderr which disk could not be opened, why, and what to do. */
static void blk_say_why(const struct ccada_disk_image *img, ccada_status st, const struct blk_error *why)
{
        char size[32];
        snprintf(size, sizeof(size), "%llu bytes", (unsigned long long)img->size);
        if (img->ram) {
                fprintf(stderr, "virtio-blk: cannot allocate a RAM disk of %s: %s\n", size,
                        why->reason ? blk_error_text(why) : ccada_status_text(st));
        } else if (!img->path[0]) {
                const char *tmp = getenv("TMPDIR");
                fprintf(stderr, "virtio-blk: cannot create a temporary disk image in '%s': %s (set TMPDIR to a "
                        "writable directory, or put the disk in host RAM)\n", tmp && *tmp ? tmp : "/tmp",
                        why->reason ? blk_error_text(why) : ccada_status_text(st));
        } else if (why->reason == BLK_ERR_TOO_SMALL) {
                fprintf(stderr, "virtio-blk: disk image '%s' is smaller than a sector (512 bytes): give a larger "
                        "image, or a new path\n", img->path);
        } else {
                fprintf(stderr, "virtio-blk: cannot open disk image '%s': %s\n", img->path,
                        why->reason ? blk_error_text(why) : ccada_status_text(st));
        }
}

static void blk_close(void *obj)
{
        virtio_blk_dev_close(obj);
}

/* Realm A's disk as its options (else the machine's disk settings) say; Realm B's always
 * in RAM. An image file that holds data is written only when writable (else through a
 * copy-on-write overlay: virtio_blk_dev_open_file). */
static ccada_status blk_add(struct ccada_machine *m, unsigned i, const char *opts, unsigned devfn, void **obj,
                            void (**close)(void *))
{
        static const char *const serial[MACHINE_MAX_REALMS] = { "ccada-blk0", "ccada-blk1" };
        struct machine_slot *s = &m->slot[i];
        struct blk_opts o;
        struct ccada_disk_image img;
        char err[160];
        if (!blk_parse(opts, &o, err, sizeof(err)))
                return CCADA_E_INVAL;
        blk_image(&m->cfg, i, &o, &img);
        struct virtio_blk_dev_config bc = { .vm = s->vm, .trace = &m->trace, .serial = serial[i] };
        struct virtio_blk_dev *d;
        struct blk_error why = { 0 };
        ccada_status st;
        if (img.ram)
                st = virtio_blk_dev_open_ram(&d, &bc, img.size, &why);
        else if (img.path[0] && img.writable)
                st = virtio_blk_dev_open_file_writable(&d, &bc, img.path, img.size, &why);
        else if (img.path[0])
                st = virtio_blk_dev_open_file(&d, &bc, img.path, img.size, &why);
        else
                st = virtio_blk_dev_open_temp(&d, &bc, img.size, &why);
        if (st != CCADA_OK) {
                blk_say_why(&img, st, &why);
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

static bool blk_image_of(const struct ccada_machine_config *cfg, const char *opts, struct ccada_disk_image *img)
{
        struct blk_opts o;
        char err[1];
        if (!blk_parse(opts, &o, err, sizeof(err)))
                return false;
        blk_image(cfg, 0, &o, img);
        return true;
}

/* ---- virtio-net: a network card (options: user, restrict) ---- */

#define NET_OPTIONS "user, restrict"

struct net_opts {
        bool restrict_;         /* libslirp's restricted mode: nothing leaves the virtual network */
};

static bool net_parse(const char *opts, struct net_opts *o, char *err, size_t errlen)
{
        memset(o, 0, sizeof(*o));
        for (const char *p = opts ? opts : ""; *p;) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n == 4 && !strncmp(p, "user", 4)) {
                        /* the default and only backend: libslirp's user-mode NAT */
                } else if (n == 8 && !strncmp(p, "restrict", 8)) {
                        o->restrict_ = true;
                } else {
                        snprintf(err, errlen, "virtio-net: unknown option '%.*s' (options: %s)", (int)n, p,
                                 NET_OPTIONS);
                        return false;
                }
                p += n + (end ? 1 : 0);
        }
        return true;
}

static bool net_check(const char *opts, char *err, size_t errlen)
{
        struct net_opts o;
        return net_parse(opts, &o, err, errlen);
}

/* The card, and what the host does for it while the guest waits: frames from libslirp's
 * sockets are delivered then (host_idle_dev). */
struct net_card {
        struct host_idle_dev idle;
        struct virtio_net_dev *dev;
        struct host_vm *vm;
};

static bool net_idle_poll(struct host_idle_dev *idle, int timeout_ms)
{
        struct net_card *c = container_of(idle, struct net_card, idle);
        unsigned delivered = 0;
        return virtio_net_dev_poll(c->dev, timeout_ms, &delivered) == CCADA_OK && delivered > 0;
}

/* Section "net_host_view": what the host could read of the guest's traffic. */
static void net_report(const void *obj, struct ccada_report *r)
{
        const struct net_card *c = obj;
        struct net_snoop_findings *f = calloc(1, sizeof(*f));
        if (!f)
                return;
        net_snoop_findings(virtio_net_dev_backend(c->dev), f);
        struct ccada_report_section *s = ccada_report_section(r, "net_host_view");
        ccada_report_u64(s, "frames_out", f->out.frames);
        ccada_report_u64(s, "frames_in", f->in.frames);
        ccada_report_u64(s, "tcp_bytes_out", f->out.tcp_bytes);
        ccada_report_u64(s, "tcp_bytes_in", f->in.tcp_bytes);
        ccada_report_u64(s, "tls_records_out", f->out.tls_records);
        ccada_report_u64(s, "tls_records_in", f->in.tls_records);
        ccada_report_text(s, "http_out", f->http_out);
        ccada_report_text(s, "http_in", f->http_in);
        ccada_report_bool(s, "cca_token_in_clear", f->cca_token_out);
        ccada_report_bool(s, "rsa_jwk_in_clear", f->jwk_out);
        ccada_report_bool(s, "wrapped_key_in_clear", f->wrapped_key_in);
        free(f);
}

static void net_close(void *obj)
{
        struct net_card *c = obj;
        host_vm_remove_idle(c->vm, &c->idle);
        virtio_net_dev_close(c->dev);
        free(c);
}

static ccada_status net_add(struct ccada_machine *m, unsigned i, const char *opts, unsigned devfn, void **obj,
                            void (**close)(void *))
{
        struct machine_slot *s = &m->slot[i];
        struct net_opts o;
        struct net_backend *b;
        char err[160];
        if (!net_parse(opts, &o, err, sizeof(err)))
                return CCADA_E_INVAL;
        struct net_card *c = calloc(1, sizeof(*c));
        if (!c)
                return CCADA_E_NOMEM;
        struct net_slirp_config sc = { .restricted = o.restrict_ };
        ccada_status st = net_slirp_open(&b, &sc);
        if (st != CCADA_OK) {
                fprintf(stderr, "virtio-net: cannot start libslirp's user-mode network: %s\n", ccada_status_text(st));
                free(c);
                return st;
        }
        if ((st = net_snoop_open(&b, b)) != CCADA_OK) { /* the host keeps what it sees */
                free(c);
                return st;
        }
        struct virtio_net_dev_config nc = { .vm = s->vm, .trace = &m->trace };
        if ((st = virtio_net_dev_open(&c->dev, &nc, b)) != CCADA_OK) { /* b is closed */
                free(c);
                return st;
        }
        if ((st = host_pci_bus_add(&s->pci, virtio_net_dev_func(c->dev), devfn)) != CCADA_OK) {
                virtio_net_dev_close(c->dev);
                free(c);
                return st;
        }
        c->vm = s->vm;
        c->idle = (struct host_idle_dev){ .name = "virtio-net", .poll = net_idle_poll };
        host_vm_add_idle(s->vm, &c->idle);
        *obj = c;
        *close = net_close;
        return CCADA_OK;
}

/* ---- tdisp: ccada-dev, the board's physical device, assigned to Realm A (pdev_attest.c) ----
 * Not on the Realm's emulated bus: the host assigns it through the RMM (RMI_PDEV_*, RMI_VDEV_*)
 * and the Realm accepts it itself. Its options are --pdev's (the CLI gives them there); the
 * machine must have the device (cfg.pdev.present). */

static bool tdisp_check(const char *opts, char *err, size_t errlen)
{
        (void)opts; /* the CLI parsed them into cfg.pdev already */
        (void)err, (void)errlen;
        return true;
}

static void tdisp_close(void *obj)
{
        (void)obj; /* pdev_attest.c owns the device */
}

static ccada_status tdisp_add(struct ccada_machine *m, unsigned i, const char *opts, unsigned devfn, void **obj,
                              void (**close)(void *))
{
        (void)opts, (void)devfn;
        *obj = NULL;
        *close = tdisp_close;
        if (!m->cfg.pdev.present || m->cfg.normal_vm)
                return CCADA_E_INVAL; /* no physical device to assign, or no RMM to assign it */
        return i == 0 ? CCADA_OK : CCADA_E_INVAL; /* one device: Realm A's */
}

/* ---- the table ---- */

static const struct device_type {
        const char *name, *summary;
        bool (*check)(const char *opts, char *err, size_t errlen);
        ccada_status (*add)(struct ccada_machine *m, unsigned i, const char *opts, unsigned devfn, void **obj,
                            void (**close)(void *));
        /* Where a disk keeps its data; NULL for a device that has no disk. */
        bool (*image)(const struct ccada_machine_config *cfg, const char *opts, struct ccada_disk_image *img);
        /* What the host saw of its traffic, into the report; NULL: nothing. */
        void (*report)(const void *obj, struct ccada_report *r);
} types[] = {
        { "virtio-blk", "a disk; options: " BLK_OPTIONS, blk_check, blk_add, blk_image_of, NULL },
        { "virtio-net", "a network card on libslirp's user-mode NAT (10.0.2.15, host 10.0.2.2); options: " NET_OPTIONS,
          net_check, net_add, NULL, net_report },
        { "tdisp", "ccada-dev assigned over TDISP and IDE: attested, locked, verified and started by the Realm,\n"
                   "                     its DMA straight into private memory (no bounce); options: --pdev's",
          tdisp_check, tdisp_add, NULL, NULL },
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

bool ccada_device_image(const struct ccada_machine_config *cfg, unsigned d, struct ccada_disk_image *img)
{
        const struct device_type *t = cfg && img && d < cfg->ndevices ? find(cfg->devices[d].type) : NULL;
        return t && t->image && t->image(cfg, cfg->devices[d].opts, img);
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
                s->dev[s->ndev++].report = t->report;
        return st;
}
