/* Atomic files and run directories: nothing partial is ever left under a final name. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dncert/io.h"

static int sys_fail(char *err, size_t len, const char *what, const char *path)
{
    return dnc_fail(err, len, "%s %s: %s", what, path, strerror(errno));
}

char *dnc_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || (s = malloc((size_t) n + 1)) == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t) n + 1, fmt, ap);
    va_end(ap);
    return s;
}

char *dnc_path_join(const char *dir, const char *name)
{
    return dnc_strdup_printf("%s/%s", dir, name);
}

int dnc_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int dnc_write_atomic(const char *path, dnc_writer_fn fn, void *ctx, char *err, size_t errlen)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    FILE *f;
    int fd, status;
    snprintf(tmp, n, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        status = sys_fail(err, errlen, "cannot create", tmp);
        free(tmp);
        return status;
    }
    {
        /* mkstemp creates the file 0600; give it the mode a plain fopen would. */
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, 0666 & ~mask);
    }
    f = fdopen(fd, "wb");
    status = (f != NULL && fn(f, ctx) == 0) ? 0 : -1;
    if (f == NULL)
        close(fd);
    if (f != NULL && fclose(f) != 0)
        status = -1;
    if (status == 0 && rename(tmp, path) != 0)
        status = sys_fail(err, errlen, "cannot rename to", path);
    else if (status != 0)
        sys_fail(err, errlen, "cannot write", path);
    if (status != 0)
        unlink(tmp);
    free(tmp);
    return status;
}

/* 1 for values printed on one line: scalars, and arrays of scalars or of such arrays. */
static int is_flat(const json_t *v)
{
    size_t i;
    json_t *x;
    if (json_is_object(v))
        return 0;
    if (!json_is_array(v))
        return 1;
    json_array_foreach(v, i, x)
        if (json_is_object(x) || (json_is_array(x) && !is_flat(x)))
            return 0;
    return 1;
}

/* A long string of printable ASCII without '"' and '\\' (a base64 block, a long number),
 * written as jansson would write it (nothing to escape), without its character-by-character
 * dump: 1 when written. */
static int dump_plain_string(const json_t *v, FILE *f, int *ok)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v), i;
    if (n < 4096)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
            return 0;
    *ok |= fputc('"', f) == EOF || fwrite(s, 1, n, f) != n || fputc('"', f) == EOF ? -1 : 0;
    return 1;
}

/* Pretty JSON with objects indented by 2 and flat arrays on one line, so that a matrix
 * pattern [[i, j, "q"], ...] costs one line instead of five per entry. */
static int dump_pretty(const json_t *v, FILE *f, int depth)
{
    size_t i, n;
    const char *key;
    json_t *x;
    int ok = 0;
    if (json_is_string(v) && dump_plain_string(v, f, &ok))
        return ok;
    if (is_flat(v) && !(json_is_array(v) && json_array_size(v) > 0 && json_is_array(json_array_get(v, 0))))
        return json_dumpf(v, f, JSON_COMPACT | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY) == 0 ? 0 : -1;
    if (json_is_array(v)) {   /* arrays of objects, or of flat arrays: one element per line */
        n = json_array_size(v);
        fputs("[\n", f);
        json_array_foreach(v, i, x) {
            fprintf(f, "%*s", 2 * (depth + 1), "");
            ok |= dump_pretty(x, f, depth + 1);
            fputs(i + 1 < n ? ",\n" : "\n", f);
        }
        fprintf(f, "%*s]", 2 * depth, "");
        return ok;
    }
    n = json_object_size(v);
    i = 0;
    fputs("{\n", f);
    json_object_foreach((json_t *) v, key, x) {
        json_t *k = json_string(key);
        fprintf(f, "%*s", 2 * (depth + 1), "");
        ok |= json_dumpf(k, f, JSON_ENCODE_ANY);
        json_decref(k);
        fputs(": ", f);
        ok |= dump_pretty(x, f, depth + 1);
        fputs(++i < n ? ",\n" : "\n", f);
    }
    fprintf(f, "%*s}", 2 * depth, "");
    return ok;
}

static int json_writer(FILE *f, void *ctx)
{
    if (dump_pretty((json_t *) ctx, f, 0) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

int dnc_json_write_atomic(const char *path, json_t *value, char *err, size_t errlen)
{
    return dnc_write_atomic(path, json_writer, value, err, errlen);
}

/* mkdir -p of the directory that will contain path. */
static int make_parents(const char *path)
{
    char *buf = strdup(path), *p;
    int status = 0;
    for (p = buf + 1; *p != '\0' && status == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            status = -1;
        *p = '/';
    }
    free(buf);
    return status;
}

int dnc_mkdir_p(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir) + 2;
    char *probe = malloc(n);
    int status;
    snprintf(probe, n, "%s/", dir);   /* make_parents creates every component before a '/' */
    status = make_parents(probe);
    free(probe);
    if (status != 0 || !dnc_path_exists(dir))
        return sys_fail(err, errlen, "cannot create directory", dir);
    return 0;
}

int dnc_rundir_begin(char *tmp, size_t tmplen, const char *dir, char *err, size_t errlen)
{
    if ((size_t) snprintf(tmp, tmplen, "%s.tmp.XXXXXX", dir) >= tmplen)
        return dnc_fail(err, errlen, "path too long: %s", dir);
    if (make_parents(tmp) != 0 || mkdtemp(tmp) == NULL)
        return sys_fail(err, errlen, "cannot create directory", tmp);
    return 0;
}

int dnc_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int status = 0;
    if (d == NULL)
        return unlink(path);
    while ((e = readdir(d)) != NULL) {
        size_t n;
        char *child;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n = strlen(path) + strlen(e->d_name) + 2;
        child = malloc(n);
        snprintf(child, n, "%s/%s", path, e->d_name);
        status |= dnc_remove_tree(child);
        free(child);
    }
    closedir(d);
    return rmdir(path) | status;
}

int dnc_rundir_commit(const char *tmp, const char *dir, int replace, char *err, size_t errlen)
{
    if (replace && dnc_path_exists(dir) && dnc_remove_tree(dir) != 0)
        return sys_fail(err, errlen, "cannot remove", dir);
    if (rename(tmp, dir) != 0)
        return sys_fail(err, errlen, "cannot rename temporary directory to", dir);
    return 0;
}
