/* cli_progress.h — progress on stderr for runs that take a while
 * (cli_progress.c).
 *
 * A command names what it is doing (a phase: "transformer: N at β = 1"),
 * and, when it counts steps, how many of how many are done.  A helper
 * thread redraws one line on stderr every second from 2 s on: the phase,
 * the count, the time spent and, from the count, the time left.  Nothing
 * is shown when the run ends within 2 s, and nothing ever goes to stdout
 * (so never into --json or --csv output).
 *
 * Shown when stderr is a terminal (one line, redrawn in place), or with
 * --progress (a line every 10 s and at each phase, for a log), never with
 * --no-progress.  Every command accepts both flags (cli_progress_option).
 *
 * The library's long calls report from inside (tkc/progress.h): give them
 * cli_progress_library(p) as the spec's progress, and the line shows the
 * library's stage after the command's phase, how far that stage has got and
 * its time left:
 *   tkc check: kernel 2 of 3, transformer, r = 144: round 2 of at most 4:
 *   K_attn qmc, 10440 patterns 37%: 12s, ~20s left
 * (cut to the terminal's width).  Without any count the time left is that
 * of a prediction when there is one (a cost model's, cli_progress_expect). */
#ifndef TKC_CLI_PROGRESS_H
#define TKC_CLI_PROGRESS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "tkc/progress.h"

typedef enum cli_progress_mode {
    CLI_PROGRESS_AUTO = 0,      /* when stderr is a terminal                */
    CLI_PROGRESS_ON,            /* --progress                               */
    CLI_PROGRESS_OFF            /* --no-progress                            */
} cli_progress_mode;

typedef struct cli_progress {
    int on, tty;
    const char *command;
    double start, last_line;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int running, stop, shown;
    char what[200];
    size_t done, total;         /* total 0: no count                        */
    double expected;            /* predicted seconds of the phase, or 0     */
    double phase_start;
    double count_start;         /* when the phase's count began at 0        */
    /* the library's stage inside the phase (cli_progress_library) */
    tkc_progress lib;
    char stage[256];
    uint64_t stage_done, stage_total;   /* total 0: no count             */
    double stage_start;
} cli_progress;

/* Is argv[*i] --progress or --no-progress?  Then set *mode and return 1;
 * else 0. */
int cli_progress_option(const char *arg, cli_progress_mode *mode);

/* Start (with mode's rule; the thread only when shown) and stop: the line
 * is cleared.  Safe to end a progress that never began showing. */
void cli_progress_begin(cli_progress *p, const char *command,
                        cli_progress_mode mode);
void cli_progress_end(cli_progress *p);

/* The phase (printf-style), and the count (total 0: none); a new phase
 * forgets the last one's prediction. */
void cli_progress_phase(cli_progress *p, size_t done, size_t total,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The progress to give the library (a spec's, the generic options'):
 * its stages show inside the current phase, until the next phase.  NULL
 * when nothing is shown, so that the library does not even format them. */
const tkc_progress *cli_progress_library(cli_progress *p);

/* ", N: ~7s predicted": the predicted seconds of N and its point verdict
 * (tkc_nmatrix_cost: not the generic verdict, whose orders are found as it
 * goes) as a phase names them, "N: <= ~7s" when the prediction is a bound
 * (auto spends at most its budget); "" below a second. */
void cli_progress_predicted(char *buf, size_t size, double seconds,
                            int at_most);

/* The phase's predicted duration (a cost model's, in seconds): without a
 * count, the time left is what remains of it. */
void cli_progress_expect(cli_progress *p, double seconds);

#endif
