/* SHA-256 (FIPS 180-4 §6.2) for the point files the producer writes. Written here so that the
 * library needs no cryptography package; the checker has its own implementation
 * (src/verifier/vbinary.c), so a point file's digest is computed twice, independently. */
#include <string.h>
#include "dncert/io.h"

static const unsigned int K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static unsigned int rotr(unsigned int x, int n)
{
    return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state. */
static void sha256_block(unsigned int h[8], const unsigned char *p)
{
    unsigned int w[64], v[8], t1, t2;
    int i, j;
    for (i = 0; i < 16; i++)
        w[i] = (unsigned int) p[4 * i] << 24 | (unsigned int) p[4 * i + 1] << 16 | (unsigned int) p[4 * i + 2] << 8
               | p[4 * i + 3];
    for (i = 16; i < 64; i++)
        w[i] = (rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)) + w[i - 7]
               + (rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)) + w[i - 16];
    /* The working variables a..h are v[(j - i) & 7] in round i: the round renames them by
     * moving the index, not the data (shifting the array every round, as this file did,
     * cost half of certify-point's hashing time). Unrolled by 8 so every index is constant. */
    memcpy(v, h, sizeof(v));
    for (i = 0; i < 64; i += 8)
        for (j = 0; j < 8; j++) {
#define V(k) v[((k) - j) & 7]
            t1 = V(7) + (rotr(V(4), 6) ^ rotr(V(4), 11) ^ rotr(V(4), 25)) + ((V(4) & V(5)) ^ (~V(4) & V(6)))
                 + K256[i + j] + w[i + j];
            t2 = (rotr(V(0), 2) ^ rotr(V(0), 13) ^ rotr(V(0), 22)) + ((V(0) & V(1)) ^ (V(0) & V(2)) ^ (V(1) & V(2)));
            V(3) += t1;
            V(7) = t1 + t2;
#undef V
        }
    for (i = 0; i < 8; i++)
        h[i] += v[i];
}

void dnc_sha256_init(dnc_sha256 *s)
{
    static const unsigned int h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, h0, sizeof(h0));
    s->len = 0;
    s->fill = 0;
}

void dnc_sha256_update(dnc_sha256 *s, const unsigned char *p, size_t n)
{
    s->len += n;
    while (n > 0) {
        size_t k = 64 - s->fill < n ? 64 - s->fill : n;
        if (s->fill == 0 && n >= 64) {   /* whole blocks straight from the input */
            sha256_block(s->h, p);
            p += 64;
            n -= 64;
            continue;
        }
        memcpy(s->buf + s->fill, p, k);
        s->fill += k;
        p += k;
        n -= k;
        if (s->fill == 64) {
            sha256_block(s->h, s->buf);
            s->fill = 0;
        }
    }
}

void dnc_sha256_hex(dnc_sha256 *s, char hex[65])
{
    unsigned long long bits = (unsigned long long) s->len * 8;
    unsigned char pad[72] = { 0x80 };
    size_t np = (s->fill < 56 ? 56 : 120) - s->fill;
    int i;
    for (i = 0; i < 8; i++)
        pad[np + i] = (unsigned char) (bits >> (56 - 8 * i));
    dnc_sha256_update(s, pad, np + 8);
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", (s->h[i / 4] >> (24 - 8 * (i % 4))) & 0xff);
}
