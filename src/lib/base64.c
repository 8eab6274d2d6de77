/* Base64 over OpenSSL's EVP block coder (RFC 4648). */
#include "lib/base64.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

bool b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
        if (n > (size_t)INT32_MAX / 2 || cap < 4 * ((n + 2) / 3) + 1)
                return false;
        return EVP_EncodeBlock((unsigned char *)out, in, (int)n) >= 0; /* NUL-terminates */
}

bool b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
        size_t full = 4 * ((n + 2) / 3);
        if (cap < b64url_len(n) || n > (size_t)INT32_MAX / 2)
                return false;
        char *tmp = malloc(full + 1);
        if (!tmp)
                return false;
        int w = EVP_EncodeBlock((unsigned char *)tmp, in, (int)n);
        size_t len = w > 0 ? (size_t)w : 0;
        while (len && tmp[len - 1] == '=')
                len--;
        for (size_t i = 0; i < len; i++)
                out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : tmp[i];
        out[len] = '\0';
        free(tmp);
        return w >= 0;
}

/* Decodes the standard alphabet with padding to a multiple of 4 (len % 4 == 0). */
static bool decode_padded(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n)
{
        size_t pad = 0;
        if (len % 4 || len > (size_t)INT32_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = in[i];
                bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                             c == '/';
                if (c == '=' && i >= len - 2)
                        pad++;
                else if (!alpha || pad)
                        return false; /* EVP_DecodeBlock skips white space; we take none */
        }
        if (pad == 2 && in[len - 1] != '=')
                return false;
        size_t raw = len / 4 * 3;
        uint8_t *tmp = malloc(raw ? raw : 1);
        if (!tmp)
                return false;
        int w = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
        bool ok = w >= 0 && (size_t)w == raw && raw - pad <= cap;
        if (ok && pad) { /* the unused bits of the last character must be zero (RFC 4648 §3.5) */
                const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                unsigned v = (unsigned)(strchr(alphabet, in[len - pad - 1]) - alphabet);
                ok = (v & (pad == 1 ? 0x3u : 0xFu)) == 0;
        }
        if (ok) {
                memcpy(out, tmp, raw - pad);
                *n = raw - pad;
        }
        free(tmp);
        return ok;
}

bool b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n)
{
        return decode_padded(in, len, out, cap, n);
}

bool b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *n)
{
        while (len && in[len - 1] == '=')
                len--;
        if (len % 4 == 1 || len > (size_t)INT32_MAX - 4)
                return false;
        char *std = malloc(len + 4);
        if (!std)
                return false;
        size_t i = 0;
        bool ok = true;
        for (; i < len && ok; i++) {
                char c = in[i];
                ok = c != '+' && c != '/' && c != '=';
                std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
        }
        while (i % 4)
                std[i++] = '=';
        ok = ok && decode_padded(std, i, out, cap, n);
        free(std);
        return ok;
}
