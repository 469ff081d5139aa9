/* Binary64 points (format §5.2): blocks given as the little-endian IEEE binary64 bytes of their
 * doubles, inline in base64 or in a point file next to the certificate bound to it by its
 * SHA-256 digest. The digest is this file's own implementation of FIPS 180-4 (no library);
 * the base64 decoder accepts the canonical text only (RFC 4648 §4: padded, no other
 * characters, zero padding bits), so every point has exactly one encoding. Every double is an
 * exact dyadic rational: nothing is rounded. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "verifier.h"
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VX_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* ---- SHA-256 (FIPS 180-4, §4.2.2, §5.3.3, §6.2) ---- */

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

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* One 64-byte block (§6.2.2); unsigned int is at least 32 bits, so every sum is taken mod 2^32. */
static void sha_block(unsigned int *h, const unsigned char *p)
{
    unsigned int w[64], a, b, c, d, e, f, g, k, t1, t2;
    int t;
    for (t = 0; t < 16; t++)
        w[t] = (unsigned int) p[4 * t] << 24 | (unsigned int) p[4 * t + 1] << 16 | (unsigned int) p[4 * t + 2] << 8
               | p[4 * t + 3];
    for (t = 16; t < 64; t++) {
        unsigned int s0 = ROTR(w[t - 15], 7) ^ ROTR(w[t - 15], 18) ^ (w[t - 15] >> 3);
        unsigned int s1 = ROTR(w[t - 2], 17) ^ ROTR(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & 0xffffffffu;
    }
    a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (t = 0; t < 64; t++) {
        t1 = (k + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K256[t] + w[t]) & 0xffffffffu;
        t2 = ((ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & 0xffffffffu;
        k = g, g = f, f = e, e = (d + t1) & 0xffffffffu, d = c, c = b, b = a, a = (t1 + t2) & 0xffffffffu;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
    for (t = 0; t < 8; t++)
        h[t] &= 0xffffffffu;
}

#ifdef VX_SHA_NI
/* The same compression by the x86 SHA extensions, n blocks at a time. sha256rnds2 does two
 * rounds on the state split as (A, B, E, F) and (C, D, G, H), taking W_t + K_t of both rounds
 * in its third operand's low 64 bits; sha256msg1 and sha256msg2 compute the schedule (§6.2.2
 * step 1) four words at a time: W_t for t = 4j..4j+3 from the words of j-4..j-1. */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha_blocks_x86(unsigned int *h, const unsigned char *p, size_t n)
{
    const __m128i order = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    __m128i dcba = _mm_loadu_si128((const __m128i *) h), hgfe = _mm_loadu_si128((const __m128i *) (h + 4));
    __m128i x = _mm_shuffle_epi32(dcba, 0xb1), y = _mm_shuffle_epi32(hgfe, 0x1b);   /* CDAB, EFGH */
    __m128i abef = _mm_alignr_epi8(x, y, 8), cdgh = _mm_blend_epi16(y, x, 0xf0);
    __m128i w[4], k, a0, c0;
    int j;
    for (; n > 0; n--, p += 64) {
        a0 = abef;
        c0 = cdgh;
        for (j = 0; j < 4; j++)
            w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16 * j)), order);
        for (j = 0; j < 16; j++) {   /* rounds 4j .. 4j + 3; w[j % 4] holds W_4j..W_4j+3 */
            k = _mm_add_epi32(w[j & 3], _mm_loadu_si128((const __m128i *) (K256 + 4 * j)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0e));
            if (j < 12)   /* W_4j+16..: from the groups j, j+1, j+2 (W_t-7 straddles it) and j+3 */
                w[j & 3] = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(w[j & 3], w[(j + 1) & 3]),
                                  _mm_alignr_epi8(w[(j + 3) & 3], w[(j + 2) & 3], 4)), w[(j + 3) & 3]);
        }
        abef = _mm_add_epi32(abef, a0);
        cdgh = _mm_add_epi32(cdgh, c0);
    }
    x = _mm_shuffle_epi32(abef, 0x1b);   /* FEBA */
    y = _mm_shuffle_epi32(cdgh, 0xb1);   /* DCHG */
    _mm_storeu_si128((__m128i *) h, _mm_blend_epi16(x, y, 0xf0));
    _mm_storeu_si128((__m128i *) (h + 4), _mm_alignr_epi8(y, x, 8));
}

/* CPUID: SSSE3 (leaf 1, ECX bit 9), SSE4.1 (ECX bit 19), SHA (leaf 7, EBX bit 29). */
static int x86_sha(void)
{
    unsigned int a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c >> 9 & 1) && (c >> 19 & 1) && __get_cpuid_count(7, 0, &a, &b, &c, &d)
           && (b >> 29 & 1);
}
#endif

/* Which compression: -1 undecided, 0 portable, 1 SHA extensions. */
static atomic_int sha_path = -1;

int vx_sha256_x86(int use)
{
    int on = 0;
#ifdef VX_SHA_NI
    on = use && x86_sha();
#endif
    (void) use;
    atomic_store_explicit(&sha_path, on, memory_order_relaxed);
    return on;
}

/* n whole blocks. */
static void sha_blocks(unsigned int *h, const unsigned char *p, size_t n)
{
    int on = atomic_load_explicit(&sha_path, memory_order_relaxed);
    if (on < 0)
        on = vx_sha256_x86(1);
#ifdef VX_SHA_NI
    if (on) {
        sha_blocks_x86(h, p, n);
        return;
    }
#endif
    for (; n > 0; n--, p += 64)
        sha_block(h, p);
}

void vx_sha256_init(vx_sha256 *s)
{
    static const unsigned int h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, h0, sizeof(h0));
    s->len = 0;
}

void vx_sha256_update(vx_sha256 *s, const unsigned char *data, size_t n)
{
    size_t have = (size_t) (s->len % 64), take;
    s->len += n;
    if (have > 0) {
        take = n < 64 - have ? n : 64 - have;
        memcpy(s->buf + have, data, take);
        data += take, n -= take;
        if (have + take < 64)
            return;
        sha_blocks(s->h, s->buf, 1);
    }
    sha_blocks(s->h, data, n / 64);
    memcpy(s->buf, data + (n - n % 64), n % 64);
}

/* Padding (§5.1.1): a 1 bit, zeros, and the length in bits as 64 bits, big-endian. */
void vx_sha256_final(vx_sha256 *s, unsigned char digest[32])
{
    unsigned long long bits = s->len * 8;
    unsigned char pad[72] = { 0x80 };
    size_t have = (size_t) (s->len % 64), n = have < 56 ? 56 - have : 120 - have;
    int i;
    for (i = 0; i < 8; i++)
        pad[n + i] = (unsigned char) (bits >> (56 - 8 * i));
    vx_sha256_update(s, pad, n + 8);
    for (i = 0; i < 32; i++)
        digest[i] = (unsigned char) (s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* ---- base64 (RFC 4648 §4) ---- */

/* The value of each ASCII character in the alphabet, -1 for the others. */
static const signed char B64[128] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1
};

static int b64_value(unsigned char ch)
{
    return ch < 128 ? B64[ch] : -1;
}

/* The first character of s[0..n) outside the alphabet (its index), for the message. */
static size_t b64_bad(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n && b64_value((unsigned char) s[i]) >= 0; i++)
        ;
    return i;
}

/* out[0..nb) <- the canonical base64 text s of nb bytes. 0, or -1 with why. */
int vx_base64_decode(unsigned char *out, size_t nb, const char *s, char *why, size_t len)
{
    size_t want = 4 * ((nb + 2) / 3), got = strnlen(s, want + 1), q, i, rem = nb % 3, full = nb / 3;
    int v[4] = { 0, 0, 0, 0 }, k;
    if (got != want) {
        snprintf(why, len, "expected %zu base64 characters for %zu bytes, got %s%zu", want, nb,
                 got > want ? "more than " : "", got > want ? want : got);
        return -1;
    }
    for (q = 0; q < full; q++) {   /* whole quanta: 4 characters, 3 bytes */
        const unsigned char *c = (const unsigned char *) s + 4 * q;
        int a = b64_value(c[0]), b = b64_value(c[1]), d = b64_value(c[2]), e = b64_value(c[3]);
        if ((a | b | d | e) < 0) {
            i = 4 * q + b64_bad((const char *) c, 4);
            snprintf(why, len, "character %zu ('%c') is not of the base64 alphabet", i,
                     s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
            return -1;
        }
        out[3 * q] = (unsigned char) (a << 2 | b >> 4);
        out[3 * q + 1] = (unsigned char) ((b & 15) << 4 | d >> 2);
        out[3 * q + 2] = (unsigned char) ((d & 3) << 6 | e);
    }
    if (rem == 0)
        return 0;
    for (k = 0; k < 4; k++) {   /* the last quantum: rem bytes in rem + 1 characters, then '=' */
        i = 4 * full + (size_t) k;
        v[k] = k <= (int) rem ? b64_value((unsigned char) s[i]) : (s[i] == '=' ? 0 : -1);
        if (v[k] < 0) {
            snprintf(why, len, "character %zu ('%c') is not %s", i, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?',
                     k <= (int) rem ? "of the base64 alphabet" : "the padding '='");
            return -1;
        }
    }
    if ((rem == 1 && (v[1] & 15)) || (rem == 2 && (v[2] & 3))) {
        snprintf(why, len, "the padding bits of the last quantum are not zero (not the canonical encoding)");
        return -1;
    }
    out[3 * full] = (unsigned char) (v[0] << 2 | v[1] >> 4);
    if (rem == 2)
        out[3 * full + 1] = (unsigned char) ((v[1] & 15) << 4 | v[2] >> 2);
    return 0;
}

int vx_binary64_host(void)
{
    static const unsigned char one_half[8] = { 0, 0, 0, 0, 0, 0, 0xf8, 0x3f };   /* 1.5, little-endian */
    double x = 1.5;
    return sizeof(double) == 8 && memcmp(&x, one_half, 8) == 0;
}

int vx_base64_doubles(double *x, slong n, const char *s, char *why, size_t len)
{
    if (!vx_binary64_host()) {
        snprintf(why, len, "this machine's doubles are not little-endian binary64: binary64 blocks cannot be read here");
        return -1;
    }
    return vx_base64_decode((unsigned char *) x, 8 * (size_t) n, s, why, len);
}

/* ---- point files ---- */

/* A plain file name: 1 to 255 bytes, not "." or "..", no '/', '\\' or control character. */
static int plain_name(const char *s)
{
    size_t n = strnlen(s, 256), i;
    if (n == 0 || n > 255 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] == '/' || s[i] == '\\' || (unsigned char) s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* d <- the 32 bytes of 64 lowercase hexadecimal digits; 0, or -1. */
static int hex_digest(unsigned char d[32], const char *s)
{
    int i, hi, lo;
    if (strnlen(s, 65) != 64)
        return -1;
    for (i = 0; i < 32; i++) {
        hi = s[2 * i] >= '0' && s[2 * i] <= '9' ? s[2 * i] - '0' : s[2 * i] >= 'a' && s[2 * i] <= 'f' ? s[2 * i] - 'a' + 10 : -1;
        lo = s[2 * i + 1] >= '0' && s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0'
             : s[2 * i + 1] >= 'a' && s[2 * i + 1] <= 'f' ? s[2 * i + 1] - 'a' + 10 : -1;
        if (hi < 0 || lo < 0)
            return -1;
        d[i] = (unsigned char) (hi << 4 | lo);
    }
    return 0;
}

static void hex_str(char *out, const unsigned char d[32])
{
    int i;
    for (i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Opens name in the directory dir without following a symbolic link: a file outside the
 * directory cannot be named (plain_name) nor reached through a link. Without blocking: a
 * FIFO of that name is opened (and then refused as not a regular file), not waited on.
 * -1 with errno. */
static int open_in(const char *dir, const char *name)
{
    int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), f, e;
    if (d < 0)
        return -1;
    f = openat(d, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    e = errno;
    close(d);
    errno = e;
    return f;
}

/* Reads exactly nb bytes of f into out, hashing them; then requires the end of the file. */
static int read_hashed(int f, unsigned char *out, size_t nb, unsigned char digest[32], size_t *got)
{
    vx_sha256 s;
    unsigned char extra;
    ssize_t r = 1;
    vx_sha256_init(&s);
    for (*got = 0; *got < nb && r > 0; *got += (size_t) r) {
        size_t want = nb - *got < (1u << 20) ? nb - *got : (1u << 20);
        while ((r = read(f, out + *got, want)) < 0 && errno == EINTR)
            ;
        if (r > 0)
            vx_sha256_update(&s, out + *got, (size_t) r);
        else
            break;
    }
    vx_sha256_final(&s, digest);
    if (r < 0)
        return -1;
    while ((r = read(f, &extra, 1)) < 0 && errno == EINTR)
        ;
    *got += r > 0;
    return r < 0 ? -1 : 0;
}

int vx_point_file(vx_ctx *c, double *x, slong n, const json_t *o, const char *path)
{
    const char *name, *hex;
    unsigned char want[32], have[32];
    char hs[65];
    size_t nb = 8 * (size_t) n, got = 0;
    struct stat st;
    int f, r;
    if (vx_schema(c, o, path, "name:s sha256:s"))
        return -1;
    name = vx_str(o, "name");
    hex = vx_str(o, "sha256");
    if (!plain_name(name))
        return vx_fail(c, "%s.name: '%.64s' is not a plain file name in the certificate's directory (1 to 255 bytes, "
                       "not '.' or '..', no '/', '\\' or control character)", path, name);
    if (hex_digest(want, hex) != 0)
        return vx_fail(c, "%s.sha256: expected 64 lowercase hexadecimal digits", path);
    if (!vx_binary64_host())
        return vx_fail(c, "%s: this machine's doubles are not little-endian binary64: point files cannot be read here",
                       path);
    if (c->dir == NULL)
        return vx_fail(c, "%s: the certificate names the point file '%.64s', which is read from the certificate's "
                       "directory: verify the certificate file itself, not an in-memory copy", path, name);
    if ((f = open_in(c->dir, name)) < 0)
        return vx_fail(c, "%s: cannot read the point file '%.64s' of the certificate's directory: %s", path, name,
                       errno == ELOOP ? "it is a symbolic link (only a regular file is read)" : strerror(errno));
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(f);
        return vx_fail(c, "%s: the point file '%.64s' is not a regular file", path, name);
    }
    if ((size_t) st.st_size != nb) {
        close(f);
        return vx_fail(c, "%s: the point file '%.64s' has %lld bytes; the point's %ld entries need %zu (%s)", path,
                       name, (long long) st.st_size, (long) n, nb, (size_t) st.st_size < nb ? "truncated" : "extra bytes");
    }
    r = read_hashed(f, (unsigned char *) x, nb, have, &got);
    close(f);
    if (r != 0 || got != nb)
        return vx_fail(c, "%s: the point file '%.64s' changed or could not be read while it was read (%zu of %zu "
                       "bytes)", path, name, got, nb);
    if (memcmp(want, have, 32) != 0) {
        hex_str(hs, have);
        return vx_fail(c, "%s: the point file '%.64s' has SHA-256 %s, not the digest the certificate states: it is not "
                       "the file this certificate was written with", path, name, hs);
    }
    return 0;
}
