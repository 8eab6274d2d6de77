/* SWIOTLB back-pressure (beyond Linux; see swiotlb.h (b)): a mapping that finds no free
 * slots waits for unmaps instead of failing, through the Realm's one concurrency story
 * (realm/sync.h): rk_wait rounds in the machine, a condition wait when threaded. */
#include "realm/swiotlb_internal.h"

/* ---- back-pressure (beyond Linux; see swiotlb.h (b)) ---- */

static long bp_condwait(struct swiotlb *tlb, const struct slot_req *rq, unsigned cpu,
                        struct io_tlb_pool **pool)
{
        struct rk_deadline until = rk_deadline_after(tlb->cfg.wait_ms);
        unsigned seen;
        long slot = -1;
        bool in_time = true;

        rk_lock_acquire(&tlb->bp_lock);
        for (;;) {
                unsigned long seq = tlb->bp_seq;

                rk_lock_release(&tlb->bp_lock);
                slot = swiotlb_find_slots(tlb, rq, cpu, pool, &seen);
                if (slot >= 0)
                        return slot;
                rk_lock_acquire(&tlb->bp_lock);
                /* seq was read before the search: an unmap in between is not lost. */
                while (seq == tlb->bp_seq && in_time)
                        in_time = rk_event_wait(&tlb->bp_event, &tlb->bp_lock, &until);
                if (seq == tlb->bp_seq)
                        break;
        }
        rk_lock_release(&tlb->bp_lock);
        return -1;
}

long swiotlb_bp_wait(struct swiotlb *tlb, struct dma_dev *dev, const struct slot_req *rq,
                    unsigned cpu, struct io_tlb_pool **pool)
{
        unsigned rounds = tlb->cfg.threaded ? 1 : SWIOTLB_BP_WFI_ROUNDS;
        unsigned seen;
        long slot;

        atomic_fetch_add(&tlb->bp_waits, 1);
        for (unsigned r = 0; r < rounds; r++) {
                if (tlb->reclaim) {
                        tlb->reclaim(dev);
                        slot = swiotlb_find_slots(tlb, rq, cpu, pool, &seen);
                        if (slot >= 0)
                                return slot;
                }
                rk_wait(tlb->k);
                slot = swiotlb_find_slots(tlb, rq, cpu, pool, &seen);
                if (slot >= 0)
                        return slot;
        }
        return tlb->cfg.threaded ? bp_condwait(tlb, rq, cpu, pool) : -1;
}

void swiotlb_bp_signal(struct swiotlb *tlb)
{
        if (!tlb->cfg.backpressure)
                return;
        rk_lock_acquire(&tlb->bp_lock);
        tlb->bp_seq++;
        rk_event_signal_all(&tlb->bp_event);
        rk_lock_release(&tlb->bp_lock);
}

