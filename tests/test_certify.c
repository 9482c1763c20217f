/* test_certify.c — the box certificate (and the precision ladder beside
 * it) against exact ground truth.
 *
 * The central test generates more than 1000 near-singular boxes whose
 * truth is known exactly — small boxes decided by the determinant at every
 * vertex (det is affine in each entry, so over a box it is extremal at the
 * vertices: the box holds a singular matrix iff the vertex determinants do
 * not share one strict sign), exactly singular midpoints with and without
 * radii, near-duplicate rows and tiny-β rank-one-plus-small matrices whose
 * box contains a known singular matrix — and requires zero false
 * "nonsingular" verdicts, while most of the comfortably nonsingular boxes
 * must be certified (so the test fails both ways). */
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tkc/certify.h"
#include "ladder.h"

static unsigned long lcg_state = 987654321;
static long rnd_int(long lo, long hi)
{
    lcg_state = lcg_state * 6364136223846793005UL + 1442695040888963407UL;
    return lo + (long)((lcg_state >> 33) % (unsigned long)(hi - lo + 1));
}
static double rnd_unit(void) { return (double)rnd_int(0, 1L << 30) / (1L << 30); }

/* Exact determinant of a double matrix (doubles are exact rationals). */
static int exact_det_sign(const double *a, size_t n, mpq_t det)
{
    mpq_t *m = malloc(n * n * sizeof *m), f, t;
    for (size_t k = 0; k < n * n; k++) {
        mpq_init(m[k]);
        mpq_set_d(m[k], a[k]);
    }
    mpq_inits(f, t, NULL);
    mpq_set_ui(det, 1, 1);
    for (size_t k = 0; k < n; k++) {
        size_t p = k;
        while (p < n && mpq_sgn(m[p * n + k]) == 0)
            p++;
        if (p == n) {
            mpq_set_ui(det, 0, 1);
            break;
        }
        if (p != k) {
            for (size_t j = 0; j < n; j++)
                mpq_swap(m[p * n + j], m[k * n + j]);
            mpq_neg(det, det);
        }
        mpq_mul(det, det, m[k * n + k]);
        for (size_t i = k + 1; i < n; i++) {
            mpq_div(f, m[i * n + k], m[k * n + k]);
            for (size_t j = k; j < n; j++) {
                mpq_mul(t, f, m[k * n + j]);
                mpq_sub(m[i * n + j], m[i * n + j], t);
            }
        }
    }
    for (size_t k = 0; k < n * n; k++)
        mpq_clear(m[k]);
    free(m);
    mpq_clears(f, t, NULL);
    return mpq_sgn(det);
}

/* Truth for a box with n <= 3: 1 if every matrix in it is nonsingular
 * (all vertex determinants of one strict sign), 0 otherwise. */
static int box_nonsingular(const double *mid, const double *rad, size_t n,
                           double scale)
{
    size_t idx[9], nv = 0;
    for (size_t k = 0; k < n * n; k++)
        if (rad[k] != 0)
            idx[nv++] = k;
    mpq_t det, e, r;
    mpq_inits(det, e, r, NULL);
    int sign0 = 0, ok = 1;
    for (unsigned long mask = 0; mask < (1UL << nv) && ok; mask++) {
        /* vertex entries mid ± scale·rad are exact rationals */
        mpq_t *q = malloc(n * n * sizeof *q);
        for (size_t k = 0; k < n * n; k++) {
            mpq_init(q[k]);
            mpq_set_d(q[k], mid[k]);
        }
        for (size_t b = 0; b < nv; b++) {
            mpq_set_d(r, rad[idx[b]]);
            mpq_set_d(e, scale);
            mpq_mul(r, r, e);
            if (mask >> b & 1)
                mpq_add(q[idx[b]], q[idx[b]], r);
            else
                mpq_sub(q[idx[b]], q[idx[b]], r);
        }
        if (n == 2) {
            mpq_mul(det, q[0], q[3]);
            mpq_mul(e, q[1], q[2]);
            mpq_sub(det, det, e);
        } else {               /* 3×3 cofactor expansion */
            mpq_set_ui(det, 0, 1);
            for (int c = 0; c < 3; c++) {
                mpq_mul(e, q[3 + (c + 1) % 3], q[6 + (c + 2) % 3]);
                mpq_mul(r, q[3 + (c + 2) % 3], q[6 + (c + 1) % 3]);
                mpq_sub(e, e, r);
                mpq_mul(e, e, q[c]);
                mpq_add(det, det, e);
            }
        }
        int s = mpq_sgn(det);
        if (s == 0 || (sign0 && s != sign0))
            ok = 0;
        sign0 = s;
        for (size_t k = 0; k < n * n; k++)
            mpq_clear(q[k]);
        free(q);
    }
    mpq_clears(det, e, r, NULL);
    return ok;
}

/* σ_min of a double matrix by LAPACK (the independent check of bounds). */
static double lapack_sigma_min(const double *a, size_t n)
{
    double *b = malloc(n * n * sizeof *b), *s = malloc(2 * n * sizeof *s);
    memcpy(b, a, n * n * sizeof *b);
    lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n,
                                     (lapack_int)n, b, (lapack_int)n, s, NULL, 1,
                                     NULL, 1, s + n);
    double v = info == 0 ? s[n - 1] : NAN;
    free(b);
    free(s);
    return v;
}

static tkc_verdict verdict_of(const double *mid, const double *rad, size_t n,
                              tkc_certificate *c)
{
    tkc_certify_input in = {.r = n, .mid = mid, .radius = rad};
    tkc_error err;
    int rc = tkc_certify(c, &in, &err);
    CHECK(rc == TKC_SUCCESS, "certify rc %d: %s", rc, err.message);
    return c->verdict;
}

/* Soundness of the σ_min bound: not above σ_min of the midpoint nor of a
 * few random members of the box (LAPACK, with a little slack for its own
 * rounding). */
static int sigma_bound_sound(const tkc_certificate *c, const double *mid,
                             const double *rad, size_t n)
{
    double *m = malloc(n * n * sizeof *m);
    int ok = 1;
    for (int trial = 0; trial < 4 && ok; trial++) {
        for (size_t k = 0; k < n * n; k++)
            m[k] = mid[k] + (trial ? (2 * rnd_unit() - 1) * (rad ? rad[k] : 0)
                                   : 0);
        /* LAPACK's σ_min is accurate to ~ n·eps·‖m‖_F absolutely */
        double s = lapack_sigma_min(m, n), fro = 0;
        for (size_t k = 0; k < n * n; k++)
            fro += m[k] * m[k];
        ok = c->sigma_min_lower <= s + 4 * n * 0x1p-52 * sqrt(fro);
        if (!ok) {
            fprintf(stderr, "bound %.17g lapack %.17g; mid:", c->sigma_min_lower, s);
            for (size_t k = 0; k < n * n; k++)
                fprintf(stderr, " %a", m[k]);
            fprintf(stderr, "\n%s\n%s\n", c->method, c->reason);
        }
    }
    free(m);
    return ok;
}

/* ---- group A: n = 2, 3 boxes with exact vertex truth ---------------------- */

static void group_small_boxes(int *total, int *false_ns, int *comfortable,
                              int *comfortable_certified)
{
    for (int trial = 0; trial < 900; trial++) {
        size_t n = 2 + (size_t)(trial % 2);
        double mid[9], rad[9];
        /* a singular integer base: row n-1 = combination of the others */
        for (size_t k = 0; k < n * n; k++)
            mid[k] = (double)rnd_int(-8, 8);
        long c0 = rnd_int(-2, 2), c1 = rnd_int(-2, 2);
        for (size_t j = 0; j < n; j++)
            mid[(n - 1) * n + j] = c0 * mid[j] + (n == 3 ? c1 * mid[n + j] : 0);
        /* perturb by δ = 2^-k, radii around δ·2^(±3), some entries exact */
        int k = (int)rnd_int(3, 45);
        int kind = trial % 4;
        for (size_t q = 0; q < n * n; q++) {
            if (kind != 0)
                mid[q] += ldexp((double)rnd_int(-3, 3), -k);
            int kr = k + (int)rnd_int(-4, 4);
            rad[q] = rnd_int(0, 4) == 0 ? 0 : ldexp((double)rnd_int(1, 3), -kr);
            if (kind == 3)
                rad[q] = 0;        /* exact near-singular matrices */
        }
        tkc_certificate c;
        int truth = box_nonsingular(mid, rad, n, 1.0);
        int comfy = truth && box_nonsingular(mid, rad, n, 4.0);
        tkc_verdict v = verdict_of(mid, rad, n, &c);
        (*total)++;
        if (v == TKC_VERDICT_NONSINGULAR && !truth) {
            (*false_ns)++;
            fprintf(stderr, "FALSE NONSINGULAR (n=%zu, trial %d)\n", n, trial);
        }
        if (v == TKC_VERDICT_SINGULAR)
            CHECK(!truth, "SINGULAR verdict on a nonsingular box (trial %d)",
                  trial);
        if (v == TKC_VERDICT_NONSINGULAR)
            CHECK(sigma_bound_sound(&c, mid, rad, n), "σ_min bound %g too high "
                  "(trial %d)", c.sigma_min_lower, trial);
        if (comfy) {
            (*comfortable)++;
            *comfortable_certified += v == TKC_VERDICT_NONSINGULAR;
        }
    }
}

/* ---- group B: larger matrices whose box holds a known singular matrix ------ */

static void group_known_singular(int *total, int *false_ns, int *exact_ns,
                                 int *exact_ns_certified)
{
    for (int trial = 0; trial < 360; trial++) {
        size_t n = 4 + (size_t)rnd_int(0, 8);
        double *s = malloc(n * n * sizeof *s), *mid = malloc(n * n * sizeof *mid);
        double *rad = calloc(n * n, sizeof *rad);
        int kind = trial % 6;
        if (kind == 5) {
            /* tiny β: a·J + β² B with J all-ones (rank one); the box of
             * radius >= β²|B| holds the singular a·J */
            double a = 0.25 + rnd_int(0, 7) / 16.0;
            int kb = (int)rnd_int(8, 30);         /* β² = 2^-kb */
            for (size_t q = 0; q < n * n; q++) {
                s[q] = a;
                double bq = (double)rnd_int(-15, 15) / 16;
                mid[q] = a + ldexp(bq, -kb);
                rad[q] = fabs(ldexp(bq, -kb)) * (trial % 12 < 6 ? 1.0 : 1.5);
            }
        } else {
            /* singular S = X·Y (rank n−1) or with an exactly repeated row */
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++)
                    s[i * n + j] = (double)rnd_int(-6, 6);
            size_t i1 = (size_t)rnd_int(0, (long)n - 1), i2 = (i1 + 1) % n;
            for (size_t j = 0; j < n; j++)
                s[i2 * n + j] = kind == 0 ? s[i1 * n + j]
                              : 2 * s[i1 * n + j] - s[((i1 + 2) % n) * n + j];
            int k = (int)rnd_int(6, 48);
            for (size_t q = 0; q < n * n; q++) {
                double p = kind >= 3 ? ldexp((double)rnd_int(-3, 3), -k) : 0;
                mid[q] = s[q] + p;                /* exact: small dyadics */
                rad[q] = kind == 1 ? 0
                       : kind == 2 ? ldexp(1.0, -k)
                       : fabs(p) * (kind == 3 ? 1.0 : 2.0);
            }
            if (kind == 4)        /* near-duplicate rows: row i2 = row i1 + δ */
                for (size_t j = 0; j < n; j++) {
                    double d = ldexp((double)rnd_int(-3, 3), -k);
                    s[i2 * n + j] = s[i1 * n + j];
                    mid[i2 * n + j] = s[i1 * n + j] + d;
                    rad[i2 * n + j] = fabs(d);
                }
        }
        mpq_t det;
        mpq_init(det);
        CHECK(exact_det_sign(s, n, det) == 0, "construction: S singular "
              "(trial %d)", trial);
        int inside = 1;           /* |mid − S| <= rad, checked exactly */
        for (size_t q = 0; q < n * n; q++)
            inside &= fabs(mid[q] - s[q]) <= rad[q];
        CHECK(inside, "construction: S in the box (trial %d)", trial);
        tkc_certificate c;
        tkc_verdict v = verdict_of(mid, rad, n, &c);
        (*total)++;
        if (v == TKC_VERDICT_NONSINGULAR) {
            (*false_ns)++;
            fprintf(stderr, "FALSE NONSINGULAR (n=%zu, kind %d, trial %d)\n",
                    n, kind, trial);
        }
        if (kind == 0 || kind == 1) {
            if (kind == 0)
                CHECK(v == TKC_VERDICT_SINGULAR && c.row_i != c.row_j,
                      "repeated row found (trial %d): %s", trial,
                      tkc_verdict_name(v));
            CHECK(v != TKC_VERDICT_UNDECIDED || isinf(c.shrink_factor) ||
                      kind == 0, "exactly singular midpoint: shrinking radii "
                  "cannot help, got factor %g", c.shrink_factor);
        }
        /* the same matrices made exact and nonsingular: det exact ≠ 0 */
        if (kind == 3) {
            int sg = exact_det_sign(mid, n, det);
            tkc_verdict v0 = verdict_of(mid, NULL, n, &c);
            (*total)++;
            if (sg == 0 && v0 == TKC_VERDICT_NONSINGULAR)
                (*false_ns)++;
            if (sg != 0) {
                (*exact_ns)++;
                *exact_ns_certified += v0 == TKC_VERDICT_NONSINGULAR;
            }
        }
        mpq_clear(det);
        free(s);
        free(mid);
        free(rad);
    }
}

/* ---- group C: diagonally dominant boxes (all members nonsingular) -------- */

static void group_dominant(int *total, int *certified)
{
    for (int trial = 0; trial < 120; trial++) {
        size_t n = 2 + (size_t)rnd_int(0, 14);
        double *mid = malloc(n * n * sizeof *mid), *rad = malloc(n * n * sizeof *rad);
        for (size_t i = 0; i < n; i++) {
            double row = 0;
            for (size_t j = 0; j < n; j++) {
                mid[i * n + j] = i == j ? 0 : 2 * rnd_unit() - 1;
                rad[i * n + j] = rnd_unit() * 0.05;
                row += fabs(mid[i * n + j]) + rad[i * n + j];
            }
            /* |d| − rad_ii > Σ_j (|m_ij| + rad_ij): strictly dominant */
            mid[i * n + i] = (rnd_int(0, 1) ? 1 : -1) * (row * 1.5 + 0.1 + rad[i * n + i]);
        }
        tkc_certificate c;
        (*total)++;
        *certified += verdict_of(mid, rad, n, &c) == TKC_VERDICT_NONSINGULAR;
        if (c.verdict == TKC_VERDICT_NONSINGULAR)
            CHECK(sigma_bound_sound(&c, mid, rad, n), "dominant: σ bound");
        free(mid);
        free(rad);
    }
}

static void test_near_singular(void)
{
    int total = 0, false_ns = 0, comfy = 0, comfy_cert = 0, ex = 0, ex_cert = 0;
    int dom = 0, dom_cert = 0;
    group_small_boxes(&total, &false_ns, &comfy, &comfy_cert);
    group_known_singular(&total, &false_ns, &ex, &ex_cert);
    group_dominant(&dom, &dom_cert);
    printf("near-singular: %d boxes, %d false nonsingular; comfortable "
           "nonsingular certified %d/%d; exact nonsingular certified %d/%d; "
           "dominant certified %d/%d\n", total, false_ns, comfy_cert, comfy,
           ex_cert, ex, dom_cert, dom);
    CHECK(total >= 1000, "at least 1000 near-singular matrices (%d)", total);
    CHECK(false_ns == 0, "%d false nonsingular verdicts", false_ns);
    CHECK(comfy > 50 && comfy_cert >= 0.9 * comfy, "comfortably nonsingular "
          "boxes certified: %d of %d", comfy_cert, comfy);
    CHECK(ex > 20 && ex_cert >= 0.9 * ex, "exact nonsingular near-singular "
          "matrices certified: %d of %d", ex_cert, ex);
    CHECK(dom_cert == dom, "dominant boxes certified: %d of %d", dom_cert, dom);
}

/* ---- closed cases --------------------------------------------------------- */

static void test_diag_and_radii(void)
{
    /* diag(4, 2, 0.5) with all radii ε: the box's σ_min lies in
     * [0.5 − 3ε, 0.5 − ε] (‖ε·J‖₂ = 3ε; shrinking the 0.5 entry by ε). */
    double mid[9] = {4, 0, 0, 0, 2, 0, 0, 0, 0.5}, rad[9];
    double eps = 0.01;
    for (int k = 0; k < 9; k++)
        rad[k] = eps;
    tkc_certificate c;
    CHECK(verdict_of(mid, rad, 3, &c) == TKC_VERDICT_NONSINGULAR, "diag box");
    CHECK(c.sigma_min_lower <= 0.5 - eps && c.sigma_min_lower >= 0.5 - 3 * eps - 1e-12,
          "diag σ_min bound %.17g in [%g, %g]", c.sigma_min_lower,
          0.5 - 3 * eps, 0.5 - eps);
    CHECK(strstr(c.method, "directed rounding") != NULL, "method names the "
          "rounding: %s", c.method);
    /* exact identity: σ_min = 1, the bound just below */
    double id[4] = {1, 0, 0, 1};
    CHECK(verdict_of(id, NULL, 2, &c) == TKC_VERDICT_NONSINGULAR, "identity");
    CHECK(c.sigma_min_lower <= 1 && c.sigma_min_lower > 1 - 1e-12,
          "identity σ bound %.17g", c.sigma_min_lower);
    /* radii too large: undecided with a shrink factor that works */
    double big[9];
    for (int k = 0; k < 9; k++)
        big[k] = 0.6;      /* (2,2) in [-0.1, 1.1]: holds a singular diag */
    CHECK(verdict_of(mid, big, 3, &c) == TKC_VERDICT_UNDECIDED, "big radii");
    double f = c.shrink_factor;
    CHECK(isfinite(f) && f > 1 && c.advice[0], "shrink factor %g, advice %s", f,
          c.advice);
    for (int k = 0; k < 9; k++)
        big[k] = 0.6 / (f * 1.01);
    CHECK(verdict_of(mid, big, 3, &c) == TKC_VERDICT_NONSINGULAR,
          "radii shrunk by the advised factor certify");
    /* the truth for this box: singular once radius >= 0.5 on (2,2) alone */
    double edge[9] = {0};
    edge[8] = 0.5;
    CHECK(verdict_of(mid, edge, 3, &c) != TKC_VERDICT_NONSINGULAR,
          "box touching det = 0 is not certified");
}

/* The evidence of the verdict is the radii's: the same box (identity ±
 * 0.1) under each kind; confidence radii are used as given. */
static void test_evidence(void)
{
    double mid[4] = {1, 0, 0, 1}, rad[4] = {0.1, 0.1, 0.1, 0.1};
    static const struct {
        tkc_radius_kind kind;
        tkc_evidence_kind evidence;
        double confidence, want_confidence;
        const char *line;
    } cases[] = {
        {TKC_RADIUS_RIGOROUS, TKC_EVIDENCE_PROVED, 0, 1,
         "nonsingular (proved): σ_min >= "},
        {TKC_RADIUS_ESTIMATE, TKC_EVIDENCE_ESTIMATE, 0, 0,
         "nonsingular (estimate): σ_min >= "},
        {TKC_RADIUS_CONFIDENCE, TKC_EVIDENCE_CONFIDENCE, 0.999, 0.999,
         "nonsingular (99.9% confidence): σ_min >= "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tkc_certify_input in = {.r = 2, .mid = mid, .radius = rad,
                                .kind = cases[i].kind,
                                .confidence = cases[i].confidence};
        tkc_certificate c;
        tkc_error err;
        char line[256];
        CHECK(tkc_certify(&c, &in, &err) == 0 &&
                  c.verdict == TKC_VERDICT_NONSINGULAR, "%s: verdict",
              tkc_radius_kind_name(cases[i].kind));
        CHECK(c.evidence == cases[i].evidence &&
                  c.confidence == cases[i].want_confidence,
              "%s: evidence %s, confidence %g",
              tkc_radius_kind_name(cases[i].kind),
              tkc_evidence_kind_name(c.evidence), c.confidence);
        /* radii as given: ‖0.1·J‖₂ = 0.2, σ_min >= 0.8 */
        CHECK_CLOSE(c.radius_norm2_upper, 0.2, 1e-12, "radii as given");
        tkc_certificate_snprint(line, sizeof line, &c);
        CHECK(strstr(line, cases[i].line) == line, "line: %s", line);
    }
    tkc_certify_input bad = {.r = 2, .mid = mid, .radius = rad,
                             .kind = TKC_RADIUS_CONFIDENCE, .confidence = 1};
    tkc_certificate c;
    tkc_error err;
    CHECK(tkc_certify(&c, &bad, &err) == TKC_EINPUT &&
              strstr(err.message, "confidence"), "confidence radii need one "
          "in (0, 1)");
}

static void test_statistical(void)
{
    double z;
    tkc_error err;
    CHECK(tkc_certify_bonferroni_z(&z, 0.99, 4, NULL) == TKC_SUCCESS, "z rc");
    CHECK_CLOSE(z, 3.0233414, 1e-6, "Bonferroni z for 99% over 4 entries");
    CHECK(tkc_certify_bonferroni_z(&z, 1.5, 4, &err) == TKC_EINPUT, "conf 1.5");
    /* 2×2 identity with se 0.1 on every entry at 99%: radius 0.302 each,
     * ‖rad‖₂ = 0.605: the Weyl bound is 1 − 0.605 */
    double mid[4] = {1, 0, 0, 1}, se[4] = {0.1, 0.1, 0.1, 0.1};
    tkc_certify_input in = {.r = 2, .mid = mid, .radius = se,
                            .kind = TKC_RADIUS_STATISTICAL, .confidence = 0.99};
    tkc_certificate c;
    CHECK(tkc_certify(&c, &in, &err) == TKC_SUCCESS, "stat rc");
    CHECK(c.verdict == TKC_VERDICT_NONSINGULAR && c.confidence == 0.99 &&
              fabs(c.z - 3.0233414) < 1e-6, "stat verdict, confidence, z");
    CHECK_CLOSE(c.radius_norm2_upper, 2 * 0.1 * c.z, 1e-12, "radius z·se");
    CHECK(c.sigma_min_lower <= 1 - 2 * 0.1 * c.z + 1e-12 &&
              c.sigma_min_lower > 1 - 2 * 0.1 * c.z - 1e-9,
          "stat σ bound %.12g", c.sigma_min_lower);
    char line[512];
    tkc_certificate_snprint(line, sizeof line, &c);
    CHECK(strstr(line, "nonsingular (99% confidence, z = 3.023 per entry)") ==
              line && c.evidence == TKC_EVIDENCE_CONFIDENCE, "line: %s", line);
    /* se 0.3: undecided; samples factor = shrink²; shrinking se works */
    for (int k = 0; k < 4; k++)
        se[k] = 0.3;
    CHECK(tkc_certify(&c, &in, &err) == TKC_SUCCESS &&
              c.verdict == TKC_VERDICT_UNDECIDED, "stat undecided");
    tkc_certificate_snprint(line, sizeof line, &c);
    CHECK(!strncmp(line, "undecided: ", 11) && strstr(line, c.advice),
          "undecided line: %s", line);
    {   /* two equal rows, exact: singular, the rows named */
        double m2[4] = {1, 2, 1, 2};
        tkc_certify_input ex = {.r = 2, .mid = m2, .kind = TKC_RADIUS_RIGOROUS};
        tkc_certificate cs;
        CHECK(tkc_certify(&cs, &ex, &err) == TKC_SUCCESS &&
                  cs.verdict == TKC_VERDICT_SINGULAR, "equal rows singular");
        tkc_certificate_snprint(line, sizeof line, &cs);
        CHECK(!strncmp(line, "singular (exact): ", 18), "singular line: %s",
              line);
    }
    CHECK_CLOSE(c.samples_factor, c.shrink_factor * c.shrink_factor, 1e-9,
                "samples factor");
    CHECK(strstr(c.advice, "samples") != NULL, "advice: %s", c.advice);
    for (int k = 0; k < 4; k++)
        se[k] = 0.3 / (c.shrink_factor * 1.01);
    CHECK(tkc_certify(&c, &in, &err) == TKC_SUCCESS &&
              c.verdict == TKC_VERDICT_NONSINGULAR, "after the advised samples");
    /* radii for callers: z·se rounded up */
    double rr[4], sev[4] = {0.1, 0, 1e-300, 3};
    CHECK(tkc_certify_radii_from_se(rr, sev, 4, 2.5, NULL) == 0 &&
              rr[0] >= 0.25 && rr[0] < 0.25 * (1 + 1e-15) && rr[1] == 0 &&
              rr[2] >= 2.5e-300 && rr[3] >= 7.5, "radii from se");
    sev[1] = -1;
    CHECK(tkc_certify_radii_from_se(rr, sev, 4, 2.5, &err) == TKC_EINPUT,
          "negative se refused");
    /* bad input */
    double nanm[4] = {1, NAN, 0, 1}, neg[4] = {0, -1, 0, 0};
    in.mid = nanm;
    CHECK(tkc_certify(&c, &in, &err) == TKC_EINPUT && strstr(err.message, "(0, 1)"),
          "NaN named: %s", err.message);
    in.mid = mid;
    in.radius = neg;
    CHECK(tkc_certify(&c, &in, &err) == TKC_EINPUT, "negative radius");
    in.radius = se;
    in.confidence = 0;
    CHECK(tkc_certify(&c, &in, &err) == TKC_EINPUT, "confidence 0");
}

static void test_structure(void)
{
    tkc_certificate c;
    /* same/different with the MLP kernel: every entry κ(1) — exactly equal
     * rows with zero radii */
    double k1[4] = {0.75, 0.75, 0.75, 0.75};
    CHECK(verdict_of(k1, NULL, 2, &c) == TKC_VERDICT_SINGULAR, "κ(1) matrix");
    /* equal rows but uncertain: not SINGULAR, never NONSINGULAR */
    double r1[4] = {1e-3, 1e-3, 1e-3, 1e-3};
    CHECK(verdict_of(k1, r1, 2, &c) == TKC_VERDICT_UNDECIDED, "uncertain rows");
    /* equal columns, non-symmetric */
    double cols[9] = {1, 2, 1, 3, 5, 3, 7, 11, 7};
    CHECK(verdict_of(cols, NULL, 3, &c) == TKC_VERDICT_SINGULAR &&
              strstr(c.reason, "columns 0") != NULL, "columns: %s", c.reason);
}

/* ---- the ladder ----------------------------------------------------------- */

static void test_ladder(void)
{
    tkc_sigma_ladder lad;
    double a[9] = {2, 1, 0, 1, 3, 1, 0, 1, 4};
    CHECK(tkc_certify_ladder(&lad, 3, a, NULL) == TKC_SUCCESS, "ladder rc");
    CHECK(lad.trend == TKC_LADDER_STABLE, "well-conditioned: %s", lad.text);
    CHECK_CLOSE(lad.sigma_min[3], lapack_sigma_min(a, 3), 1e-13, "vs LAPACK");
    double s[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};   /* rank 2 */
    CHECK(tkc_certify_ladder(&lad, 3, s, NULL) == TKC_SUCCESS, "ladder rc");
    CHECK(lad.trend == TKC_LADDER_SHRINKING, "rank 2: %s", lad.text);
    /* Hilbert-like, nearly singular but nonsingular (exact doubles): stable
     * from 128 bits on, σ_min ~ 1e-13 */
    enum { N = 10 };
    double h[N * N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            h[i * N + j] = 1.0 / (i + j + 1);
    CHECK(tkc_certify_ladder(&lad, N, h, NULL) == TKC_SUCCESS, "ladder rc");
    CHECK(lad.trend == TKC_LADDER_STABLE && lad.sigma_min[3] < 1e-12 &&
              lad.sigma_min[3] > 1e-14, "H_10: %s", lad.text);
    tkc_certificate c;
    CHECK(verdict_of(h, NULL, N, &c) == TKC_VERDICT_NONSINGULAR &&
              c.sigma_min_lower <= lad.sigma_min[3] &&
              c.sigma_min_lower > 0.9 * lad.sigma_min[3],
          "H_10 exact doubles: σ_min >= %g (ladder %g)", c.sigma_min_lower,
          lad.sigma_min[3]);
}

/* The 64×64 matrix with det ~1e-340 (test_mpmat's construction A = L·U,
 * exact in double): certified nonsingular, the σ bound below LAPACK's. */
static void test_underflow_matrix(void)
{
    enum { N = 64 };
    static double L[N * N], U[N * N], A[N * N];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            L[i * N + j] = i == j ? 1 : i > j ? (double)rnd_int(-1, 1) * 0.5 : 0;
            U[i * N + j] = i == j ? ldexp((double)rnd_int(1, 9), -20)
                         : i < j ? ldexp((double)rnd_int(-3, 3), -20) : 0;
        }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++) {
            double s = 0;
            for (size_t k = 0; k < N; k++)
                s += L[i * N + k] * U[k * N + j];
            A[i * N + j] = s;
        }
    tkc_certificate c;
    CHECK(verdict_of(A, NULL, N, &c) == TKC_VERDICT_NONSINGULAR &&
              sigma_bound_sound(&c, A, NULL, N) && c.sigma_min_lower > 0,
          "64x64, det ~1e-340: %s, σ_min >= %s", tkc_verdict_name(c.verdict),
          c.sigma_min_lower_text);
}

int main(void)
{
    test_diag_and_radii();
    test_statistical();
    test_evidence();
    test_structure();
    test_ladder();
    test_underflow_matrix();
    test_near_singular();
    mpfr_free_cache();
    return check_summary();
}
