/* cmd_krr_print.h — the report of `tkc krr` (cmd_krr_print.c: text, JSON,
 * CSV, with the statistics over seeds and Theorem 3.4's fits) and the runs
 * it reports on, which cmd_krr.c fills (draw, fit, score; N's verdict per
 * kernel). */
#ifndef TKC_CMD_KRR_PRINT_H
#define TKC_CMD_KRR_PRINT_H

#include <stdint.h>

#include "cli.h"
#include "tkc/krr.h"
#include "tkc/nmatrix.h"
#include "tkc/template.h"

#define CMD "krr"
#define MAX_LIST 64
#define MAX_KERNELS 3

typedef enum { SWEEP_NONE, SWEEP_N, SWEEP_RHO } sweep_kind;

typedef struct krr_cli {
    const char *file;
    tkc_kernel_spec kernel;
    cli_kernel_given given;
    tkc_krr_options opt;       /* λ, solver, kernel replicates, memory, ...  */
    double noise;
    uint64_t seed;             /* data seed (training; test uses a derived one) */
    size_t test_n;
    size_t n[MAX_LIST], nn;
    size_t alphabet[MAX_LIST], na;
    uint64_t seeds;
    int noise_given, seeds_given;
    sweep_kind sweep;
    int compare, csv, json, no_cls;
    cli_progress_mode progress;     /* --progress, --no-progress        */
    const tkc_kernel_type *kernels[MAX_KERNELS];
    size_t nk;
} krr_cli;

/* One fit: its data sizes, the model, the score against the templates, the
 * error on the sampled test strings (of the fit, and of each kernel
 * estimate: test_mse_rep[0] = test_mse), template counts in the two
 * samples. */
typedef struct krr_run {
    size_t n, alphabet, test_n;
    double rho;
    uint64_t seed;
    tkc_krr_model *model;
    tkc_krr_score *score;
    double test_mse;
    double *test_mse_rep;      /* model->replicates                         */
    size_t *train_count, *test_count;
} krr_run;

/* One fit per (kernel, x, seed); x is n or the alphabet size in a sweep. */
typedef struct krr_runs {
    size_t nk, nx, ns;
    krr_run *r;                /* nk × nx × ns */
    tkc_nmatrix_decision *nm[MAX_KERNELS];   /* N's verdict per kernel */
} krr_runs;

static inline krr_run *run_at(krr_runs *R, size_t k, size_t x, size_t s)
{
    return &R->r[(k * R->nx + x) * R->ns + s];
}

/* The report of every run: one of three forms. */
void krr_print_text(const krr_cli *c, const tkc_template_set *set,
                    krr_runs *R);
void krr_print_json(const krr_cli *c, const tkc_template_set *set,
                    krr_runs *R);
void krr_print_csv(const krr_cli *c, krr_runs *R);

#endif
