/* err.h — status codes and the diagnostics list.
 *
 * Every function that can fail returns 0 or a negative DCSIM_E* code (errors.def).
 * Messages about input go into a `struct diag`, which collects several of them in
 * compiler form (`file:line:col: error: text`) so the user sees all problems at once.
 * Only main() prints them and chooses the exit status. */
#ifndef DCSIM_ERR_H
#define DCSIM_ERR_H

#include <stddef.h>
#include <stdio.h>

enum dcsim_status {
#define DCSIM_ERR(name, value, text) DCSIM_E##name = value,
#include "errors.def"
#undef DCSIM_ERR
};

/** Text of a status code (static storage). */
const char *dcsim_strerror(int status);

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag_msg {
    char *file;                 /* owned; NULL for messages not about a file */
    int line, col;              /* 1-based; 0 when unknown */
    enum diag_severity severity;
    char *text;                 /* owned */
};

/** A list of messages. Stores at most DIAG_MAX_STORED; counts all. */
struct diag {
    struct diag_msg *msgs;
    size_t n, cap;
    size_t n_errors, n_warnings;
    int oom;                    /* set when a message could not be stored */
};

#define DIAG_MAX_STORED 50

void diag_init(struct diag *d);
void diag_release(struct diag *d);

/** Adds an error at file:line:col (file may be NULL, line/col 0). printf-style. */
void diag_error(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_warning(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/** Adds a copy of every message stored in `from` to `to` (severity and position kept): what
 *  a worker thread said, into the list its caller reports. */
void diag_append(struct diag *to, const struct diag *from);

/** Prints every stored message, compiler style, and a count line when some were dropped. */
void diag_print(const struct diag *d, FILE *out);

/** Number of error messages whose text contains `needle` (for tests). */
size_t diag_count_matching(const struct diag *d, const char *needle);

#endif
