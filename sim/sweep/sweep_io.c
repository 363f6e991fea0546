/* sweep_io.c — the /cases table of a sweep in HDF5 and CSV (see sweep_io.h). */
#include "sweep_io.h"

#include "h5in.h"
#include "h5out.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
    size_t row_size, var_off[SWEEP_MAX_VARS], status_off, message_off, metrics_off;
};

static void make_layout(const struct sweep *sw, struct layout *l)
{
    size_t off = sizeof(int64_t);
    for (size_t v = 0; v < sw->n_vars && v < SWEEP_MAX_VARS; v++) {
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
    if (t < 0 || str_types[0] < 0 || str_types[1] < 0) {
        if (t >= 0)
            H5Tclose(t);
        return -1;
    }
    H5Tset_size(str_types[0], SWEEP_VALUE_MAX);
    H5Tset_strpad(str_types[0], H5T_STR_NULLTERM);
    H5Tset_size(str_types[1], SWEEP_MESSAGE_MAX);
    H5Tset_strpad(str_types[1], H5T_STR_NULLTERM);
    herr_t e = H5Tinsert(t, "case", 0, H5T_NATIVE_INT64);
    for (size_t v = 0; v < sw->n_vars && v < SWEEP_MAX_VARS && e >= 0; v++)
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
        for (size_t v = 0; v < sw->n_vars && v < SWEEP_MAX_VARS; v++) {
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

/* A private directory beside dest, "DEST.tmp.XXXXXX" made by mkdtemp (mode 0700, a name
 * nobody can predict): nothing another user plants can be in it, so the table is built
 * there and renamed onto dest when complete; a link planted at any guessable name is never
 * followed. Returns the directory (owned) or NULL with errno set. */
static char *private_dir(const char *dest)
{
    size_t n = strlen(dest) + sizeof ".tmp.XXXXXX";
    char *dir = malloc(n);
    if (!dir)
        return NULL;
    snprintf(dir, n, "%s.tmp.XXXXXX", dest);
    if (!mkdtemp(dir)) {
        int e = errno;
        free(dir);
        errno = e;
        return NULL;
    }
    return dir;
}

/* DIR/NAME, owned. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Renames the finished file onto dest (or removes it when rc is set), then removes the
 * private directory. */
static int finish_private(const char *dest, char *dir, char *file, int rc, const char *what,
                          struct diag *d)
{
    if (!rc && rename(file, dest) != 0) {
        diag_error(d, dest, 0, 0, "cannot rename the %s into place: %s", what, strerror(errno));
        rc = DCSIM_EIO;
    }
    if (rc && file)
        unlink(file);
    rmdir(dir);
    free(file);
    free(dir);
    return rc;
}

int sweep_write_h5(const char *dest, const struct sweep *sw, const struct sweep_results *r,
                   struct diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct layout l;
    make_layout(sw, &l);
    if (l.row_size && r->n_cases > SIZE_MAX / l.row_size)
        return DCSIM_ENOMEM;
    unsigned char *rows = malloc(r->n_cases ? r->n_cases * l.row_size : 1);
    if (!rows)
        return DCSIM_ENOMEM;
    char *dir = private_dir(dest);
    char *tmp = dir ? join(dir, "cases.h5") : NULL;
    if (!tmp) {
        int e = errno;
        free(rows);
        if (dir) {
            rmdir(dir);
            free(dir);
            return DCSIM_ENOMEM;
        }
        diag_error(d, dest, 0, 0, "cannot write the sweep table (%s)", strerror(e));
        return e == ENOMEM ? DCSIM_ENOMEM : DCSIM_EIO;
    }
    fill_rows(sw, r, &l, rows);
    hid_t strs[2] = {-1, -1};
    /* no modification times anywhere: the same sweep gives the same bytes */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    herr_t e = fcpl >= 0 && dcpl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0 &&
               H5Pset_obj_track_times(dcpl, 0) >= 0 ? 0 : -1;
    hid_t file = e >= 0 ? H5Fcreate(tmp, H5F_ACC_EXCL, fcpl, H5P_DEFAULT) : -1;
    int create_errno = errno;
    hid_t type = file >= 0 ? make_type(sw, &l, strs) : -1;
    hsize_t dims[1] = {r->n_cases};
    hid_t space = type >= 0 ? H5Screate_simple(1, dims, NULL) : -1;
    hid_t ds = space >= 0 ? H5Dcreate2(file, "cases", type, space, H5P_DEFAULT, dcpl,
                                       H5P_DEFAULT) : -1;
    e = ds >= 0 && r->n_cases ? H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows)
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
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (file >= 0 && H5Fclose(file) < 0)
        e = -1;
    free(rows);
    int rc = 0;
    if (file < 0 || e < 0) {
        diag_error(d, dest, 0, 0, "cannot write the sweep table (%s)",
                   file < 0 ? strerror(create_errno) : "HDF5 write failed");
        rc = DCSIM_EIO;
    }
    return finish_private(dest, dir, tmp, rc, "sweep table", d);
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
    char *dir = private_dir(dest);
    char *tmp = dir ? join(dir, "cases.csv") : NULL;
    int fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0666) : -1;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        if (!dir) {
            diag_error(d, dest, 0, 0, "cannot write CSV: %s", strerror(e));
            return DCSIM_EIO;
        }
        if (tmp)
            diag_error(d, dest, 0, 0, "cannot write CSV: %s", strerror(e));
        return finish_private(dest, dir, tmp, tmp ? DCSIM_EIO : DCSIM_ENOMEM,
                              "CSV", d);
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
    if (bad)
        diag_error(d, dest, 0, 0, "cannot write CSV: %s", strerror(errno));
    return finish_private(dest, dir, tmp, bad ? DCSIM_EIO : 0, "CSV", d);
}

/* 1 when HDF5 can convert a file member of class `have` to a memory member of class `want`. */
static int classes_match(H5T_class_t want, H5T_class_t have)
{
    if (want == H5T_INTEGER || want == H5T_FLOAT)
        return have == H5T_INTEGER || have == H5T_FLOAT;
    return want == have;
}

/* 1 when every member of the file's compound type lies inside its row and has a size: a
 * damaged type otherwise makes HDF5 1.10's conversion read outside its own buffers (found
 * by fuzz_h5read). */
static int members_fit(hid_t ft)
{
    size_t row = H5Tget_size(ft);
    int n = H5Tget_nmembers(ft);
    if (row == 0 || n <= 0)
        return 0;
    for (int i = 0; i < n; i++) {
        hid_t mt = H5Tget_member_type(ft, (unsigned)i);
        size_t off = H5Tget_member_offset(ft, (unsigned)i);
        size_t size = mt >= 0 ? H5Tget_size(mt) : 0;
        H5T_class_t cls = mt >= 0 ? H5Tget_class(mt) : H5T_NO_CLASS;
        if (mt >= 0)
            H5Tclose(mt);
        if (size == 0 || off > row || size > row - off || cls == H5T_NO_CLASS)
            return 0;
    }
    return 1;
}

/* Checks that /cases is a 1-D compound table holding, by name and kind, every member of
 * mem_type (members named in `optional_from` and after may be absent: their bytes keep what
 * the caller put there). Sets *count to the number of rows. */
static int check_cases(const char *path, hid_t ds, hid_t mem_type, int optional_from,
                       hsize_t *count, struct diag *d)
{
    hid_t space = H5Dget_space(ds), ft = H5Dget_type(ds);
    int rc = 0;
    if (space < 0 || ft < 0 || H5Sget_simple_extent_ndims(space) != 1 ||
        H5Tget_class(ft) != H5T_COMPOUND) {
        diag_error(d, path, 0, 0, "/cases is not a one-dimensional table: not a sweep file");
        rc = DCSIM_EINPUT;
    } else if (!members_fit(ft)) {
        diag_error(d, path, 0, 0, "/cases has a damaged row type (columns outside the row)");
        rc = DCSIM_EINPUT;
    } else {
        H5Sget_simple_extent_dims(space, count, NULL);
        int n = H5Tget_nmembers(mem_type);
        for (int i = 0; i < n && !rc; i++) {
            char *name = H5Tget_member_name(mem_type, (unsigned)i);
            int at = name ? H5Tget_member_index(ft, name) : -1;
            if (name && at < 0 && i < optional_from) {
                diag_error(d, path, 0, 0, "cannot read /cases: no column '%s' (written by another "
                           "version or another sweep)", name);
                rc = DCSIM_EINPUT;
            } else if (name && at >= 0 &&
                       !classes_match(H5Tget_member_class(mem_type, (unsigned)i),
                                      H5Tget_member_class(ft, (unsigned)at))) {
                diag_error(d, path, 0, 0, "cannot read /cases: column '%s' has the wrong type", name);
                rc = DCSIM_EINPUT;
            } else if (!name) {
                rc = DCSIM_ENOMEM;
            }
            H5free_memory(name);
        }
    }
    if (ft >= 0)
        H5Tclose(ft);
    if (space >= 0)
        H5Sclose(space);
    H5Eclear2(H5E_DEFAULT);
    return rc;
}

/* Reads /cases with a memory type holding only the members asked for (HDF5 converts by
 * member name). want < 0: every row, which must be exactly `expect_n` (checked before any
 * allocation, so a file's claimed size never drives one); want >= 0: that row alone.
 * *rows (zeroed, then filled) is owned by the caller; *n is the file's row count. */
static int read_cases_direct(const char *path, hid_t mem_type, size_t row_size,
                             int optional_from, long want, size_t expect_n,
                             const unsigned char *init, unsigned char **rows, size_t *n,
                             struct diag *d)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    *rows = NULL;
    *n = 0;
    int64_t file, ds;
    int rc = h5in_open_dataset(path, "/cases", &file, &ds, d);
    if (rc)
        return rc == DCSIM_EIO ? DCSIM_EINPUT : rc;
    hsize_t count = 0;
    rc = check_cases(path, ds, mem_type, optional_from, &count, d);
    size_t n_read = 0;
    hid_t fspace = -1, mspace = -1;
    int read_failed = 0;
    if (!rc && want < 0) {
        if (count != expect_n) {
            diag_error(d, path, 0, 0, "cannot resume: it holds %llu cases, this sweep has %zu",
                       (unsigned long long)count, expect_n);
            rc = DCSIM_EINPUT;
        }
        n_read = expect_n;
    } else if (!rc) {
        if ((hsize_t)want >= count) {
            diag_error(d, path, 0, 0, "no case %ld (the sweep has %llu)", want,
                       (unsigned long long)count);
            rc = DCSIM_EINPUT;
        }
        n_read = 1;
    }
    if (!rc && row_size && n_read > SIZE_MAX / row_size)
        rc = DCSIM_ENOMEM;
    if (!rc) {
        *rows = calloc(n_read ? n_read : 1, row_size);
        if (!*rows)
            rc = DCSIM_ENOMEM;
        for (size_t i = 0; !rc && init && i < n_read; i++)
            memcpy(*rows + i * row_size, init, row_size);
    }
    if (!rc && n_read && want >= 0) {
        hsize_t start[1] = {(hsize_t)want}, one[1] = {1};
        fspace = H5Dget_space((hid_t)ds);
        mspace = H5Screate_simple(1, one, NULL);
        if (fspace < 0 || mspace < 0 ||
            H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, one, NULL) < 0 ||
            H5Dread((hid_t)ds, mem_type, mspace, fspace, H5P_DEFAULT, *rows) < 0)
            read_failed = 1;
    } else if (!rc && n_read &&
               H5Dread((hid_t)ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *rows) < 0) {
        read_failed = 1;
    }
    if (read_failed) {
        diag_error(d, path, 0, 0, "cannot read /cases (columns differ from this version's)");
        rc = DCSIM_EINPUT;
    }
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    h5in_close_dataset(&file, &ds);
    if (rc) {
        free(*rows);
        *rows = NULL;
    } else {
        *n = (size_t)count;
    }
    return rc;
}

struct read_cases_args {
    const char *path;
    hid_t mem_type;
    size_t row_size;
    int optional_from;
    long want;
    size_t expect_n;
    const unsigned char *init;
    unsigned char **rows;
    size_t *n;
};

static int read_cases_op(void *ctx, struct diag *d)
{
    struct read_cases_args *a = ctx;
    return read_cases_direct(a->path, a->mem_type, a->row_size, a->optional_from, a->want,
                             a->expect_n, a->init, a->rows, a->n, d);
}

/* read_cases_direct in a child first (h5in_isolated): a file that crashes HDF5 is refused. */
static int read_cases(const char *path, hid_t mem_type, size_t row_size, int optional_from,
                      long want, size_t expect_n, const unsigned char *init,
                      unsigned char **rows, size_t *n, struct diag *d)
{
    *rows = NULL;
    *n = 0;
    struct read_cases_args a = {path, mem_type, row_size, optional_from, want, expect_n, init,
                                rows, n};
    return h5in_isolated(path, read_cases_op, &a, d);
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
    int rc = type >= 0 ? read_cases(path, type, l.row_size, INT_MAX, -1, r->n_cases, NULL,
                                    &rows, &n, d)
                       : DCSIM_EINTERNAL;
    if (type >= 0)
        H5Tclose(type);
    for (int i = 0; i < 2; i++)
        if (strs[i] >= 0)
            H5Tclose(strs[i]);
    if (rc)
        return rc;
    char fp[32], *have = NULL;
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)sw->fingerprint);
    struct diag quiet;
    diag_init(&quiet);
    int arc = h5in_read_attr_text(path, "/", "fingerprint", &have, &quiet);
    diag_release(&quiet);
    if (arc == DCSIM_ENOMEM) {
        free(rows);
        return arc;
    }
    if (arc || strcmp(have, fp) != 0) {
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
        for (size_t v = 0; v < sw->n_vars && v < SWEEP_MAX_VARS && !rc; v++) {
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
    /* only status and the metrics, by name: works whatever the varied columns are; a metric
     * the file lacks (an older version) stays NaN */
    size_t row_size = sizeof(int32_t) + N_METRICS * sizeof(double);
    hid_t t = H5Tcreate(H5T_COMPOUND, row_size);
    if (t < 0)
        return DCSIM_ENOMEM;
    herr_t e = H5Tinsert(t, "status", 0, H5T_NATIVE_INT32);
    for (int k = 0; k < N_METRICS && e >= 0; k++)
        e = H5Tinsert(t, metric_names[k], sizeof(int32_t) + (size_t)k * sizeof(double),
                      H5T_NATIVE_DOUBLE);
    unsigned char init[sizeof(int32_t) + N_METRICS * sizeof(double)] = {0};
    for (int k = 0; k < N_METRICS; k++) {
        double nan = NAN;
        memcpy(init + sizeof(int32_t) + (size_t)k * sizeof(double), &nan, sizeof nan);
    }
    unsigned char *rows = NULL;
    size_t n = 0;
    int rc = e < 0 ? DCSIM_EINTERNAL : DCSIM_EINPUT;
    if (e >= 0 && case_index < 0)
        diag_error(d, path, 0, 0, "no case %ld", case_index);
    else if (e >= 0)
        rc = read_cases(path, t, row_size, 1, case_index, 0, init, &rows, &n, d);
    H5Tclose(t);
    if (rc)
        return rc;
    int32_t st;
    memcpy(&st, rows, sizeof st);
    *status = st;
    memcpy(metrics, rows + sizeof(int32_t), N_METRICS * sizeof(double));
    free(rows);
    return 0;
}
