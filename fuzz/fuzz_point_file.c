/* Point files (format §5.2) as the checker reads them: the input is the point file of a fixed
 * small certificate (K = 2, n = 1, L = 2, width 2: 12 doubles, 96 bytes) with a fast-double
 * loss claim. The certificate states the input's SHA-256 (by the checker's own function) or,
 * when the input's first byte is odd, that digest with one bit flipped. Properties: a wrong
 * digest, a size other than 96 bytes or a non-finite entry is a rejection with a message
 * naming the point file; any other input is read (accepted: the claim is then re-checked);
 * two runs agree. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "dncert/verify.h"
#include "verifier/verifier.h"
#include "common.h"

static const char *cert_fmt =
    "{\"format\": \"dncert-certificate\", \"version\": 2, \"producer\": {}, \"precision\": 64,"
    " \"problem\": {\"K\": 2, \"n\": [1, 1], \"L\": 2, \"width\": [2, 2], \"activation\": [\"relu\"],"
    " \"bias\": \"none\", \"lambda_h\": \"1/2\", \"lambda_w\": [\"1/2\", \"1/2\"]},"
    " \"points\": {\"p\": {\"layout\": \"expanded\", \"scalars\": {},"
    " \"binary64_file\": {\"name\": \"p.f64\", \"sha256\": \"%s\"}}},"
    " \"claims\": [{\"id\": \"l\", \"kind\": \"loss\", \"method\": \"fast-double\", \"point\": \"p\","
    " \"statement\": \"\", \"verdict\": \"not proven\", \"loss\": {\"lo\": \"0\", \"hi\": \"0\"},"
    " \"fit\": {\"lo\": \"0\", \"hi\": \"0\"}, \"reg\": {\"lo\": \"0\", \"hi\": \"0\"}}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[600], side[600], text[2048], hex[65], err[1024], err2[1024];
    unsigned char d[32];
    vx_sha256 s;
    int r, r2, k, finite = 1, good;
    size_t i;
    vx_sha256_init(&s);
    vx_sha256_update(&s, data, size);
    vx_sha256_final(&s, d);
    if (size > 0 && (data[0] & 1))
        d[size % 32] ^= 1;
    for (k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", d[k]);
    snprintf(path, sizeof(path), "%s/cert.json", fuzz_tmpdir());
    snprintf(side, sizeof(side), "%s/p.f64", fuzz_tmpdir());
    snprintf(text, sizeof(text), cert_fmt, hex);
    fuzz_write_file(path, (const uint8_t *) text, strlen(text));
    fuzz_write_file(side, data, size);
    for (i = 0; i + 8 <= size; i += 8) {
        double x;
        memcpy(&x, data + i, 8);
        finite &= isfinite(x) != 0;
    }
    good = size == 96 && finite && !(size > 0 && (data[0] & 1)) && vx_binary64_host();
    r = dncv_verify_file(path, 64, DNCV_QUIET, NULL, NULL, err, sizeof(err));
    if (good != (r >= 0))
        fuzz_fail("a %zu-byte point file (finite %d, digest %s) gave %d: %s", size, finite,
                  size > 0 && (data[0] & 1) ? "wrong" : "right", r, r < 0 ? err : "");
    if (r < 0 && strstr(err, "points.p.binary64_file") == NULL)
        fuzz_fail("a rejection that does not name the point file: %s", err);
    r2 = dncv_verify_file(path, 64, DNCV_QUIET, NULL, NULL, err2, sizeof(err2));
    if (r2 != r)
        fuzz_fail("two runs on one point file disagree (%d, %d)", r, r2);
    return 0;
}
