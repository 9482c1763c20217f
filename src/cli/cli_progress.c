/* cli_progress.c — progress on stderr (cli_progress.h).
 *
 * The work runs on the command's thread; a helper thread wakes every
 * second and draws the line, so that a long library call that reports
 * nothing still shows its phase and the time spent.  The phase is shared
 * under a mutex.  A failure to start the thread only loses the display. */
#include "cli_progress.h"

#include "../mpi_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SHOW_AFTER 2.0          /* seconds: quicker runs show nothing      */
#define LOG_EVERY 10.0          /* seconds between lines when not a tty    */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_progress_option(const char *arg, cli_progress_mode *mode)
{
    if (!strcmp(arg, "--progress"))
        *mode = CLI_PROGRESS_ON;
    else if (!strcmp(arg, "--no-progress"))
        *mode = CLI_PROGRESS_OFF;
    else
        return 0;
    return 1;
}

/* "1m05s", "12s": a duration as the line prints it. */
static void duration(char *buf, size_t size, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 60)
        snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, size, "%lds", t);
}

/* " [2/3]" or " 37%": a count as the line shows it. */
static void count_words(char *buf, size_t size, uint64_t done, uint64_t total)
{
    if (!total)
        buf[0] = '\0';
    else if (total <= 1000)
        snprintf(buf, size, " [%llu/%llu]", (unsigned long long)done,
                 (unsigned long long)total);
    else
        snprintf(buf, size, " %.0f%%", 100.0 * (double)done / (double)total);
}

/* ", ~6s left" from a count that began at `since`, or "". */
static void left_words(char *buf, size_t size, uint64_t done, uint64_t total,
                       double since, double t)
{
    buf[0] = '\0';
    if (done > 0 && done < total) {
        char eta[32];
        duration(eta, sizeof eta, (t - since) / (double)done *
                                      (double)(total - done));
        snprintf(buf, size, ", ~%s left", eta);
    }
}

/* Display columns of UTF-8 text: its bytes that begin a character. */
static size_t columns(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The terminal's width, or 80. */
static size_t terminal_columns(void)
{
    struct winsize ws;
    return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20
               ? ws.ws_col : 80;
}

/* Cut UTF-8 text to `cols` columns, ending in "…" when cut (room for
 * its 3 bytes: s holds at least cols + 3 bytes whenever it is cut). */
static void cut_columns(char *s, size_t cols)
{
    size_t len = strlen(s);
    if (columns(s, len) <= cols)
        return;
    size_t cut = 0;
    for (size_t n = 0; cut < len; cut++)
        if (((unsigned char)s[cut] & 0xC0) != 0x80 && n++ == (cols ? cols - 1 : 0))
            break;
    memcpy(s + cut, "…", sizeof "…");
}

/* On a terminal the line is redrawn in place, so it must fit one row.
 * The phase (what) is cut first, to no less than 24 columns, then the
 * library's stage; never the count and the times. */
static void fit_row(char *what, char *stage, size_t fixed_columns)
{
    size_t width = terminal_columns() - 1;
    size_t room = width > fixed_columns ? width - fixed_columns : 0;
    size_t w = columns(what, strlen(what)), st = columns(stage, strlen(stage));
    if (w + st <= room)
        return;
    size_t keep = room > st ? room - st : 0;
    cut_columns(what, keep > 24 ? keep : (w < 24 ? w : 24));
    w = columns(what, strlen(what));
    cut_columns(stage, room > w ? room - w : 0);
}

/* One line: "tkc krr: trans n=800 [2/3]: 12s, ~6s left", or with the
 * library's stage "tkc nmatrix: trans, r = 40: K_attn mc, 820 patterns
 * 37%: 12s, ~20s left".  Called with the lock held. */
static void draw(cli_progress *p, double t)
{
    char spent[32], left[64] = "", count[48] = "", stage_count[48] = "";
    char head[sizeof p->what + sizeof p->stage + 64], tail[160];
    duration(spent, sizeof spent, t - p->start);
    count_words(count, sizeof count, p->done, p->total);
    if (p->stage[0]) {
        count_words(stage_count, sizeof stage_count, p->stage_done,
                    p->stage_total);
        left_words(left, sizeof left, p->stage_done, p->stage_total,
                   p->stage_start, t);
    } else if (p->total) {
        left_words(left, sizeof left, p->done, p->total, p->count_start, t);
    }
    if (!left[0] && p->expected > 0) {
        char eta[32];
        double rest = p->expected - (t - p->phase_start);
        duration(eta, sizeof eta, rest > 0 ? rest : p->expected);
        snprintf(left, sizeof left, rest > 0 ? ", ~%s left (predicted)"
                                             : ", beyond the predicted %s",
                 eta);
    }
    char what[sizeof p->what + 4], stage[sizeof p->stage + 4];
    snprintf(what, sizeof what, "%s", p->what);
    snprintf(stage, sizeof stage, "%s", p->stage);
    snprintf(tail, sizeof tail, "%s: %s%s", stage_count, spent, left);
    if (p->tty)
        fit_row(what, stage, strlen("tkc : ") + strlen(p->command) +
                                 strlen(count) + 2 * !!stage[0] +
                                 columns(tail, strlen(tail)));
    snprintf(head, sizeof head, "tkc %s: %s%s%s%s", p->command, what, count,
             stage[0] ? ": " : "", stage);
    /* \033[K clears what a longer line left behind */
    fprintf(stderr, "%s%s%s%s", p->tty ? "\r" : "", head, tail,
            p->tty ? "\033[K" : "\n");
    fflush(stderr);
    p->shown = 1;
    p->last_line = t;
}

static void *loop(void *arg)
{
    cli_progress *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
        double t = now();
        if (p->stop || t - p->start < SHOW_AFTER)
            continue;
        if (p->tty || t - p->last_line >= LOG_EVERY)
            draw(p, t);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void cli_progress_begin(cli_progress *p, const char *command,
                        cli_progress_mode mode)
{
    memset(p, 0, sizeof *p);
    p->command = command;
    p->start = now();
    p->tty = isatty(STDERR_FILENO);
    p->on = mode == CLI_PROGRESS_ON || (mode == CLI_PROGRESS_AUTO && p->tty);
    if (!cli_mpi_speaks())
        p->on = 0;
    if (!p->on)
        return;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->running = pthread_create(&p->thread, NULL, loop, p) == 0;
    if (!p->running) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        p->on = 0;
    }
}

void cli_progress_phase(cli_progress *p, size_t done, size_t total,
                        const char *fmt, ...)
{
    if (!p->on)
        return;
    pthread_mutex_lock(&p->lock);
    int changed;
    char what[sizeof p->what];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    changed = strcmp(what, p->what) != 0;
    memcpy(p->what, what, sizeof what);
    if (done == 0 || total != p->total)
        p->count_start = now();
    p->done = done;
    p->total = total;
    if (changed) {
        p->expected = 0;
        p->phase_start = now();
        p->stage[0] = '\0';
        p->stage_total = 0;
    }
    /* a log gets a line per phase once it shows at all */
    if (!p->tty && changed && now() - p->start >= SHOW_AFTER)
        draw(p, now());
    pthread_mutex_unlock(&p->lock);
}

void cli_progress_predicted(char *buf, size_t size, double seconds,
                            int at_most)
{
    char d[32];
    buf[0] = '\0';
    if (seconds >= 1 && seconds < 1e9) {
        duration(d, sizeof d, seconds);
        snprintf(buf, size, ", N: %s~%s predicted", at_most ? "<= " : "", d);
    }
}

/* The library's report: a new stage (or a count restarting at 0) starts
 * the clock its time left is measured from. */
static void library_report(void *ctx, const char *stage, uint64_t done,
                           uint64_t total)
{
    cli_progress *p = ctx;
    pthread_mutex_lock(&p->lock);
    if (strcmp(stage, p->stage) || done == 0 || done < p->stage_done) {
        snprintf(p->stage, sizeof p->stage, "%s", stage);
        p->stage_start = now();
    }
    p->stage_done = done;
    p->stage_total = total;
    pthread_mutex_unlock(&p->lock);
}

const tkc_progress *cli_progress_library(cli_progress *p)
{
    if (!p->on)
        return NULL;
    p->lib.report = library_report;
    p->lib.ctx = p;
    return &p->lib;
}

void cli_progress_expect(cli_progress *p, double seconds)
{
    if (!p->on)
        return;
    pthread_mutex_lock(&p->lock);
    p->expected = seconds;
    pthread_mutex_unlock(&p->lock);
}

void cli_progress_end(cli_progress *p)
{
    if (!p->on)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    if (p->shown && p->tty) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    p->on = 0;
}
