/* NumPy .npz archives: what np.savez writes, a ZIP file (PKWARE APPNOTE 6.3) with one
 * uncompressed ("stored") member NAME.npy per array. Only that is read: stored members
 * of one disk, ZIP64 sizes and offsets included; compressed members (np.savez_compressed)
 * are refused with the advice to use np.savez. Every size and offset is checked against
 * the file before it is used, and nothing is allocated that the file does not hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "dncert/io.h"
#include "io_priv.h"

#define SIG_LOCAL     0x04034b50u
#define SIG_CENTRAL   0x02014b50u
#define SIG_END       0x06054b50u
#define SIG_END64     0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define MAX_NAME      255                 /* member names; numpy's are "H1.npy" */
#define MAX_CENTRAL   (16u << 20)         /* the central directory of DNC_NPZ_MAX_ARRAYS members fits */

typedef struct {
    char name[MAX_NAME + 1];   /* the array's name: the member's without ".npy" */
    uint64_t size;             /* stored size = uncompressed size */
    uint64_t offset;           /* of the member's local header */
    uint32_t crc;
} member;

struct dnc_npz_s {
    FILE *f;
    char *path;
    uint64_t end;              /* members lie before this offset (the central directory's) */
    slong n;
    member *m;
};

static uint32_t get16(const unsigned char *p) { return p[0] | (uint32_t) p[1] << 8; }
static uint32_t get32(const unsigned char *p) { return get16(p) | get16(p + 2) << 16; }
static uint64_t get64(const unsigned char *p) { return get32(p) | (uint64_t) get32(p + 4) << 32; }

/* Reads len bytes at offset off; 0, or -1 when the file is shorter. */
static int read_at(FILE *f, uint64_t off, void *buf, size_t len)
{
    return off <= INT64_MAX && fseeko(f, (off_t) off, SEEK_SET) == 0 && fread(buf, 1, len, f) == len ? 0 : -1;
}

/* The end of central directory record: the last signature whose comment runs exactly to
 * the end of the file. Sets *pos; reads the 22 bytes into rec. */
static int find_end(FILE *f, uint64_t size, uint64_t *pos, unsigned char rec[22])
{
    size_t tail = size < 22 + 65535 ? (size_t) size : 22 + 65535, i;
    unsigned char *buf;
    int found = 0;
    if (size < 22 || (buf = malloc(tail)) == NULL)
        return -1;
    if (read_at(f, size - tail, buf, tail) == 0)
        for (i = tail - 22 + 1; i-- > 0 && !found;)
            if (get32(buf + i) == SIG_END && get16(buf + i + 20) == tail - 22 - i) {
                memcpy(rec, buf + i, 22);
                *pos = size - tail + i;
                found = 1;
            }
    free(buf);
    return found ? 0 : -1;
}

/* Where the central directory is (offset, size, number of entries), from the end record
 * or, when it says so with all-ones fields, from the ZIP64 end record. *end is where the
 * central directory must stop. */
static int central_dir(dnc_npz *z, uint64_t size, uint64_t *off, uint64_t *len, uint64_t *count, uint64_t *end,
                       char *err, size_t errlen)
{
    unsigned char rec[56];
    uint64_t pos;
    if (find_end(z->f, size, &pos, rec) != 0)
        return dnc_fail(err, errlen, "%s: not a .npz file (no ZIP end record; np.savez writes one)", z->path);
    if (get16(rec + 4) != 0 || get16(rec + 6) != 0 || get16(rec + 8) != get16(rec + 10))
        return dnc_fail(err, errlen, "%s: a ZIP archive split over several disks is not supported", z->path);
    *count = get16(rec + 10);
    *len = get32(rec + 12);
    *off = get32(rec + 16);
    *end = pos;
    if (*count == 0xffff || *len == 0xffffffffu || *off == 0xffffffffu) {
        unsigned char loc[20];
        if (pos < 20 || read_at(z->f, pos - 20, loc, 20) != 0 || get32(loc) != SIG_LOCATOR64
            || get64(loc + 8) > pos - 20 || pos - 20 - get64(loc + 8) < 56
            || read_at(z->f, get64(loc + 8), rec, 56) != 0 || get32(rec) != SIG_END64)
            return dnc_fail(err, errlen, "%s: the ZIP64 end record is missing or damaged", z->path);
        if (get32(rec + 16) != 0 || get32(rec + 20) != 0 || get64(rec + 24) != get64(rec + 32))
            return dnc_fail(err, errlen, "%s: a ZIP archive split over several disks is not supported", z->path);
        *count = get64(rec + 32);
        *len = get64(rec + 40);
        *off = get64(rec + 48);
        *end = get64(loc + 8);
    }
    if (*off > *end || *len != *end - *off)
        return dnc_fail(err, errlen, "%s: the ZIP central directory does not end where the end record starts "
                        "(a damaged or concatenated archive)", z->path);
    if (*count > DNC_NPZ_MAX_ARRAYS)
        return dnc_fail(err, errlen, "%s: %llu members, more than the %d arrays dncert reads", z->path,
                        (unsigned long long) *count, DNC_NPZ_MAX_ARRAYS);
    if (*len > MAX_CENTRAL || *len < 46 * *count)
        return dnc_fail(err, errlen, "%s: the ZIP central directory has %llu bytes for %llu members", z->path,
                        (unsigned long long) *len, (unsigned long long) *count);
    return 0;
}

/* The ZIP64 extra field of a central header: the 8-byte values of the fields that are
 * all ones in the header, in the order uncompressed size, compressed size, offset. */
static int zip64_extra(const unsigned char *x, size_t xlen, uint64_t *usize, uint64_t *csize, uint64_t *off)
{
    uint64_t *want[3] = { usize, csize, off };
    size_t i, k;
    while (xlen >= 4) {
        size_t id = get16(x), n = get16(x + 2);
        if (n > xlen - 4)
            return -1;
        if (id == 0x0001) {
            for (i = k = 0; i < 3; i++)
                if (*want[i] == 0xffffffffu) {
                    if (k + 8 > n)
                        return -1;
                    *want[i] = get64(x + 4 + k);
                    k += 8;
                }
            return 0;
        }
        x += 4 + n;
        xlen -= 4 + n;
    }
    return *usize == 0xffffffffu || *csize == 0xffffffffu || *off == 0xffffffffu ? -1 : 0;
}

/* Central header at h (len bytes left in the directory) into m; *used = its length. */
static int parse_member(dnc_npz *z, member *m, const unsigned char *h, size_t len, size_t *used,
                        char *err, size_t errlen)
{
    size_t nlen, xlen, clen;
    uint64_t usize, csize, off;
    if (len < 46 || get32(h) != SIG_CENTRAL)
        return dnc_fail(err, errlen, "%s: damaged ZIP central directory", z->path);
    nlen = get16(h + 28);
    xlen = get16(h + 30);
    clen = get16(h + 32);
    if (46 + nlen + xlen + clen > len)
        return dnc_fail(err, errlen, "%s: damaged ZIP central directory", z->path);
    *used = 46 + nlen + xlen + clen;
    if (nlen <= 4 || nlen > MAX_NAME || memcmp(h + 46 + nlen - 4, ".npy", 4) != 0
        || memchr(h + 46, '\0', nlen) != NULL)
        return dnc_fail(err, errlen, "%s: the member '%.*s' is not an array NAME.npy (np.savez writes one per "
                        "array)", z->path, (int) (nlen > 64 ? 64 : nlen), (const char *) h + 46);
    memcpy(m->name, h + 46, nlen - 4);
    m->name[nlen - 4] = '\0';
    if (get16(h + 8) & 1)
        return dnc_fail(err, errlen, "%s: array '%s' is encrypted", z->path, m->name);
    if (get16(h + 10) == 8)
        return dnc_fail(err, errlen, "%s: array '%s' is compressed (deflate, as np.savez_compressed writes); "
                        "dncert reads uncompressed archives: save with np.savez", z->path, m->name);
    if (get16(h + 10) != 0)
        return dnc_fail(err, errlen, "%s: array '%s' uses ZIP compression method %u; dncert reads uncompressed "
                        "archives: save with np.savez", z->path, m->name, (unsigned) get16(h + 10));
    csize = get32(h + 20);
    usize = get32(h + 24);
    off = get32(h + 42);
    if (zip64_extra(h + 46 + nlen, xlen, &usize, &csize, &off) != 0)
        return dnc_fail(err, errlen, "%s: array '%s': damaged ZIP64 sizes", z->path, m->name);
    if (csize != usize || off > z->end || csize > z->end - off)
        return dnc_fail(err, errlen, "%s: array '%s': its ZIP sizes (%llu stored, %llu bytes) do not fit the "
                        "archive", z->path, m->name, (unsigned long long) csize, (unsigned long long) usize);
    m->size = usize;
    m->offset = off;
    m->crc = get32(h + 16);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const member *) a)->name, ((const member *) b)->name);
}

static int read_members(dnc_npz *z, uint64_t size, char *err, size_t errlen)
{
    uint64_t off = 0, len = 0, count = 0, end = 0;
    unsigned char *cd = NULL;
    size_t pos = 0, used = 0;
    slong i;
    int status = -1;
    if (central_dir(z, size, &off, &len, &count, &end, err, errlen) != 0)
        return -1;
    z->end = off;
    if ((cd = malloc(len ? len : 1)) == NULL || (z->m = calloc(count ? count : 1, sizeof(member))) == NULL)
        dnc_fail(err, errlen, "%s: not enough memory", z->path);
    else if (read_at(z->f, off, cd, len) != 0)
        dnc_fail(err, errlen, "%s: cannot read the ZIP central directory", z->path);
    else {
        for (i = 0; i < (slong) count; i++, pos += used)
            if (parse_member(z, z->m + i, cd + pos, len - pos, &used, err, errlen) != 0)
                break;
        z->n = i;
        status = i == (slong) count ? 0 : -1;
    }
    free(cd);
    if (status == 0 && z->n > 1) {
        qsort(z->m, z->n, sizeof(member), by_name);
        for (i = 1; i < z->n; i++)
            if (strcmp(z->m[i].name, z->m[i - 1].name) == 0)
                return dnc_fail(err, errlen, "%s: the array '%s' appears twice", z->path, z->m[i].name);
    }
    return status;
}

dnc_npz *dnc_npz_open(const char *path, char *err, size_t errlen)
{
    dnc_npz *z = calloc(1, sizeof(dnc_npz));
    struct stat st;
    if (z == NULL || (z->path = strdup(path)) == NULL) {
        free(z);
        dnc_fail(err, errlen, "%s: not enough memory", path);
        return NULL;
    }
    if ((z->f = fopen(path, "rb")) == NULL)
        dnc_fail(err, errlen, "%s: cannot open", path);
    else if (fstat(fileno(z->f), &st) != 0 || !S_ISREG(st.st_mode))
        dnc_fail(err, errlen, "%s: not a regular file", path);
    else if (read_members(z, (uint64_t) st.st_size, err, errlen) == 0)
        return z;
    dnc_npz_close(z);
    return NULL;
}

void dnc_npz_close(dnc_npz *z)
{
    if (z == NULL)
        return;
    if (z->f != NULL)
        fclose(z->f);
    free(z->m);
    free(z->path);
    free(z);
}

slong dnc_npz_count(const dnc_npz *z)
{
    return z->n;
}

const char *dnc_npz_name(const dnc_npz *z, slong i)
{
    return i >= 0 && i < z->n ? z->m[i].name : NULL;
}

static const member *find(const dnc_npz *z, const char *name)
{
    member key;
    if (strlen(name) > MAX_NAME)
        return NULL;
    strcpy(key.name, name);
    return z->n > 0 ? bsearch(&key, z->m, z->n, sizeof(member), by_name) : NULL;
}

int dnc_npz_has(const dnc_npz *z, const char *name)
{
    return find(z, name) != NULL;
}

/* CRC-32 of len bytes of f from its position (the ZIP polynomial, reflected). */
static int crc32_of(FILE *f, uint64_t len, uint32_t *crc)
{
    uint32_t table[256], c;
    unsigned char buf[1 << 16];
    size_t i, k, n;
    for (i = 0; i < 256; i++) {
        for (c = (uint32_t) i, k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    c = 0xffffffffu;
    while (len > 0) {
        n = len < sizeof(buf) ? (size_t) len : sizeof(buf);
        if (fread(buf, 1, n, f) != n)
            return -1;
        for (i = 0; i < n; i++)
            c = table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
        len -= n;
    }
    *crc = c ^ 0xffffffffu;
    return 0;
}

int dnc_npz_read(dnc_npz *z, const char *name, double **data, int *ndim, slong shape[2], char *err, size_t errlen)
{
    const member *m = find(z, name);
    unsigned char h[30 + MAX_NAME];
    char where[4400];
    size_t nlen;
    uint64_t start;
    uint32_t crc;
    *data = NULL;
    if (m == NULL)
        return dnc_fail(err, errlen, "%s: has no array '%s'", z->path, name);
    snprintf(where, sizeof(where), "%s: array '%s'", z->path, m->name);
    /* the local header must repeat the central one's name and method */
    nlen = strlen(m->name) + 4;
    if (z->end - m->offset < 30 + nlen || read_at(z->f, m->offset, h, 30 + nlen) != 0 || get32(h) != SIG_LOCAL
        || get16(h + 26) != nlen || memcmp(h + 30, m->name, nlen - 4) != 0 || memcmp(h + 26 + nlen, ".npy", 4) != 0
        || get16(h + 8) != 0)
        return dnc_fail(err, errlen, "%s: damaged ZIP member header", where);
    start = m->offset + 30 + get16(h + 26) + get16(h + 28);
    if (start > z->end || m->size > z->end - start)
        return dnc_fail(err, errlen, "%s: the member runs past the end of the archive's data", where);
    if (fseeko(z->f, (off_t) start, SEEK_SET) != 0 || crc32_of(z->f, m->size, &crc) != 0)
        return dnc_fail(err, errlen, "%s: cannot read the member", where);
    if (crc != m->crc)
        return dnc_fail(err, errlen, "%s: CRC-32 mismatch (the archive is damaged)", where);
    if (fseeko(z->f, (off_t) start, SEEK_SET) != 0)
        return dnc_fail(err, errlen, "%s: cannot read the member", where);
    return _dnc_npy_read_stream(z->f, (off_t) m->size, where, data, ndim, shape, err, errlen);
}
