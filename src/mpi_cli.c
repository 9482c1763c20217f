/* mpi_cli.c — the program's side of mpi_cli.h.  The shard and the scratch
 * files are process-wide state of the tkc program (like main.c's locale),
 * never of libtkc. */
#include "mpi_cli.h"

#ifdef TKC_MPI

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "mpi_shard.h"

static struct {
    tkc_shard *shard;
    FILE *out;                   /* rank 0: its stdout until the end        */
    FILE *errs;                  /* other ranks: their stderr               */
    int stdout_fd;               /* rank 0: the real stdout                 */
} mpi;

/* Started by mpirun, mpiexec or srun?  Their environments say so; a plain
 * `tkc ...` never starts MPI, so an MPI build runs alone exactly as a
 * build without it. */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                                       "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

/* fd (1 or 2) to a new scratch file, returned open for reading back. */
static FILE *capture(int fd)
{
    FILE *f = tmpfile();
    fflush(fd == 1 ? stdout : stderr);
    if (f && dup2(fileno(f), fd) < 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

void cli_mpi_begin(int *argc, char ***argv)
{
    if (!launched_by_mpi())
        return;
    tkc_error err;
    if (!(mpi.shard = tkc_mpi_shard_alloc(argc, argv, &err))) {
        fprintf(stderr, "tkc: %s\n", err.message);
        exit(2);
    }
    mpi.stdout_fd = -1;
    if (mpi.shard->rank == 0) {
        /* without a scratch file rank 0 prints as it goes */
        if ((mpi.stdout_fd = dup(1)) >= 0 && !(mpi.out = capture(1))) {
            close(mpi.stdout_fd);
            mpi.stdout_fd = -1;
        }
    } else {
        int null = open("/dev/null", O_WRONLY);
        fflush(stdout);
        if (null >= 0) {
            dup2(null, 1);
            close(null);
        }
        mpi.errs = capture(2);
    }
}

tkc_shard *cli_mpi_shard(void) { return mpi.shard; }

/* The first line of what this rank wrote on stderr, without its "tkc
 * COMMAND: " (rank 0 prints it after its own, as "process p of P: ..."). */
static void captured_message(tkc_error *err)
{
    char line[TKC_ERROR_MESSAGE_MAX];
    fflush(stderr);
    if (mpi.errs)
        rewind(mpi.errs);
    if (!mpi.errs || !fgets(line, sizeof line, mpi.errs))
        snprintf(line, sizeof line, "failed (exit 2)");
    line[strcspn(line, "\n")] = '\0';
    const char *m = line;
    if (!strncmp(m, "tkc ", 4) && strstr(m, ": "))
        m = strstr(m, ": ") + 2;
    snprintf(err->message, sizeof err->message, "%s", m);
}

/* Rank 0's real stdout back on fd 1, and what the command wrote, when
 * `print`, through stdout (its write errors are cli_end's to see). */
static void release_stdout(int print)
{
    char buf[1 << 16];
    size_t n;
    fflush(stdout);
    if (!mpi.out)
        return;                        /* printed as it went */
    dup2(mpi.stdout_fd, 1);
    close(mpi.stdout_fd);
    rewind(mpi.out);
    while (print && (n = fread(buf, 1, sizeof buf, mpi.out)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            break;
}

int cli_mpi_end(int rc)
{
    if (!mpi.shard)
        return rc;
    tkc_shard *sh = mpi.shard;
    tkc_error err = {0, ""};
    int mine = rc == 2 ? TKC_EINPUT : TKC_SUCCESS;
    if (mine && sh->rank)
        captured_message(&err);
    int agreed = sh->type->agree(sh, mine, &err);
    if (sh->rank == 0) {
        /* its own output, failing or not; none when another failed */
        release_stdout(!agreed || mine);
        if (agreed && !mine)
            fprintf(stderr, "tkc: %s\n", err.message);
    }
    if (mpi.out)
        fclose(mpi.out);
    if (mpi.errs)
        fclose(mpi.errs);
    tkc_mpi_shard_free(sh);
    return agreed ? 2 : rc;
}

#else /* without MPI: one process alone */

void cli_mpi_begin(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

int cli_mpi_end(int rc) { return rc; }

tkc_shard *cli_mpi_shard(void) { return NULL; }

#endif
