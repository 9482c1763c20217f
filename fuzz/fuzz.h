/* fuzz.h — what the libFuzzer targets share: REQUIRE, an invariant whose
 * violation aborts, so that libFuzzer keeps the input (and the tests that
 * replay the regression inputs through a target fail loudly). */
#ifndef TKC_FUZZ_H
#define TKC_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define REQUIRE(c)                                                           \
    do {                                                                     \
        if (!(c)) {                                                          \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c, __FILE__,  \
                    __LINE__);                                               \
            abort();                                                         \
        }                                                                    \
    } while (0)

#endif
