/* test_arb_trans.c — K_trans enclosures from K_attn boxes
 * (trans_arb.h): 12 000 output pairs in batches, K_attn triples with
 * statistical-size radii (relative 1e-1 .. 1e-6) around covariances
 * anywhere from independent to the relu kink and across it, self pairs
 * (one entry three times) among them, each activation, b1 up to 50.  Every
 * box must contain the 1024-bit MPFR dual at the covariance points of its
 * input boxes and, halved, lose one of them; every output must carry the
 * evidence of the input radii unchanged (a Monte Carlo radius never comes
 * out "proved").  Argument checks first. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "ref_dual.h"
#include "trans_arb.h"

#define PREC 128
#define BATCH 500
#define BATCHES 24

static void test_argument_checks(void)
{
    tkc_kernel_spec s = ref_spec(tkc_activation_relu, 0, 1, 0.5);
    double value[3] = {1, 1, 0.5}, rad[3] = {1e-3, 1e-3, 1e-3};
    tkc_trans_index ix[1] = {{0, 1, 2}};
    tkc_enclosure out[1];
    tkc_error err;
    tkc_evidence mc = {TKC_EVIDENCE_CONFIDENCE, 0.999};
    CHECK(tkc_trans_arb_enclose(&s, value, rad, 3, mc, ix, 1, PREC, out, &err) == 0 &&
              out[0].evidence.kind == TKC_EVIDENCE_CONFIDENCE &&
              out[0].evidence.confidence == 0.999 && out[0].rad > 0,
          "Monte Carlo radii give a 99.9%% confidence enclosure");
    tkc_evidence bad = {TKC_EVIDENCE_PROVED, 0.999};
    CHECK(tkc_trans_arb_enclose(&s, value, rad, 3, bad, ix, 1, PREC, out, &err) ==
              TKC_EINPUT && strstr(err.message, "confidence"),
          "inconsistent evidence refused");
    CHECK(tkc_trans_arb_enclose(&s, value, rad, 2, mc, ix, 1, PREC, out, &err) ==
              TKC_EINPUT && strstr(err.message, "entry 2 of 2"),
          "entry out of range");
    rad[1] = -1;
    CHECK(tkc_trans_arb_enclose(&s, value, rad, 3, mc, ix, 1, PREC, out, &err) ==
              TKC_EINPUT && strstr(err.message, "radius"), "negative radius");
    rad[1] = 1e-3;
    value[2] = 1.5;  /* C > √(AB) by far more than the radii */
    CHECK(tkc_trans_arb_enclose(&s, value, rad, 3, mc, ix, 1, PREC, out, &err) ==
              TKC_ERANGE && strstr(err.message, "covariance"),
          "no covariance in the boxes");
    s.activation = NULL;
    CHECK(tkc_trans_arb_enclose(&s, value, rad, 3, mc, ix, 1, PREC, out, &err) ==
              TKC_EINPUT, "no activation");
}

/* A covariance triple: A, B in [1e-4, 1e2] (K_attn values), ρ anywhere,
 * near the kink, or past it with the C box reaching back. */
static void draw_triple(ref_rng *r, double v[3], double rd[3])
{
    for (;;) {
        double A = ref_log_uniform(r, 1e-4, 1e2), B = ref_log_uniform(r, 1e-4, 1e2);
        double u = pow(10, -1 - 5 * ref_uniform(r)), mode = ref_uniform(r);
        double sgn = ref_uniform(r) < 0.5 ? -1 : 1;
        double rho = mode < 0.5   ? 2 * ref_uniform(r) - 1
                     : mode < 0.8 ? sgn * (1 - u * ref_uniform(r))
                                  : sgn * (1 + u * ref_uniform(r));
        v[0] = A, v[1] = B, v[2] = rho * sqrt(A * B);
        for (int i = 0; i < 3; i++)
            rd[i] = fabs(v[i]) * u * (0.5 + ref_uniform(r));
        ref_box box = {{v[0], v[1], v[2]}, {rd[0], rd[1], rd[2]}};
        if (ref_box_feasible(&box))
            return;
    }
}

static void run(void)
{
    static const tkc_evidence evidence[] = {
        {TKC_EVIDENCE_CONFIDENCE, 0.999}, {TKC_EVIDENCE_PROVED, 1},
        {TKC_EVIDENCE_ESTIMATE, 0}, {TKC_EVIDENCE_CONFIDENCE, 0.95}};
    ref_rng r = {31};
    ref_tally tally[3] = {{0}};
    long evidence_wrong = 0;
    double value[3 * BATCH], rad[3 * BATCH];
    tkc_trans_index ix[BATCH];
    tkc_enclosure out[BATCH];
    arb_t K;
    arb_init(K);
    for (int b = 0; b < BATCHES; b++) {
        int a = b % 3;
        double b1, b2;
        ref_draw_b(&r, &b1, &b2);
        tkc_kernel_spec s = ref_spec(tkc_activation_types[a], 0, b1, b2);
        tkc_evidence ev = evidence[b % 4];
        size_t n = 0;
        for (size_t p = 0; p < BATCH; p++) {
            if (ref_uniform(&r) < 0.15) {  /* a self pair: one entry */
                double v[3], rd[3];
                draw_triple(&r, v, rd);
                value[n] = v[0], rad[n] = rd[0];
                ix[p][0] = ix[p][1] = ix[p][2] = n++;
                continue;
            }
            draw_triple(&r, value + n, rad + n);
            for (int i = 0; i < 3; i++)
                ix[p][i] = n + (size_t)i;
            n += 3;
        }
        tkc_error err;
        int rc = tkc_trans_arb_enclose(&s, value, rad, n, ev, ix, BATCH, PREC,
                                       out, &err);
        CHECK(rc == 0, "batch %d: %s", b, err.message);
        if (rc)
            continue;
        for (size_t p = 0; p < BATCH; p++) {
            int self = ix[p][0] == ix[p][2];
            ref_box box;
            for (int i = 0; i < 3; i++)
                box.mid[i] = value[ix[p][i]], box.rad[i] = rad[ix[p][i]];
            tkc_arb_set_box(K, out[p].mid, out[p].rad, NULL);
            char what[96];
            snprintf(what, sizeof what, "trans %s batch %d pair %zu%s, b1 %g",
                     s.activation->name, b, p, self ? " (self)" : "", s.b1);
            ref_outcome o;
            ref_check_box(&r, s.activation, s.b1, s.b2, &box, self, 2, K,
                          &out[p], what, &o);
            ref_tally_add(&tally[a], &o);
            evidence_wrong += out[p].evidence.kind != ev.kind ||
                              out[p].evidence.confidence != ev.confidence;
        }
    }
    arb_clear(K);
    long inputs = 0;
    for (int a = 0; a < 3; a++) {
        char label[64];
        snprintf(label, sizeof label, "trans %s", tkc_activation_types[a]->name);
        ref_tally_print(label, &tally[a]);
        inputs += tally[a].inputs;
        CHECK(tally[a].ball_fail == 0 && tally[a].box_fail == 0,
              "%s: %ld boxes miss the reference", label, tally[a].box_fail);
        CHECK(ref_tally_tightness(&tally[a]) >= 0.9 &&
                  tally[a].resolvable >= tally[a].inputs / 2,
              "%s: halving the box loses the reference for %.1f%% of %ld",
              label, 100 * ref_tally_tightness(&tally[a]), tally[a].resolvable);
    }
    CHECK(inputs >= 10000, "%ld pairs", inputs);
    CHECK(evidence_wrong == 0, "%ld outputs changed the evidence", evidence_wrong);
}

int main(void)
{
    ref_init();
    test_argument_checks();
    run();
    flint_cleanup();
    return check_summary();
}
