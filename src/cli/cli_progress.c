/* cli_progress.c — progress on stderr (cli_progress.h).
 *
 * The work runs on the command's thread; a helper thread wakes every
 * second and draws the line, so that a long library call that reports
 * nothing still shows its phase and the time spent.  The phase is shared
 * under a mutex.  A failure to start the thread only loses the display. */
#include "cli_progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

/* One line: "tkc krr: trans n=800 [2/3]: 12s, ~6s left".
 * Called with the lock held. */
static void draw(cli_progress *p, double t)
{
    char spent[32], left[48] = "", count[48] = "";
    duration(spent, sizeof spent, t - p->start);
    if (p->total) {
        snprintf(count, sizeof count, " [%zu/%zu]", p->done, p->total);
        if (p->done > 0 && p->done < p->total) {
            char eta[32];
            duration(eta, sizeof eta, (t - p->start) / (double)p->done *
                                          (double)(p->total - p->done));
            snprintf(left, sizeof left, ", ~%s left", eta);
        }
    } else if (p->expected > 0) {
        char eta[32];
        double rest = p->expected - (t - p->phase_start);
        duration(eta, sizeof eta, rest > 0 ? rest : p->expected);
        snprintf(left, sizeof left, rest > 0 ? ", ~%s left (predicted)"
                                             : ", beyond the predicted %s",
                 eta);
    }
    /* \033[K clears what a longer line left behind */
    fprintf(stderr, "%stkc %s: %s%s: %s%s%s", p->tty ? "\r" : "", p->command,
            p->what, count, spent, left, p->tty ? "\033[K" : "\n");
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
    p->done = done;
    p->total = total;
    if (changed) {
        p->expected = 0;
        p->phase_start = now();
    }
    /* a log gets a line per phase once it shows at all */
    if (!p->tty && changed && now() - p->start >= SHOW_AFTER)
        draw(p, now());
    pthread_mutex_unlock(&p->lock);
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
