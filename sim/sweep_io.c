/* sweep_io.c — the /cases table of a sweep in HDF5 and CSV (see sweep_io.h). */
#include "sweep_io.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sweep_results_init(struct sweep_results *r, size_t n)
{
    memset(r, 0, sizeof *r);
    r->n_cases = n;
    r->status = malloc((n ? n : 1) * sizeof *r->status);
    r->metrics = malloc((n ? n : 1) * sizeof *r->metrics);
    r->message = calloc(n ? n : 1, sizeof *r->message);
    if (!r->status || !r->metrics || !r->message) {
        sweep_results_release(r);
        return DCSIM_ENOMEM;
    }
    for (size_t c = 0; c < n; c++) {
        r->status[c] = CASE_PENDING;
        for (int k = 0; k < N_METRICS; k++)
            r->metrics[c][k] = NAN;
    }
    return 0;
}

void sweep_results_release(struct sweep_results *r)
{
    if (!r)
        return;
    free(r->status);
    free(r->metrics);
    free(r->message);
    memset(r, 0, sizeof *r);
}

size_t sweep_results_done(const struct sweep_results *r)
{
    size_t n = 0;
    for (size_t c = 0; c < r->n_cases; c++)
        n += r->status[c] != CASE_PENDING;
    return n;
}

/* Row layout: case int64 | per var: double or char[SWEEP_VALUE_MAX] | status int32 |
 * message char[SWEEP_MESSAGE_MAX] | N_METRICS doubles. */
struct layout {
    size_t row_size, var_off[64], status_off, message_off, metrics_off;
};

static void make_layout(const struct sweep *sw, struct layout *l)
{
    size_t off = sizeof(int64_t);
    for (size_t v = 0; v < sw->n_vars && v < 64; v++) {
        l->var_off[v] = off;
        off += sw->vars[v].numeric ? sizeof(double) : SWEEP_VALUE_MAX;
    }
    l->status_off = off;
    off += sizeof(int32_t);
    l->message_off = off;
    off += SWEEP_MESSAGE_MAX;
    l->metrics_off = off;
    off += N_METRICS * sizeof(double);
    l->row_size = off;
}

static hid_t make_type(const struct sweep *sw, const struct layout *l, hid_t *str_types)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, l->row_size);
    str_types[0] = H5Tcopy(H5T_C_S1);
    str_types[1] = H5Tcopy(H5T_C_S1);
    if (t < 0 || str_types[0] < 0 || str_types[1] < 0)
        return -1;
    H5Tset_size(str_types[0], SWEEP_VALUE_MAX);
    H5Tset_strpad(str_types[0], H5T_STR_NULLTERM);
    H5Tset_size(str_types[1], SWEEP_MESSAGE_MAX);
    H5Tset_strpad(str_types[1], H5T_STR_NULLTERM);
    herr_t e = H5Tinsert(t, "case", 0, H5T_NATIVE_INT64);
    for (size_t v = 0; v < sw->n_vars && e >= 0; v++)
        e = H5Tinsert(t, sw->vars[v].path, l->var_off[v],
                      sw->vars[v].numeric ? H5T_NATIVE_DOUBLE : str_types[0]);
    if (e >= 0)
        e = H5Tinsert(t, "status", l->status_off, H5T_NATIVE_INT32);
    if (e >= 0)
        e = H5Tinsert(t, "message", l->message_off, str_types[1]);
    for (int k = 0; k < N_METRICS && e >= 0; k++)
        e = H5Tinsert(t, metric_names[k], l->metrics_off + (size_t)k * sizeof(double),
                      H5T_NATIVE_DOUBLE);
    if (e < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static void fill_rows(const struct sweep *sw, const struct sweep_results *r, const struct layout *l,
                      unsigned char *rows)
{
    memset(rows, 0, r->n_cases * l->row_size);
    for (size_t c = 0; c < r->n_cases; c++) {
        unsigned char *row = rows + c * l->row_size;
        int64_t ci = (int64_t)c;
        memcpy(row, &ci, sizeof ci);
        for (size_t v = 0; v < sw->n_vars && v < 64; v++) {
            const char *text = sw->vars[v].values[sweep_value_index(sw, c, v)];
            if (sw->vars[v].numeric) {
                double x = strtod(text, NULL);
                memcpy(row + l->var_off[v], &x, sizeof x);
            } else {
                snprintf((char *)row + l->var_off[v], SWEEP_VALUE_MAX, "%s", text);
            }
        }
        int32_t st = r->status[c];
        memcpy(row + l->status_off, &st, sizeof st);
        snprintf((char *)row + l->message_off, SWEEP_MESSAGE_MAX, "%s", r->message[c]);
        memcpy(row + l->metrics_off, r->metrics[c], sizeof r->metrics[c]);
    }
}

static herr_t put_text_attr(hid_t loc, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = a >= 0 ? H5Awrite(a, t, &value) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    return e;
}

static herr_t put_i64_attr(hid_t loc, const char *name, int64_t value)
{
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = a >= 0 ? H5Awrite(a, H5T_NATIVE_INT64, &value) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(s);
    return e;
}

static char *tmp_name(const char *dest)
{
    size_t n = strlen(dest) + 32;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%s.tmp.%ld", dest, (long)getpid());
    return t;
}

int sweep_write_h5(const char *dest, const struct sweep *sw, const struct sweep_results *r,
                   struct diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct layout l;
    make_layout(sw, &l);
    char *tmp = tmp_name(dest);
    unsigned char *rows = malloc(r->n_cases ? r->n_cases * l.row_size : 1);
    if (!tmp || !rows) {
        free(tmp);
        free(rows);
        return DCSIM_ENOMEM;
    }
    fill_rows(sw, r, &l, rows);
    hid_t strs[2] = {-1, -1};
    hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t type = file >= 0 ? make_type(sw, &l, strs) : -1;
    hsize_t dims[1] = {r->n_cases};
    hid_t space = type >= 0 ? H5Screate_simple(1, dims, NULL) : -1;
    hid_t ds = space >= 0 ? H5Dcreate2(file, "cases", type, space, H5P_DEFAULT, H5P_DEFAULT,
                                       H5P_DEFAULT) : -1;
    herr_t e = ds >= 0 && r->n_cases ? H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows)
                                     : (ds >= 0 ? 0 : -1);
    if (e >= 0)
        e = put_text_attr(file, "dcsim_version", DCSIM_VERSION);
    if (e >= 0)
        e = put_text_attr(file, "sweep", sw->path);
    if (e >= 0)
        e = put_text_attr(file, "base", sw->base_path);
    if (e >= 0)
        e = put_text_attr(file, "mode", sw->zip ? "zip" : "grid");
    if (e >= 0)
        e = put_i64_attr(file, "n_cases", (int64_t)r->n_cases);
    char fp[32];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)sw->fingerprint);
    if (e >= 0)
        e = put_text_attr(file, "fingerprint", fp);
    if (e >= 0)
        e = put_i64_attr(file, "cases_done", (int64_t)sweep_results_done(r));
    if (ds >= 0)
        H5Dclose(ds);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    for (int i = 0; i < 2; i++)
        if (strs[i] >= 0)
            H5Tclose(strs[i]);
    if (file >= 0 && H5Fclose(file) < 0)
        e = -1;
    free(rows);
    int rc = 0;
    if (file < 0 || e < 0) {
        diag_error(d, dest, 0, 0, "cannot write the sweep table (%s)",
                   file < 0 ? strerror(errno) : "HDF5 write failed");
        rc = DCSIM_EIO;
    } else if (rename(tmp, dest) != 0) {
        diag_error(d, dest, 0, 0, "cannot rename the sweep table into place: %s", strerror(errno));
        rc = DCSIM_EIO;
    }
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

static void csv_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int sweep_write_csv(const char *dest, const struct sweep *sw, const struct sweep_results *r,
                    struct diag *d)
{
    char *tmp = tmp_name(dest);
    if (!tmp)
        return DCSIM_ENOMEM;
    FILE *f = fopen(tmp, "w");
    if (!f) {
        diag_error(d, dest, 0, 0, "cannot write CSV: %s", strerror(errno));
        free(tmp);
        return DCSIM_EIO;
    }
    fputs("case", f);
    for (size_t v = 0; v < sw->n_vars; v++)
        fprintf(f, ",%s", sw->vars[v].path);
    fputs(",status,message", f);
    for (int k = 0; k < N_METRICS; k++)
        fprintf(f, ",%s", metric_names[k]);
    fputc('\n', f);
    for (size_t c = 0; c < r->n_cases; c++) {
        fprintf(f, "%zu", c);
        for (size_t v = 0; v < sw->n_vars; v++) {
            fputc(',', f);
            const char *text = sw->vars[v].values[sweep_value_index(sw, c, v)];
            if (sw->vars[v].numeric)
                fputs(text, f);
            else
                csv_text(f, text);
        }
        fprintf(f, ",%d,", r->status[c]);
        csv_text(f, r->message[c]);
        for (int k = 0; k < N_METRICS; k++) {
            if (isnan(r->metrics[c][k]))
                fputs(",", f);
            else
                fprintf(f, ",%.17g", r->metrics[c][k]);
        }
        fputc('\n', f);
    }
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    int rc = 0;
    if (bad || rename(tmp, dest) != 0) {
        diag_error(d, dest, 0, 0, "cannot write CSV: %s", strerror(errno));
        unlink(tmp);
        rc = DCSIM_EIO;
    }
    free(tmp);
    return rc;
}

/* A root string attribute (variable length), or nonzero. */
static int read_text_attr(const char *path, const char *name, char **out)
{
    *out = NULL;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return -1;
    hid_t a = H5Aexists(file, name) > 0 ? H5Aopen(file, name, H5P_DEFAULT) : -1;
    int rc = -1;
    if (a >= 0) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        char *v = NULL;
        if (H5Aread(a, t, &v) >= 0 && v) {
            *out = strdup(v);
            rc = *out ? 0 : -1;
            H5free_memory(v);
        }
        H5Tclose(t);
        H5Aclose(a);
    }
    H5Fclose(file);
    return rc;
}

/* Reads /cases with a memory type holding only the members asked for (HDF5 converts by
 * member name). */
static int read_cases(const char *path, hid_t mem_type, size_t row_size, unsigned char **rows,
                      size_t *n, struct diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    *rows = NULL;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) {
        diag_error(d, path, 0, 0, "cannot open as HDF5");
        return DCSIM_EINPUT;
    }
    hid_t ds = H5Dopen2(file, "cases", H5P_DEFAULT);
    hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
    hssize_t count = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    int rc = 0;
    if (count < 0) {
        diag_error(d, path, 0, 0, "no /cases table: not a sweep file");
        rc = DCSIM_EINPUT;
    } else {
        *n = (size_t)count;
        *rows = malloc(count ? (size_t)count * row_size : 1);
        if (!*rows)
            rc = DCSIM_ENOMEM;
        else if (count && H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *rows) < 0) {
            diag_error(d, path, 0, 0, "cannot read /cases (columns differ from this version's)");
            rc = DCSIM_EINPUT;
        }
    }
    if (space >= 0)
        H5Sclose(space);
    if (ds >= 0)
        H5Dclose(ds);
    H5Fclose(file);
    if (rc) {
        free(*rows);
        *rows = NULL;
    }
    return rc;
}

int sweep_read_h5(const char *path, const struct sweep *sw, struct sweep_results *r,
                  struct diag *d)
{
    struct layout l;
    make_layout(sw, &l);
    hid_t strs[2] = {-1, -1};
    hid_t type = make_type(sw, &l, strs);
    unsigned char *rows = NULL;
    size_t n = 0;
    int rc = type >= 0 ? read_cases(path, type, l.row_size, &rows, &n, d) : DCSIM_EINTERNAL;
    if (type >= 0)
        H5Tclose(type);
    for (int i = 0; i < 2; i++)
        if (strs[i] >= 0)
            H5Tclose(strs[i]);
    if (rc)
        return rc;
    if (n != r->n_cases) {
        diag_error(d, path, 0, 0, "cannot resume: it holds %zu cases, this sweep has %zu", n,
                   r->n_cases);
        free(rows);
        return DCSIM_EINPUT;
    }
    char fp[32], *have = NULL;
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)sw->fingerprint);
    if (read_text_attr(path, "fingerprint", &have) || strcmp(have, fp) != 0) {
        diag_error(d, path, 0, 0, "cannot resume: it was written by another sweep or base "
                   "scenario (their text changed)");
        free(have);
        free(rows);
        return DCSIM_EINPUT;
    }
    free(have);
    /* the varied values must match case by case */
    unsigned char *expect = malloc(n ? n * l.row_size : 1);
    if (!expect) {
        free(rows);
        return DCSIM_ENOMEM;
    }
    fill_rows(sw, r, &l, expect);
    for (size_t c = 0; c < n && !rc; c++)
        for (size_t v = 0; v < sw->n_vars && v < 64 && !rc; v++) {
            size_t w = sw->vars[v].numeric ? sizeof(double) : SWEEP_VALUE_MAX;
            if (memcmp(rows + c * l.row_size + l.var_off[v], expect + c * l.row_size + l.var_off[v], w)) {
                diag_error(d, path, 0, 0, "cannot resume: case %zu has another value of '%s'", c,
                           sw->vars[v].path);
                rc = DCSIM_EINPUT;
            }
        }
    for (size_t c = 0; c < n && !rc; c++) {
        const unsigned char *row = rows + c * l.row_size;
        int32_t st;
        memcpy(&st, row + l.status_off, sizeof st);
        if (st == CASE_PENDING)
            continue;
        r->status[c] = st;
        memcpy(r->message[c], row + l.message_off, SWEEP_MESSAGE_MAX);
        r->message[c][SWEEP_MESSAGE_MAX - 1] = '\0';
        memcpy(r->metrics[c], row + l.metrics_off, sizeof r->metrics[c]);
    }
    free(expect);
    free(rows);
    return rc;
}

int sweep_read_case(const char *path, long case_index, double *metrics, int *status,
                    struct diag *d)
{
    /* only status and the metrics, by name: works whatever the varied columns are */
    size_t row_size = sizeof(int32_t) + N_METRICS * sizeof(double);
    hid_t t = H5Tcreate(H5T_COMPOUND, row_size);
    H5Tinsert(t, "status", 0, H5T_NATIVE_INT32);
    for (int k = 0; k < N_METRICS; k++)
        H5Tinsert(t, metric_names[k], sizeof(int32_t) + (size_t)k * sizeof(double),
                  H5T_NATIVE_DOUBLE);
    unsigned char *rows = NULL;
    size_t n = 0;
    int rc = read_cases(path, t, row_size, &rows, &n, d);
    H5Tclose(t);
    if (rc)
        return rc;
    if (case_index < 0 || (size_t)case_index >= n) {
        diag_error(d, path, 0, 0, "no case %ld (the sweep has %zu)", case_index, n);
        free(rows);
        return DCSIM_EINPUT;
    }
    const unsigned char *row = rows + (size_t)case_index * row_size;
    int32_t st;
    memcpy(&st, row, sizeof st);
    *status = st;
    memcpy(metrics, row + sizeof(int32_t), N_METRICS * sizeof(double));
    free(rows);
    return 0;
}
