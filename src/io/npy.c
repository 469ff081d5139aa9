/* NumPy .npy files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * magic "\x93NUMPY", version, header length, a Python dict literal, then raw data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"

#define NPY_MAGIC "\x93NUMPY"

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
        if (*ndim == 2)
            return -1;
        shape[*ndim] = strtol(p, &end, 10);
        if (end == p || shape[*ndim] < 0)
            return -1;
        (*ndim)++;
        p = end;
        while (*p == ' ' || *p == 'L')
            p++;
        if (*p == ',')
            p++;
    }
    return (*ndim == 1 || *ndim == 2) ? 0 : -1;
}

static int fail(char *err, size_t len, const char *path, const char *what)
{
    return dnc_fail(err, len, "%s: %s", path, what);
}

/* Converts a row-major rows x cols array to column-major in place (via a copy). */
static void to_column_major(double *a, slong rows, slong cols)
{
    double *t = malloc(rows * cols * sizeof(double));
    slong i, j;
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++)
            t[i + rows * j] = a[j + cols * i];
    memcpy(a, t, rows * cols * sizeof(double));
    free(t);
}

int dnc_npy_read(const char *path, double **data, int *ndim, slong shape[2], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    unsigned char pre[12];
    char *hdr = NULL;
    const char *v;
    size_t hlen, count;
    int fortran, status = -1;

    *data = NULL;
    if (f == NULL)
        return fail(err, errlen, path, "cannot open");
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, NPY_MAGIC, 6) != 0) {
        fail(err, errlen, path, "not a .npy file");
        goto done;
    }
    if (pre[6] == 1)
        hlen = pre[8] | (size_t) pre[9] << 8;
    else if ((pre[6] == 2 || pre[6] == 3) && fread(pre + 10, 1, 2, f) == 2)
        hlen = pre[8] | (size_t) pre[9] << 8 | (size_t) pre[10] << 16 | (size_t) pre[11] << 24;
    else {
        fail(err, errlen, path, "unsupported .npy version");
        goto done;
    }
    hdr = calloc(hlen + 1, 1);
    if (hdr == NULL || hlen > (1u << 20) || fread(hdr, 1, hlen, f) != hlen) {
        fail(err, errlen, path, "truncated header");
        goto done;
    }
    v = dict_value(hdr, "descr");
    if (v == NULL || strncmp(v, "'<f8'", 5) != 0) {
        fail(err, errlen, path, "dtype must be little-endian float64 ('<f8')");
        goto done;
    }
    v = dict_value(hdr, "fortran_order");
    if (v == NULL || (strncmp(v, "True", 4) != 0 && strncmp(v, "False", 5) != 0)) {
        fail(err, errlen, path, "missing fortran_order");
        goto done;
    }
    fortran = v[0] == 'T';
    if (parse_shape(dict_value(hdr, "shape"), ndim, shape) != 0) {
        fail(err, errlen, path, "shape must have 1 or 2 dimensions");
        goto done;
    }
    if (*ndim == 1)
        shape[1] = 1;
    count = (size_t) shape[0] * (size_t) shape[1];
    *data = malloc((count ? count : 1) * sizeof(double));
    if (*data == NULL || fread(*data, sizeof(double), count, f) != count) {
        fail(err, errlen, path, "truncated data");
        free(*data);
        *data = NULL;
        goto done;
    }
    if (*ndim == 2 && !fortran)
        to_column_major(*data, shape[0], shape[1]);
    status = 0;
done:
    free(hdr);
    fclose(f);
    return status;
}
