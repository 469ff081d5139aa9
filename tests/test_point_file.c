/* Binary64 points (docs/certificate-format.md §5.2): the checker's own SHA-256 against FIPS
 * 180-4's examples and against coreutils' sha256sum, its base64 decoder against RFC 4648's
 * vectors, certify-point's encodings (text, inline base64, point file) verifying alike, and
 * what both checkers refuse: a swapped, truncated, extended or edited point file, a digest
 * that does not match, a name outside the certificate's directory, a symbolic link, NaN and
 * infinite entries, non-canonical base64, and consistent forgeries (point and digest both
 * changed: the loss claim no longer holds). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include <criterion/criterion.h>
#include "dncert/cert.h"
#include "dncert/io.h"
#include "dncert/verify.h"
#include "io/io_priv.h"
#include "verifier/verifier.h"
#include "testutil.h"

#define CAP 200000
static char out[CAP], err[CAP];

/* ---- SHA-256 ---- */

/* The producer's own SHA-256 (src/io/sha256.c), fed in pieces of step bytes. */
static void sha_hex_producer(char hex[65], const unsigned char *data, size_t n, size_t step)
{
    dnc_sha256 s;
    size_t i;
    dnc_sha256_init(&s);
    for (i = 0; i < n; i += step)
        dnc_sha256_update(&s, data + i, n - i < step ? n - i : step);
    dnc_sha256_hex(&s, hex);
}

/* The checker's (src/verifier/vbinary.c). */
static void sha_hex(char hex[65], const unsigned char *data, size_t n, size_t step)
{
    vx_sha256 s;
    unsigned char d[32];
    size_t i;
    int k;
    vx_sha256_init(&s);
    for (i = 0; i < n; i += step)
        vx_sha256_update(&s, data + i, n - i < step ? n - i : step);
    vx_sha256_final(&s, d);
    for (k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", d[k]);
}

/* Both implementations (the producer's and the checker's) on the examples of FIPS 180-4's companion document (NIST, "SHA256.pdf" and "SHA2_Additional.pdf",
 * csrc.nist.gov, Examples with Intermediate Values), fed whole and in pieces of several sizes;
 * with their SHA-NI compressions (where the CPU has them) and with their portable ones. */
static void fips_examples(const char *path)
{
    static const struct { const char *msg; size_t reps; const char *digest; } v[] = {
        { "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
          1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
        { "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
    };
    static const size_t steps[] = { 1, 3, 63, 64, 65, 1000, (size_t) -1 };
    size_t i, s, j;
    char hex[65];
    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t n = strlen(v[i].msg) * v[i].reps;
        unsigned char *m = malloc(n + 1);
        for (j = 0; j < v[i].reps; j++)
            memcpy(m + j * strlen(v[i].msg), v[i].msg, strlen(v[i].msg));
        for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
            if (steps[s] == 1 && n > 100000)
                continue;
            sha_hex(hex, m, n, steps[s] == (size_t) -1 ? (n > 0 ? n : 1) : steps[s]);
            cr_expect_str_eq(hex, v[i].digest, "checker (%s): example %zu in pieces of %zu", path, i, steps[s]);
            sha_hex_producer(hex, m, n, steps[s] == (size_t) -1 ? (n > 0 ? n : 1) : steps[s]);
            cr_expect_str_eq(hex, v[i].digest, "producer (%s): example %zu in pieces of %zu", path, i, steps[s]);
        }
        free(m);
    }
}

/* Both implementations' compressions: SHA-NI (1 when the CPU has it) or portable (0). */
static int sha_paths(int on)
{
    int a = _dnc_sha256_accel(on), b = vx_sha256_x86(on);
    cr_assert_eq(a, b, "the producer and the checker disagree on whether the CPU has SHA-NI");
    return a;
}

Test(sha256, fips_180_4_examples)
{
    if (sha_paths(1))
        fips_examples("SHA-NI");
    else
        cr_log_warn("this CPU has no SHA-NI: the portable compressions only");
    sha_paths(0);
    fips_examples("portable");
    sha_paths(1);
}

/* Each implementation's SHA-NI compression against its portable one: every length 0..300
 * (bytes of a pseudo-random sequence) and lengths around the block and padding boundaries up
 * to 16 blocks, whole and in pieces that start and end inside blocks. */
Test(sha256, sha_ni_matches_portable)
{
    enum { MAX = 1100 };
    static const size_t steps[] = { 1, 7, 64, 100, MAX };
    unsigned char m[MAX];
    char a[65], b[65], c[65], d[65];
    unsigned long long x = 88172645463325252ull;
    size_t n, i, s;
    if (!sha_paths(1)) {
        sha_paths(1);
        cr_skip_test("this CPU has no SHA-NI");
    }
    for (i = 0; i < MAX; i++) {   /* xorshift64 */
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        m[i] = (unsigned char) (x >> 32);
    }
    for (n = 0; n < MAX; n++) {
        if (n > 300 && n % 64 > 1 && n % 64 < 55)
            continue;   /* above 300: the lengths 64k - 9 .. 64k + 1 only (padding in one or two blocks) */
        for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
            sha_paths(1);
            sha_hex_producer(a, m, n, steps[s]);
            sha_hex(b, m, n, steps[s]);
            sha_paths(0);
            sha_hex_producer(c, m, n, steps[s]);
            sha_hex(d, m, n, steps[s]);
            cr_expect_str_eq(a, c, "producer: %zu bytes in pieces of %zu: SHA-NI %s, portable %s", n, steps[s], a, c);
            cr_expect_str_eq(b, d, "checker: %zu bytes in pieces of %zu: SHA-NI %s, portable %s", n, steps[s], b, d);
            cr_expect_str_eq(a, b, "%zu bytes: producer %s, checker %s", n, a, b);
        }
    }
    sha_paths(1);
}

/* The digest of path by coreutils' sha256sum (an implementation independent of both of
 * dncert's): 0, or -1 when it cannot be run. */
static int sha256sum(char hex[65], const char *path)
{
    char cmd[600];
    FILE *p;
    int ok;
    snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
    if ((p = popen(cmd, "r")) == NULL)
        return -1;
    ok = fscanf(p, "%64s", hex) == 1;
    return pclose(p) == 0 && ok ? 0 : -1;
}

/* Lengths around the block and padding boundaries (55, 56, 64 bytes and their multiples). */
Test(sha256, agrees_with_sha256sum)
{
    static const size_t lengths[] = { 0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 100003 };
    char dir[256], path[300], a[65], b[65];
    size_t i, j;
    tu_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/bytes", dir);
    for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t n = lengths[i];
        unsigned char *m = malloc(n + 1);
        FILE *f = fopen(path, "wb");
        for (j = 0; j < n; j++)
            m[j] = (unsigned char) (j * 7 + 3 + j / 251);
        cr_assert(f != NULL && fwrite(m, 1, n, f) == n && fclose(f) == 0);
        cr_assert_eq(sha256sum(a, path), 0, "sha256sum could not be run");
        sha_hex(b, m, n, 37);
        cr_expect_str_eq(b, a, "checker: %zu bytes", n);
        sha_hex_producer(b, m, n, 37);
        cr_expect_str_eq(b, a, "producer: %zu bytes", n);
        free(m);
    }
}

/* ---- base64 ---- */

/* RFC 4648 §10's test vectors, and texts that are not the canonical encoding. */
Test(base64, rfc_4648_vectors_and_refusals)
{
    static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    static const struct { size_t n; const char *text; const char *why; } bad[] = {
        { 1, "Zh==", "padding bits" },           /* 'f' with a non-zero padding bit */
        { 2, "Zm9=", "padding bits" },
        { 1, "Zg=", "expected 4 base64 characters" },
        { 1, "Zg===", "more than 4" },
        { 3, "Zm9", "expected 4" },
        { 3, "Zm-v", "not of the base64 alphabet" },   /* the URL alphabet's '-' */
        { 3, "Zm9\n", "not of the base64 alphabet" },
        { 2, "Zg==", "not of the base64 alphabet" },   /* '=' where a character is due */
        { 1, "Zgx=", "padding '='" },
        { 6, "Zm9v Y", "expected 8" },
    };
    unsigned char buf[16];
    char why[256];
    size_t i;
    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        cr_expect_eq(vx_base64_decode(buf, strlen(plain[i]), enc[i], why, sizeof(why)), 0, "%s: %s", enc[i], why);
        cr_expect(memcmp(buf, plain[i], strlen(plain[i])) == 0, "%s", enc[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_eq(vx_base64_decode(buf, bad[i].n, bad[i].text, why, sizeof(why)), -1, "accepted '%s'", bad[i].text);
        cr_expect(strstr(why, bad[i].why) != NULL, "'%s': %s", bad[i].text, why);
    }
}

/* The producer's encoder against Python's: base64.b64encode(struct.pack('<3d', 1.0, -2.5,
 * 0.1)) and the same for (2^-1074, -0.0); the checker decodes them to the same doubles. */
Test(base64, doubles_match_python)
{
    double a[3] = { 1.0, -2.5, 0.1 }, b[2] = { 0x1p-1074, -0.0 }, x[3];
    char *s = dnc_base64_doubles(a, 3), why[128];
    cr_expect_str_eq(s, "AAAAAAAA8D8AAAAAAAAEwJqZmZmZmbk/");
    free(s);
    s = dnc_base64_doubles(b, 2);
    cr_expect_str_eq(s, "AQAAAAAAAAAAAAAAAAAAgA==");
    cr_assert_eq(vx_base64_doubles(x, 2, s, why, sizeof(why)), 0, "%s", why);
    cr_expect(x[0] == 0x1p-1074 && x[1] == 0.0 && signbit(x[1]));
    free(s);
    cr_assert_eq(vx_base64_doubles(x, 3, "AAAAAAAA8D8AAAAAAAAEwJqZmZmZmbk/", why, sizeof(why)), 0, "%s", why);
    cr_expect(x[0] == 1.0 && x[1] == -2.5 && x[2] == 0.1);
}

/* ---- certificates with binary64 points ---- */

/* K = 3, n = 4, L = 3, width 5, free bias: entries from a fixed generator (fan-in scale). */
static void point(dnc_problem_t p, double **theta, double scale)
{
    tu_problem(p, "3", "4", "3", "5", "relu", "free", "1/100");
    *theta = tu_fixed_point(p, 987654321, scale);
}

static void certify(const char *run, const char *cert, const char *method, const char *enc)
{
    const char *args[] = { "certify-point", run, "--out", cert, "--force", "--method", method, "--point-encoding", enc,
                           NULL };
    int rc = tu_run(out, err, CAP, args);
    cr_assert_eq(rc, 0, "exit %d: %s\n%s", rc, err, out);
}

/* Both executables: the same exit status, which is returned; their outputs in out and err. */
static int verify_both(const char *cert)
{
    const char *args[] = { "verify", cert, NULL }, *vargs[] = { cert, NULL };
    int a = tu_run(out, err, CAP, args), b = tu_run_bin(DNCERT_VERIFY_BIN, out, err, CAP, vargs);
    cr_assert_eq(a, b, "dncert verify %d, dncert-verify %d: %s%s", a, b, out, err);
    return b;
}

/* Rejected by both (malformed: exit 1, "REJECTED"), with msg in the message. */
static void refused(const char *cert, const char *msg)
{
    cr_assert_eq(verify_both(cert), 1, "accepted: %s", out);
    cr_assert(strstr(out, "REJECTED") != NULL, "%s", out);
    cr_assert(strstr(err, msg) != NULL, "expected \"%s\" in: %s", msg, err);
}

/* Verified by both, but the loss claim recomputed "not proven": a MISMATCH. */
static void mismatched(const char *cert)
{
    cr_assert_eq(verify_both(cert), 1, "accepted: %s", out);
    cr_assert(strstr(out, "loss_trained loss not proven MISMATCH") != NULL, "%s%s", out, err);
}

static unsigned char *slurp_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    cr_assert(f != NULL, "%s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t) ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc(*n + 1);
    cr_assert(fread(b, 1, *n, f) == *n);
    fclose(f);
    return b;
}

static void spill_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL && fwrite(b, 1, n, f) == n && fclose(f) == 0, "%s", path);
}

static json_t *trained(json_t *cert)
{
    return json_object_get(json_object_get(cert, "points"), "trained");
}

/* The certificate src with the trained point's binary64_file.key set to v, saved as dst. */
static void set_file_field(const char *src, const char *dst, const char *key, const char *v)
{
    json_t *j = json_load_file(src, 0, NULL);
    cr_assert(j != NULL);
    json_object_set_new(json_object_get(trained(j), "binary64_file"), key, json_string(v));
    cr_assert_eq(json_dump_file(j, dst, JSON_INDENT(1)), 0);
    json_decref(j);
}

typedef struct {
    char dir[256], run[300], run2[300], text[300], b64[300], file[300], side[320], arb[300], bad[300], badside[320];
    dnc_problem_t p;
    double *theta, *theta2;
} fixture;

/* Two runs of the same problem (the second scaled), certified as text, base64, point file
 * (fast-double) and base64 with Arb. */
static void setup(fixture *f)
{
    slong n;
    point(f->p, &f->theta, 0.8);
    n = dnc_param_offset(f->p, f->p->N, DNC_NKINDS, 0);
    f->theta2 = malloc(n * sizeof(double));
    memcpy(f->theta2, f->theta, n * sizeof(double));
    f->theta2[0] *= 2;   /* another point of the same shape */
    tu_tmpdir(f->dir, sizeof(f->dir));
    tu_save_run(f->run, sizeof(f->run), f->dir, f->p, f->theta);
    snprintf(f->run2, sizeof(f->run2), "%s/run2", f->dir);
    {
        char msg[256];
        cr_assert_eq(dnc_mkdir_p(f->run2, msg, sizeof(msg)), 0, "%s", msg);
        cr_assert_eq(dnc_point_save(f->run2, f->p, f->theta2, NULL, msg, sizeof(msg)), 0, "%s", msg);
    }
    snprintf(f->text, sizeof(f->text), "%s/text.json", f->dir);
    snprintf(f->b64, sizeof(f->b64), "%s/b64.json", f->dir);
    snprintf(f->file, sizeof(f->file), "%s/file.json", f->dir);
    snprintf(f->side, sizeof(f->side), "%s.trained.f64", f->file);
    snprintf(f->arb, sizeof(f->arb), "%s/arb.json", f->dir);
    snprintf(f->bad, sizeof(f->bad), "%s/bad.json", f->dir);
    snprintf(f->badside, sizeof(f->badside), "%s/bad.json.trained.f64", f->dir);
    certify(f->run, f->text, "fast", "text");
    certify(f->run, f->b64, "fast", "base64");
    certify(f->run, f->file, "fast", "file");
    cr_assert(strstr(out, "point file") != NULL, "%s", out);
    certify(f->run, f->arb, "arb", "base64");
}

static void teardown(fixture *f)
{
    free(f->theta);
    free(f->theta2);
    dnc_problem_clear(f->p);
}

/* A copy of the file certificate and its point file as bad.json (+ its point file, whose
 * name the copy states). */
static void copy_file_cert(const fixture *f)
{
    size_t n;
    unsigned char *b = slurp_file(f->side, &n);
    spill_file(f->badside, b, n);
    free(b);
    set_file_field(f->file, f->bad, "name", "bad.json.trained.f64");
}

Test(point_file, encodings_verify_alike, .timeout = 120)
{
    fixture f;
    json_t *a, *b, *c;
    char hex[65];
    const char *names[] = { "loss", "fit", "reg" };
    int k;
    setup(&f);
    cr_expect_eq(verify_both(f.text), 0, "%s%s", out, err);
    cr_expect_eq(verify_both(f.b64), 0, "%s%s", out, err);
    cr_expect_eq(verify_both(f.file), 0, "%s%s", out, err);
    cr_expect_eq(verify_both(f.arb), 0, "%s%s", out, err);
    a = json_load_file(f.text, 0, NULL);
    b = json_load_file(f.b64, 0, NULL);
    c = json_load_file(f.file, 0, NULL);
    cr_assert(a != NULL && b != NULL && c != NULL);
    cr_expect(json_object_get(json_object_get(json_object_get(trained(a), "blocks"), "H1"), "dense") != NULL);
    cr_expect(json_object_get(json_object_get(json_object_get(trained(b), "blocks"), "W2"), "binary64") != NULL);
    cr_expect(json_object_get(json_object_get(json_object_get(trained(b), "blocks"), "b"), "binary64") != NULL);
    for (k = 0; k < 3; k++) {   /* the same point: the same claims */
        cr_expect(json_equal(json_object_get(tu_claim(a, "loss_trained"), names[k]),
                             json_object_get(tu_claim(b, "loss_trained"), names[k])));
        cr_expect(json_equal(json_object_get(tu_claim(a, "loss_trained"), names[k]),
                             json_object_get(tu_claim(c, "loss_trained"), names[k])));
    }
    /* the digest is SHA-256 of the file, by coreutils; the file is 8 bytes per parameter */
    cr_assert_eq(sha256sum(hex, f.side), 0);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(trained(c), "binary64_file"), "sha256")), hex);
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(trained(c), "binary64_file"), "name")),
                     "file.json.trained.f64");
    {
        struct stat st;
        cr_assert_eq(stat(f.side, &st), 0);
        cr_expect_eq((slong) st.st_size, 8 * dnc_param_offset(f.p, f.p->N, DNC_NKINDS, 0));
    }
    /* auto: a small point is text; nothing else left behind (8 entries: 2 runs, 5 certificates
     * and the point file) */
    {
        char autoc[300];
        snprintf(autoc, sizeof(autoc), "%s/auto.json", f.dir);
        certify(f.run, autoc, "fast", "auto");
        json_decref(a);
        a = json_load_file(autoc, 0, NULL);
        cr_expect(json_object_get(json_object_get(json_object_get(trained(a), "blocks"), "H1"), "dense") != NULL);
        cr_expect_eq(tu_entries(f.dir), 8, "%d entries", tu_entries(f.dir));
    }
    json_decref(a);
    json_decref(b);
    json_decref(c);
    teardown(&f);
}

Test(point_file, tampered_point_files_are_refused, .timeout = 120)
{
    fixture f;
    size_t n;
    unsigned char *b, *b2;
    char other[300], side2[320];
    setup(&f);
    b = slurp_file(f.side, &n);
    /* swapped: the point file of another certificate of the same problem */
    snprintf(other, sizeof(other), "%s/other.json", f.dir);
    snprintf(side2, sizeof(side2), "%s.trained.f64", other);
    certify(f.run2, other, "fast", "file");
    cr_expect_eq(verify_both(other), 0, "%s%s", out, err);
    b2 = slurp_file(side2, &n);
    copy_file_cert(&f);
    spill_file(f.badside, b2, n);
    refused(f.bad, "not the digest the certificate states");
    /* truncated by one byte; one byte more; missing */
    spill_file(f.badside, b, n - 1);
    refused(f.bad, "truncated");
    b = realloc(b, n + 1);
    b[n] = 0;
    spill_file(f.badside, b, n + 1);
    refused(f.bad, "extra bytes");
    unlink(f.badside);
    refused(f.bad, "cannot read the point file 'bad.json.trained.f64'");
    /* the digest edited (one digit), or not 64 lowercase hexadecimal digits */
    spill_file(f.badside, b, n);
    cr_expect_eq(verify_both(f.bad), 0, "%s%s", out, err);   /* the copy itself verifies */
    {
        json_t *j = json_load_file(f.bad, 0, NULL);
        char d[65];
        snprintf(d, sizeof(d), "%s", json_string_value(json_object_get(json_object_get(trained(j), "binary64_file"),
                                                                         "sha256")));
        d[10] = d[10] == '0' ? '1' : '0';
        json_decref(j);
        set_file_field(f.bad, f.bad, "sha256", d);
        refused(f.bad, "not the digest the certificate states");
        d[10] = 'A';
        set_file_field(f.bad, f.bad, "sha256", d);
        refused(f.bad, "sha256: expected 64 lowercase hexadecimal digits");
    }
    free(b);
    free(b2);
    teardown(&f);
}

Test(point_file, names_outside_the_directory_are_refused, .timeout = 120)
{
    static const char *names[] = { "../file.json.trained.f64", "sub/x.f64", "/etc/passwd", "..", ".", "a\\b",
                                   "", "tab\there" };
    fixture f;
    char link[320], sub[300], subside[340];
    size_t i, n;
    unsigned char *b;
    setup(&f);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        set_file_field(f.file, f.bad, "name", names[i]);
        refused(f.bad, "is not a plain file name in the certificate's directory");
    }
    {
        char *longname = tu_repeat("", "x", 256, "");
        set_file_field(f.file, f.bad, "name", longname);
        refused(f.bad, "is not a plain file name");
        free(longname);
    }
    /* a file of the right name in a subdirectory, and a link to the right file: both refused */
    snprintf(sub, sizeof(sub), "%s/sub", f.dir);
    cr_assert_eq(mkdir(sub, 0777), 0);
    snprintf(subside, sizeof(subside), "%s/x.f64", sub);
    b = slurp_file(f.side, &n);
    spill_file(subside, b, n);
    free(b);
    set_file_field(f.file, f.bad, "name", "sub/x.f64");
    refused(f.bad, "not a plain file name");
    snprintf(link, sizeof(link), "%s/link.f64", f.dir);
    cr_assert_eq(symlink(f.side, link), 0);
    set_file_field(f.file, f.bad, "name", "link.f64");
    refused(f.bad, "symbolic link");
    set_file_field(f.file, f.bad, "name", "sub");   /* a directory */
    refused(f.bad, "point file");
    snprintf(link, sizeof(link), "%s/fifo", f.dir);   /* a FIFO: refused, not waited on */
    cr_assert_eq(mkfifo(link, 0600), 0);
    set_file_field(f.file, f.bad, "name", "fifo");
    refused(f.bad, "is not a regular file");
    teardown(&f);
}

/* Entry k of the point file set to x, with the digest recomputed (the file is consistent). */
static void set_entry(const fixture *f, slong k, double x)
{
    size_t n;
    unsigned char *b = slurp_file(f->side, &n);
    char hex[65];
    memcpy(b + 8 * k, &x, 8);   /* the machine is little-endian binary64 (vx_binary64_host) */
    spill_file(f->badside, b, n);
    free(b);
    cr_assert_eq(sha256sum(hex, f->badside), 0);
    set_file_field(f->file, f->bad, "name", "bad.json.trained.f64");
    set_file_field(f->bad, f->bad, "sha256", hex);
}

Test(point_file, non_finite_entries_are_refused, .timeout = 120)
{
    fixture f;
    slong w2 = 0;
    json_t *j;
    double x[25];
    char *s;
    cr_assert(vx_binary64_host());
    setup(&f);
    w2 = dnc_param_block_start(f.p, f.p->N, 2);
    set_entry(&f, 0, NAN);
    refused(f.bad, "block H1: entry (0, 0) is NaN");
    set_entry(&f, w2 + 7, INFINITY);   /* W2 is 5 x 5: entry 7 is row 2, column 1 */
    refused(f.bad, "block W2: entry (2, 1) is infinite");
    set_entry(&f, w2 + 7, -INFINITY);
    refused(f.bad, "infinite");
    set_entry(&f, w2 + 7, 1.0);   /* finite: accepted as a file, but the loss changed */
    mismatched(f.bad);
    /* inline: a NaN in W2 */
    j = json_load_file(f.b64, 0, NULL);
    memcpy(x, f.theta + w2, sizeof(x));
    x[7] = NAN;
    s = dnc_base64_doubles(x, 25);
    json_object_set_new(json_object_get(json_object_get(trained(j), "blocks"), "W2"), "binary64", json_string(s));
    free(s);
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    refused(f.bad, "points.trained.blocks.W2.binary64: entry (2, 1) is NaN");
    json_decref(j);
    teardown(&f);
}

/* Internally consistent forgeries: another point with its own correct encoding and digest,
 * under the first point's claims. The checker evaluates the point it reads: the loss claim
 * no longer holds. */
Test(point_file, consistent_forgeries_do_not_verify, .timeout = 120)
{
    fixture f;
    json_t *j;
    slong w1;
    char hex[65], *s;
    double x[15];
    size_t n;
    unsigned char *b;
    setup(&f);
    b = slurp_file(f.side, &n);   /* every W1 entry doubled, digest updated */
    w1 = dnc_param_block_start(f.p, f.p->N, 1);
    {
        slong k;
        for (k = 0; k < 25; k++) {
            double v;
            memcpy(&v, b + 8 * (w1 + k), 8);
            v *= 2;
            memcpy(b + 8 * (w1 + k), &v, 8);
        }
    }
    spill_file(f.badside, b, n);
    free(b);
    cr_assert_eq(sha256sum(hex, f.badside), 0);
    set_file_field(f.file, f.bad, "name", "bad.json.trained.f64");
    set_file_field(f.bad, f.bad, "sha256", hex);
    mismatched(f.bad);
    /* inline: the bias block replaced by the canonical base64 of other values */
    j = json_load_file(f.b64, 0, NULL);
    memcpy(x, f.theta + dnc_param_block_start(f.p, f.p->N, f.p->L + 1), 3 * sizeof(double));
    x[0] += 0.5;
    s = dnc_base64_doubles(x, 3);
    json_object_set_new(json_object_get(json_object_get(trained(j), "blocks"), "b"), "binary64", json_string(s));
    free(s);
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    mismatched(f.bad);
    json_decref(j);
    /* and under Arb: a base64 block of the arb certificate changed */
    j = json_load_file(f.arb, 0, NULL);
    {   /* H1 is 5 x 12: its first entry moved by 2^-30 */
        double *h = malloc(60 * sizeof(double));
        memcpy(h, f.theta, 60 * sizeof(double));
        h[0] += 0x1p-30;
        s = dnc_base64_doubles(h, 60);
        json_object_set_new(json_object_get(json_object_get(trained(j), "blocks"), "H1"), "binary64", json_string(s));
        free(s);
        free(h);
    }
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    mismatched(f.bad);
    json_decref(j);
    teardown(&f);
}

/* What an older checker does with the new fields (unknown: rejected, naming them), shown on
 * this checker with fields it does not know; and the forms that are malformed. */
Test(point_file, malformed_forms_are_refused, .timeout = 120)
{
    fixture f;
    json_t *j, *o;
    char why[512];
    setup(&f);
    j = json_load_file(f.b64, 0, NULL);
    o = json_object_get(json_object_get(trained(j), "blocks"), "W1");
    json_object_set(o, "binary65", json_object_get(o, "binary64"));
    json_object_del(o, "binary64");
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    refused(f.bad, "points.trained.blocks.W1: unknown field 'binary65'");
    json_object_set_new(o, "binary64", json_string("AAAA"));
    json_object_del(o, "binary65");
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    refused(f.bad, "points.trained.blocks.W1.binary64: not the canonical base64 of 25 little-endian binary64 doubles");
    json_object_set_new(o, "dense", json_array());
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    refused(f.bad, "needs exactly one of \"terms\", \"dense\" and \"binary64\"");
    json_decref(j);
    j = json_load_file(f.file, 0, NULL);
    o = trained(j);
    json_object_set(o, "binary64_filex", json_object_get(o, "binary64_file"));
    json_object_del(o, "binary64_file");
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    refused(f.bad, "points.trained: unknown field 'binary64_filex'");
    json_object_del(o, "binary64_filex");
    cr_assert_eq(json_dump_file(j, f.bad, 0), 0);
    refused(f.bad, "points.trained: needs exactly one of \"blocks\" and \"binary64_file\"");
    json_decref(j);
    /* in memory there is no directory to read a point file from */
    j = json_load_file(f.file, 0, NULL);
    cr_assert_eq(dncv_verify_json(j, "c", 0, DNCV_QUIET, NULL, NULL, why, sizeof(why)), -1);
    cr_expect(strstr(why, "verify the certificate file itself") != NULL, "%s", why);
    json_decref(j);
    teardown(&f);
}

/* An existing point file is not replaced without --force; nothing is written. Arb beyond its
 * reach and a point file without a file are refused before any work. */
Test(point_file, bad_input_writes_nothing, .timeout = 120)
{
    char dir[256], run[300], cert[300], side[320], msg[512];
    double *theta;
    dnc_problem_t p, big;
    dnc_point_cert_opts o;
    const char *args[] = { "certify-point", run, "--out", cert, "--point-encoding", "file", NULL };
    point(p, &theta, 0.8);
    tu_tmpdir(dir, sizeof(dir));
    tu_save_run(run, sizeof(run), dir, p, theta);
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    snprintf(side, sizeof(side), "%s.trained.f64", cert);
    tu_write_file(dir, "c.json.trained.f64", "old");
    cr_assert_eq(tu_run(out, err, CAP, args), 2, "%s%s", out, err);
    cr_expect(strstr(err, "--out: its point file") != NULL && strstr(err, "--force") != NULL, "%s", err);
    cr_expect(!dnc_path_exists(cert));
    cr_expect_eq(tu_entries(dir), 2);
    {
        const char *bad[] = { "certify-point", run, "--out", cert, "--point-encoding", "binary", NULL };
        cr_assert_eq(tu_run(out, err, CAP, bad), 2);
        cr_expect(strstr(err, "--point-encoding: expected auto, text, base64 or file, got 'binary'") != NULL, "%s", err);
    }
    dnc_point_cert_opts_default(&o);
    o.encoding = DNC_ENCODING_FILE;
    o.no_file = 1;
    cr_expect_eq(dnc_point_cert_check(p, &o, msg, sizeof(msg)), -1);
    cr_expect(strstr(msg, "point file") != NULL, "%s", msg);
    /* K = 10, n = 5000, L = 4, width 512: 2.6e7 ball entries, far beyond 2^22 */
    tu_problem(big, "10", "5000", "4", "512", "relu", "none", "1/250");
    dnc_point_cert_opts_default(&o);
    o.method = DNC_METHOD_ARB;
    cr_expect_eq(dnc_point_cert_check(big, &o, msg, sizeof(msg)), -1);
    cr_expect(strstr(msg, "beyond Arb's reach") != NULL, "%s", msg);
    cr_expect(!dnc_point_arb_within_reach(big, 256));
    cr_expect(dnc_point_arb_within_reach(p, 256));
    o.method = DNC_METHOD_AUTO;
    cr_expect_eq(dnc_point_cert_encoding(big, &o), DNC_ENCODING_FILE);
    o.no_file = 1;
    cr_expect_eq(dnc_point_cert_encoding(big, &o), DNC_ENCODING_BASE64);
    cr_expect_eq(dnc_point_cert_encoding(p, &o), DNC_ENCODING_TEXT);
    dnc_problem_clear(big);
    dnc_problem_clear(p);
    free(theta);
}

/* The claim id's interval narrowed to [lo, lo + 10^-22] (its decimal kept). */
static void narrow_claim(json_t *cert, const char *id, const char *key)
{
    json_t *claims = json_object_get(cert, "claims"), *iv = NULL;
    size_t i;
    char hi[128];
    for (i = 0; i < json_array_size(claims); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(claims, i), "id")), id) == 0)
            iv = json_object_get(json_array_get(claims, i), key);
    cr_assert(iv != NULL, "no claim %s", id);
    snprintf(hi, sizeof(hi), "%s1", json_string_value(json_object_get(iv, "lo")));   /* lo has 22 decimals */
    json_object_set_new(iv, "hi", json_string(hi));
}

/* certify-point's writing with a point file: the point given to the certificate (theta_free)
 * is freed once the point file is written, before the checker reads its own copy (issue 13);
 * a fast-double gradient_norm claim the checker refuses (here narrowed by hand) is dropped
 * and the certificate checked again without it, against the point file already written. */
Test(point_file, refused_gradient_claim_dropped_point_file_kept, .timeout = 120)
{
    char dir[256], cert[300], side[320], msg[1024];
    double *theta;
    dnc_problem_t p;
    dnc_point_cert_opts o;
    dnc_point_cert c;
    json_t *j;
    size_t i;
    point(p, &theta, 0.8);
    tu_tmpdir(dir, sizeof(dir));
    snprintf(cert, sizeof(cert), "%s/c.json", dir);
    snprintf(side, sizeof(side), "%s.trained.f64", cert);
    dnc_point_cert_opts_default(&o);
    o.method = DNC_METHOD_FAST;
    o.encoding = DNC_ENCODING_FILE;
    cr_assert_eq(dnc_point_cert_run(&c, p, theta, &o, json_pack("{s:s, s:s, s:s}", "program", "dncert", "version",
                                                                  DNCERT_VERSION, "command", "certify-point")), 0,
                 "%s", c.why);
    narrow_claim(c.cert, "gradient_norm_trained", "norm");
    c.theta_free = theta;
    cr_assert_eq(dnc_point_cert_write(&c, cert, msg, sizeof(msg)), 0, "%s", msg);
    cr_expect(c.theta_free == NULL && c.theta == NULL, "the point is not freed");
    cr_expect(c.point_file);
    cr_expect(strstr(c.dropped, "gradient_norm") != NULL && strstr(c.dropped, "MISMATCH") != NULL, "%s", c.dropped);
    cr_assert_eq(verify_both(cert), 0, "%s%s", out, err);
    cr_expect_eq(tu_entries(dir), 2, "the certificate and its point file, nothing else");
    j = json_load_file(cert, 0, NULL);
    cr_assert(j != NULL);
    for (i = 0; i < json_array_size(json_object_get(j, "claims")); i++)
        cr_expect_str_neq(json_string_value(json_object_get(json_array_get(json_object_get(j, "claims"), i), "kind")),
                          "gradient_norm");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(trained(j), "binary64_file"), "name")),
                     "c.json.trained.f64");
    json_decref(j);
    dnc_point_cert_clear(&c);
    dnc_problem_clear(p);
}
