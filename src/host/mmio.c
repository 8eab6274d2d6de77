/* The host's MMIO bus: dispatch an emulated access to the device that claims it. */
#include "host/vm_internal.h"

static struct host_mmio_dev *find_dev(struct host_vm *vm, uint64_t gpa)
{
        for (struct host_mmio_dev *d = vm->devs; d; d = d->next)
                if (gpa >= d->base && gpa - d->base < d->size)
                        return d;
        return NULL;
}

bool host_mmio_access(struct host_vm *vm, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
        struct host_mmio_dev *d = find_dev(vm, gpa);
        bool ok = false;
        if (size < 8)
                *val &= write ? (1ULL << (8 * size)) - 1 : ~0ULL;
        if (d)
                ok = write ? d->write(d, gpa - d->base, size, *val) : d->read(d, gpa - d->base, size, val);
        if (!write && size < 8)
                *val &= (1ULL << (8 * size)) - 1;
        if (trace_on(vm->tr, HOST_TRACE_MMIO))
                trace_emit(vm->tr, HOST_TRACE_MMIO, "dev=%s op=%s gpa=0x%llx size=%u val=0x%llx%s",
                           d ? d->name : "none", write ? "write" : "read", (unsigned long long)gpa, size,
                           (unsigned long long)*val, ok ? "" : " fault=SEA");
        if (ok) {
                write ? vm->stats.mmio_writes++ : vm->stats.mmio_reads++;
                write ? d->writes++ : d->reads++;
        }
        return ok;
}
