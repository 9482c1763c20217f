/* cmd_series_set.c — `tkc series FILE [--order D] [--json]`: the exact
 * coefficient matrices of N_attn for a template set (tkc/coeffs.h), so a
 * user can see why the generic verdict says what it says.
 *
 * For each monomial β^{2a} γ^{2b} with 2a + 2b <= D (the total order), the
 * r×r matrix of the coefficients of A_ij = K_attn(x_i, y_j), x_i =
 * sub(z_i, s), y_j = sub(z_j, s') (the strings of tkc nmatrix), as exact
 * rationals; then condition (10) as those matrices decide it
 * (tkc_generic_decide_matrices: through D only, nothing raised). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "cli.h"
#include "tkc/coeffs.h"
#include "tkc/generic.h"
#include "tkc/nmatrix.h"
#include "tkc/series.h"
#include "tkc/template.h"

/* Announce raises longer than ~10 s (bench/RESULTS.md: about 4.6e-8 CPU
 * seconds per work unit at k = 11, D = 10). */
#define SECONDS_PER_UNIT 4.6e-8
#define WORK_WARN 2e8

/* x_i or y_j of N (row < r: x, else y), spelled as tkc nmatrix does. */
static void spell(const tkc_template_set *set, const tkc_strings *S,
                  size_t row, char *buf, size_t size)
{
    tkc_template_string_format(set, tkc_strings_row(S, row), buf, size);
}

static void json_q(cli_json *j, mpq_srcptr q)
{
    char *s = mpq_get_str(NULL, 10, q);
    cli_json_string(j, s);
    free(s);
}

static void print_json(const tkc_template_set *set, const tkc_strings *S,
                       const tkc_coeffs *c, int D,
                       const tkc_generic_verdict *v)
{
    size_t r = set->count, M = tkc_series_monomials(D);
    char buf[4096];
    cli_json j;
    cli_json_begin(&j, stdout);
    cli_nmatrix_json_set(&j, set);
    cli_json_key(&j, "strings");
    cli_json_object_begin(&j);
    for (int side = 0; side < 2; side++) {
        cli_json_key(&j, side ? "y" : "x");
        cli_json_array_begin(&j);
        for (size_t i = 0; i < r; i++) {
            spell(set, S, side * r + i, buf, sizeof buf);
            cli_json_string(&j, buf);
        }
        cli_json_array_end(&j);
    }
    cli_json_object_end(&j);
    cli_json_key(&j, "total_order");
    cli_json_integer(&j, D);
    cli_json_key(&j, "patterns");
    cli_json_integer(&j, (long long)tkc_coeffs_patterns(c));
    cli_json_key(&j, "monomials");
    cli_json_array_begin(&j);
    for (size_t m = 0; m < M; m++) {
        int a, b;
        tkc_series_monomial(m, &a, &b);
        tkc_series_monomial_name(buf, sizeof buf, a, b);
        cli_json_object_begin(&j);
        cli_json_key(&j, "beta_power");
        cli_json_integer(&j, 2 * a);
        cli_json_key(&j, "gamma_power");
        cli_json_integer(&j, 2 * b);
        cli_json_key(&j, "name");
        cli_json_string(&j, buf);
        cli_json_key(&j, "matrix");
        cli_json_array_begin(&j);
        for (size_t i = 0; i < r; i++) {
            cli_json_array_begin(&j);
            for (size_t jj = 0; jj < r; jj++)
                json_q(&j, tkc_coeffs_entry(c, i, jj)[m]);
            cli_json_array_end(&j);
        }
        cli_json_array_end(&j);
        cli_json_object_end(&j);
    }
    cli_json_array_end(&j);
    cli_json_key(&j, "condition_10");
    cli_json_object_begin(&j);
    cli_json_key(&j, "statement");
    cli_json_string(&j, v->attn_text);
    cli_json_key(&j, "method");
    cli_json_string(&j, v->method_text);
    cli_json_generic_test(&j, v);
    cli_json_object_end(&j);
    cli_json_end(&j);
}

/* One monomial's matrix, its columns aligned. */
static void print_matrix(const tkc_coeffs *c, size_t r, size_t m)
{
    size_t width = 1;
    for (size_t e = 0; e < r * r; e++) {
        size_t w = mpz_sizeinbase(mpq_numref(tkc_coeffs_entry(c, e / r,
                                                              e % r)[m]), 10) +
                   mpz_sizeinbase(mpq_denref(tkc_coeffs_entry(c, e / r,
                                                              e % r)[m]), 10) +
                   2;
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < r; i++) {
        printf("  %3zu ", i + 1);
        for (size_t j = 0; j < r; j++)
            gmp_printf(" %*Qd", (int)width, tkc_coeffs_entry(c, i, j)[m]);
        printf("\n");
    }
}

static void print_text(const tkc_template_set *set, const tkc_strings *S,
                       const tkc_coeffs *c, int D,
                       const tkc_generic_verdict *v)
{
    size_t r = set->count, M = tkc_series_monomials(D);
    char x[2048], y[2048];
    cli_nmatrix_describe_set(stdout, set);
    printf("A_ij = K_attn(x_i, y_j), x_i = sub(z_i, s), y_j = sub(z_j, s'):\n");
    for (size_t i = 0; i < r; i++) {
        spell(set, S, i, x, sizeof x);
        spell(set, S, r + i, y, sizeof y);
        printf("  %3zu  x = %s   y = %s\n", i + 1, x, y);
    }
    printf("exact Taylor coefficients of A at β = γ = 0 through total order "
           "%d (2a + 2b <= %d), %zu distinct pair patterns:\n", D, D,
           tkc_coeffs_patterns(c));
    for (size_t m = 0; m < M; m++) {
        int a, b;
        char name[32];
        tkc_series_monomial(m, &a, &b);
        tkc_series_monomial_name(name, sizeof name, a, b);
        printf("%s:\n", name);
        print_matrix(c, r, m);
    }
    if (v->status == TKC_GENERIC_PROVED)
        printf("from these matrices: %s%s%s%s%s\n", v->attn_text,
               v->witness ? "; d_τ = " : "", v->witness ? v->weight_text : "",
               v->witness ? " + … for the tightest τ = " : "",
               v->witness ? v->witness_text : "");
    else
        printf("from these matrices: %s: %s\n", v->attn_text, v->next);
}

int cli_series_set(const char *path, int order, int append_cls,
                   unsigned threads, int json, cli_progress_mode progress)
{
    const char *cmd = "series";
    tkc_template_set *set = NULL;
    int rc = cli_nmatrix_load(cmd, path, append_cls, &set);
    if (rc)
        return rc;
    tkc_error err;
    tkc_strings *S = NULL;
    tkc_coeffs *c = NULL;
    tkc_generic_verdict v = {0};
    const mpq_t **entry = NULL;
    size_t r = set->count;
    if (tkc_nmatrix_strings(set, &S, &err) ||
        !(c = tkc_coeffs_alloc(set, &err))) {
        rc = cli_library_error(cmd, &err);
        goto done;
    }
    double work = tkc_coeffs_raise_work(c, order, NULL, NULL);
    if (work > WORK_WARN)
        fprintf(stderr, "tkc series: total order %d over %zu pair patterns is "
                "expensive: about %.0f s of one core\n", order,
                tkc_coeffs_patterns(c), work * SECONDS_PER_UNIT);
    if (!(entry = malloc(r * r * sizeof *entry))) {
        tkc_fail(&err, TKC_ENOMEM, "out of memory for %zu entries", r * r);
        rc = cli_library_error(cmd, &err);
        goto done;
    }
    tkc_generic_options gopt;
    tkc_generic_options_default(&gopt);
    gopt.threads = threads;
    cli_progress bar;
    cli_progress_begin(&bar, cmd, progress);
    cli_progress_phase(&bar, 0, 0, "exact coefficients through order %d, %zu "
                       "pair patterns", order, tkc_coeffs_patterns(c));
    cli_progress_expect(&bar, work * SECONDS_PER_UNIT);
    int st = tkc_coeffs_raise(c, order, NULL, threads,
                              cli_progress_library(&bar), NULL, &err);
    if (!st) {
        for (size_t e = 0; e < r * r; e++)
            entry[e] = tkc_coeffs_entry(c, e / r, e % r);
        cli_progress_phase(&bar, 0, 0, "condition (10) from the %zu x %zu "
                           "coefficient matrices", r, r);
        st = tkc_generic_decide_matrices(r, order,
                                         (const mpq_t *const *)entry, &gopt,
                                         &v, &err);
    }
    cli_progress_end(&bar);
    if (st) {
        rc = cli_library_error(cmd, &err);
        goto done;
    }
    if (json)
        print_json(set, S, c, order, &v);
    else
        print_text(set, S, c, order, &v);
done:
    tkc_generic_verdict_clear(&v);
    free(entry);
    tkc_coeffs_free(c);
    tkc_strings_free(S);
    tkc_template_set_free(set);
    return rc;
}
