/* Access to memory the host controls (see kernel.h): the guest's one gateway to shared
 * pages, so that `grep rk_shared_` lists every read of host-controlled memory, as TF-RMM's
 * ns_buffer_read/ns_buffer_write do for the RMM. Built on the kernel's accesses, so the
 * fake kernels of the unit tests get the same checks. */
#include "realm/kernel.h"

/* In a Realm, host-controlled memory is reached only through the unprotected alias; a
 * normal VM has no alias (all its memory is the host's). A caller that passes a private IPA
 * has a bug: it gets an error and a warning, as Linux's WARN_ON would print. */
static bool shared_alias(struct realm_kernel *k, const char *what, uint64_t ipa)
{
        if (!rk_is_realm(k) || (ipa & rk_shared_bit(k)))
                return true;
        rk_printk(k, "WARNING: %s of private IPA 0x%llx: shared memory is reached through its alias", what,
                  (unsigned long long)ipa);
        return false;
}

ccada_status rk_shared_read(struct realm_kernel *k, uint64_t ipa, void *dst, size_t len)
{
        return shared_alias(k, "rk_shared_read", ipa) ? rk_read(k, ipa, dst, len) : CCADA_E_INVAL;
}

ccada_status rk_shared_write(struct realm_kernel *k, uint64_t ipa, const void *src, size_t len)
{
        return shared_alias(k, "rk_shared_write", ipa) ? rk_write(k, ipa, src, len) : CCADA_E_INVAL;
}

ccada_status rk_shared_fill(struct realm_kernel *k, uint64_t ipa, uint8_t byte, size_t len)
{
        return shared_alias(k, "rk_shared_fill", ipa) ? rk_fill(k, ipa, byte, len) : CCADA_E_INVAL;
}

ccada_status rk_shared_copy(struct realm_kernel *k, uint64_t dst, uint64_t src, size_t len)
{
        bool either = !rk_is_realm(k) || ((dst | src) & rk_shared_bit(k));
        return either || shared_alias(k, "rk_shared_copy", dst) ? rk_copy(k, dst, src, len) : CCADA_E_INVAL;
}
