/* simd.h — loops compiled for the machine they run on.
 *
 * The build targets baseline x86-64 (SSE2: two doubles a vector) so that the binary runs on
 * any x86-64 machine. A function marked DCSIM_VECTOR_CLONES is compiled twice, for AVX2 (four
 * doubles a vector) and for the baseline, and the loader picks the one the CPU can run. Only
 * for element-wise loops: each element is computed by the same IEEE operations either way,
 * so the results are the same bits on any machine. Empty where GCC's target_clones is not
 * there (other compilers and architectures: the baseline alone). */
#ifndef DCSIM_SIMD_H
#define DCSIM_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define DCSIM_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define DCSIM_VECTOR_CLONES
#endif

/* For a function whose loop is meant to vectorise (with DCSIM_VECTOR_CLONES) but whose
 * element-wise selects gcc's jump threading, partial redundancy elimination or code sinking
 * turn back into branches, "control flow in loop": those passes off for it. They move no
 * arithmetic that changes a result. Nothing elsewhere. */
#if defined(__GNUC__) && !defined(__clang__)
#define DCSIM_BRANCH_FREE \
    __attribute__((optimize("no-thread-jumps", "no-tree-pre", "no-tree-sink")))
#else
#define DCSIM_BRANCH_FREE
#endif

#endif
