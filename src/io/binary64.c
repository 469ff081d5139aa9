/* Double points in certificates (docs/certificate-format.md §5.2): the little-endian IEEE
 * binary64 bytes of the doubles, inline as base64 or in a point file whose SHA-256 digest
 * the certificate states. The digest is the library's own (src/io/sha256.c); the checker
 * computes it with its own implementation (src/verifier/vbinary.c), so the two are
 * independent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"

/* 1 when the machine stores doubles as little-endian binary64: the bytes are then the
 * doubles' own memory. Else they are assembled from the bit patterns (the same bytes). */
static int host_le(void)
{
    static const unsigned char one_half[8] = { 0, 0, 0, 0, 0, 0, 0xf8, 0x3f };
    double x = 1.5;
    return memcmp(&x, one_half, 8) == 0;
}

/* out[0..8n) <- the little-endian binary64 bytes of x[0..n). */
static void le_bytes(unsigned char *out, const double *x, slong n)
{
    slong i;
    int k;
    if (host_le()) {
        memcpy(out, x, 8 * (size_t) n);
        return;
    }
    for (i = 0; i < n; i++) {
        unsigned long long u;
        memcpy(&u, x + i, 8);
        for (k = 0; k < 8; k++)
            out[8 * i + k] = (unsigned char) (u >> (8 * k));
    }
}

char *dnc_base64_doubles(const double *x, slong n)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t nb = 8 * (size_t) n, q, full = nb / 3, rem = nb % 3;
    unsigned char *b = malloc(nb + 3);
    char *s = b != NULL ? malloc(4 * ((nb + 2) / 3) + 1) : NULL, *o = s;
    if (s == NULL) {
        free(b);
        return NULL;
    }
    le_bytes(b, x, n);
    b[nb] = b[nb + 1] = 0;   /* the padding bits of the last quantum are zero */
    for (q = 0; q < full + (rem > 0); q++) {
        const unsigned char *t = b + 3 * q;
        unsigned long v = (unsigned long) t[0] << 16 | (unsigned long) t[1] << 8 | t[2];
        *o++ = alpha[v >> 18];
        *o++ = alpha[(v >> 12) & 63];
        *o++ = q < full || rem == 2 ? alpha[(v >> 6) & 63] : '=';
        *o++ = q < full ? alpha[v & 63] : '=';
    }
    *o = '\0';
    free(b);
    return s;
}

int dnc_binary64_file_write(const char *path, const double *x, slong n, char hex[65], char *err, size_t errlen)
{
    enum { CHUNK = 1 << 17 };   /* doubles per write: 1 MiB */
    unsigned char *buf = malloc(8 * CHUNK);
    dnc_sha256 h;
    FILE *f = fopen(path, "wb");
    slong i;
    int ok = buf != NULL && f != NULL;
    dnc_sha256_init(&h);
    for (i = 0; i < n && ok; i += CHUNK) {
        slong m = FLINT_MIN(CHUNK, n - i);
        le_bytes(buf, x + i, m);
        dnc_sha256_update(&h, buf, 8 * (size_t) m);
        ok = fwrite(buf, 8, (size_t) m, f) == (size_t) m;
    }
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (ok)
        dnc_sha256_hex(&h, hex);
    free(buf);
    if (!ok)
        return dnc_fail(err, errlen, "cannot write the point file %s", path);
    return 0;
}
