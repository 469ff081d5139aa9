/* The critical_point claim (format §6.9) of a box proven by dnc_critical_certify: the box
 * centre as a point of the certificate, the pattern, the multipliers, the generators, the
 * loss enclosure. */
#include <stdio.h>
#include <string.h>
#include "cert_priv.h"
#include "dncert/io.h"
#include "dncert/refine.h"

static json_t *triples(const slong *t, slong n)
{
    json_t *a = json_array();
    slong k;
    for (k = 0; k < n; k++)
        json_array_append_new(a, json_pack("[I, I, I]", (json_int_t) t[3 * k], (json_int_t) t[3 * k + 1],
                                           (json_int_t) t[3 * k + 2]));
    return a;
}

static json_t *pairs(const slong *t, slong n)
{
    json_t *a = json_array();
    slong k;
    for (k = 0; k < n; k++)
        json_array_append_new(a, json_pack("[I, I]", (json_int_t) t[2 * k], (json_int_t) t[2 * k + 1]));
    return a;
}

void dnc_critical_add_claim(json_t *cert, const dnc_critical *r, dnc_problem_t p, const char *point, const char *id)
{
    json_t *mu = json_array(), *claim;
    arb_t wide;
    dnc_qpoint_t x;
    slong k;
    char stmt[1536], *s;
    dnc_qpoint_init_fmpq(x, p, r->center);
    json_object_set_new(json_object_get(cert, "points"), point,
                        dnc_qpoint_json(x, "the centre of a box proven to contain an exact critical point (claim "
                                           "critical_point)"));
    dnc_qpoint_clear(x);
    for (k = 0; k < r->nkinks; k++) {
        s = dnc_exact_str(r->mu + k);
        json_array_append_new(mu, json_string(s));
        flint_free(s);
    }
    s = dnc_arb_proven_decimal(r->loss, 60);
    snprintf(stmt, sizeof(stmt), "an exact KKT point of the cut objective f_0 on the pattern manifold of the %ld listed "
             "kinks, with the parameters of the %ld dead units and the %ld zero weights held at 0 (their gradient entries "
             "exactly 0 there, so it is a KKT point of the full system), lies within 2^%ld of the point %s in every "
             "parameter (Krawczyk on the KKT system bordered by a slice of %ld rotation generators, %ld partial rotations "
             "of H1, %ld kink-preserving rotations and %ld class rotations); every other ReLU pre-activation keeps a strict "
             "sign on that box, and the dead units' pre-activations and the %ld implied kinks are 0 there (kinks with "
             "multiplier 0), so f = f_0 at that point; its loss is in [lo, hi] (f = %s)",
             (long) r->nkinks, (long) r->ndead, (long) r->nzero, (long) r->radius_log2, point, (long) r->ngenerators,
             (long) r->npartial, (long) r->nkrot, (long) r->ncrot, (long) r->nimplied, s);
    flint_free(s);
    /* the checker evaluates f_0 over the box in its own order: leave it a factor 2^10 */
    arb_init(wide);
    arb_set(wide, r->loss);
    mag_mul_2exp_si(arb_radref(wide), arb_radref(wide), 10);
    claim = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "point", point, "radius_log2", (json_int_t) r->radius_log2,
                      "kinks", triples(r->kinks, r->nkinks), "multipliers", mu,
                      "generators", triples(r->generators, r->ngenerators), "dead_units", pairs(r->dead, r->ndead),
                      "implied_kinks", triples(r->implied, r->nimplied),
                      "loss", dnc_json_enclosure(wide, dnc_cert_claim_digits(r->prec)));
    if (r->npartial > 0)   /* absent = none, so files without them read as before */
        json_object_set_new(claim, "partial_generators", triples(r->partial, r->npartial));
    if (r->nkrot > 0)
        json_object_set_new(claim, "kink_rotations", triples(r->krot, r->nkrot));
    if (r->ncrot > 0)
        json_object_set_new(claim, "class_rotations", pairs(r->crot, r->ncrot));
    if (r->nzero > 0)
        json_object_set_new(claim, "zero_weights", triples(r->zero, r->nzero));
    arb_clear(wide);
    _dnc_cert_claim_fields(claim, id, "critical_point", r->proven, stmt);
    json_array_append_new(json_object_get(cert, "claims"), claim);
}

/* The exact slopes of r (format §6.10): {"kink": k, "slope": 0 or 1, and its witness}. */
static json_t *exact_slopes(const dnc_critical *r)
{
    static const char *const key[5] = { "generator", "kink_rotation", "class_rotation", "lone_unit", "shared_input" };
    json_t *a = json_array();
    slong i;
    for (i = 0; i < r->nexact; i++) {
        const slong *w = r->exact + 6 * i;
        json_t *g = w[2] >= 3 ? json_integer((json_int_t) w[5])
                    : w[2] == 2 ? json_pack("[I, I]", (json_int_t) w[4], (json_int_t) w[5])
                                : json_pack("[I, I, I]", (json_int_t) w[3], (json_int_t) w[4], (json_int_t) w[5]);
        json_array_append_new(a, json_pack("{s:I, s:I, s:o}", "kink", (json_int_t) w[0], "slope", (json_int_t) w[1],
                                           key[w[2]], g));
    }
    return a;
}

/* The slope enclosure t stated with room: the checker encloses t_e in its own order, so a
 * factor 2^10 wider, within [0, 1] (t itself where the widened ball leaves [0, 1]). */
static json_t *slope_interval(arb_srcptr t, slong prec)
{
    arb_t w, unit;
    json_t *o;
    arb_init(w);
    arb_init(unit);
    arb_set_d(unit, 0.5);
    mag_set_d(arb_radref(unit), 0.5);   /* [0, 1] exactly */
    arb_set(w, t);
    mag_mul_2exp_si(arb_radref(w), arb_radref(w), 10);
    if (!arb_intersection(w, w, unit, prec) || !arb_is_nonnegative(w) || !arb_le(w, (arb_one(unit), unit)))
        arb_set(w, t);
    o = dnc_json_enclosure(w, dnc_cert_claim_digits(prec));
    arb_clear(w);
    arb_clear(unit);
    return o;
}

/* The multiplier shifts of r (format §6.10): {"implied_kink": q, "partner": a, "shift": s,
 * "slope": the implied kink's t}. */
static json_t *shifts(const dnc_critical *r)
{
    json_t *a = json_array();
    slong k;
    for (k = 0; k < r->nshift; k++) {
        char *s = dnc_exact_str(r->shift_s + k);
        json_array_append_new(a, json_pack("{s:I, s:I, s:s, s:o}", "implied_kink", (json_int_t) r->shift[2 * k],
                                           "partner", (json_int_t) r->shift[2 * k + 1], "shift", s,
                                           "slope", slope_interval(r->shift_t + k, r->prec)));
        flint_free(s);
    }
    return a;
}

void dnc_kink_multipliers_add_claim(json_t *cert, const dnc_critical *r, const char *critical)
{
    json_t *t = json_array(), *claim;
    slong k;
    char stmt[1536];
    for (k = 0; k < r->nkinks; k++)
        json_array_append_new(t, r->slopes_proven ? slope_interval(r->t + k, r->prec)
                                                  : json_pack("{s:s, s:s}", "lo", "0", "hi", "1"));
    snprintf(stmt, sizeof(stmt), "at the exact critical point theta* of claim %s, with its multipliers mu*, the slopes "
             "t_e = mu*_e / G_e(theta*) of the %ld kinks (G_e = df/dh_e back-propagated with the slopes t of the kinks "
             "above e) lie in the stated intervals, inside [0, 1]: back-propagation with relu'(0) := t_e at the kinks "
             "gives the gradient 0, so 0 is in the chain-rule generalised gradient of f at theta*%s%s", critical,
             (long) r->nkinks, r->slopes_proven && r->nexact > 0 ? "; at the kinks of exact_slopes t_e is exactly 0 or 1: "
             "the witness is a symmetry of the pattern with that kink moved to P- or P+ whose tangent moves the kink, so "
             "mu*_e = t_e G_e (a lone_unit witness: column j of layer 2 has the kink's unit as its only unit with a nonzero "
             "adjoint, so the KKT equations of H1 and W_1 force mu*_e = 0; a shared_input witness: the kink's only active "
             "input q and the units above force mu*_e = G_e, docs/refine.md §7.15)" : "", r->slopes_proven && r->nshift > 0 ? "; with the multipliers mu* + sum_k s_k d_k "
             "instead of mu*, where d_k is the relation of the partner pair of shift k (sum of d_k,e grad ubar_e = 0 at "
             "theta*, so these are KKT multipliers too) and the shifted implied kinks have the stated slopes" : "");
    claim = json_pack("{s:s, s:o}", "critical_point", critical, "slopes", t);
    if (r->slopes_proven && r->nexact > 0)
        json_object_set_new(claim, "exact_slopes", exact_slopes(r));
    if (r->slopes_proven && r->nshift > 0)
        json_object_set_new(claim, "shifts", shifts(r));
    _dnc_cert_claim_fields(claim, "kink_multipliers", "kink_multipliers", r->slopes_proven, stmt);
    json_array_append_new(json_object_get(cert, "claims"), claim);
}

/* Why the argument of docs/refine.md §7.17 does not give d-stationarity at r (into why; the
 * checkers' order, format §6.14: the verdict of kink_multipliers, then the signs of G_e), or 0
 * when it does. */
static int d_stationary_obstacle(const dnc_critical *r, char *why, size_t len)
{
    why[0] = 0;
    if (!(r->proven && r->slopes_proven))
        snprintf(why, len, "claim %s is not certified", !r->proven ? "critical_point" : "kink_multipliers");
    else if (!r->g_nonneg)
        snprintf(why, len, "%s", r->g_message);
    return why[0] != 0;
}

int dnc_d_stationary_add_claim(json_t *cert, const dnc_critical *r, char *why, size_t len)
{
    int ok = !d_stationary_obstacle(r, why, len);
    json_t *claim = json_pack("{s:s}", "kink_multipliers", "kink_multipliers");
    _dnc_cert_claim_fields(claim, "d_stationary", "d_stationary", ok,
                           "the exact critical point theta* of claim critical_point is a d-stationary point of f: every "
                           "one-sided directional derivative f'(theta*; d) is >= 0, in every direction d of the parameter "
                           "space (held parameters too), hence 0 is in Clarke's generalised gradient of f at theta*. "
                           "Reason (format §6.14, docs/refine.md §7.17): f'(theta*; d) = sum_e (G_e max(0, w_e) - mu*_e "
                           "w_e) over all kinks e (listed, implied, dead units' entries), w_e the one-sided derivative of "
                           "the pre-activation along d and G_e that of claim kink_multipliers; the slopes t_e = "
                           "mu*_e / G_e are in [0, 1] (claim kink_multipliers) and G_e >= 0 on the box at every listed and "
                           "implied kink (0 on the dead units'), so 0 <= mu*_e <= G_e and every term is >= 0. Not "
                           "claimed: a local minimum");
    json_array_append_new(json_object_get(cert, "claims"), claim);
    return ok;
}

void dnc_descent_add_claim(json_t *cert, const dnc_critical *r, dnc_problem_t p)
{
    json_t *claim;
    dnc_qpoint_t x;
    arb_t wide;
    char stmt[1024], up[512];
    dnc_qpoint_init_fmpq(x, p, r->descent);
    json_object_set_new(json_object_get(cert, "points"), "descent",
                        dnc_qpoint_json(x, "a direction of the parameter space (claim descent_direction), not a point"));
    dnc_qpoint_clear(x);
    arb_init(wide);   /* the checker sums in its own order: a factor 2^10, kept below 0 */
    arb_set(wide, r->descent_rate);
    mag_mul_2exp_si(arb_radref(wide), arb_radref(wide), 10);
    if (!arb_is_negative(wide))
        arb_set(wide, r->descent_rate);
    if (r->descent_up[0] > 0)
        snprintf(up, sizeof(up), "the zero entry [%ld, %ld, %ld] moves into P+ and every other listed and implied kink "
                 "of claim critical_point into P- or not at all at first order (the one-sided derivative of its "
                 "pre-activation is > 0, < 0 or exactly 0 on the box), so f'(theta*; D) is the derivative along D of f "
                 "with slope 1 at that entry and 0 at the others", (long) r->descent_up[0], (long) r->descent_up[1],
                 (long) r->descent_up[2]);
    else
        snprintf(up, sizeof(up), "every listed and implied kink of claim critical_point moves into P- at first order "
                 "(the one-sided derivative of its pre-activation is < 0 on the box), so f'(theta*; D) = "
                 "<grad f_0(theta*), D>");
    snprintf(stmt, sizeof(stmt), "along the direction D = point descent, %s, which lies in the stated rate, below 0: "
             "f(theta* + eps D) < f(theta*) for all small eps > 0, so the exact critical point theta* is not a local "
             "minimum of f and not d-stationary (format §6.15, docs/refine.md §7.18)", up);
    claim = json_pack("{s:s, s:s, s:o}", "critical_point", "critical_point", "direction", "descent", "rate",
                      dnc_json_enclosure(wide, dnc_cert_claim_digits(r->prec)));
    arb_clear(wide);
    _dnc_cert_claim_fields(claim, "descent_direction", "descent_direction", r->descent_proven, stmt);
    json_array_append_new(json_object_get(cert, "claims"), claim);
}

void dnc_strict_local_min_add_claim(json_t *cert, const dnc_critical *r, const char *critical, const char *id)
{
    json_t *claim;
    /* not proven: rho is unset (0); the claim states rho = 1 as its value, and so does the text */
    char stmt[1024], *rho = r->second_order ? dnc_exact_str(r->rho) : NULL;
    snprintf(stmt, sizeof(stmt), "at the exact critical point theta* of claim %s, f restricted to the pattern "
             "manifold M of that claim (its kinks and implied kinks 0, its dead units and zero weights 0) has a strict local minimum "
             "on the slice through theta* transversal to its generators, hence modulo its rotations and partial rotations "
             "(format §6.11): with C the gradients of the kink constraints and of the slice, "
             "H + rho C^T C (H the Hessian of the Lagrangian, rho = %s) is positive definite on the whole box, so H is "
             "positive definite on ker C (Finsler). Not claimed: a local minimum of f off M (leaving a kink)",
             critical, rho != NULL ? rho : "1");
    claim = json_pack("{s:s, s:s}", "critical_point", critical, "rho", rho != NULL ? rho : "1");
    flint_free(rho);
    _dnc_cert_claim_fields(claim, id, "strict_local_min", r->second_order, stmt);
    json_array_append_new(json_object_get(cert, "claims"), claim);
}

/* 1 when unit a of layer l has a listed kink. */
static int unit_has_kink(const dnc_critical *r, slong l, slong a)
{
    slong k;
    for (k = 0; k < r->nkinks; k++)
        if (r->kinks[3 * k] == l && r->kinks[3 * k + 1] == a)
            return 1;
    return 0;
}

/* 1 when every stated slope interval of the kink_multipliers claim in cert lies strictly
 * inside (0, 1): decided on the strings written, which are what a checker reads. */
static int slopes_strict(const json_t *cert, slong *bad)
{
    const json_t *claims = json_object_get(cert, "claims"), *cl = NULL, *s;
    fmpq_t lo, hi;
    size_t i;
    int ok = 1;
    *bad = -1;
    for (i = 0; i < json_array_size(claims) && cl == NULL; i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(claims, i), "id")), "kink_multipliers") == 0)
            cl = json_array_get(claims, i);
    if (cl == NULL)
        return 0;
    fmpq_init(lo);
    fmpq_init(hi);
    json_array_foreach(json_object_get(cl, "slopes"), i, s) {
        ok = ok && dnc_parse_rational(lo, json_string_value(json_object_get(s, "lo"))) == 0
             && dnc_parse_rational(hi, json_string_value(json_object_get(s, "hi"))) == 0 && fmpq_sgn(lo) > 0
             && fmpz_cmp(fmpq_numref(hi), fmpq_denref(hi)) < 0;
        if (!ok) {
            *bad = (slong) i;
            break;
        }
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    return ok;
}

/* 1 when the second-order statement of r does not extend off the pattern manifold (docs/refine.md
 * §7.16), with the first obstacle in why (the order of the checkers, format §6.13: the
 * conditions on the point first, the verdicts last); else 0 and why = "". */
static int local_min_obstacle(const json_t *cert, const dnc_critical *r, const dnc_problem_t p, char *why, size_t len)
{
    slong k, bad;
    fmpq_t eps;
    why[0] = 0;
    if (r->ndead > 0 || r->nzero > 0)
        snprintf(why, len, "parameters are held at 0 (dead units or zero weights): the second order is not proven in "
                 "their directions, and a dead unit beside a live one makes f constant along a ray (docs/refine.md §7.6)");
    else if (r->nimplied > 0 || r->nexact > 0 || r->nshift > 0)
        snprintf(why, len, "a kink has a slope of exactly 0 or 1 (an implied kink, an exact slope or a shifted "
                 "multiplier): no strict complementarity there");
    else if ((r->nkrot > 0 || r->ncrot > 0) && r->nkinks > 0)   /* without kinks they are plain rotations */
        snprintf(why, len, "the slice uses kink-preserving or class rotations, which keep the pattern manifold but are "
                 "not symmetries of f off it");
    for (k = 1; k < r->nkinks && !why[0]; k++)
        if (r->kinks[3 * k] != r->kinks[0])
            snprintf(why, len, "the kinks lie in more than one layer (%ld and %ld); the argument of docs/refine.md "
                     "§7.16 needs a single kink layer", (long) r->kinks[0], (long) r->kinks[3 * k]);
    for (k = 0; k < r->ngenerators && !why[0]; k++) {
        const slong *g = r->generators + 3 * k;
        if (g[0] >= 2 && p->act[g[0] - 2] == DNC_ACT_RELU && (unit_has_kink(r, g[0], g[1]) || unit_has_kink(r, g[0], g[2])))
            snprintf(why, len, "generator [%ld, %ld, %ld] rotates units with kinks, a symmetry of the pattern manifold "
                     "only", (long) g[0], (long) g[1], (long) g[2]);
    }
    if (!why[0] && !slopes_strict(cert, &bad))
        snprintf(why, len, "the stated slope of kink %ld is not strictly inside (0, 1)", (long) bad);
    fmpq_init(eps);
    fmpq_one(eps);
    fmpq_div_2exp(eps, eps, (ulong) -r->radius_log2);   /* 2^E, E < 0 */
    for (k = 0; k < r->nkinks && !why[0]; k++)
        if (fmpq_cmp(r->mu + k, eps) <= 0)
            snprintf(why, len, "the multiplier of kink %ld is not shown positive on the box (with its slope in (0, 1), "
                     "G_e < 0 would make the kink concave)", (long) k);
    fmpq_clear(eps);
    if (!why[0] && !(r->proven && r->slopes_proven && r->second_order))
        snprintf(why, len, "claim %s is not certified", !r->proven ? "critical_point"
                 : !r->slopes_proven ? "kink_multipliers" : "strict_local_min");
    return why[0] != 0;
}

int dnc_strict_local_min_of_f_add_claim(json_t *cert, const dnc_critical *r, const dnc_problem_t p, char *why,
                                        size_t len)
{
    int ok = !local_min_obstacle(cert, r, p, why, len);
    json_t *claim = json_pack("{s:s, s:s}", "strict_local_min", "strict_local_min", "kink_multipliers",
                              "kink_multipliers");
    _dnc_cert_claim_fields(claim, "strict_local_min_of_f", "strict_local_min_of_f", ok,
                           "the exact critical point theta* of claim critical_point is a strict local minimiser of f "
                           "itself modulo the flows of its generators: there is a neighbourhood U of theta* with "
                           "f(theta) > f(theta*) for every theta in U that is not an image of theta* under them. "
                           "Reason (format §6.13, docs/refine.md §7.16): all kinks lie in one layer and have slopes "
                           "strictly inside (0, 1) and positive multipliers (0 < mu_e < G_e: leaving a kink either "
                           "way raises f at first order), the Hessian of the Lagrangian is positive definite on ker C "
                           "(claim strict_local_min), no parameter is held, and the flow of every generator keeps f "
                           "near theta* (rotations of H1, of linear layers and of units without kinks, partial "
                           "rotations of H1; kink and class rotations only where there is no kink)");
    json_array_append_new(json_object_get(cert, "claims"), claim);
    return ok;
}
