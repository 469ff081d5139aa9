/* Helpers shared by the fuzz targets. */
#ifndef DNCERT_FUZZ_COMMON_H
#define DNCERT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* The input as a NUL-terminated string (cut at its first NUL); valid until the next call. */
const char *fuzz_string(const uint8_t *data, size_t size);

/* Writes the input to path (replacing it); aborts when the file cannot be written. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);

/* A fresh directory under TMPDIR (or /tmp) for this process, created on first use. */
const char *fuzz_tmpdir(void);

/* Aborts with a message: a property the target checks does not hold (libFuzzer reports
 * the abort as a crash, with the input). */
void fuzz_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

#endif
