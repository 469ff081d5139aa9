/* The checker's base64 decoder (src/verifier/vbinary.c, format §5.2): every text is accepted
 * or rejected without crashing, with a reason when rejected, for each byte count its length
 * could encode; what it accepts is the one canonical encoding of the bytes: encoded again (by
 * this file's own encoder, and by the producer's for whole doubles), it is the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "verifier/verifier.h"
#include "common.h"

static void encode(char *out, const unsigned char *b, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    for (i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long) b[i] << 16 | (i + 1 < n ? (unsigned long) b[i + 1] << 8 : 0)
                          | (i + 2 < n ? b[i + 2] : 0);
        *out++ = a[v >> 18];
        *out++ = a[(v >> 12) & 63];
        *out++ = i + 1 < n ? a[(v >> 6) & 63] : '=';
        *out++ = i + 2 < n ? a[v & 63] : '=';
    }
    *out = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = fuzz_string(data, size);
    size_t len = strlen(s), nb, lo = len / 4 * 3 >= 2 ? len / 4 * 3 - 2 : 0;
    unsigned char *b = malloc(len + 8);
    char *t = malloc(len + 8), why[512];
    for (nb = lo; nb <= len / 4 * 3 + 3; nb++) {
        why[0] = '\0';
        if (vx_base64_decode(b, nb, s, why, sizeof(why)) != 0) {
            if (why[0] == '\0')
                fuzz_fail("'%.80s' rejected for %zu bytes without a reason", s, nb);
            continue;
        }
        encode(t, b, nb);
        if (strcmp(t, s) != 0)
            fuzz_fail("'%.80s' decoded to %zu bytes that encode as '%.80s'", s, nb, t);
        if (nb % 8 == 0 && vx_binary64_host()) {
            char *u = dnc_base64_doubles((const double *) b, (slong) (nb / 8));
            if (u == NULL || strcmp(u, s) != 0)
                fuzz_fail("'%.80s': the producer encodes its doubles as '%.80s'", s, u != NULL ? u : "(null)");
            free(u);
        }
    }
    free(b);
    free(t);
    return 0;
}
