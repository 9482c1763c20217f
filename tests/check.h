/* check.h — the test harness: named checks that count passes and failures,
 * and comparisons that print both numbers when they fail.
 *
 * Every test program includes this, calls its checks, and ends with
 * `return check_summary();`, which prints "N passed, N failed" for the
 * program and exits nonzero if anything failed. */
#ifndef TKC_CHECK_H
#define TKC_CHECK_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            check_passed++;                                                  \
        } else {                                                             \
            check_failed++;                                                  \
            fprintf(stderr, "%s:%d: FAILED: ", __FILE__, __LINE__);          \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

/* |a - b| <= tol */
#define CHECK_CLOSE(a, b, tol, what)                                         \
    do {                                                                     \
        double check_a_ = (a), check_b_ = (b), check_t_ = (tol);             \
        CHECK(isfinite(check_a_) && isfinite(check_b_) &&                    \
                  fabs(check_a_ - check_b_) <= check_t_,                      \
              "%s: %.17g vs %.17g (diff %.3g > tol %.3g)", (what), check_a_, \
              check_b_, fabs(check_a_ - check_b_), check_t_);                \
    } while (0)

/* An estimate within nsig standard errors of the truth. */
#define CHECK_WITHIN_SE(est, truth, se, nsig, what)                          \
    do {                                                                     \
        double check_e_ = (est), check_v_ = (truth), check_s_ = (se);        \
        CHECK(isfinite(check_e_) && check_s_ >= 0 &&                         \
                  fabs(check_e_ - check_v_) <= (nsig) * check_s_,             \
              "%s: %.12g vs %.12g, |z| = %.2f > %g (se %.3g)", (what),       \
              check_e_, check_v_, fabs(check_e_ - check_v_) / check_s_,      \
              (double)(nsig), check_s_);                                     \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* Call fn(path, ctx) on every file of $TKC_TESTS/subdir (tests/subdir
 * when unset; dot files aside): the fuzzers' regression folders.  Checks
 * that the folder opens and holds at least one file. */
static inline void check_each_file(const char *subdir,
                                   void (*fn)(const char *path, void *ctx),
                                   void *ctx)
{
    const char *dir = getenv("TKC_TESTS");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests", subdir);
    DIR *d = opendir(path);
    CHECK(d != NULL, "open %s", path);
    if (!d)
        return;
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        fn(file, ctx);
        files++;
    }
    closedir(d);
    CHECK(files > 0, "%d files of %s replayed", files, path);
}

#endif
