/* The board's private state, shared by the files of src/machine (machine.c builds and runs
 * it; devices.c and workloads.c are its tables). */
#ifndef CCADA_MACHINE_INTERNAL_H
#define CCADA_MACHINE_INTERNAL_H

#include "ccada/machine.h"
#include "ccada/report.h"
#include "host/host.h"
#include "host/pci.h"
#include "host/pl011.h"
#include "hw/hw.h"
#include "lib/trace.h"
#include "machine/board.h"
#include "realm/kernel.h"
#include "rmm/rmm.h"

/* A device the board built, and how it is closed. */
struct machine_device {
        void *obj;
        void (*close)(void *obj);
        /* What the host saw of the device's traffic, into the run's report (NULL: nothing). */
        void (*report)(const void *obj, struct ccada_report *r);
};

/* Machine-wide counters (RMI and RSI calls, granule protection faults), or one Realm's
 * share of them. */
struct slot_meter {
        uint64_t rmi_calls, rsi_calls, gpf;
};

/* One Realm with everything it owns. */
struct machine_slot {
        struct host_vm *vm;
        struct realm_kernel *kernel;
        struct pl011 uart;
        struct host_pci_bus pci;
        struct machine_device dev[CCADA_MAX_DEVICES]; /* on the PCI bus, in slot order */
        unsigned ndev;
        uint8_t rpv[64];
        struct slot_meter meter;        /* counted while the board built or stepped it */
        bool off;                       /* powered off */
};

/* The physical device and what the board saw of its attestation (pdev_attest.c). */
struct pdev;
struct machine_pdev;
/* Builds the device when the config asks for one (why: what was wrong, e.g. a certificate
 * directory that cannot be read); then, at boot, the RMM attests it. */
ccada_status machine_pdev_build(struct ccada_machine *m, char *why, size_t whylen);
ccada_status machine_pdev_attest(struct ccada_machine *m);
/* Once the Realm exists: the Root Port, the IDE stream, the Realm's VDEV, LOCK and the report. */
ccada_status machine_pdev_assign(struct ccada_machine *m);
/* The Realms' kernels get their owner's trust for the device (root, reference policy). */
ccada_status machine_pdev_provision(struct ccada_machine *m);
/* The host's answers to the Realm about its device: HOSTCALL_DEV_OBJECT (a cached object's
 * bytes into the Realm's shared buffer) and the VDEV granule for a vdev_id (ctx: the machine). */
void machine_pdev_object(const struct ccada_machine *m, const uint64_t in[31], uint64_t out[31]);
uint64_t machine_vdev_lookup(void *ctx, uint64_t vdev_id);
/* HOSTCALL_DEV_MMIO (where the host mapped the device's BAR for the Realm) and
 * HOSTCALL_DEV_START (RMI_VDEV_START for the Realm that accepted the device). */
void machine_pdev_mmio(const struct ccada_machine *m, const uint64_t in[31], uint64_t out[31]);
void machine_pdev_start(struct ccada_machine *m, const uint64_t in[31], uint64_t out[31]);
void machine_pdev_report(const struct ccada_machine *m, struct ccada_report *r);
void machine_pdev_free(struct ccada_machine *m);

struct ccada_machine {
        struct ccada_machine_config cfg;
        struct trace trace;
        struct hw_mem *mem;
        struct ccada_rmm *rmm;
        struct machine_slot slot[MACHINE_MAX_REALMS];
        unsigned nslots;
        bool booted, ran;
        ccada_status boot_status;       /* what machine_boot gave (once booted) */
        struct machine_pdev *pdev;      /* the physical device (NULL: none) */
};


/* Builds device d (its type's constructor) on slot i's PCI bus at device number devfn, and
 * records it in the slot (closed with the machine). Errors: CCADA_E_INVAL (an unknown type or
 * malformed options), and the constructor's own. */
ccada_status machine_device_add(struct ccada_machine *m, unsigned i, const struct ccada_device_cfg *d, unsigned devfn);

#endif
