/* cmd_series.c — `tkc series X Y [--order D] [--gamma G | --gamma2 G2]
 * [--beta B] [--prec BITS] [--json]`: the exact Taylor coefficients of
 * K_attn(X, Y) in β and γ (docs/series.md).  With one argument, a template
 * FILE, the coefficient matrices of its N_attn (cmd_series_set.c).
 *
 * Always: the table of coefficients of β^{2i} γ^{2j}, 2i ≤ D, as exact
 * rationals.  With --gamma (or --gamma2): the coefficients of β^{2i} at that
 * γ, exactly (G is read as an exact decimal or fraction p/q).  With --beta
 * too: the series summed at (β, γ) with optimal truncation in MPFR, its
 * error estimate, and a loud warning when the series is not useful there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "cli.h"
#include "tkc/series.h"

#define ORDER_DEFAULT 10
/* Largest relative error estimate --beta reports without a warning. */
#define SUM_REL_WARN 1e-2
/* Announce computations longer than ~10 s (bench_series: ~1.2e-7 s per
 * tkc_series_cost unit on one core). */
#define SECONDS_PER_UNIT 1.2e-7
#define COST_WARN 1e8

/* An exact rational from "n", "-n.ddd" or "p/q"; 0 on success. */
static int parse_rational(const char *option, const char *text, mpq_t q)
{
    const char *p = text;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    mpz_t num, den;
    mpz_inits(num, den, NULL);
    mpz_set_ui(den, 1);
    int digits = 0, ok = 1;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        mpz_mul_ui(num, num, 10), mpz_add_ui(num, num, (unsigned long)(*p - '0'));
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            mpz_mul_ui(num, num, 10);
            mpz_add_ui(num, num, (unsigned long)(*p - '0'));
            mpz_mul_ui(den, den, 10);
        }
    } else if (*p == '/' && digits) {
        mpz_set_ui(den, 0);
        int dd = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, dd++)
            mpz_mul_ui(den, den, 10), mpz_add_ui(den, den, (unsigned long)(*p - '0'));
        ok = dd > 0 && mpz_sgn(den) != 0;
    }
    ok = ok && digits > 0 && *p == '\0' && strlen(text) < 200;
    if (ok) {
        mpq_set_num(q, num);
        mpq_set_den(q, den);
        mpq_canonicalize(q);
        if (neg)
            mpq_neg(q, q);
    } else {
        cli_usage_error("series", "%s expects an exact number (123, 0.25 or "
                        "p/q), got '%s'", option, text);
    }
    mpz_clears(num, den, NULL);
    return ok ? 0 : -1;
}

static void usage(FILE *out)
{
    fputs("usage: tkc series X Y [--order D] [--gamma G | --gamma2 G2] [--beta B]\n"
          "                      [--prec BITS] [--json]\n"
          "       tkc series FILE [--order D] [--no-cls] [--threads T] [--json]\n\n"
          "Exact Taylor coefficients of K_attn(X, Y) at beta = gamma = 0: the\n"
          "coefficient of beta^2i gamma^2j for 2i <= D, as exact rationals.\n"
          "X and Y are token strings of equal length: whitespace-separated symbols\n"
          "or, without whitespace, one symbol per character.  The series in beta is\n"
          "asymptotic, not convergent: it helps only at small beta.\n\n"
          "  --order D     largest power of beta (even; default 10, at most 40)\n"
          "  --gamma G     also the coefficients of beta^2i at this gamma, exactly\n"
          "                (G exact: 0.5, 3/4, 2)\n"
          "  --gamma2 G2   the same, giving gamma^2 itself (may be any rational >= 0)\n"
          "  --beta B      also the series summed at (B, gamma) with optimal truncation\n"
          "                in MPFR, with its error estimate (needs --gamma or --gamma2)\n"
          "  --prec BITS   MPFR precision of that sum (default 256)\n"
          "  --json        one JSON object on stdout\n"
          "  --progress    progress on stderr even when it is not a terminal\n"
          "                (shown on a terminal by default; --no-progress: never)\n\n"
          "Cost grows like C(L + D/2, D/2)^2 k with L = tokens + k: k = 11, D = 10\n"
          "takes seconds; k <= 6, D = 10 well under one.\n\n"
          "With a template FILE: the coefficient matrices of N_attn, A_ij =\n"
          "K_attn(x_i, y_j) with x_i = sub(z_i, s), y_j = sub(z_j, s') (the strings of\n"
          "tkc nmatrix): for each beta^2a gamma^2b with 2a + 2b <= D (D is the total\n"
          "order here), the r x r matrix of exact rationals, each distinct pair pattern\n"
          "computed once; then condition (10) of Lemma 3.6 as these matrices decide it\n"
          "(docs/generic.md).\n"
          "  --no-cls      do not append [CLS] to the templates\n"
          "  --threads T   worker threads (default: every online core; exact, so the\n"
          "                result is the same on any)\n", out);
}

typedef struct series_args {
    const char *text[2];
    int npos;                    /* 2: X Y, 1: a template FILE */
    int no_cls, have_prec;
    unsigned threads;            /* FILE: 0 = every online core */
    int order, json, have_g, have_beta;
    cli_progress_mode progress;  /* --progress, --no-progress */
    double beta;
    long prec;
    mpq_t g;                     /* γ² */
} series_args;

/* 0 to go on, HELP_SHOWN after --help, CLI_USAGE on bad usage. */
#define HELP_SHOWN (-1)
static int parse_args(int argc, char **argv, series_args *a)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            usage(stdout);
            return HELP_SHOWN;
        } else if (!strcmp(s, "--json")) {
            a->json = 1;
        } else if (!strcmp(s, "--no-cls")) {
            a->no_cls = 1;
        } else if (cli_progress_option(s, &a->progress)) {
            continue;
        } else if (!strncmp(s, "--", 2) && strcmp(s, "--order") &&
                   strcmp(s, "--gamma") && strcmp(s, "--gamma2") &&
                   strcmp(s, "--beta") && strcmp(s, "--prec") &&
                   strcmp(s, "--threads")) {
            return cli_usage_error("series", "unknown option '%s' (tkc series "
                                   "--help)", s);
        } else if (!strncmp(s, "--", 2) && !val) {
            return cli_usage_error("series", "%s needs a value", s);
        } else if (!strcmp(s, "--order")) {
            uint64_t d;
            if (cli_parse_u64("series", s, val, 0, TKC_SERIES_ORDER_MAX, &d))
                return CLI_USAGE;
            a->order = (int)d;
            i++;
        } else if (!strcmp(s, "--gamma") || !strcmp(s, "--gamma2")) {
            if (parse_rational(s, val, a->g))
                return CLI_USAGE;
            if (!strcmp(s, "--gamma"))
                mpq_mul(a->g, a->g, a->g);
            else if (mpq_sgn(a->g) < 0)
                return cli_usage_error("series", "--gamma2 must be >= 0, got %s",
                                       val);
            a->have_g = 1;
            i++;
        } else if (!strcmp(s, "--beta")) {
            if (cli_parse_double("series", s, val, -1e3, 1e3, &a->beta))
                return CLI_USAGE;
            a->have_beta = 1;
            i++;
        } else if (!strcmp(s, "--prec")) {
            uint64_t p;
            if (cli_parse_u64("series", s, val, 53, 1 << 16, &p))
                return CLI_USAGE;
            a->prec = (long)p;
            a->have_prec = 1;
            i++;
        } else if (!strcmp(s, "--threads")) {
            uint64_t t;
            if (cli_parse_u64("series", s, val, 1, 256, &t))
                return CLI_USAGE;
            a->threads = (unsigned)t;
            i++;
        } else if (npos < 2) {
            a->text[npos++] = s;
        } else {
            return cli_usage_error("series", "expected two strings X Y, got a "
                                   "third: '%s'", s);
        }
    }
    a->npos = npos;
    if (npos == 0)
        return cli_usage_missing("series", "X Y [options] | FILE [options]",
                                 "expected two strings X Y, or a template "
                                 "FILE");
    if (npos == 1 && (a->have_g || a->have_beta || a->have_prec))
        return cli_usage_error("series", "--gamma, --gamma2, --beta and "
                               "--prec apply to two strings X Y, not to a "
                               "template FILE");
    if (npos == 2 && (a->no_cls || a->threads))
        return cli_usage_error("series", "--no-cls and --threads apply to a "
                               "template FILE, not to two strings X Y");
    if (a->have_beta && !a->have_g)
        return cli_usage_error("series", "--beta needs --gamma or --gamma2 "
                               "(the sum is taken at one gamma)");
    return 0;
}

typedef struct series_sum_out {
    double value, se;
    tkc_series_sum_info info;
    int useful;
} series_sum_out;

static void json_q(cli_json *j, mpq_srcptr q)
{
    char *s = mpq_get_str(NULL, 10, q);
    cli_json_string(j, s);
    free(s);
}

static void print_json(const series_args *a, const cli_symtab *t,
                       const tkc_token *x, const tkc_token *y, size_t k,
                       const tkc_series *s, const series_sum_out *sum)
{
    cli_json j;
    cli_json_begin(&j, stdout);
    for (int side = 0; side < 2; side++) {
        cli_json_key(&j, side ? "y" : "x");
        cli_json_array_begin(&j);
        for (size_t c = 0; c < k; c++)
            cli_json_string(&j, t->name[(side ? y : x)[c]]);
        cli_json_array_end(&j);
    }
    cli_json_key(&j, "k");
    cli_json_integer(&j, (long long)k);
    cli_json_key(&j, "order");
    cli_json_integer(&j, s->order);
    cli_json_key(&j, "coefficients");
    cli_json_array_begin(&j);
    for (int i = 0; i < s->nbeta; i++)
        for (int g = 0; g <= i + 1 && g < s->ngamma; g++) {
            cli_json_object_begin(&j);
            cli_json_key(&j, "beta_power");
            cli_json_integer(&j, 2 * i);
            cli_json_key(&j, "gamma_power");
            cli_json_integer(&j, 2 * g);
            cli_json_key(&j, "value");
            json_q(&j, tkc_series_coeff(s, i, g));
            cli_json_object_end(&j);
        }
    cli_json_array_end(&j);
    if (a->have_g) {
        mpq_t c;
        mpq_init(c);
        cli_json_key(&j, "gamma2");
        json_q(&j, a->g);
        cli_json_key(&j, "beta_coefficients");
        cli_json_array_begin(&j);
        for (int i = 0; i < s->nbeta; i++) {
            tkc_series_beta_coeff_q(c, s, i, a->g);
            cli_json_object_begin(&j);
            cli_json_key(&j, "beta_power");
            cli_json_integer(&j, 2 * i);
            cli_json_key(&j, "value");
            json_q(&j, c);
            cli_json_key(&j, "approx");
            cli_json_number(&j, mpq_get_d(c));
            cli_json_object_end(&j);
        }
        cli_json_array_end(&j);
        mpq_clear(c);
    }
    if (sum) {
        cli_json_key(&j, "sum");
        cli_json_object_begin(&j);
        cli_json_key(&j, "beta");
        cli_json_number(&j, a->beta);
        cli_json_key(&j, "value");
        cli_json_number(&j, sum->value);
        cli_json_key(&j, "error_estimate");
        cli_json_number(&j, sum->se);
        cli_json_key(&j, "order_used");
        cli_json_integer(&j, sum->info.order_used);
        cli_json_key(&j, "optimal_in_table");
        cli_json_bool(&j, !sum->info.at_end);
        cli_json_key(&j, "useful");
        cli_json_bool(&j, sum->useful);
        cli_json_object_end(&j);
    }
    cli_json_end(&j);
}

static void print_text(const series_args *a, const tkc_series *s,
                       const series_sum_out *sum)
{
    printf("K_attn(X, Y) = sum of c_ij beta^2i g^j, g = gamma^2  (exact)\n");
    for (int i = 0; i < s->nbeta; i++) {
        printf("beta^%-2d:", 2 * i);
        for (int g = 0; g <= i + 1 && g < s->ngamma; g++) {
            mpq_srcptr c = tkc_series_coeff(s, i, g);
            const char *sign = mpq_sgn(c) < 0 ? "- " : g ? "+ " : "  ";
            mpq_t m;
            mpq_init(m);
            mpq_abs(m, c);
            gmp_printf(" %s%Qd g^%d", sign, m, g);
            mpq_clear(m);
        }
        printf("\n");
    }
    if (a->have_g) {
        mpq_t c;
        mpq_init(c);
        gmp_printf("at gamma^2 = %Qd:\n", a->g);
        for (int i = 0; i < s->nbeta; i++) {
            tkc_series_beta_coeff_q(c, s, i, a->g);
            gmp_printf("  beta^%-2d  %Qd  (%.10g)\n", 2 * i, c, mpq_get_d(c));
        }
        mpq_clear(c);
    }
    if (sum)
        printf("sum at beta = %g: %.15g +/- %.3g (truncation estimate; %s order "
               "%d)\n", a->beta, sum->value, sum->se,
               sum->info.at_end ? "table-limited" : "optimal", sum->info.order_used);
}

int cmd_series(int argc, char **argv)
{
    series_args a = {.order = ORDER_DEFAULT, .prec = 256};
    mpq_init(a.g);
    int rc = parse_args(argc, argv, &a);
    cli_symtab *t = NULL;
    tkc_series *s = NULL;
    if (rc == HELP_SHOWN) {
        rc = CLI_OK;
        goto done;
    }
    if (!rc && a.npos == 1) {
        if (a.order % 2)
            rc = cli_usage_error("series", "with a template FILE --order is "
                                 "the total order 2a + 2b: even, got %d",
                                 a.order);
        else
            rc = cli_series_set(a.text[0], a.order, !a.no_cls, a.threads,
                                a.json, a.progress);
        goto done;
    }
    if (rc || !(t = calloc(1, sizeof *t))) {
        if (!rc)
            rc = cli_usage_error("series", "out of memory");
        goto done;
    }
    tkc_token x[TKC_K_MAX], y[TKC_K_MAX];
    size_t kx;
    rc = CLI_USAGE;
    if (cli_parse_string_pair("series", a.text[0], a.text[1], t, x, y, &kx))
        goto done;
    tkc_error err;
    tkc_pattern pat;
    tkc_pattern_of_pair(&pat, x, y, kx);
    double cost = tkc_series_cost(&pat, a.order);
    if (cost > COST_WARN)
        fprintf(stderr, "tkc series: order %d at k = %zu is expensive: about "
                "%.0f s of one core (cost grows ~8x per step of 2 in D)\n",
                a.order, kx, cost * SECONDS_PER_UNIT);
    cli_progress bar;
    cli_progress_begin(&bar, "series", a.progress);
    cli_progress_phase(&bar, 0, 0, "coefficients through order %d, k = %zu",
                       a.order, kx);
    cli_progress_expect(&bar, cost * SECONDS_PER_UNIT);
    if (!(s = tkc_series_alloc(a.order, &err)) ||
        tkc_series_compute_pair(s, x, y, kx, &err)) {
        cli_progress_end(&bar);
        rc = cli_library_error("series", &err);
        goto done;
    }
    cli_progress_end(&bar);
    series_sum_out sum, *psum = NULL;
    if (a.have_beta) {
        double gamma = sqrt(mpq_get_d(a.g));
        if (tkc_series_sum(s, a.beta, gamma, a.prec, 0, &sum.value, &sum.se,
                           NULL, &sum.info, &err)) {
            rc = cli_library_error("series", &err);
            goto done;
        }
        sum.useful = sum.info.smallest_at >= 2 &&
                     sum.se <= SUM_REL_WARN * fabs(sum.value);
        if (!sum.useful)
            fprintf(stderr, "tkc series: WARNING: at beta = %g the asymptotic "
                    "series is not useful (error estimate %.3g, order %d); use "
                    "tkc kernel --estimator mc or qmc\n", a.beta, sum.se,
                    sum.info.order_used);
        psum = &sum;
    }
    if (a.json)
        print_json(&a, t, x, y, kx, s, psum);
    else
        print_text(&a, s, psum);
    rc = CLI_OK;
done:
    tkc_series_free(s);
    free(t);
    mpq_clear(a.g);
    return rc;
}
