/* The Realm's boot-image parser under arbitrary bytes (the kernel parses the image the host
 * loaded before anything has checked it). What must hold: the parser never reads outside
 * the bytes it was given (ASan); what it accepts satisfies the rules it promises (RAM
 * page-aligned, non-empty, not wrapping; the command line NUL-terminated within its field);
 * and an accepted image builds back into one that parses to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/realm_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        uint8_t *in = malloc(size ? size : 1); /* exactly the input: ASan sees any overrun */
        struct realm_image_info info, again;
        if (!in)
                abort();
        memcpy(in, data, size);
        memset(&info, 0, sizeof(info));
        memset(&again, 0, sizeof(again));
        if (realm_image_parse(in, size, &info)) {
                if (!info.ram_size || info.ram_size % REALM_IMAGE_PAGE_SIZE || info.ram_base % REALM_IMAGE_PAGE_SIZE ||
                    info.ram_base + info.ram_size < info.ram_base ||
                    strnlen(info.cmdline, sizeof(info.cmdline)) == sizeof(info.cmdline))
                        abort();
                uint8_t *img = malloc(REALM_IMAGE_SIZE);
                if (!img || !realm_image_build(&info, img, REALM_IMAGE_SIZE) ||
                    !realm_image_parse(img, REALM_IMAGE_SIZE, &again))
                        abort();
                size_t n = strlen(info.cmdline);
                if (again.ram_base != info.ram_base || again.ram_size != info.ram_size ||
                    again.console_base != info.console_base || again.pci_ecam != info.pci_ecam ||
                    again.pci_mmio_base != info.pci_mmio_base || again.pci_mmio_size != info.pci_mmio_size ||
                    strlen(again.cmdline) != n || memcmp(again.cmdline, info.cmdline, n) != 0)
                        abort();
                free(img);
        }
        free(in);
        return 0;
}
