/* cmd_krr_print.c — the report of `tkc krr`: per kernel, its N's verdict
 * beside the fits; the curve (mean, the standard error over data seeds and
 * the kernel's own error per point); the solver each fit took and why; for
 * sweeps, Theorem 3.4's fits (tkc_rate_*: the whole range, the tail
 * without curvature, the local slopes, each slope with its kernel error);
 * as text, one JSON object, or CSV rows.
 *
 * Kernel error of a statistic over runs: the statistic is recomputed from
 * each kernel estimate's numbers (the runs' replicates q) and its spread
 * over q is the kernel error (tkc_krr_replicate_sd); the data seeds share
 * the kernel seed, so this is the kernel error of the statistic itself, not
 * of its runs one by one. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_krr_print.h"
#include "tkc/rates.h"

/* ‖N⁻¹‖ as reported: infinite when N is singular exactly. */
static double nmatrix_inv_norm(const tkc_nmatrix_decision *d)
{
    return d->verdict == TKC_NMATRIX_SINGULAR ? INFINITY : d->inv_norm;
}

static void print_nmatrix(const tkc_nmatrix_decision *d)
{
    printf("  N matrix (tkc nmatrix): %s", d->verdict_words);
    if (d->verdict == TKC_NMATRIX_SINGULAR)
        printf("; ||N^-1|| = inf\n");
    else if (d->verdict == TKC_NMATRIX_NONSINGULAR)
        printf("; ||N^-1|| = %.4g, <= %.4g (sigma_min >= %.4g), the bounds "
               "%s\n", d->inv_norm, d->inv_norm_upper, d->sigma_min_lower,
               d->evidence_kind == TKC_EVIDENCE_PROVED ? "proved"
               : d->evidence_kind == TKC_EVIDENCE_ESTIMATE
                   ? "estimates"
                   : "at the verdict's joint confidence");
    else
        printf("; ||N^-1|| = %.4g, not decided: %s\n", d->inv_norm, d->settle);
}

/* ---- statistics ------------------------------------------------------------ */

/* Kernel estimates every run of kernel k has (the same for all: they
 * depend on the kernel's error kind and --kernel-replicates). */
static size_t replicates_of(krr_runs *R, size_t k)
{
    size_t q = run_at(R, k, 0, 0)->model->replicates;
    for (size_t x = 0; x < R->nx; x++)
        for (size_t s = 0; s < R->ns; s++) {
            size_t r = run_at(R, k, x, s)->model->replicates;
            q = r < q ? r : q;
        }
    return q;
}

/* What run r contributes, for kernel estimate q. */
static double train_of(const krr_run *r, size_t q)
{
    return r->model->replicate_train_mse[q];
}
static double test_of(const krr_run *r, size_t q) { return r->test_mse_rep[q]; }
static double pop_of(const krr_run *r, size_t q)
{
    return r->score->replicate_mse_population[q];
}

typedef struct point_stats {
    double test_mean, test_se, test_kse, pop_mean, pop_se, pop_kse, train_mean;
    double train_kse;
    double rcond_min, lambda_max;
    unsigned escalations;
} point_stats;

static void mean_se(const double *v, size_t m, double *mean, double *se)
{
    double s = 0, q = 0;
    for (size_t i = 0; i < m; i++)
        s += v[i];
    s /= (double)m;
    for (size_t i = 0; i < m; i++)
        q += (v[i] - s) * (v[i] - s);
    *mean = s;
    *se = m > 1 ? sqrt(q / (double)(m - 1) / (double)m) : NAN;
}

/* The kernel error of the mean over seeds of f(run, q) at point (k, x). */
static double mean_kernel_se(krr_runs *R, size_t k, size_t x,
                             double (*f)(const krr_run *, size_t))
{
    size_t nq = replicates_of(R, k);
    double *v = malloc(nq * sizeof *v), sd = 0;
    if (!v)
        return NAN;
    for (size_t q = 0; q < nq; q++) {
        double s = 0;
        for (size_t i = 0; i < R->ns; i++)
            s += f(run_at(R, k, x, i), q);
        v[q] = s / (double)R->ns;
    }
    sd = tkc_krr_replicate_sd(v, nq);
    free(v);
    return sd;
}

static point_stats stats_at(krr_runs *R, size_t k, size_t x)
{
    point_stats p = {0};
    double test[R->ns], pop[R->ns], train[R->ns], dummy;
    p.rcond_min = INFINITY;
    for (size_t s = 0; s < R->ns; s++) {
        const krr_run *r = run_at(R, k, x, s);
        test[s] = r->test_mse;
        pop[s] = r->score->test_mse_population;
        train[s] = r->model->train_mse;
        p.rcond_min = fmin(p.rcond_min, r->model->solve.rcond);
        p.lambda_max = fmax(p.lambda_max, r->model->solve.lambda_used);
        p.escalations += r->model->solve.escalations;
    }
    mean_se(test, R->ns, &p.test_mean, &p.test_se);
    mean_se(pop, R->ns, &p.pop_mean, &p.pop_se);
    mean_se(train, R->ns, &p.train_mean, &dummy);
    p.test_kse = mean_kernel_se(R, k, x, test_of);
    p.train_kse = mean_kernel_se(R, k, x, train_of);
    p.pop_kse = mean_kernel_se(R, k, x, pop_of);
    return p;
}

/* Theorem 3.4's fits of the test RMSE against x (n or rho) over every run
 * of kernel k: the log-log slope (95% interval; slope_ok 0 when too few
 * errors are nonzero), rmse = a + c/sqrt(x), the tail, the local slopes;
 * the slopes refit on each kernel estimate for their kernel error. */
typedef struct rate_fits {
    tkc_rate_slope slope;
    tkc_rate_floor floor;
    tkc_rate_tail tail;
    tkc_rate_window local[MAX_LIST];
    size_t nlocal;
    int slope_ok, tail_ok;
    double slope_kse, tail_kse;   /* kernel errors of the two slopes       */
    double slope_lo, slope_hi;    /* 95% with the kernel error added       */
    double tail_lo, tail_hi;
    size_t replicates;
} rate_fits;

/* The RMSE points of kernel estimate q. */
static void rate_points(krr_runs *R, size_t k, const double *xs, size_t q,
                        double *x, double *y)
{
    for (size_t i = 0; i < R->nx; i++)
        for (size_t s = 0; s < R->ns; s++) {
            x[i * R->ns + s] = xs[i];
            y[i * R->ns + s] = sqrt(pop_of(run_at(R, k, i, s), q));
        }
}

static rate_fits fit_rates(krr_runs *R, size_t k, const double *xs)
{
    rate_fits f = {0};
    size_t m = R->nx * R->ns;
    double x[m], y[m];
    rate_points(R, k, xs, 0, x, y);
    f.slope_ok = !tkc_rate_slope_fit(x, y, m, 0.95, &f.slope, NULL);
    tkc_rate_floor_fit(x, y, m, &f.floor, NULL);
    f.tail_ok = !tkc_rate_tail_fit(x, y, m, 3, 0.95, &f.tail, NULL);
    if (tkc_rate_local_slopes(x, y, m, 3, 0.95, f.local, &f.nlocal, NULL))
        f.nlocal = 0;
    f.replicates = replicates_of(R, k);
    double *sv = malloc(2 * f.replicates * sizeof *sv), *tv = sv + f.replicates;
    if (!sv) {
        f.replicates = 0;
        return f;
    }
    for (size_t q = 0; q < f.replicates; q++) {
        tkc_rate_slope s = {0};
        tkc_rate_tail t = {0};
        rate_points(R, k, xs, q, x, y);
        tkc_rate_slope_fit(x, y, m, 0.95, &s, NULL);
        tkc_rate_tail_fit(x, y, m, 3, 0.95, &t, NULL);
        sv[q] = s.slope;
        tv[q] = t.slope.slope;
    }
    f.slope_kse = tkc_krr_replicate_sd(sv, f.replicates);
    f.tail_kse = tkc_krr_replicate_sd(tv, f.replicates);
    free(sv);
    tkc_rate_slope_interval_with(&f.slope, f.slope_kse, &f.slope_lo,
                                 &f.slope_hi);
    tkc_rate_slope_interval_with(&f.tail.slope, f.tail_kse, &f.tail_lo,
                                 &f.tail_hi);
    return f;
}

static void xs_of(const krr_cli *c, krr_runs *R, double *xs)
{
    for (size_t x = 0; x < R->nx; x++)
        xs[x] = c->sweep == SWEEP_RHO ? run_at(R, 0, x, 0)->rho
                                      : (double)run_at(R, 0, x, 0)->n;
}

/* ---- output -------------------------------------------------------------------- */

static void describe_kernel(FILE *out, const tkc_kernel_spec *sp,
                            const tkc_kernel_type *k, const tkc_krr_model *m,
                            const tkc_nmatrix_decision *d)
{
    int attn = k == tkc_kernel_attn, trans = k == tkc_kernel_trans;
    fprintf(out, "kernel %s (", k->name);
    if (!attn)
        fprintf(out, "act %s, ", sp->activation->name);
    if (attn || trans)
        fprintf(out, "beta %g, gamma %g, ", sp->beta, sp->gamma);
    if (!attn && sp->activation == tkc_activation_cos)
        fprintf(out, "b1 %g, b2 %g, ", sp->b1, sp->b2);
    fprintf(out, "%s): entries' %s error <= %.2g; ||N^-1|| = ", m->kernel.estimator,
            tkc_error_kind_name(m->kernel.error_kind), m->kernel.se_max);
    if (d->verdict == TKC_NMATRIX_SINGULAR)
        fputs("inf (N singular, exactly)", out);
    else
        fprintf(out, "%.4g", d->inv_norm);
    fprintf(out, ", max K(x,x) = %.4g\n", m->kernel_diag_max);
    fprintf(out, "  kernel error of the numbers (+-kernel): %s",
            tkc_krr_kernel_error_name(m->kernel_error));
    if (m->replicates > 1)
        fprintf(out, ", %zu kernel estimates per fit", m->replicates);
    fputc('\n', out);
    if (d->verdict == TKC_NMATRIX_UNDECIDED)
        fprintf(out, "  warning: N is not shown nonsingular at these kernel "
                     "options (sigma_min(N) = %.3g, smallest eigenvalue %.3g; "
                     "tkc nmatrix: %s): at large n the fit may resolve "
                     "estimator noise, not the kernel\n", d->sigma_min,
                d->eig_min, d->settle);
}

static void print_per_template(FILE *out, const tkc_template_set *set,
                               const krr_run *r)
{
    fprintf(out, "  %-28s %8s %12s %9s %11s %6s %6s\n", "template", "label",
            "prediction", "+-kernel", "sq.error", "train", "test");
    for (size_t t = 0; t < set->count; t++) {
        char buf[256];
        tkc_template_format(set, t, buf, sizeof buf);
        fprintf(out, "  %-28s %8.4g %12.6g %9.2g %11.3g %6zu %6zu\n", buf,
                set->t[t].label, r->score->template_prediction[t],
                r->score->template_prediction_kernel_se[t],
                r->score->template_sq_error[t], r->train_count[t],
                r->test_count[t]);
    }
}

/* The solver of a fit in words: the plan's reason and what the solve did. */
static void print_solver(const krr_run *r)
{
    const tkc_krr_model *m = r->model;
    printf("  solver at n %zu, A %zu: %s\n", r->n, r->alphabet, m->plan.reason);
    if (m->plan.chosen == TKC_KRR_SOLVER_STRUCTURED)
        printf("    %u CG steps%s, backward error %.2g, residual %.2g, "
               "capacitance rcond %.2g, peak %.3g GB\n",
               m->structured.iterations,
               m->structured.shift > 0 ? " (A shifted)" : "",
               m->structured.backward_error, m->residual,
               m->structured.capacitance_rcond, m->structured.peak_bytes * 1e-9);
    else if (m->residual_computed)
        printf("    residual %.2g\n", m->residual);
}

static void print_slope_line(const char *what, const char *var,
                             const tkc_rate_slope *s, double kse, double lo,
                             double hi, size_t replicates)
{
    printf("  %s: test RMSE ~ %s^%.3f, 95%% CI [%.3f, %.3f] over %zu runs",
           what, var, s->slope, s->slope_lo, s->slope_hi, s->points);
    if (replicates > 1)
        printf("; kernel error %.2g (%zu estimates), with it [%.3f, %.3f]",
               kse, replicates, lo, hi);
    putchar('\n');
}

static void print_rates(const krr_cli *c, krr_runs *R, size_t k,
                        const double *xs)
{
    rate_fits f = fit_rates(R, k, xs);
    const char *var = c->sweep == SWEEP_N ? "n" : "rho";
    const tkc_krr_score *s0 = run_at(R, 0, 0, 0)->score;
    if (f.slope_ok) {
        print_slope_line("fit", var, &f.slope, f.slope_kse, f.slope_lo,
                         f.slope_hi, f.replicates);
        printf("    (MSE exponent %.3f)%s\n", 2 * f.slope.slope,
               f.slope.skipped ? " (exact zeros skipped)" : "");
    } else {
        printf("  fit: not enough nonzero errors for a slope\n");
    }
    if (f.tail_ok) {
        char what[96];
        snprintf(what, sizeof what, "tail %s >= %.4g (%zu of %zu values%s)", var,
                 f.tail.x_min, f.tail.xs, f.tail.xs_total,
                 f.tail.curved_throughout ? ", still curved" : ", no curvature");
        print_slope_line(what, var, &f.tail.slope, f.tail_kse, f.tail_lo,
                         f.tail_hi, f.replicates);
        printf("    curvature of log RMSE in log %s over the whole range: "
               "%.3g +- %.2g\n", var, f.tail.curvature, f.tail.curvature_se);
    }
    if (f.nlocal) {
        printf("  local slopes (3 values each):");
        for (size_t i = 0; i < f.nlocal; i++)
            printf("%s %s %.4g-%.4g: %.3f [%.3f, %.3f]", i ? ";" : "", var,
                   f.local[i].x_lo, f.local[i].x_hi, f.local[i].slope.slope,
                   f.local[i].slope.slope_lo, f.local[i].slope.slope_hi);
        putchar('\n');
    }
    printf("  Theorem 3.4: error <= C sqrt(log(1/delta)/n) + C sqrt(1/rho)"
           " predicts exponent <= -1/2;\n"
           "  fitted RMSE = %.3g (+-%.2g) + %.3g (+-%.2g) / sqrt(%s)"
           " (C >= %.3g at delta = 0.05)\n", f.floor.a, f.floor.a_se,
           f.floor.c, f.floor.c_se, var, f.floor.c / sqrt(log(20.0)));
    if (s0->label_variance > 0)
        printf("  label variance %.4g: RMSE of the best constant %.4g\n",
               s0->label_variance, sqrt(s0->label_variance));
    print_nmatrix(R->nm[k]);
}

static void fmt_se(char *buf, size_t size, double se)
{
    if (isfinite(se))
        snprintf(buf, size, "%.2g", se);
    else
        snprintf(buf, size, "-");
}

void krr_print_text(const krr_cli *c, const tkc_template_set *set,
                    krr_runs *R)
{
    const tkc_krr_score *s0 = run_at(R, 0, 0, 0)->score;
    printf("%s: %zu templates of length %zu%s; label mean %.4g, variance %.4g\n",
           c->file, set->count, set->k, set->cls_appended ? " ([CLS] appended)" : "",
           s0->label_mean, s0->label_variance);
    printf("lambda %g, noise %g, %zu test strings on unseen symbols, %zu seed%s\n",
           c->opt.lambda, c->noise, c->test_n, R->ns, R->ns > 1 ? "s" : "");
    double xs[MAX_LIST];
    xs_of(c, R, xs);
    for (size_t k = 0; k < R->nk; k++) {
        const krr_run *rk = run_at(R, k, 0, 0);
        describe_kernel(stdout, &c->kernel, c->kernels[k], rk->model, R->nm[k]);
        printf("  %7s %7s %9s %10s %10s %8s %8s %10s %8s %8s %9s %9s %5s %s\n",
               "n", "A", "rho", "train_mse", "test_mse", "+-data", "+-kernel",
               "test_pop", "+-data", "+-kernel", "pop/var", "rcond", "esc",
               "solver");
        for (size_t x = 0; x < R->nx; x++) {
            point_stats p = stats_at(R, k, x);
            const krr_run *r = run_at(R, k, x, 0);
            char se[32], kse[32], pse[32], pkse[32], ratio[32] = "-";
            fmt_se(se, sizeof se, p.test_se);
            fmt_se(pse, sizeof pse, p.pop_se);
            fmt_se(kse, sizeof kse, p.test_kse);
            fmt_se(pkse, sizeof pkse, p.pop_kse);
            if (r->score->label_variance > 0)
                snprintf(ratio, sizeof ratio, "%.3g",
                         p.pop_mean / r->score->label_variance);
            printf("  %7zu %7zu %9.4g %10.3g %10.3g %8s %8s %10.3g %8s %8s %9s "
                   "%9.2g %5u %s\n",
                   r->n, r->alphabet, r->rho, p.train_mean, p.test_mean, se, kse,
                   p.pop_mean, pse, pkse, ratio, p.rcond_min, p.escalations,
                   tkc_krr_solver_name(r->model->plan.chosen));
        }
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                const krr_run *r = run_at(R, k, x, s);
                if (r->model->solve.escalations)
                    printf("  note (n %zu, seed %zu): %s\n", r->n, s,
                           r->model->solve.note);
                if (r->model->replicate_escalations)
                    printf("  note (n %zu, seed %zu): the kernel replicates "
                           "raised the ridge %u times\n", r->n, s,
                           r->model->replicate_escalations);
            }
        for (size_t x = 0; x < R->nx; x++)
            print_solver(run_at(R, k, x, 0));
        if (R->nx == 1 && R->ns == 1)
            print_per_template(stdout, set, rk);
        if (c->sweep != SWEEP_NONE)
            print_rates(c, R, k, xs);
    }
}

/* The N figures every run of a kernel reports (see --help). */
static void json_nfigures(cli_json *j, const tkc_nmatrix_decision *d)
{
    cli_json_key(j, "nmatrix_verdict");
    cli_json_string(j, tkc_nmatrix_verdict_name(d->verdict));
    cli_json_key(j, "nmatrix_sigma_min"); cli_json_number(j, d->sigma_min);
    cli_json_key(j, "nmatrix_inv_norm"); cli_json_number(j, nmatrix_inv_norm(d));
    cli_json_key(j, "nmatrix_eig_min"); cli_json_number(j, d->eig_min);
    cli_json_key(j, "nmatrix_resolved");
    cli_json_bool(j, d->verdict == TKC_NMATRIX_NONSINGULAR);
}

/* The solver of a fit: the plan (predicted costs, the reason) and what the
 * structured solve did. */
static void json_solver(cli_json *j, const tkc_krr_model *m)
{
    const tkc_krr_plan *p = &m->plan;
    cli_json_key(j, "solver"); cli_json_string(j, tkc_krr_solver_name(p->chosen));
    cli_json_key(j, "solver_reason"); cli_json_string(j, p->reason);
    cli_json_key(j, "residual");
    m->residual_computed ? cli_json_number(j, m->residual) : cli_json_null(j);
    cli_json_key(j, "solver_plan");
    cli_json_object_begin(j);
    cli_json_key(j, "shared_pairs"); cli_json_number(j, p->shared_pairs);
    cli_json_key(j, "dense_bytes"); cli_json_number(j, p->dense_bytes);
    cli_json_key(j, "dense_flops"); cli_json_number(j, p->dense_flops);
    cli_json_key(j, "structured_bytes"); cli_json_number(j, p->structured_bytes);
    cli_json_key(j, "structured_flops"); cli_json_number(j, p->structured_flops);
    cli_json_key(j, "factor_nnz"); cli_json_number(j, p->factor_nnz);
    cli_json_key(j, "memory_bytes"); cli_json_number(j, p->memory_bytes);
    cli_json_object_end(j);
    if (p->chosen != TKC_KRR_SOLVER_STRUCTURED)
        return;
    const tkc_krr_structured_report *s = &m->structured;
    cli_json_key(j, "structured");
    cli_json_object_begin(j);
    cli_json_key(j, "factored"); cli_json_bool(j, s->factored);
    cli_json_key(j, "shift"); cli_json_number(j, s->shift);
    cli_json_key(j, "iterations"); cli_json_integer(j, s->iterations);
    cli_json_key(j, "backward_error"); cli_json_number(j, s->backward_error);
    cli_json_key(j, "converged"); cli_json_bool(j, s->converged);
    cli_json_key(j, "capacitance_rcond"); cli_json_number(j, s->capacitance_rcond);
    cli_json_key(j, "peak_bytes"); cli_json_number(j, s->peak_bytes);
    cli_json_object_end(j);
}

/* A kernel error, or null when not computed (one estimate of a kernel that
 * has one). */
static void json_kse(cli_json *j, const tkc_krr_model *m, double v)
{
    m->kernel_error == TKC_KRR_KERNEL_ERROR_NOT_COMPUTED ? cli_json_null(j)
                                                         : cli_json_number(j, v);
}

static void json_result(cli_json *j, const tkc_template_set *set,
                        const krr_run *r, const char *kernel,
                        const tkc_nmatrix_decision *d)
{
    const tkc_krr_model *m = r->model;
    const tkc_krr_score *sc = r->score;
    cli_json_key(j, "kernel"); cli_json_string(j, kernel);
    cli_json_key(j, "estimator"); cli_json_string(j, m->kernel.estimator);
    cli_json_key(j, "n"); cli_json_integer(j, (long long)r->n);
    cli_json_key(j, "alphabet"); cli_json_integer(j, (long long)r->alphabet);
    cli_json_key(j, "rho"); cli_json_number(j, r->rho);
    cli_json_key(j, "seed"); cli_json_integer(j, (long long)r->seed);
    cli_json_key(j, "train_mse"); cli_json_number(j, m->train_mse);
    cli_json_key(j, "train_mse_kernel_se");
    json_kse(j, m, tkc_krr_replicate_sd(m->replicate_train_mse, m->replicates));
    cli_json_key(j, "test_mse"); cli_json_number(j, r->test_mse);
    cli_json_key(j, "test_mse_kernel_se");
    json_kse(j, m, tkc_krr_replicate_sd(r->test_mse_rep, m->replicates));
    cli_json_key(j, "test_mse_population"); cli_json_number(j, sc->test_mse_population);
    cli_json_key(j, "test_mse_population_kernel_se");
    json_kse(j, m, sc->test_mse_population_kernel_se);
    cli_json_key(j, "kernel_error_method");
    cli_json_string(j, tkc_krr_kernel_error_name(m->kernel_error));
    cli_json_key(j, "kernel_replicates"); cli_json_integer(j, (long long)m->replicates);
    cli_json_key(j, "test_n"); cli_json_integer(j, (long long)r->test_n);
    cli_json_key(j, "label_mean"); cli_json_number(j, sc->label_mean);
    cli_json_key(j, "label_variance"); cli_json_number(j, sc->label_variance);
    cli_json_key(j, "rcond"); cli_json_number(j, m->solve.rcond);
    cli_json_key(j, "lambda"); cli_json_number(j, m->solve.lambda);
    cli_json_key(j, "lambda_used"); cli_json_number(j, m->solve.lambda_used);
    cli_json_key(j, "escalations"); cli_json_integer(j, m->solve.escalations);
    cli_json_key(j, "escalation_note"); cli_json_string(j, m->solve.note);
    cli_json_key(j, "replicate_escalations");
    cli_json_integer(j, m->replicate_escalations);
    cli_json_key(j, "ferr"); cli_json_number(j, m->solve.ferr);
    cli_json_key(j, "berr"); cli_json_number(j, m->solve.berr);
    json_solver(j, m);
    cli_json_key(j, "patterns"); cli_json_integer(j, (long long)m->kernel.npatterns);
    cli_json_key(j, "kernel_error_kind");
    cli_json_string(j, tkc_error_kind_name(m->kernel.error_kind));
    cli_json_key(j, "kernel_se_max"); cli_json_number(j, m->kernel.se_max);
    json_nfigures(j, d);
    cli_json_key(j, "kernel_diag_max"); cli_json_number(j, m->kernel_diag_max);
    cli_json_key(j, "seconds");
    cli_json_number(j, m->seconds_kernel + m->seconds_fill + m->seconds_solve);
    cli_json_key(j, "per_template");
    cli_json_array_begin(j);
    for (size_t t = 0; t < set->count; t++) {
        char buf[256];
        tkc_template_format(set, t, buf, sizeof buf);
        cli_json_object_begin(j);
        cli_json_key(j, "template"); cli_json_string(j, buf);
        cli_json_key(j, "label"); cli_json_number(j, set->t[t].label);
        cli_json_key(j, "weight"); cli_json_number(j, set->t[t].weight);
        cli_json_key(j, "prediction");
        cli_json_number(j, sc->template_prediction[t]);
        cli_json_key(j, "prediction_kernel_se");
        json_kse(j, m, sc->template_prediction_kernel_se[t]);
        cli_json_key(j, "test_mse"); cli_json_number(j, sc->template_sq_error[t]);
        cli_json_key(j, "train_count");
        cli_json_integer(j, (long long)r->train_count[t]);
        cli_json_key(j, "test_count");
        cli_json_integer(j, (long long)r->test_count[t]);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
}

static void json_interval(cli_json *j, const char *key, double lo, double hi,
                          int ok)
{
    cli_json_key(j, key);
    cli_json_array_begin(j);
    cli_json_number(j, ok ? lo : NAN);
    cli_json_number(j, ok ? hi : NAN);
    cli_json_array_end(j);
}

static void json_rates(cli_json *j, const krr_cli *c, krr_runs *R, size_t k,
                       const double *xs)
{
    rate_fits f = fit_rates(R, k, xs);
    const tkc_nmatrix_decision *d = R->nm[k];
    int kerr = f.replicates > 1;
    cli_json_object_begin(j);
    cli_json_key(j, "kernel"); cli_json_string(j, c->kernels[k]->name);
    cli_json_key(j, "variable");
    cli_json_string(j, c->sweep == SWEEP_N ? "n" : "rho");
    cli_json_key(j, "quantity"); cli_json_string(j, "test RMSE");
    cli_json_key(j, "points"); cli_json_integer(j, (long long)f.slope.points);
    cli_json_key(j, "slope");
    f.slope_ok ? cli_json_number(j, f.slope.slope) : cli_json_null(j);
    json_interval(j, "slope_ci95", f.slope.slope_lo, f.slope.slope_hi, f.slope_ok);
    cli_json_key(j, "kernel_replicates"); cli_json_integer(j, (long long)f.replicates);
    cli_json_key(j, "slope_kernel_se");
    kerr ? cli_json_number(j, f.slope_kse) : cli_json_null(j);
    json_interval(j, "slope_ci95_with_kernel", f.slope_lo, f.slope_hi,
                  f.slope_ok && kerr);
    cli_json_key(j, "tail");
    cli_json_object_begin(j);
    cli_json_key(j, "x_min"); cli_json_number(j, f.tail.x_min);
    cli_json_key(j, "values"); cli_json_integer(j, (long long)f.tail.xs);
    cli_json_key(j, "values_total"); cli_json_integer(j, (long long)f.tail.xs_total);
    cli_json_key(j, "curved_throughout"); cli_json_bool(j, f.tail.curved_throughout);
    cli_json_key(j, "slope");
    f.tail_ok ? cli_json_number(j, f.tail.slope.slope) : cli_json_null(j);
    json_interval(j, "slope_ci95", f.tail.slope.slope_lo, f.tail.slope.slope_hi,
                  f.tail_ok);
    cli_json_key(j, "slope_kernel_se");
    kerr ? cli_json_number(j, f.tail_kse) : cli_json_null(j);
    json_interval(j, "slope_ci95_with_kernel", f.tail_lo, f.tail_hi,
                  f.tail_ok && kerr);
    cli_json_key(j, "curvature"); cli_json_number(j, f.tail.curvature);
    cli_json_key(j, "curvature_se"); cli_json_number(j, f.tail.curvature_se);
    cli_json_object_end(j);
    cli_json_key(j, "local_slopes");
    cli_json_array_begin(j);
    for (size_t i = 0; i < f.nlocal; i++) {
        const tkc_rate_window *w = &f.local[i];
        cli_json_object_begin(j);
        cli_json_key(j, "x_lo"); cli_json_number(j, w->x_lo);
        cli_json_key(j, "x_hi"); cli_json_number(j, w->x_hi);
        cli_json_key(j, "x_center"); cli_json_number(j, w->x_center);
        cli_json_key(j, "slope"); cli_json_number(j, w->slope.slope);
        json_interval(j, "slope_ci95", w->slope.slope_lo, w->slope.slope_hi, 1);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_key(j, "theorem_exponent"); cli_json_number(j, -0.5);
    cli_json_key(j, "floor_a"); cli_json_number(j, f.floor.a);
    cli_json_key(j, "coef_c"); cli_json_number(j, f.floor.c);
    cli_json_key(j, "nmatrix_inv_norm"); cli_json_number(j, nmatrix_inv_norm(d));
    cli_json_key(j, "nmatrix");
    cli_json_object_begin(j);
    cli_json_key(j, "verdict");
    cli_json_string(j, tkc_nmatrix_verdict_name(d->verdict));
    cli_json_key(j, "inv_norm"); cli_json_number(j, nmatrix_inv_norm(d));
    cli_json_key(j, "inv_norm_upper"); cli_json_number(j, d->inv_norm_upper);
    cli_json_key(j, "sigma_min_lower"); cli_json_number(j, d->sigma_min_lower);
    cli_json_key(j, "confidence"); cli_json_number(j, d->confidence);
    cli_json_object_end(j);
    cli_json_object_end(j);
}

static void json_curve_point(cli_json *j, const krr_cli *c, krr_runs *R,
                             size_t k, size_t x)
{
    point_stats p = stats_at(R, k, x);
    const krr_run *r = run_at(R, k, x, 0);
    int kerr = replicates_of(R, k) > 1 ||
               r->model->kernel_error == TKC_KRR_KERNEL_ERROR_NONE;
    cli_json_object_begin(j);
    cli_json_key(j, "kernel"); cli_json_string(j, c->kernels[k]->name);
    cli_json_key(j, "n"); cli_json_integer(j, (long long)r->n);
    cli_json_key(j, "alphabet"); cli_json_integer(j, (long long)r->alphabet);
    cli_json_key(j, "rho"); cli_json_number(j, r->rho);
    cli_json_key(j, "seeds"); cli_json_integer(j, (long long)R->ns);
    cli_json_key(j, "kernel_replicates");
    cli_json_integer(j, (long long)replicates_of(R, k));
    cli_json_key(j, "train_mse"); cli_json_number(j, p.train_mean);
    cli_json_key(j, "train_mse_kernel_se");
    kerr ? cli_json_number(j, p.train_kse) : cli_json_null(j);
    cli_json_key(j, "test_mse"); cli_json_number(j, p.test_mean);
    cli_json_key(j, "test_mse_se"); cli_json_number(j, p.test_se);
    cli_json_key(j, "test_mse_kernel_se");
    kerr ? cli_json_number(j, p.test_kse) : cli_json_null(j);
    cli_json_key(j, "test_mse_population"); cli_json_number(j, p.pop_mean);
    cli_json_key(j, "test_mse_population_se"); cli_json_number(j, p.pop_se);
    cli_json_key(j, "test_mse_population_kernel_se");
    kerr ? cli_json_number(j, p.pop_kse) : cli_json_null(j);
    cli_json_key(j, "label_variance");
    cli_json_number(j, r->score->label_variance);
    cli_json_key(j, "rcond_min"); cli_json_number(j, p.rcond_min);
    cli_json_key(j, "lambda_used_max"); cli_json_number(j, p.lambda_max);
    cli_json_key(j, "escalations"); cli_json_integer(j, p.escalations);
    cli_json_key(j, "solver");
    cli_json_string(j, tkc_krr_solver_name(r->model->plan.chosen));
    cli_json_object_end(j);
}

void krr_print_json(const krr_cli *c, const tkc_template_set *set,
                    krr_runs *R)
{
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_json_key(&j, "file"); cli_json_string(&j, c->file);
    if (R->nk * R->nx * R->ns == 1) {
        json_result(&j, set, &R->r[0], c->kernels[0]->name, R->nm[0]);
        cli_json_end(&j);
        return;
    }
    cli_json_key(&j, "runs");
    cli_json_array_begin(&j);
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                cli_json_object_begin(&j);
                json_result(&j, set, run_at(R, k, x, s), c->kernels[k]->name,
                            R->nm[k]);
                cli_json_object_end(&j);
            }
    cli_json_array_end(&j);
    double xs[MAX_LIST];
    xs_of(c, R, xs);
    cli_json_key(&j, "curve");
    cli_json_array_begin(&j);
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            json_curve_point(&j, c, R, k, x);
    cli_json_array_end(&j);
    if (c->sweep != SWEEP_NONE) {
        cli_json_key(&j, "fit");
        cli_json_array_begin(&j);
        for (size_t k = 0; k < R->nk; k++)
            json_rates(&j, c, R, k, xs);
        cli_json_array_end(&j);
    }
    cli_json_end(&j);
}

/* A kernel error in CSV: empty when not computed. */
static void csv_kse(const tkc_krr_model *m, double v)
{
    if (m->kernel_error != TKC_KRR_KERNEL_ERROR_NOT_COMPUTED)
        printf("%.6g", v);
}

void krr_print_csv(const krr_cli *c, krr_runs *R)
{
    printf("kernel,n,alphabet,rho,seed,lambda,lambda_used,escalations,rcond,"
           "train_mse,test_mse,test_mse_population,label_variance,patterns,"
           "kernel_se_max,nmatrix_inv_norm,seconds,test_mse_kernel_se,"
           "test_mse_population_kernel_se,train_mse_kernel_se,kernel_replicates,"
           "kernel_error_method,solver,residual\n");
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                const krr_run *r = run_at(R, k, x, s);
                const tkc_krr_model *m = r->model;
                printf("%s,%zu,%zu,%.17g,%" PRIu64 ",%.17g,%.17g,%u,%.6g,%.17g,"
                       "%.17g,%.17g,%.17g,%zu,%.6g,%.6g,%.4f,",
                       c->kernels[k]->name, r->n, r->alphabet, r->rho, r->seed,
                       m->solve.lambda, m->solve.lambda_used,
                       m->solve.escalations, m->solve.rcond, m->train_mse,
                       r->test_mse, r->score->test_mse_population,
                       r->score->label_variance, m->kernel.npatterns, m->kernel.se_max,
                       nmatrix_inv_norm(R->nm[k]),
                       m->seconds_kernel + m->seconds_fill + m->seconds_solve);
                csv_kse(m, tkc_krr_replicate_sd(r->test_mse_rep, m->replicates));
                putchar(',');
                csv_kse(m, r->score->test_mse_population_kernel_se);
                putchar(',');
                csv_kse(m, tkc_krr_replicate_sd(m->replicate_train_mse,
                                                m->replicates));
                printf(",%zu,%s,%s,", m->replicates,
                       tkc_krr_kernel_error_name(m->kernel_error),
                       tkc_krr_solver_name(m->plan.chosen));
                if (m->residual_computed)
                    printf("%.3g", m->residual);
                putchar('\n');
            }
}
