/* digraph.h (internal) — exact algorithms on a digraph of r vertices with
 * integer (GMP) edge weights, for the generic verdict's cycle test
 * (digraph.c).  All comparisons are exact; nothing is rounded.
 *
 * The caller lists the edges (ei[q] → ej[q], weight W[q], q < nedges; at
 * most r² of them) and calls:
 *   negative_cycle      Bellman–Ford: a negative cycle, or the potentials
 *                       pot with W_q + pot[ei] − pot[ej] >= 0 for every edge;
 *   components          strongly connected components of an adjacency
 *                       matrix (comp[v]);
 *   min_cycle           a cycle of least weight when every W >= 0
 *                       (Floyd–Warshall);
 *   fewest_edges_cycle  a cycle with the fewest edges of an adjacency
 *                       matrix (breadth-first search).
 * Cycles are vertex lists in walking order (cyc[0] → cyc[1] → … → cyc[0]),
 * of *ncyc <= r vertices; *ncyc = 0 when there is none.  cyc holds r + 1. */
#ifndef TKC_DIGRAPH_H
#define TKC_DIGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

typedef struct tkc_digraph {
    size_t r, nedges;
    size_t *ei, *ej;                /* the edges (room for r²)              */
    mpz_t *W;                       /* their weights                        */
    mpz_t *pot;                     /* r: Bellman–Ford potentials           */
    size_t *comp;                   /* r: component of each vertex          */
    /* scratch */
    mpz_t *dist;                    /* r × r                                */
    long *pred;
    uint8_t *inf, *seen;
    size_t *nxt, *order, *stack;
    mpz_t t;
} tkc_digraph;

/* 0, or -1 on ENOMEM; tkc_digraph_clear frees g in either case. */
int tkc_digraph_init(tkc_digraph *g, size_t r);
void tkc_digraph_clear(tkc_digraph *g);

/* 1 and a negative cycle, or 0 and the potentials in g->pot. */
int tkc_digraph_negative_cycle(tkc_digraph *g, size_t *cyc, size_t *ncyc);
void tkc_digraph_components(tkc_digraph *g, const uint8_t *adj);
void tkc_digraph_min_cycle(tkc_digraph *g, size_t *cyc, size_t *ncyc);
void tkc_digraph_fewest_edges_cycle(tkc_digraph *g, const uint8_t *adj,
                                    size_t *cyc, size_t *ncyc);

#endif
