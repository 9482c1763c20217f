/* main.c — `tkc COMMAND [options]`: a table lookup, and the two pieces of
 * process-wide state that are the program's to set, not the library's. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "cli_args.h"

static const cli_command commands[] = {
    {"templates", "parse, validate and sample template sets", cmd_templates},
    {"kernel", "one kernel value K(X, Y) with its error", cmd_kernel},
    {"series", "exact Taylor coefficients of K_attn in beta and gamma", cmd_series},
    {"nmatrix", "the matrix N of a template set, and its verdict", cmd_nmatrix},
    {"check", "MLP, MLP+XX^T and transformer verdicts side by side", cmd_check},
    {"krr", "kernel ridge regression on unseen symbols", cmd_krr},
    {NULL, NULL, NULL}
};

static void usage(FILE *out)
{
    fputs("usage: tkc COMMAND [options]   (tkc COMMAND --help for more)\n\n"
          "tkc, the template kernel calculator: kernels of transformers and MLPs\n"
          "on template tasks (arXiv 2310.09753), with verdicts that name their evidence.\n\n"
          "commands:\n", out);
    for (const cli_command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fputs("\nA template FILE is a path or the name of a set (tkc check majority3):\n"
          "the working directory, then $TKC_TEMPLATES, then the installed sets.\n",
          out);
}

/* A missing or unknown command: one line of usage, not the whole help. */
static int usage_line(void)
{
    fputs("usage: tkc COMMAND [options]   (COMMAND:", stderr);
    for (const cli_command *c = commands; c->name; c++)
        fprintf(stderr, " %s", c->name);
    fputs("; tkc --help for more)\n", stderr);
    return CLI_USAGE;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs("tkc: missing COMMAND\n", stderr);
        return usage_line();
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        puts("tkc " TKC_VERSION);
        return CLI_OK;
    }
    for (const cli_command *c = commands; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "tkc: unknown command '%s'\n", argv[1]);
    return usage_line();
}

int main(int argc, char **argv)
{
    /* GSL's default error handler aborts the process.  libtkc checks every
     * GSL return code and turns failures into tkc errors (exit 2 here), so
     * the handler only stands in the way; it is process-wide, so the
     * program turns it off, once, before any thread starts. */
    gsl_set_error_handler_off();
    /* Numbers as text in the C locale, "0.5" in and out, whatever LC_ALL
     * or LC_NUMERIC say (the default at start; set here so that it stays
     * so): the command line's own printf and strtod rely on it.  libtkc
     * does not: it switches its calling thread to the C locale itself. */
    setlocale(LC_NUMERIC, "C");
    /* OpenBLAS's threads under a memory limit, and the arguments as text
     * with --opt=value split (cli_common.c, cli_args.c); then the command,
     * and stdout flushed and closed with its errors checked. */
    cli_blas_threads(argv);
    /* Under mpirun: MPI, rank 0 the one that prints, one exit code for
     * all (mpi_cli.h); alone, nothing. */
    cli_mpi_begin(&argc, &argv);
    cli_args args;
    int rc = cli_begin(argc, argv, &args);
    if (rc == CLI_OK)
        rc = dispatch(args.argc, args.argv);
    cli_args_free(&args);
    return cli_end(cli_mpi_end(rc));
}
