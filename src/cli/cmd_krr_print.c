/* cmd_krr_print.c — the report of `tkc krr`: per kernel, its N's verdict
 * beside the fits; the curve (mean and standard error over seeds per
 * point); for sweeps, Theorem 3.4's fits (tkc_rate_*); as text, one JSON
 * object, or CSV rows. */
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

typedef struct point_stats {
    double test_mean, test_se, pop_mean, pop_se, train_mean;
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
    return p;
}

/* Theorem 3.4's fits of the test RMSE against x (n or rho) over every run
 * of kernel k: the log-log slope (95% interval; st_slope TKC_ERANGE when
 * too few errors are nonzero) and rmse = a + c/sqrt(x). */
typedef struct rate_fits {
    tkc_rate_slope slope;
    tkc_rate_floor floor;
    int slope_ok;
} rate_fits;

static rate_fits fit_rates(krr_runs *R, size_t k, const double *xs)
{
    rate_fits f = {0};
    size_t m = R->nx * R->ns;
    double x[m], y[m];
    for (size_t i = 0; i < R->nx; i++)
        for (size_t s = 0; s < R->ns; s++) {
            x[i * R->ns + s] = xs[i];
            y[i * R->ns + s] = sqrt(run_at(R, k, i, s)->score->test_mse_population);
        }
    f.slope_ok = !tkc_rate_slope_fit(x, y, m, 0.95, &f.slope, NULL);
    tkc_rate_floor_fit(x, y, m, &f.floor, NULL);
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
    fprintf(out, "  %-28s %8s %12s %11s %6s %6s\n", "template", "label",
            "prediction", "sq.error", "train", "test");
    for (size_t t = 0; t < set->count; t++) {
        char buf[256];
        tkc_template_format(set, t, buf, sizeof buf);
        fprintf(out, "  %-28s %8.4g %12.6g %11.3g %6zu %6zu\n", buf,
                set->t[t].label, r->score->template_prediction[t],
                r->score->template_sq_error[t], r->train_count[t],
                r->test_count[t]);
    }
}

static void print_rates(const krr_cli *c, krr_runs *R, size_t k,
                        const double *xs)
{
    rate_fits f = fit_rates(R, k, xs);
    const char *var = c->sweep == SWEEP_N ? "n" : "rho";
    const tkc_krr_score *s0 = run_at(R, 0, 0, 0)->score;
    if (f.slope_ok)
        printf("  fit: test RMSE ~ %s^%.3f, 95%% CI [%.3f, %.3f] over %zu "
               "runs (MSE exponent %.3f)%s\n", var, f.slope.slope,
               f.slope.slope_lo, f.slope.slope_hi, f.slope.points,
               2 * f.slope.slope,
               f.slope.skipped ? " (exact zeros skipped)" : "");
    else
        printf("  fit: not enough nonzero errors for a slope\n");
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

void krr_print_text(const krr_cli *c, const tkc_template_set *set,
                    krr_runs *R)
{
    const tkc_krr_score *s0 = run_at(R, 0, 0, 0)->score;
    printf("%s: %zu templates of length %zu%s; label mean %.4g, variance %.4g\n",
           c->file, set->count, set->k, set->cls_appended ? " ([CLS] appended)" : "",
           s0->label_mean, s0->label_variance);
    printf("lambda %g, noise %g, %zu test strings on unseen symbols, %zu seed%s\n",
           c->lambda, c->noise, c->test_n, R->ns, R->ns > 1 ? "s" : "");
    double xs[MAX_LIST];
    xs_of(c, R, xs);
    for (size_t k = 0; k < R->nk; k++) {
        const krr_run *rk = run_at(R, k, 0, 0);
        describe_kernel(stdout, &c->kernel, c->kernels[k], rk->model, R->nm[k]);
        printf("  %7s %7s %9s %10s %10s %9s %10s %9s %9s %5s\n", "n", "A", "rho",
               "train_mse", "test_mse", "+-se", "test_pop", "pop/var", "rcond",
               "esc");
        for (size_t x = 0; x < R->nx; x++) {
            point_stats p = stats_at(R, k, x);
            const krr_run *r = run_at(R, k, x, 0);
            char se[32] = "-", ratio[32] = "-";
            if (isfinite(p.test_se))
                snprintf(se, sizeof se, "%.2g", p.test_se);
            if (r->score->label_variance > 0)
                snprintf(ratio, sizeof ratio, "%.3g",
                         p.pop_mean / r->score->label_variance);
            printf("  %7zu %7zu %9.4g %10.3g %10.3g %9s %10.3g %9s %9.2g %5u\n",
                   r->n, r->alphabet, r->rho, p.train_mean, p.test_mean, se,
                   p.pop_mean, ratio, p.rcond_min, p.escalations);
        }
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                const krr_run *r = run_at(R, k, x, s);
                if (r->model->solve.escalations)
                    printf("  note (n %zu, seed %zu): %s\n", r->n, s,
                           r->model->solve.note);
            }
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
    cli_json_key(j, "test_mse"); cli_json_number(j, r->test_mse);
    cli_json_key(j, "test_mse_population"); cli_json_number(j, sc->test_mse_population);
    cli_json_key(j, "test_n"); cli_json_integer(j, (long long)r->test_n);
    cli_json_key(j, "label_mean"); cli_json_number(j, sc->label_mean);
    cli_json_key(j, "label_variance"); cli_json_number(j, sc->label_variance);
    cli_json_key(j, "rcond"); cli_json_number(j, m->solve.rcond);
    cli_json_key(j, "lambda"); cli_json_number(j, m->solve.lambda);
    cli_json_key(j, "lambda_used"); cli_json_number(j, m->solve.lambda_used);
    cli_json_key(j, "escalations"); cli_json_integer(j, m->solve.escalations);
    cli_json_key(j, "escalation_note"); cli_json_string(j, m->solve.note);
    cli_json_key(j, "ferr"); cli_json_number(j, m->solve.ferr);
    cli_json_key(j, "berr"); cli_json_number(j, m->solve.berr);
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
        cli_json_key(j, "test_mse"); cli_json_number(j, sc->template_sq_error[t]);
        cli_json_key(j, "train_count");
        cli_json_integer(j, (long long)r->train_count[t]);
        cli_json_key(j, "test_count");
        cli_json_integer(j, (long long)r->test_count[t]);
        cli_json_object_end(j);
    }
    cli_json_array_end(j);
}

static void json_rates(cli_json *j, const krr_cli *c, krr_runs *R, size_t k,
                       const double *xs)
{
    rate_fits f = fit_rates(R, k, xs);
    const tkc_nmatrix_decision *d = R->nm[k];
    cli_json_object_begin(j);
    cli_json_key(j, "kernel"); cli_json_string(j, c->kernels[k]->name);
    cli_json_key(j, "variable");
    cli_json_string(j, c->sweep == SWEEP_N ? "n" : "rho");
    cli_json_key(j, "quantity"); cli_json_string(j, "test RMSE");
    cli_json_key(j, "points"); cli_json_integer(j, (long long)f.slope.points);
    cli_json_key(j, "slope");
    f.slope_ok ? cli_json_number(j, f.slope.slope) : cli_json_null(j);
    cli_json_key(j, "slope_ci95");
    cli_json_array_begin(j);
    cli_json_number(j, f.slope_ok ? f.slope.slope_lo : NAN);
    cli_json_number(j, f.slope_ok ? f.slope.slope_hi : NAN);
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
        for (size_t x = 0; x < R->nx; x++) {
            point_stats p = stats_at(R, k, x);
            const krr_run *r = run_at(R, k, x, 0);
            cli_json_object_begin(&j);
            cli_json_key(&j, "kernel"); cli_json_string(&j, c->kernels[k]->name);
            cli_json_key(&j, "n"); cli_json_integer(&j, (long long)r->n);
            cli_json_key(&j, "alphabet"); cli_json_integer(&j, (long long)r->alphabet);
            cli_json_key(&j, "rho"); cli_json_number(&j, r->rho);
            cli_json_key(&j, "seeds"); cli_json_integer(&j, (long long)R->ns);
            cli_json_key(&j, "train_mse"); cli_json_number(&j, p.train_mean);
            cli_json_key(&j, "test_mse"); cli_json_number(&j, p.test_mean);
            cli_json_key(&j, "test_mse_se"); cli_json_number(&j, p.test_se);
            cli_json_key(&j, "test_mse_population"); cli_json_number(&j, p.pop_mean);
            cli_json_key(&j, "test_mse_population_se"); cli_json_number(&j, p.pop_se);
            cli_json_key(&j, "label_variance");
            cli_json_number(&j, r->score->label_variance);
            cli_json_key(&j, "rcond_min"); cli_json_number(&j, p.rcond_min);
            cli_json_key(&j, "lambda_used_max"); cli_json_number(&j, p.lambda_max);
            cli_json_key(&j, "escalations"); cli_json_integer(&j, p.escalations);
            cli_json_object_end(&j);
        }
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

void krr_print_csv(const krr_cli *c, krr_runs *R)
{
    printf("kernel,n,alphabet,rho,seed,lambda,lambda_used,escalations,rcond,"
           "train_mse,test_mse,test_mse_population,label_variance,patterns,"
           "kernel_se_max,nmatrix_inv_norm,seconds\n");
    for (size_t k = 0; k < R->nk; k++)
        for (size_t x = 0; x < R->nx; x++)
            for (size_t s = 0; s < R->ns; s++) {
                const krr_run *r = run_at(R, k, x, s);
                const tkc_krr_model *m = r->model;
                printf("%s,%zu,%zu,%.17g,%" PRIu64 ",%.17g,%.17g,%u,%.6g,%.17g,"
                       "%.17g,%.17g,%.17g,%zu,%.6g,%.6g,%.4f\n",
                       c->kernels[k]->name, r->n, r->alphabet, r->rho, r->seed,
                       m->solve.lambda, m->solve.lambda_used,
                       m->solve.escalations, m->solve.rcond, m->train_mse,
                       r->test_mse, r->score->test_mse_population,
                       r->score->label_variance, m->kernel.npatterns, m->kernel.se_max,
                       nmatrix_inv_norm(R->nm[k]),
                       m->seconds_kernel + m->seconds_fill + m->seconds_solve);
            }
}
