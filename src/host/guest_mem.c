/* The host's view of guest memory (see guest_mem.h): only what it mapped for the guest. */
#include "host/guest_mem.h"

#include "host/vm_internal.h"

_Static_assert(HOST_GPA_PAGE_SIZE == GRANULE_SIZE, "the host maps guest memory granule by granule");

/* PA of the NS page the host maps at gpa's page (the shared alias in a Realm, RAM in a normal
 * VM), or 0 when there is none. */
static uint64_t host_page(const struct host_vm *vm, uint64_t gpa)
{
        uint64_t i;
        if (vm->normal)
                return host_ram_index(vm, gpa, &i) ? vm->ram_pa[i] : 0;
        return (gpa & vm->shared_bit) && host_ram_index(vm, gpa, &i) ? vm->shared_pa[i] : 0;
}

static ccada_status from_hw(enum hw_result h)
{
        return h == HW_OK ? CCADA_OK : h == HW_GPF ? CCADA_E_GPF : CCADA_E_RANGE;
}

/* Bytes from gpa to the end of its page, at most len. */
static size_t page_piece(uint64_t gpa, size_t len)
{
        size_t room = (size_t)(GRANULE_SIZE - (gpa & GRANULE_MASK));
        return room < len ? room : len;
}

static ccada_status gpa_copy(struct host_vm *vm, uint64_t gpa, void *buf, size_t len, bool write)
{
        uint8_t *p = buf;
        while (len) {
                size_t n = page_piece(gpa, len);
                uint64_t page = host_page(vm, gpa);
                if (!page)
                        return CCADA_E_RANGE;
                uint64_t pa = page + (gpa & GRANULE_MASK);
                enum hw_result h = write ? hw_write(vm->mem, HW_WORLD_NS, pa, p, n, NULL)
                                         : hw_read(vm->mem, HW_WORLD_NS, pa, p, n, NULL);
                if (h != HW_OK)
                        return from_hw(h);
                gpa += n, p += n, len -= n;
        }
        return CCADA_OK;
}

ccada_status host_gpa_read(struct host_vm *vm, uint64_t gpa, void *dst, size_t len)
{
        return gpa_copy(vm, gpa, dst, len, false);
}

ccada_status host_gpa_write(struct host_vm *vm, uint64_t gpa, const void *src, size_t len)
{
        return gpa_copy(vm, gpa, (void *)(uintptr_t)src, len, true);
}

ccada_status host_gpa_map(struct host_vm *vm, uint64_t gpa, size_t len, bool write, struct iovec *iov,
                          unsigned max, unsigned *n)
{
        unsigned count = *n;
        size_t merged_len = count ? iov[count - 1].iov_len : 0; /* to restore on error */
        enum hw_access access = write ? HW_ACCESS_WRITE : HW_ACCESS_READ;

        while (len) {
                size_t piece = page_piece(gpa, len);
                uint64_t page = host_page(vm, gpa);
                void *p;
                ccada_status s = CCADA_E_RANGE;
                if (page)
                        s = from_hw(hw_map(vm->mem, HW_WORLD_NS, page + (gpa & GRANULE_MASK), piece, access,
                                           &p, NULL));
                if (s == CCADA_OK && count > 0 &&
                    (uint8_t *)iov[count - 1].iov_base + iov[count - 1].iov_len == p)
                        iov[count - 1].iov_len += piece;
                else if (s == CCADA_OK && count < max)
                        iov[count++] = (struct iovec){ .iov_base = p, .iov_len = piece };
                else if (s == CCADA_OK)
                        s = CCADA_E_NOSPC;
                if (s != CCADA_OK) {
                        if (*n)
                                iov[*n - 1].iov_len = merged_len;
                        return s;
                }
                gpa += piece, len -= piece;
        }
        *n = count;
        return CCADA_OK;
}
