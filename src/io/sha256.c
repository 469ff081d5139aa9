/* SHA-256 (FIPS 180-4 §6.2) for the point files the producer writes. Written here so that the
 * library needs no cryptography package; the checker has its own implementation
 * (src/verifier/vbinary.c), so a point file's digest is computed twice, independently.
 *
 * Two compressions of the same blocks: the portable one (any C compiler, any CPU), and on
 * x86-64 one with the SHA extensions (SHA-NI: sha256rnds2, sha256msg1, sha256msg2), chosen at
 * run time when the CPU has them: 1.8 GB/s against 0.15 GB/s on an AMD EPYC (issue 13: the
 * 5.4 MB point file of certify-point at N = 2000 is hashed once here and once by the checker).
 * tests/test_point_file.c checks both against FIPS 180-4's examples and against each other. */
#include <stdatomic.h>
#include <string.h>
#include "dncert/io.h"
#include "io_priv.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

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

#ifdef SHA_NI
/* nb blocks into the state by the SHA extensions (Intel, "New Instructions Supporting the
 * Secure Hash Algorithm on Intel Architecture Processors", 2013). The state is held as the
 * words ABEF and CDGH, the order sha256rnds2 takes; each call does two rounds, its third
 * operand holding W_t + K_t of both in its low half. */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_ni(unsigned int h[8], const unsigned char *p, size_t nb)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i s0, s1, t, abef, cdgh, m0, m1, m2, m3;
    int i;
    t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) h), 0xb1);          /* CDAB */
    s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *) (h + 4)), 0x1b);   /* EFGH */
    s0 = _mm_alignr_epi8(t, s1, 8);                                              /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xf0);                                           /* CDGH */
    for (; nb > 0; nb--, p += 64) {
        abef = s0;
        cdgh = s1;
        m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) p), bswap);   /* W_0..W_3, big-endian words */
        m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16)), bswap);
        m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 32)), bswap);
        m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 48)), bswap);
        /* Rounds 4g..4g+3 from M = W_4g..W_4g+3; then M <- W_4g+16..W_4g+19 (§6.2.2 step 1)
         * from the four groups g..g+3 held in M, M1, M2, M3. */
#define QROUNDS(g, M, M1, M2, M3)                                                                        \
        do {                                                                                            \
            __m128i wk = _mm_add_epi32(M, _mm_loadu_si128((const __m128i *) (K256 + 4 * (g))));          \
            s1 = _mm_sha256rnds2_epu32(s1, s0, wk);                                                     \
            if ((g) < 12)                                                                               \
                M = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(M, M1), _mm_alignr_epi8(M3, M2, 4)), \
                                         M3);                                                           \
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0e));                            \
        } while (0)
        for (i = 0; i < 16; i += 4) {
            QROUNDS(i, m0, m1, m2, m3);
            QROUNDS(i + 1, m1, m2, m3, m0);
            QROUNDS(i + 2, m2, m3, m0, m1);
            QROUNDS(i + 3, m3, m0, m1, m2);
        }
#undef QROUNDS
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }
    t = _mm_shuffle_epi32(s0, 0x1b);                                      /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xb1);                                     /* DCHG */
    _mm_storeu_si128((__m128i *) h, _mm_blend_epi16(t, s1, 0xf0));        /* DCBA */
    _mm_storeu_si128((__m128i *) (h + 4), _mm_alignr_epi8(s1, t, 8));     /* HGFE */
}

/* 1 when the CPU has the SHA extensions and the SSSE3 and SSE4.1 instructions the path also
 * uses (CPUID leaf 1 ECX bits 9 and 19, leaf 7 EBX bit 29). */
static int cpu_has_sha(void)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
        return 0;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
#endif

/* -1 not yet decided, 0 the portable compression, 1 SHA-NI. Atomic: the library may hash
 * on several threads. */
static atomic_int accel = -1;

int _dnc_sha256_accel(int on)
{
    int a = 0;
#ifdef SHA_NI
    a = on && cpu_has_sha();
#else
    (void) on;
#endif
    atomic_store_explicit(&accel, a, memory_order_relaxed);
    return a;
}

/* nb whole blocks into the state. */
static void sha256_blocks(unsigned int h[8], const unsigned char *p, size_t nb)
{
    int a = atomic_load_explicit(&accel, memory_order_relaxed);
    if (a < 0)
        a = _dnc_sha256_accel(1);
#ifdef SHA_NI
    if (a) {
        sha256_blocks_ni(h, p, nb);
        return;
    }
#endif
    for (; nb > 0; nb--, p += 64)
        sha256_block(h, p);
}

void dnc_sha256_update(dnc_sha256 *s, const unsigned char *p, size_t n)
{
    s->len += n;
    if (s->fill > 0) {   /* complete the buffered block first */
        size_t k = 64 - s->fill < n ? 64 - s->fill : n;
        memcpy(s->buf + s->fill, p, k);
        s->fill += k;
        p += k;
        n -= k;
        if (s->fill < 64)
            return;
        sha256_blocks(s->h, s->buf, 1);
        s->fill = 0;
    }
    if (n >= 64) {   /* whole blocks straight from the input */
        sha256_blocks(s->h, p, n / 64);
        p += n - n % 64;
        n %= 64;
    }
    memcpy(s->buf, p, n);
    s->fill = n;
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
