/* sweep_check.c — a sweep's vary paths resolved against its base before any case runs, so a
 * typo is one error at the sweep file's line instead of every case invalid (issue 10). */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "scenario.h"
#include "sweep.h"

int sweep_check_paths(const struct sweep *sw, const struct catalog *cat, struct diag *d)
{
    int any = 0;
    for (size_t v = 0; v < sw->n_vars; v++)
        any |= sw->vars[v].adds_key;
    if (!any || sw->n_cases == 0)
        return 0;
    struct ydoc doc;
    char err[256];
    int rc = sweep_case_doc(sw, 0, &doc, err, sizeof err);
    if (rc) {
        diag_error(d, sw->path, 0, 0, "%s", err);
        return rc;
    }
    struct diag cd;
    diag_init(&cd);
    struct scenario *sc = NULL;
    scenario_from_doc(&doc, cat, &sc, &cd);
    scenario_destroy(sc);
    ydoc_release(&doc);
    int bad = 0;
    for (size_t v = 0; v < sw->n_vars; v++) {
        const struct sweep_var *var = &sw->vars[v];
        if (!var->adds_key)
            continue;
        const char *last = strrchr(var->path, '.');
        last = last ? last + 1 : var->path;
        char needle[SWEEP_VALUE_MAX + 32];
        snprintf(needle, sizeof needle, "unknown key '%s'", last);
        for (size_t i = 0; i < cd.n; i++) {
            const struct diag_msg *m = &cd.msgs[i];
            if (m->severity == DIAG_ERROR && strstr(m->text, needle)) {
                diag_error(d, sw->path, var->line, var->col,
                           "vary path '%s' names no key of the base scenario: %s", var->path,
                           m->text);
                bad = 1;
                break;
            }
        }
    }
    diag_release(&cd);
    return bad ? DCSIM_EINPUT : 0;
}
