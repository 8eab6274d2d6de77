/* The Realm boot image format (see realm_image.h). */
#include <string.h>

#include "lib/bytes.h"
#include "proto/realm_image.h"

bool realm_image_build(const struct realm_image_info *info, uint8_t *buf, size_t len)
{
        struct byte_writer w;
        size_t cl = strnlen(info->cmdline, sizeof(info->cmdline));
        if (len < REALM_IMAGE_SIZE || cl >= REALM_IMAGE_CMDLINE_MAX)
                return false;
        memset(buf, 0, REALM_IMAGE_SIZE);
        bw_init(&w, buf, REALM_IMAGE_SIZE);
        bw_bytes(&w, REALM_IMAGE_MAGIC, 8);
        bw_le32(&w, REALM_IMAGE_VERSION);
        bw_le32(&w, REALM_IMAGE_SIZE);
        bw_le64(&w, info->ram_base);
        bw_le64(&w, info->ram_size);
        bw_le64(&w, info->console_base);
        bw_le64(&w, info->pci_ecam);
        bw_le64(&w, info->pci_mmio_base);
        bw_le64(&w, info->pci_mmio_size);
        bw_seek(&w, REALM_IMAGE_CMDLINE);
        bw_bytes(&w, info->cmdline, cl);
        return bw_ok(&w);
}

bool realm_image_parse(const uint8_t *buf, size_t len, struct realm_image_info *info)
{
        struct byte_reader r;
        uint8_t magic[8];
        br_init(&r, buf, len);
        br_bytes(&r, magic, sizeof(magic));
        uint32_t version = br_le32(&r), size = br_le32(&r);
        info->ram_base = br_le64(&r);
        info->ram_size = br_le64(&r);
        info->console_base = br_le64(&r);
        info->pci_ecam = br_le64(&r);
        info->pci_mmio_base = br_le64(&r);
        info->pci_mmio_size = br_le64(&r);
        br_seek(&r, REALM_IMAGE_CMDLINE);
        const uint8_t *cl = br_take(&r, REALM_IMAGE_CMDLINE_MAX);
        if (!br_ok(&r) || memcmp(magic, REALM_IMAGE_MAGIC, 8) || version != REALM_IMAGE_VERSION ||
            size != REALM_IMAGE_SIZE || !info->ram_size || info->ram_size & (REALM_IMAGE_PAGE_SIZE - 1) ||
            info->ram_base & (REALM_IMAGE_PAGE_SIZE - 1) || info->ram_base + info->ram_size < info->ram_base)
                return false;
        size_t n = strnlen((const char *)cl, REALM_IMAGE_CMDLINE_MAX);
        if (n == REALM_IMAGE_CMDLINE_MAX)
                return false; /* not terminated */
        memcpy(info->cmdline, cl, n + 1);
        return true;
}
