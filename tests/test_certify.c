/* test_certify.c — verdicts against exact ground truth.
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
    CHECK(strstr(line, "99% joint confidence") != NULL, "line: %s", line);
    /* se 0.3: undecided; samples factor = shrink²; shrinking se works */
    for (int k = 0; k < 4; k++)
        se[k] = 0.3;
    CHECK(tkc_certify(&c, &in, &err) == TKC_SUCCESS &&
              c.verdict == TKC_VERDICT_UNDECIDED, "stat undecided");
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
    const char *keys[4] = {"R_.", "R_R", "_._", "R_R"};
    const char *names[4] = {"αα", "αβ", "βα", "ββ"};
    CHECK(tkc_certify_singular_keys(&c, 4, keys, "same regular tokens at the "
                                    "same positions", names, NULL) == 0 &&
              c.verdict == TKC_VERDICT_SINGULAR && c.row_i == 1 && c.row_j == 3,
          "keys: rows 1 and 3");
    CHECK(strstr(c.reason, "αβ") && strstr(c.reason, "ββ"), "reason: %s",
          c.reason);
    const char *distinct[3] = {"a", "b", "c"};
    CHECK(tkc_certify_singular_keys(&c, 3, distinct, NULL, NULL, NULL) == 0 &&
              c.verdict == TKC_VERDICT_UNDECIDED, "distinct keys: no verdict");
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

/* ---- Lemma 3.6 -------------------------------------------------------------- */

/* Brute force over all permutations in long double: the smallest
 * |Σ (A_ii − A_iτ(i))| − radii, and whether the identity is the unique
 * max/min (signed minimum of the sums > 0 one way). */
static void brute_perm(const double *a, const double *rad, size_t r,
                       long double *sep, long double *maxgap, long double *mingap)
{
    size_t p[12];
    for (size_t i = 0; i < r; i++)
        p[i] = i;
    *sep = *maxgap = *mingap = INFINITY;
    for (;;) {
        size_t i = r - 1;
        while (i > 0 && p[i - 1] >= p[i])
            i--;
        if (i == 0)
            break;
        size_t j = r - 1;
        while (p[j] <= p[i - 1])
            j--;
        size_t t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
        for (size_t x = i, y = r - 1; x < y; x++, y--)
            t = p[x], p[x] = p[y], p[y] = t;
        long double d = 0, rs = 0;
        for (size_t k = 0; k < r; k++)
            if (p[k] != k) {
                d += (long double)a[k * r + k] - a[k * r + p[k]];
                rs += rad ? (long double)rad[k * r + k] + rad[k * r + p[k]] : 0;
            }
        long double s = fabsl(d) - rs;
        *sep = s < *sep ? s : *sep;
        *maxgap = d - rs < *maxgap ? d - rs : *maxgap;
        *mingap = -d - rs < *mingap ? -d - rs : *mingap;
    }
}

static void test_permutation(void)
{
    tkc_perm_condition pc;
    tkc_error err;
    /* exhaustive: random 4..7 matrices, margin equals brute force */
    for (int trial = 0; trial < 21; trial++) {
        size_t r = 2 + (size_t)(trial % 7);
        double a[64], rad[64];
        for (size_t k = 0; k < r * r; k++) {
            a[k] = rnd_unit();
            rad[k] = trial % 2 ? rnd_unit() * 1e-3 : 0;
        }
        long double sep, mx, mn;
        brute_perm(a, rad, r, &sep, &mx, &mn);
        CHECK(tkc_certify_permutation_condition(&pc, r, a, rad, &err) == 0, "rc");
        CHECK(fabsl(pc.margin - sep) <= 1e-12, "exhaustive margin %.15g vs "
              "brute %.15Lg (r=%zu)", pc.margin, sep, r);
        CHECK((pc.status == TKC_PERM_ESTABLISHED) == (sep > 0), "status r=%zu",
              r);
    }
    /* exact tie: A_ij = u_i + v_j makes every assignment sum equal */
    double tie[16];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            tie[i * 4 + j] = i * 0.25 + j * 0.5;
    CHECK(tkc_certify_permutation_condition(&pc, 4, tie, NULL, NULL) == 0 &&
              pc.status == TKC_PERM_VIOLATED && pc.witness_text[0] == '(',
          "additive matrix: violated, witness %s", pc.witness_text);
    double small[16];
    for (int k = 0; k < 16; k++)
        small[k] = 1e-9;
    CHECK(tkc_certify_permutation_condition(&pc, 4, tie, small, NULL) == 0 &&
              pc.status == TKC_PERM_NOT_ESTABLISHED, "tie with radii: not "
          "established");
    /* r = 9, 10: the cycle test agrees with brute force on unique extremes */
    int agree = 0, established = 0, runs = 0;
    for (int trial = 0; trial < 6; trial++) {
        size_t r = 9;
        double a[81], rad[81];
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < r; j++) {
                a[i * r + j] = rnd_unit() + (i == j ? (trial % 3) * 0.8 : 0);
                if (trial == 5)
                    a[i * r + j] = -a[i * r + j];        /* unique minimum */
                rad[i * r + j] = 1e-4 * rnd_unit();
            }
        long double sep, mx, mn;
        brute_perm(a, rad, r, &sep, &mx, &mn);
        CHECK(tkc_certify_permutation_condition(&pc, r, a, rad, NULL) == 0, "rc");
        int truth = mx > 0 || mn > 0;
        runs++;
        agree += (pc.status == TKC_PERM_ESTABLISHED) == truth;
        established += pc.status == TKC_PERM_ESTABLISHED;
        if (truth)
            CHECK(fabsl(pc.margin - (mx > 0 ? mx : mn)) < 1e-12,
                  "cycle margin %.15g vs brute %.15Lg", pc.margin,
                  mx > 0 ? mx : mn);
        CHECK(!(pc.status == TKC_PERM_ESTABLISHED) || sep > 0,
              "cycle test sound");
    }
    CHECK(agree == runs && established >= 3, "cycle test vs brute force: "
          "%d/%d agree, %d established", agree, runs, established);
    /* r = 12 diagonal-heavy: established, and a 2-cycle tie breaks it */
    double b[144];
    for (int i = 0; i < 12; i++)
        for (int j = 0; j < 12; j++)
            b[i * 12 + j] = (i == j) ? 2 + rnd_unit() : rnd_unit();
    CHECK(tkc_certify_permutation_condition(&pc, 12, b, NULL, NULL) == 0 &&
              pc.status == TKC_PERM_ESTABLISHED && strstr(pc.method, "Floyd"),
          "r=12 dominant: %s", pc.text);
    b[0 * 12 + 1] = b[0] + b[13] - b[1 * 12 + 0];   /* A01 + A10 = A00 + A11 */
    CHECK(tkc_certify_permutation_condition(&pc, 12, b, NULL, NULL) == 0 &&
              pc.status == TKC_PERM_NOT_ESTABLISHED, "r=12 with a tie: %s",
          pc.text);
}

/* ---- the exact series determinant ---------------------------------------- */

/* Leibniz determinant of the polynomial matrix Σ_{i<F} N_i t^i, its D
 * first coefficients (r <= 4). */
static void leibniz_series(mpq_t *out, size_t r, size_t F, size_t P,
                           const mpq_t *coef)
{
    size_t p[4] = {0, 1, 2, 3};
    mpq_t *acc = malloc(2 * P * sizeof *acc), *nx = acc + P, t;
    for (size_t i = 0; i < 2 * P; i++)
        mpq_init(acc[i]);
    mpq_init(t);
    for (size_t i = 0; i < P; i++)
        mpq_set_ui(out[i], 0, 1);
    for (;;) {
        int sg = 1;
        for (size_t i = 0; i < r; i++)
            for (size_t j = i + 1; j < r; j++)
                if (p[i] > p[j])
                    sg = -sg;
        for (size_t i = 0; i < P; i++)
            mpq_set_ui(acc[i], i == 0, 1);
        for (size_t a = 0; a < r; a++) {
            for (size_t i = 0; i < P; i++) {
                mpq_set_ui(nx[i], 0, 1);
                for (size_t j = 0; j <= i; j++) {
                    if (i - j >= F)
                        continue;
                    mpq_mul(t, acc[j], coef[((i - j) * r + a) * r + p[a]]);
                    mpq_add(nx[i], nx[i], t);
                }
            }
            for (size_t i = 0; i < P; i++)
                mpq_set(acc[i], nx[i]);
        }
        for (size_t i = 0; i < P; i++)
            sg > 0 ? mpq_add(out[i], out[i], acc[i]) : mpq_sub(out[i], out[i], acc[i]);
        size_t i = r - 1;
        while (i > 0 && p[i - 1] >= p[i])
            i--;
        if (i == 0)
            break;
        size_t j = r - 1;
        while (p[j] <= p[i - 1])
            j--;
        size_t x = p[i - 1];
        p[i - 1] = p[j];
        p[j] = x;
        for (size_t u = i, v = r - 1; u < v; u++, v--)
            x = p[u], p[u] = p[v], p[v] = x;
    }
    for (size_t i = 0; i < 2 * P; i++)
        mpq_clear(acc[i]);
    mpq_clear(t);
    free(acc);
}

static void test_series_det(void)
{
    tkc_series_det d;
    tkc_series_det_init(&d);
    /* random polynomial matrices, N_0 of rank 1 (like β = 0): the routine
     * sees the first P terms; the "true" series has 2 more random terms.
     * A determined answer must match the exact (Leibniz) determinant of
     * the full polynomial — whatever the unseen terms — and an undetermined
     * one must bound its order from below. */
    int ok = 0, trials = 0, positive_order = 0;
    for (int trial = 0; trial < 40; trial++) {
        size_t r = 2 + (size_t)(trial % 3), P = 1 + (size_t)(trial % 4);
        size_t F = P + 2, D = r * (F - 1) + 1;     /* full terms, det terms */
        mpq_t *c = malloc(F * r * r * sizeof *c), *ref = malloc(D * sizeof *ref);
        long u[4], v[4];
        for (size_t i = 0; i < r; i++)
            u[i] = rnd_int(-3, 3), v[i] = rnd_int(-3, 3);
        for (size_t i = 0; i < F; i++)
            for (size_t a = 0; a < r; a++)
                for (size_t b = 0; b < r; b++) {
                    mpq_t *e = &c[(i * r + a) * r + b];
                    mpq_init(*e);
                    if (i == 0)
                        mpq_set_si(*e, u[a] * v[b], 1);
                    else if (trial % 5 == 4 && a == r - 1 && i < P)
                        mpq_set_si(*e, rnd_int(-5, 5) * (i == 1), 1 + rnd_int(0, 6));
                    else
                        mpq_set_si(*e, rnd_int(-5, 5), 1 + (unsigned long)rnd_int(0, 6));
                    mpq_canonicalize(*e);
                }
        for (size_t i = 0; i < D; i++)
            mpq_init(ref[i]);
        leibniz_series(ref, r, F, D, c);
        CHECK(tkc_series_det_leading(&d, r, P, c, NULL) == 0, "series rc");
        size_t lead = 0;
        while (lead < D && mpq_sgn(ref[lead]) == 0)
            lead++;
        trials++;
        if (d.determined)
            ok += d.order == lead && mpq_equal(d.leading, ref[lead]);
        else
            ok += lead >= d.order_lower_bound;
        if (!(d.determined ? d.order == lead && mpq_equal(d.leading, ref[lead])
                           : lead >= d.order_lower_bound))
            fprintf(stderr, "series trial %d: r %zu P %zu det %d order %lu "
                    "bound %lu, true order %zu\n", trial, r, P, d.determined,
                    d.order, d.order_lower_bound, lead);
        positive_order += d.determined && d.order > 0;
        for (size_t i = 0; i < F * r * r; i++)
            mpq_clear(c[i]);
        for (size_t i = 0; i < D; i++)
            mpq_clear(ref[i]);
        free(c);
        free(ref);
    }
    CHECK(ok == trials && positive_order > 10, "series det vs Leibniz: %d/%d, "
          "%d with N_0 singular", ok, trials, positive_order);
    /* P · diag(t^k) · Q: det = det P det Q t^(Σk), exactly; with too few
     * terms, undetermined with a sound lower bound */
    enum { R = 5 };
    long P5[R * R], Q5[R * R];
    unsigned long k5[R] = {0, 2, 1, 3, 1}, ksum = 7;
    for (int i = 0; i < R * R; i++)
        P5[i] = rnd_int(-2, 2), Q5[i] = rnd_int(-2, 2);
    for (int i = 0; i < R; i++)
        P5[i * R + i] += 7, Q5[i * R + i] -= 6;     /* nonsingular */
    mpq_t dp, dq;
    mpq_inits(dp, dq, NULL);
    double pd[R * R], qd[R * R];
    for (int i = 0; i < R * R; i++)
        pd[i] = (double)P5[i], qd[i] = (double)Q5[i];
    exact_det_sign(pd, R, dp);
    exact_det_sign(qd, R, dq);
    mpq_mul(dp, dp, dq);
    for (size_t nterms = 3; nterms <= 5; nterms++) {
        mpq_t *c = malloc(nterms * R * R * sizeof *c);
        for (size_t i = 0; i < nterms; i++)
            for (int a = 0; a < R; a++)
                for (int b = 0; b < R; b++) {
                    mpq_t *e = &c[(i * R + a) * R + b];
                    mpq_init(*e);
                    long s = 0;
                    for (int m = 0; m < R; m++)
                        s += k5[m] == i ? P5[a * R + m] * Q5[m * R + b] : 0;
                    mpq_set_si(*e, s, 1);
                }
        CHECK(tkc_series_det_leading(&d, R, nterms, c, NULL) == 0, "rc");
        /* each diagonal power needs k_m < nterms; the total order 7 is
         * reached by the elimination even with nterms = 4 */
        if (nterms >= 4)
            CHECK(d.determined && d.order == ksum && mpq_equal(d.leading, dp),
                  "P diag(t^k) Q with %zu terms: order %lu", nterms, d.order);
        else
            CHECK(!d.determined && d.order_lower_bound <= ksum,
                  "too few terms: undetermined, bound %lu <= 7",
                  d.order_lower_bound);
        for (size_t i = 0; i < nterms * R * R; i++)
            mpq_clear(c[i]);
        free(c);
    }
    /* the statement in words: same/different-like 2×2, N_0 = (1/4)J,
     * N_1 = [[1, 0], [0, 2]]: det = (1/4)(2 + 1)t + 2t² → 3/4 β² */
    {
        mpq_t e[8];
        const long num[8] = {1, 1, 1, 1, 1, 0, 0, 2}, den[8] = {4, 4, 4, 4, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++)
            mpq_init(e[i]), mpq_set_si(e[i], num[i], (unsigned long)den[i]);
        char text[256];
        CHECK(tkc_series_det_leading(&d, 2, 2, e, NULL) == 0 && d.determined &&
                  d.order == 1, "2x2 order 1");
        tkc_series_det_snprint(text, sizeof text, &d);
        CHECK(strstr(text, "3/4·β^2") != NULL, "statement: %s", text);
        for (int i = 0; i < 8; i++)
            mpq_clear(e[i]);
    }
    /* equal rows: never determined */
    mpq_t e2[2 * 4];
    for (int i = 0; i < 8; i++)
        mpq_init(e2[i]), mpq_set_si(e2[i], 1 + i % 2 + (i >= 4), 3);
    CHECK(tkc_series_det_leading(&d, 2, 2, e2, NULL) == 0 && !d.determined,
          "equal rows undetermined");
    for (int i = 0; i < 8; i++)
        mpq_clear(e2[i]);
    tkc_error err;
    CHECK(tkc_series_det_leading(&d, 0, 2, NULL, &err) == TKC_EINPUT, "r = 0");
    mpq_clears(dp, dq, NULL);
    tkc_series_det_clear(&d);
}

int main(void)
{
    test_diag_and_radii();
    test_statistical();
    test_structure();
    test_ladder();
    test_underflow_matrix();
    test_permutation();
    test_series_det();
    test_near_singular();
    mpfr_free_cache();
    return check_summary();
}
