/* yget.h — typed reading of YAML nodes with compiler-style errors.
 *
 * Each getter reads one key of a mapping, checks its type and range, stores the value (or
 * the default when the key is absent and not required) and reports problems into the
 * context's diag with the node's position and the key path ("sites[abilene].cooling"). */
#ifndef DCSIM_YGET_H
#define DCSIM_YGET_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "yamlx.h"

struct yctx {
    const char *file;           /* name used in messages */
    struct diag *d;
};

/* Flags for yget_number. */
enum {
    YGET_REQUIRED = 1 << 0,
    YGET_POSITIVE = 1 << 1,     /* > 0 */
    YGET_NONNEG   = 1 << 2,     /* >= 0 */
    YGET_FRACTION = 1 << 3,     /* 0 <= x <= 1 */
    YGET_EFFICIENCY = 1 << 4,   /* 0 < x <= 1 */
    YGET_INTEGER  = 1 << 5,
};

/** Reports an unknown key of `map` (not in the NULL-terminated `allowed`), suggesting the
 *  nearest allowed one. Returns the number of unknown keys; also errors if map is not a map. */
int yget_check_keys(const struct yctx *c, const struct ynode *map, const char *path,
                    const char *const *allowed);

/** Number at map[key]. Plain finite decimal only (no NaN/inf); whole numbers at most 1e12.
 *  Returns 0 or DCSIM_EINPUT; *out is dflt when the key is absent or invalid. */
int yget_number(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
                unsigned flags, double dflt, double *out);

/** Scalar text at map[key] (borrowed from the tree), or dflt. */
int yget_string(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
                int required, const char *dflt, const char **out);

/** true/false at map[key]. */
int yget_bool(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
              int dflt, int *out);

/** Span ("15min") at map[key] in seconds; 0 allowed only as the default. */
int yget_span(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
              int required, int64_t dflt, int64_t *out);

/** Date at map[key] as unix seconds; `present` says whether it was given. */
int yget_date(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
              int64_t *out, int *present);

/** Name at map[key] that must be one of `choices` (NULL-terminated); stores its index. */
int yget_choice(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
                const char *const *choices, int dflt, int *out);

/** Reports an error at node n: "<what>" with the key path. printf-style. */
void yget_error(const struct yctx *c, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Parses a scalar as a finite number; 0 or DCSIM_EINPUT. */
int yget_parse_number(const char *text, double *out);

/** Levenshtein distance of two short strings (capped at 64 characters). */
size_t strdist(const char *a, const char *b);

/** The candidate nearest to `word` if it is close enough to be a likely typo, else NULL. */
const char *strdist_nearest(const char *word, const char *const *cands, size_t n);

#endif
