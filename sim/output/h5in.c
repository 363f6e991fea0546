/* h5in.c — the small HDF5 reader (compare, fit, report, tests, sweep --resume): opens a result
 * read-only, refuses external, soft and user-defined links, checks types and sizes. */
#include "h5in.h"
#include "h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "results.h"

_Static_assert(sizeof(hid_t) == sizeof(int64_t), "h5in_open_dataset passes hid_t as int64_t");

__attribute__((format(printf, 4, 5)))
static int read_fail(struct diag *d, const char *path, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = h5u_vreport(d, path, "cannot read result", status, status == DCSIM_EIO, fmt, ap);
    va_end(ap);
    return r;
}


/* ---- isolation: reading untrusted files in a child process ----
 * HDF5 1.10.8 can crash on a crafted file (a NULL dereference inside H5Lexists on a damaged
 * v2 B-tree header: tests/fuzz/hdf5-crashes): dcsim cannot check HDF5's own structures before
 * HDF5 parses them. So every read first runs in a forked child; only when the child finished
 * (with or without an error) does the same deterministic read run in this process. A child
 * that dies (a signal, or a sanitizer's exit) makes the read fail with a message instead. */

#define CHILD_DONE_OK 0x5a    /* the child's read returned 0 */
#define CHILD_DONE_ERR 0x5b   /* the child's read returned an error (the parent repeats it) */
#define CHILD_TIMEOUT_S 60    /* a read that hangs inside HDF5 is a damaged file too */

static int in_isolated_child;   /* set in the child: nested reads run directly */
/* >0 while this thread repeats a read a child finished: nested reads are proven too */
static _Thread_local int proven_depth;

/* op in this process, after a child finished it: nested isolated reads run directly. */
static int run_proven(h5in_read_op op, void *ctx, struct diag *d)
{
    proven_depth++;
    int r = op(ctx, d);
    proven_depth--;
    return r;
}

int h5in_isolated(const char *path, h5in_read_op op, void *ctx, struct diag *d)
{
    if (in_isolated_child || proven_depth > 0)
        return op(ctx, d);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return op(ctx, d);   /* cannot isolate (no processes left): read here */
    if (pid == 0) {
        in_isolated_child = 1;
        alarm(CHILD_TIMEOUT_S);   /* SIGALRM's default action ends the child */
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {   /* a crash report of the child is noise: the parent says it */
            dup2(null_fd, STDERR_FILENO);
            dup2(null_fd, STDOUT_FILENO);
        }
        struct diag child_d;
        diag_init(&child_d);
        int r = op(ctx, &child_d);
        _exit(r ? CHILD_DONE_ERR : CHILD_DONE_OK);   /* nothing of the child is kept */
    }
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (w < 0)
        return op(ctx, d);
    if (WIFEXITED(st) && (WEXITSTATUS(st) == CHILD_DONE_OK || WEXITSTATUS(st) == CHILD_DONE_ERR))
        return run_proven(op, ctx, d);
    /* killed by a signal, or ended by a sanitizer's report (exit 1 under ASan) */
    char how[96];
    if (WIFSIGNALED(st))
        snprintf(how, sizeof how, "signal %d, %s", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(how, sizeof how, "exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return read_fail(d, path, DCSIM_EINPUT,
                     "the file is damaged: the HDF5 library crashed reading it (%s); nothing "
                     "was read from it", how);
}

/* Opens `path` read-only. DCSIM_EIO with errno's or HDF5's reason on failure. */
static int open_read(const char *path, hid_t *file, struct diag *d)
{
    h5u_setup();
    *file = H5I_INVALID_HID;
    if (!path)
        return read_fail(d, path, DCSIM_EINTERNAL, "no path");
    /* Open it ourselves first: HDF5's message for a missing file is long and indirect. */
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return read_fail(d, path, DCSIM_EIO, "%s", strerror(errno));
    close(fd);
    htri_t is = H5Fis_hdf5(path);
    if (is == 0) {
        H5Eclear2(H5E_DEFAULT);
        return read_fail(d, path, DCSIM_EIO, "not an HDF5 file");
    }
    hid_t fapl = is > 0 ? h5u_file_access_plist() : H5I_INVALID_HID;
    *file = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : H5I_INVALID_HID;
    h5u_close_plist(&fapl);
    if (*file < 0)
        return read_fail(d, path, DCSIM_EIO, "cannot open the file");
    return 0;
}

/* H5Pset_elink_cb callback: refuses every external link, so a result file can never make
 * the reader open another file (belt and braces: check_links already refuses them). */
static herr_t deny_external_link(const char *parent_file, const char *parent_group,
                                 const char *child_file, const char *child_object,
                                 unsigned *acc_flags, hid_t fapl, void *data)
{
    (void)parent_file, (void)parent_group, (void)child_file, (void)child_object;
    (void)acc_flags, (void)fapl, (void)data;
    return -1;
}

/* Walks obj_path one component at a time and accepts only hard links: an external link
 * would open another file, a soft or user-defined one could lead there too. Our writer makes
 * hard links only. DCSIM_EINPUT when a component is missing or is another kind of link. */
static int check_links(hid_t file, const char *path, const char *obj_path, struct diag *d)
{
    char *buf = h5u_str_dup(obj_path);
    if (!buf)
        return read_fail(d, path, DCSIM_ENOMEM, "out of memory");
    size_t len = strlen(buf);
    int r = 0;
    for (size_t i = 1; i <= len && !r; i++) {
        if ((i < len && buf[i] != '/') || buf[i - 1] == '/')
            continue;
        char save = buf[i];
        buf[i] = '\0';
        H5L_info_t li;
        htri_t ex = H5Lexists(file, buf, H5P_DEFAULT);
        if (ex <= 0) {
            H5Eclear2(H5E_DEFAULT);
            r = read_fail(d, path, DCSIM_EINPUT, "no object '%s'", obj_path);
        } else if (H5Lget_info(file, buf, &li, H5P_DEFAULT) < 0) {
            r = read_fail(d, path, DCSIM_EIO, "cannot look up '%s'", buf);
        } else if (li.type != H5L_TYPE_HARD) {
            r = read_fail(d, path, DCSIM_EINPUT, "'%s' is %s link: refused (result files "
                          "hold plain objects only)", buf,
                          li.type == H5L_TYPE_EXTERNAL ? "an external" : "a soft or user-defined");
        }
        buf[i] = save;
    }
    free(buf);
    return r;
}

/* Opens the object at obj_path ("/", a group or a dataset): DCSIM_EINPUT when none or when
 * the path goes through anything but hard links. */
static int open_object(hid_t file, const char *path, const char *obj_path, hid_t *out,
                       struct diag *d)
{
    *out = H5I_INVALID_HID;
    if (!obj_path || !obj_path[0])
        return read_fail(d, path, DCSIM_EINTERNAL, "no object path");
    int r = strcmp(obj_path, "/") == 0 ? 0 : check_links(file, path, obj_path, d);
    if (r)
        return r;
    hid_t lapl = H5Pcreate(H5P_LINK_ACCESS);
    if (lapl >= 0 && H5Pset_elink_cb(lapl, deny_external_link, NULL) >= 0)
        *out = H5Oopen(file, obj_path, lapl);
    h5u_close_plist(&lapl);
    if (*out < 0)
        return read_fail(d, path, DCSIM_EIO, "cannot open '%s'", obj_path);
    return 0;
}

static int open_dataset_direct(const char *path, const char *dataset_path, int64_t *file,
                               int64_t *dataset, struct diag *d)
{
    hid_t f, ds = H5I_INVALID_HID;
    *file = *dataset = H5I_INVALID_HID;
    int r = open_read(path, &f, d);
    if (r)
        return r;
    r = open_object(f, path, dataset_path, &ds, d);
    if (!r && H5Iget_type(ds) != H5I_DATASET)
        r = read_fail(d, path, DCSIM_EINPUT, "'%s' is not a dataset", dataset_path);
    if (r) {
        h5u_close_obj(&ds);
        H5Fclose(f);
        H5Eclear2(H5E_DEFAULT);
        return r;
    }
    *file = f;
    *dataset = ds;
    return 0;
}

struct open_probe {
    const char *path, *dataset_path;
};

static int open_probe_op(void *ctx, struct diag *d)
{
    struct open_probe *p = ctx;
    int64_t f, ds;
    int r = open_dataset_direct(p->path, p->dataset_path, &f, &ds, d);
    if (!r)
        h5in_close_dataset(&f, &ds);
    return r;
}

int h5in_open_dataset(const char *path, const char *dataset_path, int64_t *file,
                      int64_t *dataset, struct diag *d)
{
    *file = *dataset = H5I_INVALID_HID;
    /* opening alone can crash HDF5: try it in a child first (unless already proven) */
    if (!in_isolated_child && proven_depth == 0) {
        struct open_probe probe = {path, dataset_path};
        int r = h5in_isolated(path, open_probe_op, &probe, d);
        if (r)
            return r;
    }
    return open_dataset_direct(path, dataset_path, file, dataset, d);
}

void h5in_close_dataset(int64_t *file, int64_t *dataset)
{
    hid_t ds = *dataset;
    h5u_close_obj(&ds);
    if (*file >= 0)
        H5Fclose(*file);
    *file = *dataset = H5I_INVALID_HID;
    H5Eclear2(H5E_DEFAULT);
}

/* Opens file, object and its attribute `name`; on failure everything is closed. */
static int open_attr(const char *path, const char *obj_path, const char *name, hid_t *file,
                     hid_t *obj, hid_t *attr, struct diag *d)
{
    *obj = *attr = H5I_INVALID_HID;
    int r = open_read(path, file, d);
    if (r == 0)
        r = open_object(*file, path, obj_path, obj, d);
    if (r == 0 && !name)
        r = read_fail(d, path, DCSIM_EINTERNAL, "no attribute name");
    if (r == 0) {
        htri_t exists = H5Aexists(*obj, name);
        if (exists == 0)
            r = read_fail(d, path, DCSIM_EINPUT, "'%s' has no attribute '%s'", obj_path, name);
        else if (exists < 0 || (*attr = H5Aopen(*obj, name, H5P_DEFAULT)) < 0)
            r = read_fail(d, path, DCSIM_EIO, "cannot open attribute '%s' of '%s'", name,
                          obj_path);
    }
    if (r) {
        h5u_close_obj(obj);
        if (*file >= 0)
            H5Fclose(*file);
        *file = H5I_INVALID_HID;
    }
    return r;
}

static void close_read(hid_t *file, hid_t *obj, hid_t *attr)
{
    h5u_close_attr(attr);
    h5u_close_obj(obj);
    if (*file >= 0)
        H5Fclose(*file);
    *file = H5I_INVALID_HID;
    H5Eclear2(H5E_DEFAULT);
}

/* 1 when an attribute of this type and dataspace holds exactly one number. */
static int is_numeric_scalar(hid_t type, hid_t space)
{
    H5T_class_t c = H5Tget_class(type);
    return (c == H5T_INTEGER || c == H5T_FLOAT) && H5Sget_simple_extent_npoints(space) == 1;
}

struct attr_collect {
    size_t n, cap;
    char **names;
    double *values;
    int status;                 /* first failure, as a DCSIM_E* code */
    char failed_name[256];      /* the attribute that failed to read */
};

/* H5Aiterate2 callback: appends one numeric scalar attribute to the accumulator. */
static herr_t collect_summary(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    struct attr_collect *acc = data;
    herr_t r = 0;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t type = attr < 0 ? H5I_INVALID_HID : H5Aget_type(attr);
    hid_t space = attr < 0 ? H5I_INVALID_HID : H5Aget_space(attr);
    double v;
    if (type < 0 || space < 0) {
        acc->status = DCSIM_EIO;
        r = -1;
    } else if (!is_numeric_scalar(type, space)) {
        r = 0;                  /* text such as units: not a metric */
    } else if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0) {
        acc->status = DCSIM_EIO;
        r = -1;
    } else {
        if (acc->n == acc->cap) {
            size_t cap = acc->cap ? 2 * acc->cap : 16;
            char **nn = realloc(acc->names, cap * sizeof *nn);
            if (nn)
                acc->names = nn;
            double *nv = nn ? realloc(acc->values, cap * sizeof *nv) : NULL;
            if (nv)
                acc->values = nv;
            if (!nn || !nv) {
                acc->status = DCSIM_ENOMEM;
                r = -1;
                goto out;
            }
            acc->cap = cap;
        }
        acc->names[acc->n] = h5u_str_dup(name);
        if (!acc->names[acc->n]) {
            acc->status = DCSIM_ENOMEM;
            r = -1;
            goto out;
        }
        acc->values[acc->n++] = v;
    }
out:
    if (r < 0)
        snprintf(acc->failed_name, sizeof acc->failed_name, "%s", name);
    h5u_close_space(&space);
    h5u_close_type(&type);
    h5u_close_attr(&attr);
    return r;
}

void h5in_free_summary(size_t n, char **names, double *values)
{
    if (names)
        for (size_t i = 0; i < n; i++)
            free(names[i]);
    free(names);
    free(values);
}

static int read_summary_direct(const char *path, const char *group, size_t *n, char ***names,
                      double **values, struct diag *d)
{
    *n = 0;
    *names = NULL;
    *values = NULL;
    hid_t file, g = H5I_INVALID_HID, gcpl = H5I_INVALID_HID;
    int r = open_read(path, &file, d);
    if (r)
        return r;
    if ((r = open_object(file, path, group, &g, d)) != 0)
        goto out;
    if (H5Iget_type(g) != H5I_GROUP) {
        r = read_fail(d, path, DCSIM_EINPUT, "'%s' is not a group", group);
        goto out;
    }
    unsigned order = 0;
    gcpl = H5Gget_create_plist(g);
    if (gcpl < 0 || H5Pget_attr_creation_order(gcpl, &order) < 0) {
        r = read_fail(d, path, DCSIM_EIO, "cannot read the properties of '%s'", group);
        goto out;
    }
    struct attr_collect acc = {0};
    H5_index_t idx = (order & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    herr_t it = H5Aiterate2(g, idx, H5_ITER_INC, NULL, collect_summary, &acc);
    if (it < 0 || acc.status) {
        h5in_free_summary(acc.n, acc.names, acc.values);
        if (acc.status == DCSIM_ENOMEM)
            r = read_fail(d, path, DCSIM_ENOMEM, "out of memory");
        else
            r = read_fail(d, path, DCSIM_EIO, "cannot read summary '%s%s%s'", group,
                          acc.failed_name[0] ? "' attribute '" : "", acc.failed_name);
        goto out;
    }
    *n = acc.n;
    *names = acc.names;
    *values = acc.values;
out:
    h5u_close_plist(&gcpl);
    h5u_close_obj(&g);
    H5Fclose(file);
    H5Eclear2(H5E_DEFAULT);
    return r;
}

static int read_series_direct(const char *path, const char *dataset_path, size_t *n, double **values,
                     struct diag *d)
{
    *n = 0;
    *values = NULL;
    hid_t file, ds = H5I_INVALID_HID, type = H5I_INVALID_HID, space = H5I_INVALID_HID;
    int r = open_read(path, &file, d);
    if (r)
        return r;
    if ((r = open_object(file, path, dataset_path, &ds, d)) != 0)
        goto out;
    if (H5Iget_type(ds) != H5I_DATASET) {
        r = read_fail(d, path, DCSIM_EINPUT, "'%s' is not a dataset", dataset_path);
        goto out;
    }
    type = H5Dget_type(ds);
    space = H5Dget_space(ds);
    if (type < 0 || space < 0) {
        r = read_fail(d, path, DCSIM_EIO, "cannot read '%s'", dataset_path);
        goto out;
    }
    H5T_class_t c = H5Tget_class(type);
    hsize_t dims = 0;
    if ((c != H5T_INTEGER && c != H5T_FLOAT) || H5Sget_simple_extent_ndims(space) != 1) {
        r = read_fail(d, path, DCSIM_EINPUT, "'%s' is not a 1-D numeric series", dataset_path);
        goto out;
    }
    H5Sget_simple_extent_dims(space, &dims, NULL);
    if (dims > 0) {
        if (dims > SIZE_MAX / sizeof **values) {
            r = read_fail(d, path, DCSIM_ENOMEM, "'%s' is too large", dataset_path);
            goto out;
        }
        *values = malloc((size_t)dims * sizeof **values);
        if (!*values) {
            r = read_fail(d, path, DCSIM_ENOMEM, "out of memory");
            goto out;
        }
        if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *values) < 0) {
            free(*values);
            *values = NULL;
            r = read_fail(d, path, DCSIM_EIO, "cannot read '%s'", dataset_path);
            goto out;
        }
    }
    *n = (size_t)dims;
out:
    h5u_close_space(&space);
    h5u_close_type(&type);
    h5u_close_obj(&ds);
    H5Fclose(file);
    H5Eclear2(H5E_DEFAULT);
    return r;
}

static int read_attr_text_direct(const char *path, const char *object_path, const char *name,
                        char **value, struct diag *d)
{
    *value = NULL;
    hid_t file, obj, attr, type = H5I_INVALID_HID, mem = H5I_INVALID_HID;
    hid_t space = H5I_INVALID_HID;
    int r = open_attr(path, object_path, name, &file, &obj, &attr, d);
    if (r)
        return r;
    type = H5Aget_type(attr);
    space = H5Aget_space(attr);
    if (type < 0 || space < 0) {
        r = read_fail(d, path, DCSIM_EIO, "cannot read attribute '%s'", name);
        goto out;
    }
    if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1) {
        r = read_fail(d, path, DCSIM_EINPUT, "attribute '%s' of '%s' is not one string", name,
                      object_path);
        goto out;
    }
    if (H5Tis_variable_str(type) > 0) {
        char *s = NULL;
        mem = H5Tcopy(type);
        if (mem < 0 || H5Aread(attr, mem, &s) < 0) {
            r = read_fail(d, path, DCSIM_EIO, "cannot read attribute '%s'", name);
            goto out;
        }
        *value = h5u_str_dup(s ? s : "");
        H5free_memory(s);
    } else {
        /* Fixed length: read the raw bytes, stop at the first NUL, trim space padding. */
        size_t size = H5Tget_size(type);
        char *s = calloc(size + 1, 1);
        if (s && H5Aread(attr, type, s) < 0) {
            free(s);
            r = read_fail(d, path, DCSIM_EIO, "cannot read attribute '%s'", name);
            goto out;
        }
        if (s && H5Tget_strpad(type) == H5T_STR_SPACEPAD)
            for (size_t k = strlen(s); k > 0 && s[k - 1] == ' '; k--)
                s[k - 1] = '\0';
        *value = s;
    }
    if (!*value)
        r = read_fail(d, path, DCSIM_ENOMEM, "out of memory");
out:
    h5u_close_type(&mem);
    h5u_close_type(&type);
    h5u_close_space(&space);
    close_read(&file, &obj, &attr);
    return r;
}

static int read_attr_double_direct(const char *path, const char *object_path, const char *name,
                          double *value, struct diag *d)
{
    *value = 0;
    hid_t file, obj, attr;
    int r = open_attr(path, object_path, name, &file, &obj, &attr, d);
    if (r)
        return r;
    hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
    if (type < 0 || space < 0)
        r = read_fail(d, path, DCSIM_EIO, "cannot read attribute '%s'", name);
    else if (!is_numeric_scalar(type, space))
        r = read_fail(d, path, DCSIM_EINPUT, "attribute '%s' of '%s' is not one number", name,
                      object_path);
    else if (H5Aread(attr, H5T_NATIVE_DOUBLE, value) < 0)
        r = read_fail(d, path, DCSIM_EIO, "cannot read attribute '%s'", name);
    h5u_close_type(&type);
    h5u_close_space(&space);
    close_read(&file, &obj, &attr);
    return r;
}

/* ---- the public reads: each isolated (h5in_isolated) ---- */

struct read_args {
    const char *path, *obj_path, *name;
    size_t *n;
    char ***names;
    double **values;
    char **text;
    double *value;
};

static int summary_op(void *ctx, struct diag *d)
{
    struct read_args *a = ctx;
    return read_summary_direct(a->path, a->obj_path, a->n, a->names, a->values, d);
}

int h5in_read_summary(const char *path, const char *group, size_t *n, char ***names,
                      double **values, struct diag *d)
{
    *n = 0;
    *names = NULL;
    *values = NULL;
    struct read_args a = {.path = path, .obj_path = group, .n = n, .names = names,
                          .values = values};
    return h5in_isolated(path, summary_op, &a, d);
}

static int series_op(void *ctx, struct diag *d)
{
    struct read_args *a = ctx;
    return read_series_direct(a->path, a->obj_path, a->n, a->values, d);
}

int h5in_read_series(const char *path, const char *dataset_path, size_t *n, double **values,
                     struct diag *d)
{
    *n = 0;
    *values = NULL;
    struct read_args a = {.path = path, .obj_path = dataset_path, .n = n, .values = values};
    return h5in_isolated(path, series_op, &a, d);
}

static int attr_text_op(void *ctx, struct diag *d)
{
    struct read_args *a = ctx;
    return read_attr_text_direct(a->path, a->obj_path, a->name, a->text, d);
}

int h5in_read_attr_text(const char *path, const char *object_path, const char *name,
                        char **value, struct diag *d)
{
    *value = NULL;
    struct read_args a = {.path = path, .obj_path = object_path, .name = name, .text = value};
    return h5in_isolated(path, attr_text_op, &a, d);
}

static int attr_double_op(void *ctx, struct diag *d)
{
    struct read_args *a = ctx;
    return read_attr_double_direct(a->path, a->obj_path, a->name, a->value, d);
}

int h5in_read_attr_double(const char *path, const char *object_path, const char *name,
                          double *value, struct diag *d)
{
    struct read_args a = {.path = path, .obj_path = object_path, .name = name, .value = value};
    return h5in_isolated(path, attr_double_op, &a, d);
}

/* ---- whole-object reads for the commands ---- */

/* The scalar variable-length string dataset at dataset_path into *text (malloc'd). */
static int read_text_direct(const char *path, const char *dataset_path, char **text,
                            struct diag *d)
{
    int64_t f = -1, ds = -1;
    *text = NULL;
    int rc = open_dataset_direct(path, dataset_path, &f, &ds, d);
    if (rc)
        return rc;
    hid_t ftype = H5Dget_type((hid_t)ds), space = H5Dget_space((hid_t)ds), mtype = -1;
    char *s = NULL;
    if (ftype < 0 || space < 0 || H5Tget_class(ftype) != H5T_STRING ||
        H5Tis_variable_str(ftype) <= 0 || H5Sget_simple_extent_type(space) != H5S_SCALAR) {
        rc = read_fail(d, path, DCSIM_EINPUT, "'%s' is not a scalar string", dataset_path);
        goto done;
    }
    mtype = H5Tcopy(H5T_C_S1);
    if (mtype < 0 || H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
        H5Tset_cset(mtype, H5Tget_cset(ftype)) < 0 ||
        H5Dread((hid_t)ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) < 0 || !s) {
        rc = read_fail(d, path, DCSIM_EIO, "cannot read '%s'", dataset_path);
        goto done;
    }
    if (!(*text = h5u_str_dup(s)))
        rc = read_fail(d, path, DCSIM_ENOMEM, "out of memory");
done:
    if (s)
        H5free_memory(s);
    h5u_close_type(&mtype);
    h5u_close_space(&space);
    h5u_close_type(&ftype);
    h5in_close_dataset(&f, &ds);
    return rc;
}

static int text_op(void *ctx, struct diag *d)
{
    struct read_args *a = ctx;
    free(*a->text);
    return read_text_direct(a->path, a->obj_path, a->text, d);
}

int h5in_read_text(const char *path, const char *dataset_path, char **text, struct diag *d)
{
    *text = NULL;
    struct read_args a = {.path = path, .obj_path = dataset_path, .text = text};
    int rc = h5in_isolated(path, text_op, &a, d);
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

int h5in_read_metrics(const char *path, const char *group, double *m, struct diag *d)
{
    for (int k = 0; k < N_METRICS; k++)
        m[k] = NAN;
    size_t n;
    char **names;
    double *values;
    int rc = h5in_read_summary(path, group, &n, &names, &values, d);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < N_METRICS; k++)
            if (strcmp(names[i], metric_names[k]) == 0)
                m[k] = values[i];
    h5in_free_summary(n, names, values);
    return 0;
}

int h5in_is_sweep_table(const char *path)
{
    int64_t f, ds;
    struct diag quiet;
    diag_init(&quiet);
    int is = h5in_open_dataset(path, "/cases", &f, &ds, &quiet) == 0;
    if (is)
        h5in_close_dataset(&f, &ds);
    diag_release(&quiet);
    return is;
}
