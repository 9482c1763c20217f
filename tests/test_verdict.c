/* test_verdict.c — deciding N: each route to a verdict fills the decision
 * faithfully.  Structure gives "singular (exact)" for the MLP whatever the
 * numbers; the certificate gives a σ_min bound below LAPACK's σ_min; Lemma
 * 3.6 and the small-β determinant report the test that ran and agree with
 * calling those modules directly; the generic verdict agrees with
 * tkc_generic_decide_set, says what it covers per kernel and activation,
 * and is never "proved" when its order is capped below the deciding one;
 * auto-refine adds rounds within its budget and says why it stopped; bad
 * options are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "check.h"
#include "tkc/generic.h"
#include "tkc/nmatrix.h"
#include "permutation.h"
#include "series_det.h"
#include "tkc/verdict.h"

static const char *const same_different = "1 α α\n-1 α β\n";

static tkc_template_set *parse(const char *text)
{
    tkc_template_set *set = NULL;
    tkc_error err;
    if (tkc_template_set_parse(text, strlen(text), "test", NULL, &set, &err))
        fprintf(stderr, "parse: %s\n", err.message);
    return set;
}

static void spec_of(tkc_kernel_spec *spec, const char *kernel, uint64_t n)
{
    tkc_kernel_spec_default(spec);
    spec->kernel = tkc_kernel_type_lookup(kernel);
    spec->estimator = tkc_attn_mc;
    if (n)
        spec->mc.samples = n;
}

/* Decide the set in `text` under kernel with n Monte Carlo samples (0: the
 * default). */
static tkc_nmatrix_decision *decide(const char *text, const char *kernel,
                                    uint64_t n, const tkc_nmatrix_options *opt,
                                    tkc_nmatrix **nm)
{
    tkc_template_set *set = parse(text);
    tkc_kernel_spec spec;
    spec_of(&spec, kernel, n);
    tkc_nmatrix_options defaults;
    tkc_nmatrix_options_default(&defaults);
    tkc_nmatrix_decision *d = NULL;
    tkc_error err;
    *nm = NULL;
    if (set && tkc_nmatrix_decide(set, &spec, opt ? opt : &defaults, nm, &d,
                                  &err))
        fprintf(stderr, "decide %s: %s\n", kernel, err.message);
    tkc_template_set_free(set);
    return d;
}

static void done(tkc_nmatrix *nm, tkc_nmatrix_decision *d)
{
    tkc_nmatrix_free(nm);
    tkc_nmatrix_decision_free(d);
}

/* The MLP cannot tell same from different: singular from structure. */
static void test_structure(void)
{
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d = decide(same_different, "mlp", 0, NULL, &nm);
    CHECK(d && d->verdict == TKC_NMATRIX_SINGULAR &&
              !strcmp(d->verdict_words, "singular (exact)"),
          "mlp: %s", d ? d->verdict_words : "no decision");
    CHECK(d && strstr(d->evidence, "rows 1,2 identical: templates differ only "
                                   "in wildcard relations") &&
              strstr(d->method, nm->invariant),
          "mlp evidence: %s", d ? d->evidence : "");
    CHECK(d && d->confidence == 1 && d->lemma36 == TKC_LEMMA36_NOT_APPLICABLE &&
              d->series_det_status == TKC_SERIES_DET_NOT_RUN && d->rounds == 1,
          "mlp: no lemmas, one round");
    done(nm, d);
}

/* MLP+XXᵀ on the same set: closed form in ball arithmetic, proved, the
 * bound below σ_min. */
static void test_certificate(void)
{
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d = decide(same_different, "mlpxx", 0, NULL, &nm);
    CHECK(d && d->verdict == TKC_NMATRIX_NONSINGULAR &&
              d->evidence_kind == TKC_EVIDENCE_PROVED && d->confidence == 1 &&
              !strcmp(d->verdict_words, "nonsingular (proved)"),
          "mlpxx: %s", d ? d->verdict_words : "no decision");
    CHECK(d && d->sigma_min_lower > 0 && d->sigma_min_lower <= d->sigma_min &&
              d->sigma_min_lower > 0.99 * d->sigma_min,
          "mlpxx: bound %g vs σ_min %g", d ? d->sigma_min_lower : 0,
          d ? d->sigma_min : 0);
    CHECK(d && d->inv_norm_upper == 1 / d->sigma_min_lower &&
              d->inv_norm_upper >= d->inv_norm,
          "mlpxx: ||N^-1|| bound");
    CHECK(d && strstr(d->ladder_text, "stable") && d->ladder_prec[3] == 512,
          "mlpxx ladder: %s", d ? d->ladder_text : "");
    /* N is 2×2 and symmetric: its smallest eigenvalue in closed form */
    if (d && nm && nm->r == 2) {
        double a = nm->N[0], b = nm->N[1], c = nm->N[3];
        double lo = 0.5 * (a + c) - hypot(0.5 * (a - c), b);
        CHECK(nm->N[1] == nm->N[2], "N symmetric exactly");
        CHECK_CLOSE(d->eig_min, lo, 1e-14, "eig_min vs the 2x2 closed form");
        CHECK(fabs(fabs(d->eig_min) - d->sigma_min) <= 1e-14,
              "symmetric: |eig_min| = sigma_min");
    }
    done(nm, d);
}

/* attn, r = 2: the exhaustive Lemma 3.6 test and the exact small-β
 * determinant, the same as calling them directly. */
static void test_lemmas(void)
{
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d = decide(same_different, "attn", 65536, NULL, &nm);
    CHECK(d && d->lemma36 != TKC_LEMMA36_NOT_APPLICABLE &&
              !strcmp(d->lemma36_test, "exhaustive over all 2! permutations") &&
              !strncmp(d->lemma36_method, d->lemma36_test,
                       strlen(d->lemma36_test)),
          "lemma 3.6 test: %s", d ? d->lemma36_test : "");
    tkc_series_det sd;
    tkc_series_det_init(&sd);
    CHECK(nm && !tkc_series_det_attn(&sd, nm, 1.0, nm->r + 1, NULL) &&
              sd.determined, "series det directly");
    char lead[512] = "";
    if (sd.determined)
        mpq_get_str(lead, 10, sd.leading);
    CHECK(d && d->series_det_status == TKC_SERIES_DET_DETERMINED &&
              d->series_det_beta_power == 2 * (long)sd.order &&
              !strcmp(d->series_det_leading, lead),
          "series det fields: β^%ld %s vs %s", d ? d->series_det_beta_power : 0,
          d ? d->series_det_leading : "", lead);
    tkc_series_det_clear(&sd);
    done(nm, d);
}

/* majority-5, r = 16: the cycle test, and no small-β determinant. */
static void test_large_r(void)
{
    char text[4096];
    size_t len = 0;
    for (unsigned m = 0; m < 16; m++) {
        len += (size_t)snprintf(text + len, sizeof text - len, "%d α",
                                __builtin_popcount(m) >= 2 ? 1 : -1);
        for (unsigned a = 0; a < 4; a++)
            len += (size_t)snprintf(text + len, sizeof text - len, " %s",
                                    m >> a & 1 ? "β" : "α");
        len += (size_t)snprintf(text + len, sizeof text - len, "\n");
    }
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d = decide(text, "attn", 4096, NULL, &nm);
    CHECK(d && !strncmp(d->lemma36_test, "sufficient test for r > 8", 25),
          "r = 16: %s", d ? d->lemma36_test : "");
    CHECK(d && d->series_det_status == TKC_SERIES_DET_NOT_RUN &&
              strstr(d->series_det_text, "not computed for r = 16"),
          "r = 16 small beta: %s", d ? d->series_det_text : "");
    done(nm, d);
}

/* The generic verdict, one step of the decision: per kernel what it covers,
 * the same test as tkc_generic_decide_set. */
static void test_generic(void)
{
    const char *abab = "1 α β α β\n-1 α α β β\n";   /* decided at β^6γ^4 */
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    opt.ladder = 0;
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d = decide(abab, "trans", 1024, &opt, &nm);
    tkc_generic_verdict v;
    tkc_error err;
    tkc_template_set *set = parse(abab);
    CHECK(set && !tkc_generic_decide_set(set, NULL, &v, &err) &&
              v.status == TKC_GENERIC_PROVED, "generic directly");
    CHECK(d && d->generic == TKC_NMATRIX_GENERIC_NONSINGULAR &&
              !strcmp(d->generic_words, "nonsingular (proved)") &&
              d->generic_test.deciding_a == v.deciding_a &&
              d->generic_test.deciding_b == v.deciding_b && v.deciding_a == 3 &&
              v.deciding_b == 2 &&
              !strcmp(d->generic_test.witness_text, v.witness_text) &&
              !strcmp(d->generic_test.weight_text, v.weight_text) &&
              strstr(d->generic_text, "N_trans nonsingular for almost every "
                                      "(β, γ, b1, b2), proved") &&
              strstr(d->generic_text, "deciding monomial β^6γ^4"),
          "trans: %s", d ? d->generic_text : "");
    tkc_generic_verdict_clear(&v);
    done(nm, d);
    /* capped below β^6γ^4 (total order 10): not established, says where */
    opt.generic_opt.max_order = 8;
    d = decide(abab, "trans", 1024, &opt, &nm);
    CHECK(d && d->generic == TKC_NMATRIX_GENERIC_NOT_ESTABLISHED &&
              !strstr(d->generic_text, "proved") &&
              strstr(d->generic_text, "next: total order 10"),
          "capped at 8: %s", d ? d->generic_text : "");
    done(nm, d);
    d = decide(abab, "attn", 1024, &opt, &nm);
    CHECK(d && d->generic == TKC_NMATRIX_GENERIC_NOT_ESTABLISHED &&
              !strncmp(d->generic_text, "condition (10) for almost every "
                                        "(β, γ): not established", 52),
          "attn capped at 8: %s", d ? d->generic_text : "");
    done(nm, d);
    tkc_nmatrix_options_default(&opt);
    opt.ladder = 0;
    d = decide(abab, "attn", 1024, &opt, &nm);
    CHECK(d && d->generic == TKC_NMATRIX_GENERIC_CONDITION10 &&
              strstr(d->generic_text, "(condition (10)) for almost every "
                                      "(β, γ), proved") &&
              !strstr(d->generic_text, "N_trans"),
          "attn: %s", d ? d->generic_text : "");
    done(nm, d);
    d = decide(abab, "mlp", 0, &opt, &nm);
    CHECK(d && d->generic == TKC_NMATRIX_GENERIC_SINGULAR &&
              strstr(d->generic_text, "singular for every parameter, exact") &&
              d->generic_test.r == 0, "mlp: %s", d ? d->generic_text : "");
    done(nm, d);
    /* mlpxx, cos: the proved point verdict and analyticity in (b1, b2) */
    d = decide("1 α A\n-1 α B\n", "mlpxx", 0, &opt, &nm);
    CHECK(d && d->verdict == TKC_NMATRIX_NONSINGULAR &&
              d->evidence_kind == TKC_EVIDENCE_PROVED &&
              d->generic == TKC_NMATRIX_GENERIC_NONSINGULAR &&
              strstr(d->generic_text, "almost every (b1, b2), proved") &&
              strstr(d->generic_text, "nonzero at b1 = 1, b2 = 0.5"),
          "mlpxx: %s", d ? d->generic_text : "");
    done(nm, d);
    /* ... never from a point verdict that is not proved: at b1 = 1e-9 the
     * dual is constant to 1e-18 and N's two rows agree beyond 256 bits'
     * reach, so the certificate stays undecided */
    {
        tkc_kernel_spec sp;
        spec_of(&sp, "mlpxx", 0);
        sp.b1 = 1e-9;
        tkc_template_set *xs = parse("1 α A\n-1 α B\n");
        d = NULL;
        nm = NULL;
        CHECK(xs && !tkc_nmatrix_decide(xs, &sp, &opt, &nm, &d, &err) && d &&
                  d->verdict == TKC_NMATRIX_UNDECIDED &&
                  d->generic == TKC_NMATRIX_GENERIC_NOT_ESTABLISHED &&
                  strstr(d->generic_text, "not established by tkc") &&
                  strstr(d->generic_text, "is undecided"),
              "mlpxx at b1 = 1e-9: %s", d ? d->generic_text : err.message);
        done(nm, d);
        tkc_template_set_free(xs);
    }
    /* relu: condition (10) proved, N_trans not covered by Lemma 3.6 */
    tkc_kernel_spec spec;
    spec_of(&spec, "trans", 1024);
    spec.activation = tkc_activation_relu;
    d = NULL;
    nm = NULL;
    CHECK(set && !tkc_nmatrix_decide(set, &spec, &opt, &nm, &d, &err) && d &&
              d->generic == TKC_NMATRIX_GENERIC_NOT_ESTABLISHED &&
              d->generic_test.status == TKC_GENERIC_PROVED &&
              strstr(d->generic_text, "N_trans with φ = relu: not established") &&
              strstr(d->generic_text, "Lemma 3.6 is proved for φ(t) = cos"),
          "relu: %s", d ? d->generic_text : "");
    done(nm, d);
    opt.generic = 0;
    d = decide(abab, "trans", 1024, &opt, &nm);
    CHECK(d && d->generic == TKC_NMATRIX_GENERIC_NOT_RUN &&
              !d->generic_text[0] && d->generic_test.r == 0, "generic off");
    done(nm, d);
    tkc_template_set_free(set);
}

/* The words name the weakest evidence of the boxes: the transformer on
 * Monte Carlo K_attn is at the stated joint confidence, never proved; on
 * the series' truncation radii it is an estimate (both nonsingular at
 * these parameters, checked through the tkc nmatrix command too). */
static void test_evidence_words(void)
{
    tkc_template_set *sd = parse(same_different),
                     *aba = parse("1 α β α\n-1 α β β\n");
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    opt.ladder = 0;
    tkc_kernel_spec spec;
    spec_of(&spec, "trans", 1u << 18);
    spec.beta = 4, spec.gamma = 2, spec.b1 = 0.5;
    tkc_nmatrix *nm = NULL;
    tkc_nmatrix_decision *d = NULL;
    tkc_error err;
    CHECK(sd && !tkc_nmatrix_decide(sd, &spec, &opt, &nm, &d, &err),
          "trans mc: %s", err.message);
    CHECK(d && d->verdict == TKC_NMATRIX_NONSINGULAR &&
              d->evidence_kind == TKC_EVIDENCE_CONFIDENCE &&
              d->confidence == 0.999 &&
              !strcmp(d->verdict_words, "nonsingular (99.9% confidence)") &&
              nm->box_evidence == TKC_EVIDENCE_CONFIDENCE && nm->box_z > 3,
          "trans mc: %s", d ? d->verdict_words : "no decision");
    done(nm, d);
    for (int kernel = 0; kernel < 2; kernel++) {
        spec_of(&spec, kernel ? "trans" : "attn", 0);
        spec.estimator = tkc_attn_series;
        spec.beta = 0.3;
        nm = NULL, d = NULL;
        CHECK(aba && !tkc_nmatrix_decide(aba, &spec, &opt, &nm, &d, &err),
              "series: %s", err.message);
        CHECK(d && d->verdict == TKC_NMATRIX_NONSINGULAR &&
                  d->evidence_kind == TKC_EVIDENCE_ESTIMATE &&
                  d->confidence == 0 &&
                  !strcmp(d->verdict_words, "nonsingular (estimate)"),
              "%s series: %s", spec.kernel->name,
              d ? d->verdict_words : "no decision");
        done(nm, d);
    }
    tkc_template_set_free(sd);
    tkc_template_set_free(aba);
}

/* Auto-refine: more rounds within the budget; a budget too small for a
 * second round stops after the first and says so. */
static void test_rounds(void)
{
    const char *abab = "1 α β α β\n-1 α α β β\n";
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    opt.auto_refine = 1;
    opt.ladder = 0;
    opt.budget = 4000;           /* two rounds allowed, the second too big */
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d = decide(abab, "trans", 1000, &opt, &nm);
    CHECK(d && d->verdict == TKC_NMATRIX_UNDECIDED && d->rounds == 1 &&
              strstr(d->settle, "exceeds the budget of 4000 (--budget)"),
          "tiny budget: %u rounds, %s", d ? d->rounds : 0, d ? d->settle : "");
    CHECK(d && !strcmp(d->verdict_words, "undecided"), "undecided words");
    done(nm, d);
    opt.budget = 1u << 22;  /* the first round asks for ~10³x: one more */
    d = decide(abab, "trans", 1000, &opt, &nm);
    CHECK(d && d->rounds >= 2 && d->samples_total > d->samples &&
              d->samples > 1000 && strstr(d->method, "auto-refine rounds"),
          "refined: %u rounds, %llu of %llu samples", d ? d->rounds : 0,
          d ? (unsigned long long)d->samples : 0,
          d ? (unsigned long long)d->samples_total : 0);
    done(nm, d);
    /* QMC refines its points per replicate: each round's integrand
     * evaluations are the first's times a whole factor >= 4, within the
     * budget (not 2 x replicates times more, as when the points were set
     * to the evaluations) */
    tkc_template_set *set = parse(abab);
    tkc_kernel_spec spec;
    spec_of(&spec, "trans", 0);
    spec.estimator = tkc_attn_qmc;
    spec.qmc.points = 64;
    spec.qmc.replicates = 4;              /* 512 evaluations a round */
    opt.budget = 512 * 4096;
    tkc_error err;
    d = NULL;
    nm = NULL;
    CHECK(set && !tkc_nmatrix_decide(set, &spec, &opt, &nm, &d, &err),
          "qmc decide: %s", err.message);
    CHECK(d && d->rounds >= 2 && d->samples <= opt.budget &&
              d->samples % 512 == 0 && d->samples / 512 >= 4,
          "qmc refined: %u rounds, last %llu evaluations, budget %llu",
          d ? d->rounds : 0, d ? (unsigned long long)d->samples : 0,
          (unsigned long long)opt.budget);
    done(nm, d);
    tkc_template_set_free(set);
}

/* The rounds count evaluations, never seconds: the default budget is
 * 2^26 evaluations and at most 2^31 integrand values (evaluations × N's
 * r(r+1)/2 entries): for r = 8 (36 entries), 59652323 evaluations, so mc
 * from 4 evaluations may take 12 rounds (4, 16, ..., 4^11 > budget / 4:
 * not 13 as under 2^26 alone).  A wall-clock limit is opt-in, and a run
 * it ends says it stopped early. */
static void test_budget(void)
{
    const char *majority4 = "1 α α α α\n1 α α α β\n1 α α β α\n-1 α α β β\n"
                            "1 α β α α\n-1 α β α β\n-1 α β β α\n-1 α β β β\n";
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    CHECK(opt.budget == 0 && opt.time_budget == 0,
          "defaults: the budget rule, no wall-clock limit");
    opt.auto_refine = 1;
    opt.ladder = 0;
    tkc_nmatrix *nm;
    tkc_nmatrix_decision *d = decide(majority4, "trans", 4, &opt, &nm);
    CHECK(d && strstr(d->method, "over up to 12 auto-refine rounds") &&
              (d->verdict != TKC_NMATRIX_UNDECIDED ||
               strstr(d->settle, "the budget of 59652323 (--budget)")) &&
              !d->stopped_early,
          "r = 8: budget 2^31 / 36: %s; %s", d ? d->method : "",
          d ? d->settle : "");
    done(nm, d);
    /* the same run twice: the same rounds and digits */
    tkc_nmatrix *nm2;
    d = decide(majority4, "trans", 4, &opt, &nm);
    tkc_nmatrix_decision *d2 = decide(majority4, "trans", 4, &opt, &nm2);
    CHECK(d && d2 && d->rounds == d2->rounds && d->samples == d2->samples &&
              !memcmp(nm->N, nm2->N, nm->r * nm->r * sizeof *nm->N),
          "reproducible rounds");
    done(nm, d);
    done(nm2, d2);
    /* a wall-clock limit that ends the run: said, in the decision and the
     * stop reason */
    opt.budget = (uint64_t)1 << 40;
    opt.time_budget = 1e-9;
    d = decide(same_different, "trans", 4, &opt, &nm);
    CHECK(d && d->verdict == TKC_NMATRIX_UNDECIDED && d->stopped_early &&
              strstr(d->settle, "STOPPED EARLY") &&
              strstr(d->settle, "--time-budget"),
          "time limit: %s", d ? d->settle : "");
    done(nm, d);
}

static void test_bad_options(void)
{
    tkc_template_set *set = parse(same_different);
    tkc_kernel_spec spec;
    spec_of(&spec, "mlp", 0);
    tkc_nmatrix_options opt;
    tkc_nmatrix_options_default(&opt);
    tkc_nmatrix *nm = NULL;
    tkc_nmatrix_decision *d = NULL;
    tkc_error err;
    opt.confidence = 1;
    CHECK(tkc_nmatrix_decide(set, &spec, &opt, &nm, &d, &err) == TKC_EINPUT &&
              !nm && !d, "confidence 1 refused");
    opt.confidence = 0.99;
    opt.prec = 40;
    CHECK(tkc_nmatrix_decide(set, &spec, &opt, &nm, &d, &err) == TKC_EINPUT,
          "40 bits refused");
    tkc_template_set_free(set);
}

int main(void)
{
    test_structure();
    test_certificate();
    test_evidence_words();
    test_lemmas();
    test_large_r();
    test_generic();
    test_rounds();
    test_budget();
    test_bad_options();
    mpfr_free_cache();
    return check_summary();
}
