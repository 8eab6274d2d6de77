/* Attacks on an assigned device that are not the DOE relay's (host/doe_attacks.h): an
 * interposer on the link between the Root Port and ccada-dev (hw/link.h's tap: it sees every
 * byte on the wire and may change, swap or drop TLPs), and a host that writes the
 * configuration of a TDI locked for the Realm. Each must be detected and contained: the
 * interposer learns only ciphertext; a changed or replayed TLP fails its IDE check, both ends
 * go Insecure and the TDI to ERROR, and nothing it carried reaches the Realm; a locked TDI
 * written by the host goes to ERROR and is never started; a device of another vendor, or one
 * running firmware its owner did not approve, is refused by the Realm (CHAIN, FIRMWARE) and
 * never started; a device that writes memory on its own (before it may, or where the Realm
 * never pointed it) is refused by the SMMU, and nothing it wrote lands. `ccada demo --attack
 * NAME`. */
#ifndef CCADA_MACHINE_LINK_ATTACKS_H
#define CCADA_MACHINE_LINK_ATTACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/link.h"

enum link_attack_kind {
        LINK_SNOOP,        /* keeps a copy of every payload on the wire */
        LINK_FLIP,         /* flips a bit of the first TDI payload the device sends */
        LINK_REPLAY,       /* sends the device's first TDI write again in place of its second */
        HOST_LOCKED_BAR,   /* the host moves BAR0 after the TDI was locked */
        DEVICE_OTHER_CA,   /* the device's certificates chain to a CA the Realm's owner does not
                            * trust (the platform's TSM does: it attests it) */
        DEVICE_WRONG_FW,   /* the device runs firmware the Realm's owner did not approve */
        DEVICE_DMA_EARLY,  /* the device writes the Realm's memory before it may: before it is
                            * accepted (T=0), and once RUN before the Realm enabled its DMA */
        DEVICE_DMA_STRAY,  /* the accepted device, DMA enabled, writes where the Realm never
                            * pointed it: pages it has not validated as RAM */
};

struct link_attack {
        const char *name;
        const char *what;       /* one line: what the attacker does */
        const char *expect;     /* what catches it */
        enum link_attack_kind kind;
};

#define LINK_TAP_CAPTURE_MAX (4u << 20)  /* payload bytes a snooper keeps */

/* The interposer's state (the tap's ctx). */
struct link_tap {
        const struct link_attack *attack;
        uint64_t tlps, sealed;          /* TLPs seen, of them with the IDE prefix */
        uint64_t tdi_data, clear_data;  /* TLPs with a payload: T=1 (the TDI's), and in clear */
        unsigned hits;                  /* TLPs changed */
        uint8_t saved[HW_TLP_MAX_WIRE]; /* LINK_REPLAY: the TLP it keeps */
        size_t saved_len;
        uint8_t *captured;              /* LINK_SNOOP: payloads as seen on the wire */
        size_t captured_len;
};

/* One write the device makes on its own, as a rogue or buggy firmware would: 64 bytes at
 * iova (an IPA for a T=1 request, a PA for T=0; the TDI's state picks, pdev.h). pa is the
 * memory behind it that the board can observe (0: none), read as Root before and after. */
struct rogue_dma {
        const char *target;     /* what it aims at, for the story */
        uint64_t iova, pa;
        bool sent;              /* the device put it on the link (a refused MWr is invisible to it) */
        bool refused;           /* the SMMU refused it: a fault record for it */
        bool unchanged;         /* pa's 64 bytes as they were (true without a pa) */
        char reason[24];        /* the SMMU's reason (hw_dma_reason_name) */
};

struct pdev;
struct hw_root_port;
struct hw_mem;
/* Makes the device d send the write s names through its link to root port rp; fills in the
 * rest of s from what rp and mem saw. */
void link_attack_rogue_dma(struct pdev *d, struct hw_root_port *rp, struct hw_mem *mem, struct rogue_dma *s);
/* True when every one of the n writes went out, was refused and changed nothing. */
bool link_attack_rogue_contained(const struct rogue_dma *s, size_t n);

const struct link_attack *link_attack_find(const char *name);
/* The table, in the order `--attack list` prints it (after the DOE relay's). */
const struct link_attack *link_attacks(size_t *n);

/* The tap (hw_link_tap_fn) with a struct link_tap as ctx. */
enum hw_tap_verdict link_tap(void *ctx, enum hw_link_end from, uint8_t *wire, size_t *len, size_t cap);
void link_tap_free(struct link_tap *t); /* the capture; the struct is the caller's */

/* LINK_SNOOP: how many 16-byte blocks of plain (each block of it, at any 16-byte offset of
 * plain) appear at 16-byte offsets of a captured payload. */
size_t link_tap_plaintext_blocks(const struct link_tap *t, const uint8_t *plain, size_t len);

#endif
