/* NumPy .npy files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * magic "\x93NUMPY", version, header length, a Python dict literal, then raw data. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "dncert/io.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_HEADER 65536

struct npy_job { const double *data; slong count; int ndim; const slong *shape; };

static int npy_writer(FILE *f, void *ctx)
{
    const struct npy_job *job = ctx;
    char dict[256];
    unsigned char pre[10];
    int len, total, pad;
    if (job->ndim == 1)
        len = snprintf(dict, sizeof(dict), "{'descr': '<f8', 'fortran_order': True, 'shape': (%ld,), }",
                       (long) job->shape[0]);
    else
        len = snprintf(dict, sizeof(dict), "{'descr': '<f8', 'fortran_order': True, 'shape': (%ld, %ld), }",
                       (long) job->shape[0], (long) job->shape[1]);
    /* Pad with spaces so that data start at a multiple of 64 bytes; end with a newline. */
    total = 10 + len + 1;
    pad = (64 - total % 64) % 64;
    memcpy(pre, NPY_MAGIC, 6);
    pre[6] = 1;
    pre[7] = 0;
    pre[8] = (unsigned char) ((len + pad + 1) & 0xff);
    pre[9] = (unsigned char) ((len + pad + 1) >> 8);
    if (fwrite(pre, 1, 10, f) != 10 || fwrite(dict, 1, len, f) != (size_t) len)
        return -1;
    while (pad-- > 0)
        fputc(' ', f);
    fputc('\n', f);
    /* x86-64 doubles are little-endian IEEE binary64, as '<f8' requires. */
    return fwrite(job->data, sizeof(double), job->count, f) == (size_t) job->count ? 0 : -1;
}

int dnc_npy_write(const char *path, const double *data, int ndim, const slong *shape)
{
    struct npy_job job = { data, shape[0] * (ndim == 2 ? shape[1] : 1), ndim, shape };
    char err[256];
    return dnc_write_atomic(path, npy_writer, &job, err, sizeof(err));
}

/* Finds 'key': in the header dict and returns a pointer just after the colon. */
static const char *dict_value(const char *hdr, const char *key)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof(pat), "'%s':", key);
    p = strstr(hdr, pat);
    if (p == NULL)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return p;
}

/* "(d0,)" or "(d0, d1)" with non-negative decimal dimensions that fit a long. */
static int parse_shape(const char *p, int *ndim, slong shape[2])
{
    char *end;
    *ndim = 0;
    if (p == NULL || *p++ != '(')
        return -1;
    while (*ndim < 3) {
        while (*p == ' ')
            p++;
        if (*p == ')')
            break;
        if (*ndim == 2 || !isdigit((unsigned char) *p))
            return -1;
        errno = 0;
        shape[*ndim] = strtol(p, &end, 10);
        if (errno != 0)
            return -1;
        (*ndim)++;
        p = end;
        while (*p == ' ' || *p == 'L')
            p++;
        if (*p == ',')
            p++;
        else if (*p != ')')
            return -1;
    }
    return (*ndim == 1 || *ndim == 2) ? 0 : -1;
}

static int fail(char *err, size_t len, const char *path, const char *what)
{
    return dnc_fail(err, len, "%s: %s", path, what);
}

/* Converts a row-major rows x cols array to column-major (via a copy). Returns 0, or -1
 * when the copy cannot be allocated. */
static int to_column_major(double *a, slong rows, slong cols)
{
    double *t = malloc(rows * cols * sizeof(double));
    slong i, j;
    if (t == NULL)
        return -1;
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++)
            t[i + rows * j] = a[j + cols * i];
    memcpy(a, t, rows * cols * sizeof(double));
    free(t);
    return 0;
}

/* Reads and checks the preamble and header of an open .npy file of `size` bytes: dtype,
 * memory order, shape, and that exactly the data the shape calls for follow. Nothing is
 * allocated before the header length is known to fit the file and 64 KiB (all that
 * version 1 can express; numpy writes headers of a few hundred bytes). */
static int read_header(FILE *f, off_t size, const char *path, int *ndim, slong shape[2], int *fortran,
                       size_t *count, char *err, size_t errlen)
{
    unsigned char pre[12];
    char *hdr;
    const char *v;
    size_t hlen, start;
    int status = -1;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, NPY_MAGIC, 6) != 0)
        return fail(err, errlen, path, "not a .npy file");
    if (pre[6] == 1)
        hlen = pre[8] | (size_t) pre[9] << 8;
    else if ((pre[6] == 2 || pre[6] == 3) && fread(pre + 10, 1, 2, f) == 2)
        hlen = pre[8] | (size_t) pre[9] << 8 | (size_t) pre[10] << 16 | (size_t) pre[11] << 24;
    else
        return fail(err, errlen, path, "unsupported .npy version (1, 2 or 3 expected)");
    start = (pre[6] == 1 ? 10 : 12) + hlen;
    if (hlen > NPY_MAX_HEADER || (off_t) start > size)
        return fail(err, errlen, path, hlen > NPY_MAX_HEADER ? "header longer than 64 KiB" : "truncated header");
    if ((hdr = calloc(hlen + 1, 1)) == NULL || fread(hdr, 1, hlen, f) != hlen) {
        free(hdr);
        return fail(err, errlen, path, "truncated header");
    }
    *fortran = (v = dict_value(hdr, "fortran_order")) != NULL && strncmp(v, "True", 4) == 0;
    if ((v = dict_value(hdr, "descr")) == NULL || strncmp(v, "'<f8'", 5) != 0)
        fail(err, errlen, path, "dtype must be little-endian float64 ('<f8')");
    else if ((v = dict_value(hdr, "fortran_order")) == NULL || (strncmp(v, "True", 4) != 0 && strncmp(v, "False", 5) != 0))
        fail(err, errlen, path, "fortran_order must be True or False");
    else if (parse_shape(dict_value(hdr, "shape"), ndim, shape) != 0)
        fail(err, errlen, path, "shape must be a tuple of 1 or 2 non-negative integers");
    else {
        if (*ndim == 1)
            shape[1] = 1;
        if (shape[1] != 0 && (size_t) shape[0] > (size_t) (size - (off_t) start) / sizeof(double) / (size_t) shape[1])
            dnc_fail(err, errlen, "%s: shape (%ld, %ld) needs more data than the file's %lld bytes", path,
                     (long) shape[0], (long) shape[1], (long long) size);
        else if ((off_t) ((*count = (size_t) shape[0] * (size_t) shape[1]) * sizeof(double)) != size - (off_t) start)
            dnc_fail(err, errlen, "%s: the file has %lld bytes of data after the header, the shape (%ld, %ld) "
                     "calls for %zu", path, (long long) (size - (off_t) start), (long) shape[0], (long) shape[1],
                     *count * sizeof(double));
        else
            status = 0;
    }
    free(hdr);
    return status;
}

int dnc_npy_read(const char *path, double **data, int *ndim, slong shape[2], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    size_t count = 0;
    int fortran = 0, status = -1;

    *data = NULL;
    if (f == NULL)
        return fail(err, errlen, path, "cannot open");
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        fail(err, errlen, path, "not a regular file");
    else if (read_header(f, st.st_size, path, ndim, shape, &fortran, &count, err, errlen) != 0)
        ;
    else if ((*data = malloc((count ? count : 1) * sizeof(double))) == NULL)
        fail(err, errlen, path, "not enough memory for the data");
    else if (fread(*data, sizeof(double), count, f) != count)
        fail(err, errlen, path, "truncated data");
    else if (*ndim == 2 && !fortran && to_column_major(*data, shape[0], shape[1]) != 0)
        fail(err, errlen, path, "not enough memory for the data");
    else
        status = 0;
    if (status != 0) {
        free(*data);
        *data = NULL;
    }
    fclose(f);
    return status;
}
