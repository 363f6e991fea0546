/* err.c — status texts and the diagnostics list (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *dcsim_strerror(int status)
{
    switch (status) {
#define DCSIM_ERR(name, value, text) case value: return text;
#include "errors.def"
#undef DCSIM_ERR
    }
    return "unknown error";
}

void diag_init(struct diag *d)
{
    memset(d, 0, sizeof *d);
}

void diag_release(struct diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->msgs[i].file);
        free(d->msgs[i].text);
    }
    free(d->msgs);
    memset(d, 0, sizeof *d);
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void diag_vadd(struct diag *d, enum diag_severity sev, const char *file, int line,
                      int col, const char *fmt, va_list ap)
{
    if (sev == DIAG_ERROR)
        d->n_errors++;
    else if (sev == DIAG_WARNING)
        d->n_warnings++;
    if (d->n >= DIAG_MAX_STORED)
        return;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        struct diag_msg *m = realloc(d->msgs, cap * sizeof *m);
        if (!m) {
            d->oom = 1;
            return;
        }
        d->msgs = m;
        d->cap = cap;
    }
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    struct diag_msg *m = &d->msgs[d->n];
    m->file = dup_or_null(file);
    m->text = dup_or_null(buf);
    if ((file && !m->file) || !m->text) {
        free(m->file);
        free(m->text);
        d->oom = 1;
        return;
    }
    m->line = line;
    m->col = col;
    m->severity = sev;
    d->n++;
}

void diag_error(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, DIAG_ERROR, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_warning(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, DIAG_WARNING, file, line, col, fmt, ap);
    va_end(ap);
}

static void diag_add(struct diag *d, enum diag_severity sev, const char *file, int line,
                     int col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void diag_add(struct diag *d, enum diag_severity sev, const char *file, int line,
                     int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, sev, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_append(struct diag *to, const struct diag *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct diag_msg *m = &from->msgs[i];
        diag_add(to, m->severity, m->file, m->line, m->col, "%s", m->text);
    }
}

/* Print order: files in the order they first appear, positions in a file by line and
 * column, messages at one place in the order they came. */
static int print_before(const struct diag *d, size_t a, size_t b, const size_t *group)
{
    const struct diag_msg *x = &d->msgs[a], *y = &d->msgs[b];
    if (group[a] != group[b])
        return group[a] < group[b];
    if (x->line != y->line)
        return x->line < y->line;
    if (x->col != y->col)
        return x->col < y->col;
    return a < b;
}

/* Writes s with control characters (a key or value from a file may hold escapes that
 * would drive the terminal) shown as \xNN. */
static void put_clean(const char *s, FILE *out)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

void diag_print(const struct diag *d, FILE *out)
{
    static const char *const sev_text[] = {"error", "warning", "note"};
    size_t order[DIAG_MAX_STORED], group[DIAG_MAX_STORED];
    for (size_t i = 0; i < d->n; i++) {
        group[i] = i;
        for (size_t j = 0; j < i; j++)
            if ((!d->msgs[i].file && !d->msgs[j].file) ||
                (d->msgs[i].file && d->msgs[j].file && strcmp(d->msgs[i].file, d->msgs[j].file) == 0)) {
                group[i] = group[j];
                break;
            }
        order[i] = i;
        for (size_t k = i; k > 0 && print_before(d, order[k], order[k - 1], group); k--) {
            size_t t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    }
    for (size_t i = 0; i < d->n; i++) {
        const struct diag_msg *m = &d->msgs[order[i]];
        if (m->file) {
            put_clean(m->file, out);
            if (m->line > 0)
                fprintf(out, ":%d:%d", m->line, m->col);
            fputs(": ", out);
        } else {
            fputs("dcsim: ", out);
        }
        fprintf(out, "%s: ", sev_text[m->severity]);
        put_clean(m->text, out);
        fputc('\n', out);
    }
    size_t total = d->n_errors + d->n_warnings;
    if (total > d->n)
        fprintf(out, "dcsim: note: %zu more messages not shown\n", total - d->n);
    if (d->oom)
        fputs("dcsim: note: out of memory while collecting messages\n", out);
}

size_t diag_count_matching(const struct diag *d, const char *needle)
{
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->msgs[i].severity == DIAG_ERROR && strstr(d->msgs[i].text, needle))
            k++;
    return k;
}
