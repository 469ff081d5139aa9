/* dncert certify-point as one call (docs/certify-point.md): the trained point's enclosure by
 * the fast tier or Arb, the later stages, the certificate, and its writing -- the trained
 * double point as text, inline base64 or a point file (docs/certificate-format.md §5.2).
 * The exact form of the trained point (fmpq entries, twice its size in doubles) is built
 * only when a stage needs it: the fast tier and the binary encodings read the doubles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/cert.h"
#include <flint/fmpq_vec.h>
#include "dncert/io.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

void dnc_point_cert_opts_default(dnc_point_cert_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->polish_steps = 50;
    o->prec = DNC_PREC_DEFAULT;
}

static slong nparams(const dnc_problem_struct *p)
{
    return dnc_param_offset(p, p->N, DNC_NKINDS, 0);
}

int dnc_point_cert_encoding(const dnc_problem_t p, const dnc_point_cert_opts *o)
{
    if (o->encoding != DNC_ENCODING_AUTO)
        return o->encoding;
    if (nparams(p) <= DNC_ENCODING_TEXT_MAX)
        return DNC_ENCODING_TEXT;
    return o->no_file ? DNC_ENCODING_BASE64 : DNC_ENCODING_FILE;
}

char *dnc_point_cert_file_name(const char *path, const char *point)
{
    return dnc_strdup_printf("%s.%s.f64", path, point);
}

/* The file name in a path. */
static const char *file_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* The format's limit on the ball entries of a file's points at 256 bits (§9), scaled by
 * 256 / precision above. */
#define BALL_ENTRIES_MAX 4194304.0

/* Ball entries of the expanded point's evaluation, as format §9 counts them. */
static double ball_entries(const dnc_problem_struct *p)
{
    double e = (double) p->N * (double) p->K;
    slong l;
    for (l = 1; l <= p->L; l++)
        e += (double) p->N * (double) p->width[l - 1]
             + (double) (l < p->L ? p->width[l] : p->K) * (double) p->width[l - 1];
    return e;
}

/* Multiply-adds of a forward pass, N sum_l rows_l d_l. */
static double forward_work(const dnc_problem_struct *p)
{
    double w = 0.0;
    slong l;
    for (l = 1; l <= p->L; l++)
        w += (double) (l < p->L ? p->width[l] : p->K) * (double) p->width[l - 1];
    return w * (double) p->N;
}

int dnc_point_arb_within_reach(const dnc_problem_t p, slong prec)
{
    return ball_entries(p) <= BALL_ENTRIES_MAX * 256 / (double) FLINT_MAX(256, prec)
           && forward_work(p) <= DNC_POINT_ARB_MAX_WORK;
}

int dnc_point_cert_check(const dnc_problem_t p, const dnc_point_cert_opts *o, char *err, size_t len)
{
    if (o->encoding == DNC_ENCODING_FILE && o->no_file)
        return dnc_fail(err, len, "a point file needs a certificate file to go with (no file is written here)");
    if (o->method == DNC_METHOD_ARB && o->exact == NULL && !dnc_point_arb_within_reach(p, o->prec))
        return dnc_fail(err, len, "--method arb: this point is beyond Arb's reach (%.3g ball entries, the certificate "
                        "format allows %.3g at %ld bits; %.3g multiply-adds per pass, at most %.3g): use --method fast "
                        "or auto", ball_entries(p), BALL_ENTRIES_MAX * 256 / (double) FLINT_MAX(256, o->prec),
                        (long) o->prec, forward_work(p), DNC_POINT_ARB_MAX_WORK);
    return 0;
}

/* ---- stages ---- */

/* The exact point of stage i, built from the doubles on first use (stage 0). */
static dnc_qpoint_struct *stage_x(dnc_point_cert *c, dnc_problem_t p, slong i)
{
    if (i == 0 && !c->x0) {
        dnc_qpoint_init_theta(c->x[0], p, c->theta);
        c->x0 = 1;
    }
    return c->x[i];
}

/* Polishing stopped at a kink: refine the point at its kinks instead (dnc_refine_point_exact,
 * double then o->prec bits) from the double rounding of stage i - 1, and add the exact result
 * as stage i when the high-precision stage ran with its signs kept. Not on points of more
 * than DNC_POLISH_REFINE_MAX parameters: refinement uses dense Jacobians (m^2 doubles, an
 * SVD per Newton step): a K = 10, width 30 point of 3300 had not finished in 2 minutes;
 * `dncert refine` does it on request. */
static void refine_at_kinks(dnc_point_cert *c, dnc_problem_t p, slong i, const dnc_point_cert_opts *o)
{
    slong n = nparams(p);
    double *theta, t0 = dnc_seconds_now();
    fmpq *q;
    dnc_bpoint_t box;
    dnc_refine_opts ro;
    char err[512];
    c->refined = -1;
    if (n > DNC_POLISH_REFINE_MAX) {
        snprintf(c->refine.message, sizeof(c->refine.message), "not attempted: %ld parameters, more than %d (dense "
                 "Jacobians); `dncert refine RUN_DIR --out RUN_DIR2` refines it, then certify RUN_DIR2", (long) n,
                 DNC_POLISH_REFINE_MAX);
        return;
    }
    theta = flint_malloc(n * sizeof(double));
    q = _fmpq_vec_init(n);
    dnc_qpoint_box(box, stage_x(c, p, i - 1), 64);
    dnc_bpoint_get_theta_expanded(theta, box);
    dnc_bpoint_clear(box);
    dnc_refine_opts_default(&ro);
    ro.prec = o->prec;
    ro.max_rounds = 20;
    if (dnc_refine_point_exact(theta, q, NULL, p, &ro, &c->refine, NULL, err, sizeof(err)) == 0
        && c->refine.hp_prec > 0 && c->refine.hp_signs_kept) {
        dnc_qpoint_init_fmpq(c->x[i], p, q);
        c->refined = 1;
    } else if (c->refine.message[0] == '\0')
        snprintf(c->refine.message, sizeof(c->refine.message), "%s", err);
    c->refine_seconds = dnc_seconds_now() - t0;
    _fmpq_vec_clear(q, n);
    flint_free(theta);
}

/* Adds stage c->nstages: x (already initialised) evaluated at prec. */
static void add_stage(dnc_point_cert *c, const char *name, int same, slong prec)
{
    slong i = c->nstages++;
    c->name[i] = name;
    c->same[i] = same;
    dnc_point_report_init(c->r + i);
    dnc_qpoint_evaluate(c->r + i, c->x[i], prec);
}

/* The trained stage by the fast tier (methods fast and auto): 1. Else by Arb: 0, or -1 (why
 * in c->why) when the fast tier cannot enclose and Arb is out of reach. */
static int fast_stage(dnc_point_cert *c, dnc_problem_t p, const dnc_point_cert_opts *o)
{
    char why[256];
    int small = o->method == DNC_METHOD_AUTO && forward_work(p) <= DNC_POINT_FAST_MIN_WORK;
    c->name[0] = "trained";
    c->nstages = 1;
    dnc_point_report_init(c->r);
    if (o->method != DNC_METHOD_ARB && !small && dnc_point_evaluate_fast(c->r, p, c->theta, why, sizeof(why)))
        return 1;
    if (small)
        snprintf(c->method_why, sizeof(c->method_why), "Arb (--method auto: a small point, %.3g multiply-adds per "
                 "pass, where Arb is quick and far tighter)", forward_work(p));
    else if (o->method != DNC_METHOD_ARB)
        snprintf(c->method_why, sizeof(c->method_why), "Arb: %s", why);
    else
        snprintf(c->method_why, sizeof(c->method_why), "Arb: --method arb");
    if (!dnc_point_arb_within_reach(p, o->prec)) {
        snprintf(c->why, sizeof(c->why), "no rigorous enclosure of this point's loss: %s, and the point is beyond "
                 "Arb's reach (certificate format §9)", why);
        return -1;
    }
    c->r->fast = 0;
    dnc_qpoint_evaluate(c->r, stage_x(c, p, 0), o->prec);
    return 0;
}

/* Gives the heap's free memory back to the system. glibc keeps freed memory below a trim
 * threshold that its large allocations raise: the fast tier's temporaries (the point's size
 * or a quarter of it) would stay resident under the rest of certify-point -- the certificate,
 * the point file, the checker's re-check with its own copy of the point -- and add to its
 * peak (issue 13; docs/fast-tier.md §6.5). */
static void trim_heap(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* auto: the fast claim decides the claim at hand when the comparison is certified, or the
 * point is certainly above DNC, or there is no comparison, or a later point is compared. */
static int fast_decides(const dnc_point_cert *c)
{
    return c->nstages > 1 || c->verdict != 0 || arb_gt(c->r[0].loss, c->dnc_value);
}

/* ---- the certificate's points ---- */

/* The blocks of the double point theta (expanded, trainer's layout) as format §5 "dense"
 * (hexadecimal floats) or §5.2 "binary64" (base64). NULL when out of memory. */
static json_t *double_blocks(const dnc_problem_struct *p, const double *theta, int base64)
{
    json_t *blocks = json_object();
    slong b, k, r, cl;
    char name[24];
    fmpq_t q;
    arf_t a;
    fmpq_init(q);
    arf_init(a);
    for (b = 0; b <= p->L + (p->bias == DNC_BIAS_FREE) && blocks != NULL; b++) {
        const double *t = theta + dnc_param_block_start(p, p->N, b);
        json_t *v;
        if (b <= p->L)
            dnc_objective_buf_shape(&r, &cl, p, p->N, b == 0 ? DNC_H : DNC_W, b == 0 ? 1 : b);
        else
            r = p->K, cl = 1;
        if (base64) {
            char *s = dnc_base64_doubles(t, r * cl);
            v = s != NULL ? json_string_nocheck(s) : NULL;
            free(s);
        } else
            for (v = json_array(), k = 0; k < r * cl; k++) {
                char *s;
                arf_set_d(a, t[k]);   /* exact: a double is dyadic */
                arf_get_fmpq(q, a);
                s = dnc_qpoint_entry_str(q);
                json_array_append_new(v, json_string(s));
                flint_free(s);
            }
        if (v == NULL) {
            json_decref(blocks);
            blocks = NULL;
        } else
            json_object_set_new(blocks, dnc_param_block_name(name, p->L, b),
                                json_pack("{s:I, s:I, s:o}", "rows", (json_int_t) r, "cols", (json_int_t) cl,
                                          base64 ? "binary64" : "dense", v));
    }
    fmpq_clear(q);
    arf_clear(a);
    return blocks;
}

/* Point i of the certificate: the exact stage as text, or the trained double point in its
 * encoding (a point file: name and digest filled in by dnc_point_cert_write). */
static json_t *stage_json(dnc_point_cert *c, dnc_problem_t p, slong i)
{
    json_t *blocks;
    if (i > 0 || c->theta == NULL)
        return dnc_qpoint_json(c->x[i], NULL);
    if (c->encoding == DNC_ENCODING_FILE)
        return json_pack("{s:s, s:{}, s:{s:s, s:s}}", "layout", "expanded", "scalars", "binary64_file", "name", "",
                         "sha256", "");
    blocks = double_blocks(p, c->theta, c->encoding == DNC_ENCODING_BASE64);
    return blocks != NULL ? json_pack("{s:s, s:{}, s:o}", "layout", "expanded", "scalars", "blocks", blocks) : NULL;
}

static int certificate(dnc_point_cert *c, dnc_problem_t p, slong prec, json_t *producer)
{
    json_t *pts[DNC_POINT_CERT_MAX_STAGES];
    slong i;
    for (i = 0; i < c->nstages; i++)
        if ((pts[i] = stage_json(c, p, i)) == NULL) {
            snprintf(c->why, sizeof(c->why), "out of memory writing point %s", c->name[i]);
            while (--i >= 0)
                json_decref(pts[i]);
            json_decref(producer);
            return -1;
        }
    for (i = 0; i < c->nstages; i++)
        c->r[i].gnorm_claim = c->gradient;
    c->cert = dnc_point_certificate(pts, c->name, c->r, c->nstages, p, prec, producer, c->dnc_value, &c->verdict,
                                    c->why, sizeof(c->why));
    return 0;
}

int dnc_point_cert_run(dnc_point_cert *c, dnc_problem_t p, const double *theta, const dnc_point_cert_opts *o,
                       json_t *producer)
{
    slong i;
    int f;
    memset(c, 0, sizeof(*c));
    arb_init(c->dnc_value);
    c->p = p;
    c->gradient = !o->no_gradient;
    if (o->exact != NULL) {   /* not a double point: Arb */
        dnc_qpoint_init_fmpq(c->x[0], p, o->exact);
        c->x0 = 1;
        add_stage(c, "exact", 0, o->prec);
        snprintf(c->method_why, sizeof(c->method_why), "Arb: the point of " DNC_RUN_EXACT " (exact dyadics; the fast tier reads the arrays only)");
    } else {
        c->theta = theta;
        c->encoding = dnc_point_cert_encoding(p, o);
        f = fast_stage(c, p, o);
        trim_heap();   /* what the fast tier freed */
        if (f < 0) {
            json_decref(producer);
            return -1;
        }
        if (f)
            snprintf(c->method_why, sizeof(c->method_why), "fast tier (%s)", o->method == DNC_METHOD_FAST
                     ? "--method fast" : "--method auto: its enclosure decides the claim");
    }
    if (o->project_collapse) {
        int same = dnc_qpoint_project(c->x[1], stage_x(c, p, 0));
        add_stage(c, "projected", same, o->prec);
    }
    if (o->polish) {
        double t0 = dnc_seconds_now();
        i = c->nstages;
        dnc_qpoint_polish(c->x[i], stage_x(c, p, i - 1), o->prec, o->polish_steps, &c->polish);
        add_stage(c, "polished", c->polish.steps == 0, o->prec);
        c->polish_seconds = dnc_seconds_now() - t0;
        if (c->polish.pattern_hit) {
            refine_at_kinks(c, p, c->nstages, o);
            if (c->refined == 1)
                add_stage(c, "refined", 0, o->prec);
        }
    }
    json_incref(producer);   /* for a second certificate */
    if (certificate(c, p, o->prec, producer) != 0) {
        json_decref(producer);
        return -1;
    }
    if (c->r[0].fast && o->method == DNC_METHOD_AUTO && !fast_decides(c)) {
        if (!dnc_point_arb_within_reach(p, o->prec)) {   /* the fast claim stays, "not proven" */
            snprintf(c->method_why, sizeof(c->method_why), "fast tier (--method auto: its enclosure overlaps the DNC "
                     "value, and the point is beyond Arb's reach)");
            json_decref(producer);
            return 0;
        }
        json_decref(c->cert);
        c->cert = NULL;
        dnc_qpoint_evaluate(c->r, stage_x(c, p, 0), o->prec);
        c->r[0].fast = 0;
        snprintf(c->method_why, sizeof(c->method_why), "Arb (--method auto: the fast enclosure overlaps the DNC value)");
        return certificate(c, p, o->prec, producer);
    }
    json_decref(producer);
    return 0;
}

/* Frees the producer's copy of the point when c owns it (c->theta_free). */
static void release_theta(dnc_point_cert *c)
{
    if (c->theta_free != NULL && c->theta == c->theta_free)
        c->theta = NULL;
    free(c->theta_free);
    c->theta_free = NULL;
}

void dnc_point_cert_clear(dnc_point_cert *c)
{
    slong i;
    release_theta(c);
    for (i = 0; i < c->nstages; i++) {
        if (i > 0 || c->x0)
            dnc_qpoint_clear(c->x[i]);
        dnc_point_report_clear(c->r + i);
    }
    json_decref(c->cert);
    arb_clear(c->dnc_value);
}

/* ---- writing ---- */

/* Creates the parent directory of path if needed. */
static int make_parent(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    char *slash;
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return 0;
    *slash = '\0';
    return dnc_mkdir_p(dir, err, errlen);
}

int dnc_cert_write_checked(const json_t *cert, const char *path, char *err, size_t errlen)
{
    if (dnc_cert_self_check(cert, "certificate", err, errlen) != 0 || make_parent(path, err, errlen) != 0)
        return -1;
    return dnc_json_write_atomic(path, (json_t *) cert, err, errlen);
}

/* Removes the fast-double gradient_norm claims of c->cert; returns how many. */
static int drop_fast_gradient_claims(dnc_point_cert *c)
{
    json_t *claims = json_object_get(c->cert, "claims");
    size_t i = json_array_size(claims);
    int n = 0;
    while (i-- > 0) {
        json_t *cl = json_array_get(claims, i);
        const char *k = json_string_value(json_object_get(cl, "kind")), *m = json_string_value(json_object_get(cl, "method"));
        if (k != NULL && m != NULL && strcmp(k, "gradient_norm") == 0 && strcmp(m, "fast-double") == 0)
            n += json_array_remove(claims, i) == 0;
    }
    return n;
}

/* A fast-double gradient_norm claim is the fast tier's enclosure widened by an estimate of
 * the checker's rule (point_fast.c); where the rule leaves more signs undecided than the fast
 * tier has kinks, the estimate can fall short and the checker refuses the claim. Then the
 * certificate is checked again without it, and c->dropped says why: a claim is never widened
 * blindly. 1 when the refusal in err was that and the claim is dropped. */
static int drop_refused_gradient(dnc_point_cert *c, const char *err)
{
    if (strstr(err, "gradient_norm") == NULL || strstr(err, "MISMATCH") == NULL || drop_fast_gradient_claims(c) == 0)
        return 0;
    snprintf(c->dropped, sizeof(c->dropped), "%s", err);
    return 1;
}

/* c->cert written and re-checked by the verifier: to path (dnc_cert_write_checked) when file
 * is NULL, else to file, where the verifier reads it with its point file. */
static int write_checked(dnc_point_cert *c, const char *path, const char *file, char *err, size_t errlen)
{
    int r;
    do
        r = file == NULL ? dnc_cert_write_checked(c->cert, path, err, errlen)
            : dnc_json_write_atomic(file, c->cert, err, errlen) == 0 && dnc_cert_self_check_file(file, err, errlen) == 0
            ? 0 : -1;
    while (r != 0 && drop_refused_gradient(c, err));
    return r;
}

/* The point file, then the certificate, written and checked in the temporary directory tmp,
 * then renamed into place: the point file first, so that a certificate is never in place
 * without it. The producer's copy of the point (c->theta_free) is freed once the point file
 * is written: the checker reads its own from the file (issue 13: the two copies are not held
 * together). */
static int write_in(dnc_point_cert *c, const char *tmp, const char *path, char *err, size_t errlen)
{
    char hex[65], *final = dnc_point_cert_file_name(path, "trained"), *side = NULL, *cert = NULL;
    json_t *o = json_object_get(json_object_get(json_object_get(c->cert, "points"), "trained"), "binary64_file");
    int r = -1;
    if (final == NULL || (side = dnc_path_join(tmp, file_part(final))) == NULL
        || (cert = dnc_path_join(tmp, file_part(path))) == NULL)
        dnc_fail(err, errlen, "out of memory");
    else if (dnc_binary64_file_write(side, c->theta, nparams(c->p), hex, err, errlen) == 0) {
        json_object_set_new(o, "name", json_string(file_part(final)));
        json_object_set_new(o, "sha256", json_string(hex));
        release_theta(c);
        r = write_checked(c, path, cert, err, errlen);
        if (r == 0 && rename(side, final) != 0)
            r = dnc_fail(err, errlen, "cannot rename the point file to %s", final);
        else if (r == 0 && rename(cert, path) != 0)
            r = dnc_fail(err, errlen, "cannot rename the certificate to %s (its point file %s is in place)", path,
                         final);
        c->point_file = r == 0;
    }
    free(final);
    free(side);
    free(cert);
    return r;
}

int dnc_point_cert_write(dnc_point_cert *c, const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path) + 16;
    char *tmp;
    int r;
    if (c->theta == NULL || c->encoding != DNC_ENCODING_FILE)
        return write_checked(c, path, NULL, err, errlen);
    if (make_parent(path, err, errlen) != 0 || (tmp = malloc(n)) == NULL)
        return -1;
    /* a hidden temporary directory next to path: renames out of it stay on one file system */
    snprintf(tmp, n, "%.*s.%s.tmp.XXXXXX", (int) (file_part(path) - path), path, file_part(path));
    if (mkdtemp(tmp) == NULL)
        r = dnc_fail(err, errlen, "cannot create a temporary directory next to %s", path);
    else {
        r = write_in(c, tmp, path, err, errlen);
        dnc_remove_tree(tmp);
    }
    free(tmp);
    return r;
}
