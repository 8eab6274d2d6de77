/* The device-assignment structure codecs under arbitrary bytes: the RMM decodes RmiPdevParams,
 * RmiPublicKeyParams and the Enter half of RmiDevCommData from pages the host wrote (and the
 * host decodes the Exit half the RMM wrote). Input: up to three 4 KiB pages, missing bytes
 * zero. What must hold: no read outside a page (ASan), and decode -> encode -> decode is the
 * identity on the decoded fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rmi_da.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE 0x1000

static void page_from(const uint8_t *data, size_t size, size_t *off, uint8_t *page)
{
        size_t n = size - *off < PAGE ? size - *off : PAGE;
        memset(page, 0, PAGE);
        memcpy(page, data + *off, n);
        *off += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t in[PAGE], out[PAGE];
        static struct rmi_pubkey_params k, k2;
        struct rmi_pdev_params p, p2;
        struct rmi_dev_comm_enter e, e2;
        struct rmi_dev_comm_exit x, x2;
        size_t off = 0;

        memset(&p, 0, sizeof(p));
        memset(&p2, 0, sizeof(p2));
        page_from(data, size, &off, in);
        rmi_pdev_params_decode(in, &p);
        rmi_pdev_params_encode(&p, out);
        rmi_pdev_params_decode(out, &p2);
        if (memcmp(&p, &p2, sizeof(p)) != 0)
                abort();

        memset(&k, 0, sizeof(k));
        memset(&k2, 0, sizeof(k2));
        page_from(data, size, &off, in);
        rmi_pubkey_params_decode(in, &k);
        rmi_pubkey_params_encode(&k, out);
        rmi_pubkey_params_decode(out, &k2);
        if (memcmp(&k, &k2, sizeof(k)) != 0)
                abort();

        memset(&e, 0, sizeof(e));
        memset(&e2, 0, sizeof(e2));
        memset(&x, 0, sizeof(x));
        memset(&x2, 0, sizeof(x2));
        page_from(data, size, &off, in);
        rmi_dev_comm_enter_decode(in, &e);
        rmi_dev_comm_exit_decode(in, &x);
        rmi_dev_comm_enter_encode(&e, out);
        rmi_dev_comm_exit_encode(&x, out);
        rmi_dev_comm_enter_decode(out, &e2);
        rmi_dev_comm_exit_decode(out, &x2);
        if (memcmp(&e, &e2, sizeof(e)) != 0 || memcmp(&x, &x2, sizeof(x)) != 0)
                abort();
        return 0;
}
