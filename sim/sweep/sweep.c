/* sweep.c — reading a sweep file and building each case's scenario document (see sweep.h). */
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "scenario.h"
#include "yget.h"

static const char *const sweep_keys[] = {"base", "mode", "trials", "vary", "series", NULL};
static const char *const mode_names[] = {"grid", "zip", NULL};

#define PATH_MAX_TOKENS 64

/* Finds the node a path names. With `create_last`, a missing last key of a mapping is added
 * (so a default may be varied). In a list, the item whose id matches the longest run of
 * the next tokens is taken (ids may contain '.'). Returns NULL and a reason in err. */
static struct ynode *walk(struct ynode *root, const char *path, int create_last, char *err,
                          size_t errlen)
{
    char buf[512];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        snprintf(err, errlen, "path too long");
        return NULL;
    }
    char *tok[PATH_MAX_TOKENS];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ".", &save); t; t = strtok_r(NULL, ".", &save)) {
        if (n == PATH_MAX_TOKENS) {
            snprintf(err, errlen, "path has too many parts");
            return NULL;
        }
        tok[n++] = t;
    }
    if (n == 0) {
        snprintf(err, errlen, "empty path");
        return NULL;
    }
    struct ynode *cur = root;
    char walked[512] = "";
    for (int i = 0; i < n;) {
        if (!cur || cur->kind == YNODE_SCALAR) {
            snprintf(err, errlen, "'%s' is a value, it has no '%s'",
                     walked[0] ? walked : "the scenario", tok[i]);
            return NULL;
        }
        struct ynode *child = NULL;
        int used = 1;
        if (cur->kind == YNODE_MAP) {
            for (size_t k = 0; k < cur->n && !child; k++)
                if (strcmp(cur->keys[k]->value, tok[i]) == 0)
                    child = cur->items[k];
            if (!child && i == n - 1 && create_last) {
                /* add `tok: ""` to the mapping */
                struct ynode *k = calloc(1, sizeof *k), *v = calloc(1, sizeof *v);
                struct ynode **keys = realloc(cur->keys, (cur->n + 1) * sizeof *keys);
                if (keys)
                    cur->keys = keys;
                struct ynode **items = keys ? realloc(cur->items, (cur->n + 1) * sizeof *items) : NULL;
                if (items)
                    cur->items = items;
                if (!k || !v || !keys || !items || !(k->value = strdup(tok[i])) ||
                    !(v->value = strdup(""))) {
                    ynode_free(k);
                    ynode_free(v);
                    snprintf(err, errlen, "out of memory");
                    return NULL;
                }
                k->kind = v->kind = YNODE_SCALAR;
                k->line = v->line = cur->line;
                k->col = v->col = cur->col;
                cur->keys[cur->n] = k;
                cur->items[cur->n] = v;
                cur->n++;
                return v;
            }
            if (!child) {
                snprintf(err, errlen, "'%s' has no key '%s'", walked[0] ? walked : "the scenario",
                         tok[i]);
                return NULL;
            }
        } else {
            /* a list: the longest run of tokens that is an item's id */
            char id[256];
            for (used = n - i; used >= 1 && !child; used--) {
                id[0] = '\0';
                for (int k = 0; k < used; k++) {
                    size_t len = strlen(id);
                    snprintf(id + len, sizeof id - len, "%s%s", k ? "." : "", tok[i + k]);
                }
                for (size_t k = 0; k < cur->n && !child; k++) {
                    const struct ynode *idn = ynode_get(cur->items[k], "id");
                    if (idn && idn->kind == YNODE_SCALAR && strcmp(idn->value, id) == 0)
                        child = cur->items[k];
                }
                if (child)
                    break;
            }
            if (!child) {
                snprintf(err, errlen, "'%s' has no item with id '%s'", walked, tok[i]);
                return NULL;
            }
        }
        for (int k = 0; k < used; k++) {
            size_t wl = strlen(walked);
            snprintf(walked + wl, sizeof walked - wl, "%s%s", wl ? "." : "", tok[i + k]);
        }
        i += used;
        cur = child;
    }
    if (cur->kind != YNODE_SCALAR) {
        snprintf(err, errlen, "'%s' is a %s, not a single value", path,
                 cur->kind == YNODE_MAP ? "mapping" : "list");
        return NULL;
    }
    return cur;
}

static int add_value(struct sweep_var *v, const char *text)
{
    char **values = realloc(v->values, (v->n_values + 1) * sizeof *values);
    if (!values)
        return DCSIM_ENOMEM;
    v->values = values;
    if (!(v->values[v->n_values] = strdup(text)))
        return DCSIM_ENOMEM;
    v->n_values++;
    return 0;
}

static int parse_var(const struct yctx *c, const struct ynode *key, const struct ynode *val,
                     struct sweep_var *v)
{
    char path[600];
    snprintf(path, sizeof path, "vary.%s", key->value);
    if (!(v->path = strdup(key->value)))
        return DCSIM_ENOMEM;
    v->line = key->line;
    v->col = key->col;
    if (val->kind == YNODE_SEQ) {
        if (val->n == 0) {
            yget_error(c, val, "%s: the list of values is empty", path);
            return DCSIM_EINPUT;
        }
        for (size_t i = 0; i < val->n; i++) {
            const struct ynode *it = val->items[i];
            if (it->kind != YNODE_SCALAR || strlen(it->value) >= SWEEP_VALUE_MAX) {
                yget_error(c, it, "%s: values must be single values under %d characters", path,
                           SWEEP_VALUE_MAX);
                return DCSIM_EINPUT;
            }
            int rc = add_value(v, it->value);
            if (rc)
                return rc;
        }
    } else if (val->kind == YNODE_MAP) {
        static const char *const keys[] = {"from", "to", "step", NULL};
        double from, to, step;
        int bad = yget_check_keys(c, val, path, keys);
        bad |= yget_number(c, val, path, "from", YGET_REQUIRED, 0, &from) != 0;
        bad |= yget_number(c, val, path, "to", YGET_REQUIRED, 0, &to) != 0;
        bad |= yget_number(c, val, path, "step", YGET_REQUIRED | YGET_POSITIVE, 1, &step) != 0;
        if (bad)
            return DCSIM_EINPUT;
        double n = floor((to - from) / step + 1e-9) + 1;
        if (to < from || n > SWEEP_MAX_CASES) {
            yget_error(c, val, "%s: need from <= to and at most %ld values", path, SWEEP_MAX_CASES);
            return DCSIM_EINPUT;
        }
        for (long i = 0; i < (long)n; i++) {
            char text[64];
            snprintf(text, sizeof text, "%.15g", from + (double)i * step);
            int rc = add_value(v, text);
            if (rc)
                return rc;
        }
    } else {
        yget_error(c, val, "%s must be a list of values or {from, to, step}", path);
        return DCSIM_EINPUT;
    }
    v->numeric = 1;
    for (size_t i = 0; i < v->n_values && v->numeric; i++) {
        double x;
        v->numeric = yget_parse_number(v->values[i], &x) == 0;
    }
    return 0;
}

/* 1 when a vary path would clash with a fixed column of /cases (case, status, message,
 * the metrics): HDF5 refuses two members of one name, which once failed only at the end. */
static int column_taken(const char *path)
{
    static const char *const fixed[] = {"case", "status", "message"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(path, fixed[i]) == 0)
            return 1;
    for (int k = 0; k < N_METRICS; k++)
        if (strcmp(path, metric_names[k]) == 0)
            return 1;
    return 0;
}

int sweep_load(const char *path, struct sweep *sw, struct diag *d)
{
    char *text;
    size_t len;
    memset(sw, 0, sizeof *sw);
    int rc = yamlx_read_file(path, &text, &len, d);
    if (rc)
        return rc == DCSIM_EIO ? DCSIM_EINPUT : rc;
    rc = sweep_parse(path, text, len, sw, d);
    free(text);
    return rc;
}

int sweep_parse(const char *path, const char *text, size_t len, struct sweep *sw,
                struct diag *d)
{
    memset(sw, 0, sizeof *sw);
    struct ydoc doc;
    int rc = ydoc_parse(path, text, len, &doc, d);
    if (rc)
        return rc;
    struct yctx c = {.file = path, .d = d};
    const struct ynode *root = doc.root;
    int bad = 0;
    if (!root || root->kind != YNODE_MAP) {
        yget_error(&c, root, "a sweep must be a mapping with 'base' and 'vary'");
        ydoc_release(&doc);
        return DCSIM_EINPUT;
    }
    bad |= yget_check_keys(&c, root, "the sweep", sweep_keys) ? 1 : 0;
    const char *base;
    int mode = 0;
    double trials;
    bad |= yget_string(&c, root, "the sweep", "base", 1, NULL, &base) != 0;
    bad |= yget_choice(&c, root, "the sweep", "mode", mode_names, 0, &mode) != 0;
    bad |= yget_number(&c, root, "the sweep", "trials", YGET_POSITIVE | YGET_INTEGER, 0,
                       &trials) != 0;
    bad |= yget_bool(&c, root, "the sweep", "series", 0, &sw->series) != 0;
    sw->zip = mode == 1;
    if (trials > SCENARIO_MAX_TRIALS) {
        yget_error(&c, ynode_get(root, "trials"), "'trials' must be at most %d (as in a "
                   "scenario)", SCENARIO_MAX_TRIALS);
        bad = 1;
    }
    sw->trials = trials >= 1 && trials <= SCENARIO_MAX_TRIALS ? (int)trials : 0;
    if (!(sw->path = strdup(path))) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    const struct ynode *vary = ynode_get(root, "vary");
    if (!vary || vary->kind != YNODE_MAP || vary->n == 0) {
        yget_error(&c, vary ? vary : root, "the sweep needs 'vary': a mapping of paths to values");
        bad = 1;
    }
    if (bad) {
        rc = DCSIM_EINPUT;
        goto done;
    }
    /* the base, relative to the sweep file's directory */
    const char *slash = strrchr(path, '/');
    size_t dirlen = (base[0] == '/' || !slash) ? 0 : (size_t)(slash - path + 1);
    if (!(sw->base_path = malloc(dirlen + strlen(base) + 1))) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    memcpy(sw->base_path, path, dirlen);
    strcpy(sw->base_path + dirlen, base);
    if ((rc = ydoc_load(sw->base_path, &sw->base, d))) {
        if (rc == DCSIM_EIO) {
            yget_error(&c, ynode_get(root, "base"), "cannot read the base scenario '%s'",
                       sw->base_path);
            rc = DCSIM_EINPUT;
        }
        goto done;
    }
    if (vary->n > SWEEP_MAX_VARS) {
        yget_error(&c, vary, "the sweep varies %zu paths; the limit is %d", vary->n,
                   SWEEP_MAX_VARS);
        rc = DCSIM_EINPUT;
        goto done;
    }
    if (!(sw->vars = calloc(vary->n, sizeof *sw->vars))) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    sw->n_vars = vary->n;
    double cases = sw->zip ? 0 : 1;
    for (size_t i = 0; i < vary->n; i++) {
        struct sweep_var *v = &sw->vars[i];
        int vrc = parse_var(&c, vary->keys[i], vary->items[i], v);
        if (vrc == DCSIM_ENOMEM) {
            rc = vrc;
            goto done;
        }
        if (vrc) {
            bad = 1;
            continue;
        }
        if (column_taken(v->path)) {
            yget_error(&c, vary->keys[i], "vary path '%s' is also the name of a column of "
                       "/cases", v->path);
            bad = 1;
            continue;
        }
        char err[256];
        v->adds_key = !walk(sw->base.root, v->path, 0, err, sizeof err);
        if (v->adds_key && !walk(sw->base.root, v->path, 1, err, sizeof err)) {
            yget_error(&c, vary->keys[i], "vary path '%s': %s in the base scenario", v->path, err);
            bad = 1;
        }
        if (sw->zip) {
            if (i > 0 && v->n_values != sw->vars[0].n_values) {
                yget_error(&c, vary->keys[i], "mode zip needs lists of one length: '%s' has %zu "
                           "values, '%s' has %zu", v->path, v->n_values, sw->vars[0].path,
                           sw->vars[0].n_values);
                bad = 1;
            }
            cases = (double)v->n_values;
        } else {
            cases *= (double)v->n_values;
        }
    }
    if (!bad && cases > SWEEP_MAX_CASES) {
        yget_error(&c, vary, "the sweep has %.0f cases; the limit is %ld", cases, SWEEP_MAX_CASES);
        bad = 1;
    }
    sw->n_cases = (size_t)cases;
    /* FNV-1a over both texts: a resumed table must come from the same sweep and base */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
    for (size_t i = 0; i < sw->base.text_len; i++)
        h = (h ^ (unsigned char)sw->base.text[i]) * 1099511628211ULL;
    sw->fingerprint = h;
    rc = bad ? DCSIM_EINPUT : 0;
done:
    ydoc_release(&doc);
    if (rc)
        sweep_release(sw);
    return rc;
}

void sweep_release(struct sweep *sw)
{
    if (!sw)
        return;
    for (size_t i = 0; i < sw->n_vars; i++) {
        for (size_t k = 0; k < sw->vars[i].n_values; k++)
            free(sw->vars[i].values[k]);
        free(sw->vars[i].values);
        free(sw->vars[i].path);
    }
    free(sw->vars);
    free(sw->path);
    free(sw->base_path);
    ydoc_release(&sw->base);
    memset(sw, 0, sizeof *sw);
}

size_t sweep_value_index(const struct sweep *sw, size_t c, size_t v)
{
    if (sw->zip)
        return c;
    size_t stride = 1;
    for (size_t k = sw->n_vars; k-- > v + 1;)
        stride *= sw->vars[k].n_values;
    return (c / stride) % sw->vars[v].n_values;
}

int sweep_case_doc(const struct sweep *sw, size_t c, struct ydoc *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->root = ynode_clone(sw->base.root);
    out->path = strdup(sw->base.path);
    out->text = malloc(sw->base.text_len + 1);
    if (!out->root || !out->path || !out->text) {
        ydoc_release(out);
        snprintf(err, errlen, "out of memory");
        return DCSIM_ENOMEM;
    }
    memcpy(out->text, sw->base.text, sw->base.text_len + 1);
    out->text_len = sw->base.text_len;
    for (size_t v = 0; v < sw->n_vars; v++) {
        struct ynode *n = walk(out->root, sw->vars[v].path, 1, err, errlen);
        if (!n) {
            ydoc_release(out);
            return DCSIM_EINPUT;
        }
        char *value = strdup(sw->vars[v].values[sweep_value_index(sw, c, v)]);
        if (!value) {
            ydoc_release(out);
            snprintf(err, errlen, "out of memory");
            return DCSIM_ENOMEM;
        }
        free(n->value);
        n->value = value;
        n->quoted = 0;
    }
    return 0;
}
