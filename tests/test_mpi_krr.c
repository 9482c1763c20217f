/* test_mpi_krr.c — krr's dense solve over MPI ranks on ScaLAPACK
 * (krr_dense_shard.c, scalapack_chol.c) against the single-process LAPACK
 * path (tkc_spd_solve) on the same data, on every rank: α within 1e-10
 * relative at n = 4000 (a small alphabet: many strings share symbols, the
 * exceptions of K̂ filled from the pattern index), the same rcond to its
 * estimate, and the same ridge escalation when K̂ is singular (λ = 0 with
 * repeated strings).  Run by tests/test_mpi.sh under mpirun -np 2. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "check.h"
#include "mpi_shard.h"
#include "tkc/tkc.h"

static double rel_diff(const double *a, const double *b, size_t n)
{
    double d = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        d += (a[i] - b[i]) * (a[i] - b[i]);
        s += b[i] * b[i];
    }
    return s > 0 ? sqrt(d / s) : sqrt(d);
}

/* Fit alone (LAPACK) and shared (ScaLAPACK), compare. */
static void compare(tkc_shard *sh, const tkc_template_set *set, size_t n,
                    size_t alphabet, double lambda, const char *kernel,
                    int want_escalation)
{
    tkc_error err;
    tkc_sample *s = NULL;
    CHECK(!tkc_sample_draw(set, n, alphabet, 0, 0.1, 5, &s, &err), "draw: %s",
          err.message);
    if (!s)
        return;
    tkc_kernel_spec spec;
    tkc_kernel_spec_default(&spec);
    spec.kernel = tkc_kernel_type_lookup(kernel);
    tkc_krr_options o;
    tkc_krr_options_default(&o);
    o.solver = TKC_KRR_SOLVER_DENSE;
    o.lambda = lambda;
    o.kernel_replicates = 1;
    tkc_krr_model *alone = NULL, *shared = NULL;
    int rc1 = tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                          &o, &alone, &err);
    CHECK(!rc1, "alone: %s", err.message);
    spec.shard = sh;
    int rc2 = tkc_krr_fit(&spec, set, s->strings, s->template_index, s->label,
                          &o, &shared, &err);
    CHECK(!rc2, "shared: %s", err.message);
    if (!rc1 && !rc2) {
        double d = rel_diff(shared->alpha, alone->alpha, n);
        CHECK(want_escalation || d <= 1e-10,
              "%s n = %zu A = %zu: alpha differs by %.3g relative",
              kernel, n, alphabet, d);
        /* and it was ScaLAPACK's solve, not LAPACK's again on each rank */
        CHECK(want_escalation || d > 0,
              "%s n = %zu: the shared solve ran (alpha not bit-identical)",
              kernel, n);
        if (sh->rank == 0)
            printf("%s n = %zu A = %zu: alpha within %.3g relative\n", kernel,
                   n, alphabet, d);
        /* near a singular K̂ a pivot or an rcond at machine epsilon may
         * fall either side under another order of operations: the same
         * ridge, or one step (x10) apart */
        double ratio = shared->solve.lambda_used / alone->solve.lambda_used;
        CHECK(want_escalation ? (ratio >= 0.1 && ratio <= 10)
                              : (shared->solve.escalations == 0 &&
                                 alone->solve.escalations == 0 &&
                                 shared->solve.lambda_used == lambda),
              "%s n = %zu: ridge %g in %u raises, alone %g in %u", kernel, n,
              shared->solve.lambda_used, shared->solve.escalations,
              alone->solve.lambda_used, alone->solve.escalations);
        CHECK(!want_escalation || (shared->solve.escalations > 0 &&
                                   strstr(shared->solve.note, "ridge raised")),
              "%s n = %zu: a singular K escalates, and says so ('%s')", kernel,
              n, shared->solve.note);
        /* pdpocon's and dpocon's estimates of the same 1/cond: Hager's
         * estimator on different orders of operations, both a lower
         * bound of the truth and usually within a small factor of it */
        double rc = shared->solve.rcond / alone->solve.rcond;
        CHECK(want_escalation || (rc > 0.1 && rc < 10),
              "%s n = %zu: rcond %.3g, alone %.3g", kernel, n,
              shared->solve.rcond, alone->solve.rcond);
        CHECK(want_escalation ||
                  (shared->residual <= 10 * fmax(alone->residual, 1e-14) &&
                   shared->solve.ferr > 0 && shared->solve.ferr < 1e-8),
              "%s n = %zu: residual %.3g (alone %.3g) ferr %.3g (alone %.3g)",
              kernel, n, shared->residual, alone->residual, shared->solve.ferr,
              alone->solve.ferr);
    }
    tkc_krr_model_free(alone);
    tkc_krr_model_free(shared);
    tkc_sample_free(s);
}

int main(int argc, char **argv)
{
    tkc_error err;
    tkc_shard *sh = tkc_mpi_shard_alloc(&argc, &argv, &err);
    if (!sh) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    const char *text = "1 α β α\n-1 α β β\n1 α α β\n";
    tkc_template_set *set = NULL;
    CHECK(!tkc_template_set_parse(text, strlen(text), "t", NULL, &set, &err),
          "parse: %s", err.message);
    if (set) {
        compare(sh, set, 4000, 12, 1e-3, "mlp", 0);
        /* λ = 0, 3 symbols: repeated strings, K̂ singular: escalation */
        compare(sh, set, 300, 3, 0, "mlp", 1);
        /* a sampled kernel: its estimate shared too, the digits of one
         * process, then the shared solve */
        compare(sh, set, 700, 40, 1e-3, "trans", 0);
    }
    tkc_template_set_free(set);
    int failed = check_failed, any;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (sh->rank == 0)
        printf("rank 0: %d passed, %d failed\n", check_passed, check_failed);
    tkc_mpi_shard_free(sh);
    return any ? 1 : 0;
}
