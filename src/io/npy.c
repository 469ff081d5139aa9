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
#include "io_priv.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_HEADER 65536

struct npy_job { const double *data; int ndim; const slong *shape; };

/* Writes the rows of the column-major rows x cols matrix a one after the other (C order). */
static int write_c_order(FILE *f, const double *a, slong rows, slong cols)
{
    double *row = malloc((cols ? cols : 1) * sizeof(double));
    slong i, j;
    int status = row != NULL ? 0 : -1;
    for (i = 0; i < rows && status == 0; i++) {
        for (j = 0; j < cols; j++)
            row[j] = a[i + rows * j];
        /* x86-64 doubles are little-endian IEEE binary64, as '<f8' requires. */
        if (fwrite(row, sizeof(double), cols, f) != (size_t) cols)
            status = -1;
    }
    free(row);
    return status;
}

static int npy_writer(FILE *f, void *ctx)
{
    const struct npy_job *job = ctx;
    char dict[256];
    unsigned char pre[10];
    int len, total, pad;
    if (job->ndim == 1)
        len = snprintf(dict, sizeof(dict), "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld,), }",
                       (long) job->shape[0]);
    else
        len = snprintf(dict, sizeof(dict), "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %ld), }",
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
    return write_c_order(f, job->data, job->shape[0], job->ndim == 2 ? job->shape[1] : 1);
}

int dnc_npy_write(const char *path, const double *data, int ndim, const slong *shape)
{
    struct npy_job job = { data, ndim, shape };
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

static int fail(char *err, size_t len, const char *where, const char *what)
{
    return dnc_fail(err, len, "%s: %s", where, what);
}

/* The dtype of a header's 'descr' value (just after its colon), in words, with the fix
 * to suggest: "float32 ('<f4')" -> astype(np.float64). Only '<f8' is read. */
static int dtype_fail(char *err, size_t len, const char *where, const char *v)
{
    static const struct { char kind; const char *word; } kinds[] = {
        { 'f', "float" }, { 'i', "int" }, { 'u', "uint" }, { 'c', "complex" }, { 'b', "bool" }
    };
    char descr[16] = "", word[48] = "";
    size_t i, n = 0;
    long bytes;
    if (v == NULL || *v != '\'')   /* absent, or a structured dtype (a list of fields) */
        return dnc_fail(err, len, "%s: the dtype is not a plain number type; dncert needs float64 ('<f8')", where);
    for (v++; v[n] != '\'' && v[n] != '\0' && n + 1 < sizeof(descr); n++)
        descr[n] = v[n];
    descr[n] = '\0';
    bytes = n >= 3 ? strtol(descr + 2, NULL, 10) : 0;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && n >= 3; i++)
        if (descr[1] == kinds[i].kind && bytes > 0 && bytes <= 32)
            snprintf(word, sizeof(word), kinds[i].kind == 'b' ? "%s" : "%s%ld", kinds[i].word, 8 * bytes);
    if (strcmp(descr, ">f8") == 0)
        return dnc_fail(err, len, "%s is big-endian float64 ('>f8'); dncert needs little-endian float64 ('<f8'): use "
                        "arr.astype('<f8')", where);
    if (word[0] != '\0')
        return dnc_fail(err, len, "%s is %s ('%s'); dncert needs float64 ('<f8'): use arr.astype(np.float64)",
                        where, word, descr);
    return dnc_fail(err, len, "%s has dtype '%s'; dncert needs float64 ('<f8'): use arr.astype(np.float64)",
                    where, descr);
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

/* Reads and checks the preamble and header of a .npy array of `size` bytes: dtype, memory
 * order, shape, and that exactly the data the shape calls for follow. Nothing is allocated
 * before the header length is known to fit the array and 64 KiB (all that version 1 can
 * express; numpy writes headers of a few hundred bytes). */
static int read_header(FILE *f, off_t size, const char *where, int *ndim, slong shape[2], int *fortran,
                       size_t *count, char *err, size_t errlen)
{
    unsigned char pre[12];
    char *hdr;
    const char *v;
    size_t hlen, start;
    int status = -1;
    if (size < 10 || fread(pre, 1, 10, f) != 10 || memcmp(pre, NPY_MAGIC, 6) != 0)
        return fail(err, errlen, where, "not a .npy file");
    if (pre[6] == 1)
        hlen = pre[8] | (size_t) pre[9] << 8;
    else if ((pre[6] == 2 || pre[6] == 3) && size >= 12 && fread(pre + 10, 1, 2, f) == 2)
        hlen = pre[8] | (size_t) pre[9] << 8 | (size_t) pre[10] << 16 | (size_t) pre[11] << 24;
    else
        return fail(err, errlen, where, "unsupported .npy version (1, 2 or 3 expected)");
    start = (pre[6] == 1 ? 10 : 12) + hlen;
    if (hlen > NPY_MAX_HEADER || (off_t) start > size)
        return fail(err, errlen, where, hlen > NPY_MAX_HEADER ? "header longer than 64 KiB" : "truncated header");
    if ((hdr = calloc(hlen + 1, 1)) == NULL || fread(hdr, 1, hlen, f) != hlen) {
        free(hdr);
        return fail(err, errlen, where, "truncated header");
    }
    *fortran = (v = dict_value(hdr, "fortran_order")) != NULL && strncmp(v, "True", 4) == 0;
    if ((v = dict_value(hdr, "descr")) == NULL || strncmp(v, "'<f8'", 5) != 0)
        dtype_fail(err, errlen, where, v);
    else if ((v = dict_value(hdr, "fortran_order")) == NULL || (strncmp(v, "True", 4) != 0 && strncmp(v, "False", 5) != 0))
        fail(err, errlen, where, "fortran_order must be True or False");
    else if (parse_shape(dict_value(hdr, "shape"), ndim, shape) != 0)
        fail(err, errlen, where, "shape must be a tuple of 1 or 2 non-negative integers");
    else {
        if (*ndim == 1)
            shape[1] = 1;
        if (shape[1] != 0 && (size_t) shape[0] > (size_t) (size - (off_t) start) / sizeof(double) / (size_t) shape[1])
            dnc_fail(err, errlen, "%s: shape (%ld, %ld) needs more data than the file's %lld bytes", where,
                     (long) shape[0], (long) shape[1], (long long) size);
        else if ((off_t) ((*count = (size_t) shape[0] * (size_t) shape[1]) * sizeof(double)) != size - (off_t) start)
            dnc_fail(err, errlen, "%s: the file has %lld bytes of data after the header, the shape (%ld, %ld) "
                     "calls for %zu", where, (long long) (size - (off_t) start), (long) shape[0], (long) shape[1],
                     *count * sizeof(double));
        else
            status = 0;
    }
    free(hdr);
    return status;
}

int _dnc_npy_read_stream(FILE *f, off_t size, const char *where, double **data, int *ndim, slong shape[2],
                         char *err, size_t errlen)
{
    size_t count = 0;
    int fortran = 0, status = -1;
    *data = NULL;
    if (read_header(f, size, where, ndim, shape, &fortran, &count, err, errlen) != 0)
        ;
    else if ((*data = malloc((count ? count : 1) * sizeof(double))) == NULL)
        fail(err, errlen, where, "not enough memory for the data");
    else if (fread(*data, sizeof(double), count, f) != count)
        fail(err, errlen, where, "truncated data");
    else if (*ndim == 2 && !fortran && to_column_major(*data, shape[0], shape[1]) != 0)
        fail(err, errlen, where, "not enough memory for the data");
    else
        status = 0;
    if (status != 0) {
        free(*data);
        *data = NULL;
    }
    return status;
}

int dnc_npy_read(const char *path, double **data, int *ndim, slong shape[2], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    int status = -1;

    *data = NULL;
    if (f == NULL)
        return fail(err, errlen, path, "cannot open");
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        fail(err, errlen, path, "not a regular file");
    else
        status = _dnc_npy_read_stream(f, st.st_size, path, data, ndim, shape, err, errlen);
    fclose(f);
    return status;
}
