/* src/lib/aead.c: AES-GCM and ChaCha20-Poly1305 over OpenSSL.
 * Known answers: McGrew & Viega, "The Galois/Counter Mode of Operation" test cases 4
 * (AES-128) and 16 (AES-256); RFC 8439 §2.8.2 (ChaCha20-Poly1305). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/aead.h"
#include "lib/crypto.h"

static size_t unhex(const char *hex, uint8_t *out)
{
        size_t n;
        assert_true(hex_decode(hex, out, 512, &n));
        return n;
}

static const char gcm_p[] = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char gcm_a[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
static const char gcm_iv[] = "cafebabefacedbaddecaf888";

struct vec {
        enum aead_alg alg;
        const char *key, *iv, *aad, *pt, *ct, *tag;
};

static const struct vec vecs[] = {
        { AEAD_AES_128_GCM, "feffe9928665731c6d6a8f9467308308", gcm_iv, gcm_a, gcm_p,
          "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
          "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
          "5bc94fbc3221a5db94fae95ae7121a47" },
        { AEAD_AES_256_GCM, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", gcm_iv, gcm_a,
          gcm_p,
          "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
          "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
          "76fc6ece0f4e1768cddf8853bb2d551b" },
        { AEAD_CHACHA20_POLY1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
          "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
          /* "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for
           * the future, sunscreen would be it." */
          "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
          "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
          "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
          "637265656e20776f756c642062652069742e",
          "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
          "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
          "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
          "3ff4def08e4b7a9de576d26586cec64b6116",
          "1ae10b594f09e26a7e902ecbd0600691" },
};

static void seal_and_open_match_published_vectors(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
                const struct vec *v = &vecs[i];
                uint8_t key[32], iv[12], aad[64], pt[256], ct[256], want_ct[256], tag[16], want_tag[16], back[256];
                size_t kl = unhex(v->key, key), al = unhex(v->aad, aad), pl = unhex(v->pt, pt);
                struct aead *a;

                assert_int_equal(unhex(v->iv, iv), 12);
                assert_int_equal(unhex(v->ct, want_ct), pl);
                assert_int_equal(unhex(v->tag, want_tag), 16);
                assert_true(aead_new(&a, v->alg, key, kl));
                assert_true(aead_seal(a, iv, aad, al, pt, pl, ct, tag));
                assert_memory_equal(ct, want_ct, pl);
                assert_memory_equal(tag, want_tag, 16);
                assert_true(aead_open(a, iv, aad, al, ct, pl, tag, back));
                assert_memory_equal(back, pt, pl);
                aead_free(a);
        }
}

static void open_refuses_any_flipped_bit_and_zeroes_the_output(void **state)
{
        const struct vec *v = &vecs[1];
        uint8_t key[32], iv[12], aad[64], ct[256], tag[16], out[256];
        size_t al, cl;
        struct aead *a;

        (void)state;
        unhex(v->key, key);
        unhex(v->iv, iv);
        al = unhex(v->aad, aad);
        cl = unhex(v->ct, ct);
        unhex(v->tag, tag);
        assert_true(aead_new(&a, v->alg, key, 32));
        for (size_t bit = 0; bit < 8 * (cl + al + 16 + 12); bit++) {
                uint8_t *p = bit < 8 * cl ? ct : bit < 8 * (cl + al) ? aad : bit < 8 * (cl + al + 16) ? tag : iv;
                size_t b = bit < 8 * cl ? bit : bit < 8 * (cl + al) ? bit - 8 * cl
                                              : bit < 8 * (cl + al + 16) ? bit - 8 * (cl + al) : bit - 8 * (cl + al + 16);
                p[b / 8] ^= (uint8_t)(1u << (b % 8));
                memset(out, 0xa5, sizeof(out));
                assert_false(aead_open(a, iv, aad, al, ct, cl, tag, out));
                for (size_t i = 0; i < cl; i++)
                        assert_int_equal(out[i], 0);
                p[b / 8] ^= (uint8_t)(1u << (b % 8));
        }
        assert_true(aead_open(a, iv, aad, al, ct, cl, tag, out));
        aead_free(a);
}

/* SP 800-38D §5.2.1.2: a t-bit tag is the leading t bits of the full one, so the published
 * AES-256 case 16 tag cut to 12 bytes is the 96-bit MAC PCIe IDE sends. */
static void open_short_takes_the_leading_bytes_of_the_published_tag_and_nothing_else(void **state)
{
        const struct vec *v = &vecs[1];
        uint8_t key[32], iv[12], aad[64], ct[256], tag[16], out[256];
        size_t al, cl;
        struct aead *a, *c;

        (void)state;
        unhex(v->key, key);
        unhex(v->iv, iv);
        al = unhex(v->aad, aad);
        cl = unhex(v->ct, ct);
        unhex(v->tag, tag);
        assert_true(aead_new(&a, v->alg, key, 32));
        assert_true(aead_open_short(a, iv, aad, al, ct, cl, tag, 12, out));
        assert_true(aead_open_short(a, iv, aad, al, ct, cl, tag, 16, out));
        for (size_t bit = 0; bit < 96; bit++) {
                tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                memset(out, 0xa5, sizeof(out));
                assert_false(aead_open_short(a, iv, aad, al, ct, cl, tag, 12, out));
                assert_int_equal(out[0], 0);
                tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        tag[12] ^= 1; /* beyond the 12 bytes: not part of a 96-bit MAC */
        assert_true(aead_open_short(a, iv, aad, al, ct, cl, tag, 12, out));
        assert_false(aead_open_short(a, iv, aad, al, ct, cl, tag, 11, out));
        assert_false(aead_open_short(a, iv, aad, al, ct, cl, tag, 17, out));
        assert_true(aead_new(&c, AEAD_CHACHA20_POLY1305, key, 32));
        assert_false(aead_open_short(c, iv, aad, al, ct, cl, tag, 12, out));
        aead_free(c);
        aead_free(a);
}

static void new_refuses_a_key_of_the_wrong_length(void **state)
{
        uint8_t key[33] = { 0 };
        struct aead *a = (struct aead *)key;
        (void)state;
        assert_false(aead_new(&a, AEAD_AES_256_GCM, key, 16));
        assert_null(a);
        assert_false(aead_new(&a, AEAD_AES_128_GCM, key, 32));
        assert_false(aead_new(&a, AEAD_CHACHA20_POLY1305, key, 33));
        assert_false(aead_new(&a, (enum aead_alg)7, key, 32));
        assert_int_equal(aead_key_len(AEAD_AES_128_GCM), 16);
        assert_int_equal(aead_key_len(AEAD_AES_256_GCM), 32);
        assert_string_equal(aead_alg_name(AEAD_AES_256_GCM), "AES-256-GCM");
}

static void empty_plaintext_still_authenticates_the_aad(void **state)
{
        uint8_t key[32] = { 7 }, iv[12] = { 1 }, tag[16], dummy[1];
        struct aead *a;
        (void)state;
        assert_true(aead_new(&a, AEAD_AES_256_GCM, key, 32));
        assert_true(aead_seal(a, iv, (const uint8_t *)"hdr", 3, NULL, 0, NULL, tag));
        assert_true(aead_open(a, iv, (const uint8_t *)"hdr", 3, NULL, 0, tag, dummy));
        assert_false(aead_open(a, iv, (const uint8_t *)"hdR", 3, NULL, 0, tag, dummy));
        aead_free(a);
}

static void seal_in_place_equals_seal_to_another_buffer(void **state)
{
        uint8_t key[32] = { 9 }, iv[12] = { 2 }, buf[100], ct[100], t1[16], t2[16];
        struct aead *a;
        (void)state;
        for (unsigned i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t)i;
        assert_true(aead_new(&a, AEAD_AES_256_GCM, key, 32));
        assert_true(aead_seal(a, iv, NULL, 0, buf, sizeof(buf), ct, t1));
        assert_true(aead_seal(a, iv, NULL, 0, buf, sizeof(buf), buf, t2));
        assert_memory_equal(buf, ct, sizeof(buf));
        assert_memory_equal(t1, t2, 16);
        assert_true(aead_open(a, iv, NULL, 0, buf, sizeof(buf), t2, buf));
        for (unsigned i = 0; i < sizeof(buf); i++)
                assert_int_equal(buf[i], i);
        aead_free(a);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(seal_and_open_match_published_vectors),
                cmocka_unit_test(open_refuses_any_flipped_bit_and_zeroes_the_output),
                cmocka_unit_test(open_short_takes_the_leading_bytes_of_the_published_tag_and_nothing_else),
                cmocka_unit_test(new_refuses_a_key_of_the_wrong_length),
                cmocka_unit_test(empty_plaintext_still_authenticates_the_aad),
                cmocka_unit_test(seal_in_place_equals_seal_to_another_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
