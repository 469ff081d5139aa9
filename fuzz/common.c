/* Helpers shared by the fuzz targets. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

const char *fuzz_string(const uint8_t *data, size_t size)
{
    static char *buf = NULL;
    static size_t cap = 0;
    if (size + 1 > cap) {
        cap = 2 * size + 64;
        if ((buf = realloc(buf, cap)) == NULL)
            fuzz_fail("out of memory for a %zu-byte input", size);
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    return buf;
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fuzz_fail("cannot write %s", path);
}

const char *fuzz_tmpdir(void)
{
    static char dir[512] = "";
    if (dir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/dncert-fuzz-XXXXXX", base != NULL && *base ? base : "/tmp");
        if (mkdtemp(dir) == NULL)
            fuzz_fail("cannot create %s", dir);
    }
    return dir;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
