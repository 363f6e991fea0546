/* h5out.c — the HDF5 result writer (contract section 3); the reader is h5in.c.
 *
 * The writer builds the whole layout in DEST.tmp.<pid> beside the destination, keeps every
 * series dataset open while blocks of steps are appended, and renames the finished file onto
 * the destination only at commit, so a reader never sees a half-written result and an old
 * result survives a failed run. Every HDF5 failure becomes one "cannot write result" message. */
#include "h5out.h"
#include "h5chunks.h"
#include "h5util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#define H5OUT_DEFLATE_LEVEL 1   /* after shuffle, level 1 packs almost as well as 4 at a third of the time */
#define H5OUT_MAX_THREADS 64
#define H5OUT_METADATA_CACHE_BYTES (1u << 20)
/* Half the fan-out of the series' chunk indexes (v1 B-trees; HDF5's default is 32): nodes of
 * up to 16 chunks, a quarter of the bytes, so the bounded metadata cache keeps the node each
 * series appends to for about four times as many series and reads fewer back after
 * evicting them. 16 sites at 1 min (~1,000 series): preads 179,000 -> 57,000, pwrites
 * 241,000 -> 179,000, 8.4-9.3 s -> 6.7-8.1 s and 2 MB less memory; 64 sites 56.7 -> 50.4 s.
 * Stored in the superblock (version 1, read by HDF5 1.6 on); the chunks are unchanged. */
#define H5OUT_CHUNK_INDEX_K 8
#define H5OUT_TCONV_BYTES (64u << 10)   /* type conversion buffer of a string write (HDF5's
                                           default, 1 MB, is calloc'd and faulted in: ~10 ms) */
#define H5OUT_SYNC_BYTES (4u << 20)   /* series bytes between the syncer's fdatasyncs */

struct h5out {
    char *dest;                 /* destination path (owned) */
    char *tmp;                  /* DEST.tmp.<pid> (owned) */
    int tmp_created;            /* we created tmp, so we may remove it */
    int tmp_fd;                 /* our descriptor of it: synced as we go, fsync at commit */
    size_t unsynced;            /* series bytes written since the syncer was last woken */
    struct syncer {             /* a thread that fdatasyncs the file while the run goes on */
        pthread_t tid;
        pthread_mutex_t lock;
        pthread_cond_t wake;
        int started, due, quit;
        int failed;             /* an fdatasync failed (its errno): the commit must fail */
    } sync;
    hid_t file;
    hid_t time_ds;              /* /time */
    hid_t *site_time_ds;        /* [n_sites] /sites/<id>/series/time: the group's own
                                   dimension scale, a copy of /time (xarray opens a group) */
    hid_t *group_time_ds;       /* the same in the other groups of series (supplies/<id>,
                                   pools/<id>) */
    size_t n_group_time, cap_group_time;
    hid_t *series_ds;           /* [n_sites * n_series], site-major like the append values */
    char **site_ids;            /* [n_sites] owned copies, for the summary group paths */
    size_t n_sites, n_series;
    size_t steps;               /* declared in meta.steps */
    size_t written;             /* steps appended so far */
    int deflate_level;          /* 0: none */
    int broken;                 /* an append failed half-way: only abort is allowed */
    /* the series' chunks: staged, compressed on a pool, written in order (h5chunks.h) */
    struct h5chunks *chunks;
    size_t chunk_rows;
    int n_stages, threads, pipeline;
    volatile sig_atomic_t *stop;
    size_t *used;               /* [n_used] indices of the series datasets, in order */
    size_t n_used;
    /* the layout (groups, series, time scales) is made by the writer thread of the series'
     * pool before its first write, while the run starts (h5chunks' prologue) */
    struct layout_job {
        struct h5out_series_def *defs;  /* owned copies of the caller's series */
        char *text;                     /* their strings */
        int per_site;
        char start_iso[64];
        int made;                       /* done (by the pool, or here without one) */
        atomic_int cancel;              /* an abort: stop making it */
    } lay;
};

/* ---- messages and writer-only helpers ---- */

/* A failed HDF5 call while writing: DCSIM_EIO with HDF5's own reason appended. */
__attribute__((format(printf, 3, 4)))
static int write_fail(struct diag *d, const char *dest, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = h5u_vreport(d, dest, "cannot write result", DCSIM_EIO, 1, fmt, ap);
    va_end(ap);
    return r;
}

/* A caller bug or a limit of the writer: `status` without an HDF5 detail. */
__attribute__((format(printf, 4, 5)))
static int write_error(struct diag *d, const char *dest, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = h5u_vreport(d, dest, "cannot write result", status, 0, fmt, ap);
    va_end(ap);
    return r;
}

/* A variable-length UTF-8 string type (h5py reads these as str). Caller closes it. */
static hid_t vlen_utf8_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Writes scalar attribute `name` of type file_type on `loc`, replacing an existing one. */
static herr_t put_attr(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                       const void *buf)
{
    herr_t r = -1;
    hid_t space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    htri_t exists = H5Aexists(loc, name);
    if (exists < 0 || (exists > 0 && H5Adelete(loc, name) < 0))
        return -1;
    space = H5Screate(H5S_SCALAR);
    if (space < 0)
        goto out;
    attr = H5Acreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0)
        goto out;
    r = H5Awrite(attr, mem_type, buf);
out:
    h5u_close_attr(&attr);
    h5u_close_space(&space);
    return r;
}

static herr_t put_attr_text(hid_t loc, const char *name, const char *value)
{
    hid_t t = vlen_utf8_type();
    if (t < 0)
        return -1;
    herr_t r = put_attr(loc, name, t, t, &value);
    H5Tclose(t);
    return r;
}

/* Group (or file) creation properties: track and index creation order of links and
 * attributes, so h5py (and our reader) list series and summary metrics in the order they
 * were written; no modification times, so the same run gives the same bytes. */
static hid_t ordered_gcpl(hid_t cls)
{
    hid_t p = H5Pcreate(cls);
    if (p < 0)
        return p;
    unsigned flags = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    if (H5Pset_link_creation_order(p, flags) < 0 || H5Pset_attr_creation_order(p, flags) < 0 ||
        H5Pset_obj_track_times(p, 0) < 0) {
        H5Pclose(p);
        return H5I_INVALID_HID;
    }
    return p;
}

/* A name usable as one HDF5 path component (site ids and series names). */
static int valid_component(const char *s)
{
    return s && s[0] && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* ---- writer ---- */

/* Closes dataset *id if its data can be written out; returns 1 when it had to stay open.
 *
 * HDF5 1.10 frees a dataset or file whose close fails (its cached data cannot be written:
 * the disk is full) but keeps its id; any later call that walks the ids (another file's
 * H5Fget_obj_count, the cleanup at exit) then reads freed memory and crashes
 * (HDFGroup/hdf5 #2291, h5py #914). So what cannot be flushed is left open instead: a small,
 * bounded leak on an error path, and no crash (h5_setup turns off the cleanup at exit).
 * The temporary file is unlinked all the same. */
static int close_dataset_or_keep(hid_t *id)
{
    if (*id < 0)
        return 0;
    int kept = H5Dflush(*id) < 0;
    if (!kept)
        H5Dclose(*id);
    *id = H5I_INVALID_HID;
    return kept;
}

/* The file the commit will replace: its cached pages dropped while the run goes on (the
 * syncer's first work), not freed by the rename on the committing thread after the run
 * (one site at 1 min, --deflate 0, written over its own 250 MB file: 546 -> 499 ms). Only
 * the cache goes: the file stays whole until the rename. A symbolic link is left alone (the
 * rename replaces the link, not its target). */
static void drop_replaced_cache(const char *dest)
{
    int fd = open(dest, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return;   /* nothing to replace (or not ours to read): nothing to drop */
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);   /* advice: may do nothing */
    close(fd);
}

/* The syncer: the commit's fsync (before the rename makes the file visible) would otherwise
 * wait for most of the file to reach the disk, ~0.1 s with both cores idle; synced as it is
 * written, little is left. The thread mostly sleeps in fdatasync, off the CPUs. */
static void *syncer_thread(void *arg)
{
    struct h5out *h = arg;
    struct syncer *sy = &h->sync;
    drop_replaced_cache(h->dest);
    pthread_mutex_lock(&sy->lock);
    for (;;) {
        while (!sy->due && !sy->quit)
            pthread_cond_wait(&sy->wake, &sy->lock);
        if (sy->quit)
            break;
        sy->due = 0;
        pthread_mutex_unlock(&sy->lock);
        /* a failure is kept: it may have consumed the error the commit's fsync would see */
        int err = fdatasync(h->tmp_fd) != 0 ? errno : 0;
        pthread_mutex_lock(&sy->lock);
        if (err && !sy->failed)
            sy->failed = err;
    }
    pthread_mutex_unlock(&sy->lock);
    return NULL;
}

/* Starts the syncer; without it (no thread) the commit's fsync does all the work. */
static void syncer_start(struct h5out *h)
{
    struct syncer *sy = &h->sync;
    if (pthread_mutex_init(&sy->lock, NULL) != 0)
        return;
    if (pthread_cond_init(&sy->wake, NULL) != 0) {
        pthread_mutex_destroy(&sy->lock);
        return;
    }
    sy->started = pthread_create(&sy->tid, NULL, syncer_thread, h) == 0;
    if (!sy->started) {
        pthread_cond_destroy(&sy->wake);
        pthread_mutex_destroy(&sy->lock);
    }
}

/* Stops the syncer (waiting for an fdatasync in flight); returns the errno of a failed one
 * or 0. */
static int syncer_stop(struct h5out *h)
{
    struct syncer *sy = &h->sync;
    if (!sy->started)
        return sy->failed;
    pthread_mutex_lock(&sy->lock);
    sy->quit = 1;
    pthread_cond_signal(&sy->wake);
    pthread_mutex_unlock(&sy->lock);
    pthread_join(sy->tid, NULL);
    pthread_cond_destroy(&sy->wake);
    pthread_mutex_destroy(&sy->lock);
    sy->started = 0;
    return sy->failed;
}

/* Closes every HDF5 id of h (see close_dataset_or_keep) and frees it; removes the
 * temporary file when asked. */
static void h5out_free(struct h5out *h, int remove_tmp)
{
    if (!h)
        return;
    atomic_store(&h->lay.cancel, 1);   /* a writer waiting for the layout waits less */
    h5chunks_close(h->chunks, NULL);   /* stops the threads: work in flight is dropped */
    h->chunks = NULL;
    free(h->lay.defs);
    free(h->lay.text);
    (void)syncer_stop(h);   /* the file is removed or already synced: a failure is moot */
    /* An abort removes the file first: whatever closing costs (thousands of datasets), a
     * stop leaves nothing behind even if the process is killed meanwhile. */
    if (remove_tmp && h->tmp_created) {
        unlink(h->tmp);
        h->tmp_created = 0;
    }
    /* The series hold no data in a chunk cache (whole chunks are written directly), so
     * closing them writes nothing and cannot fail for a full disk (no close_dataset_or_keep:
     * its H5Dflush walks HDF5 1.10's whole metadata cache for every dataset, minutes for
     * thousands). A stop (SIGINT, SIGTERM) ends the process: its HDF5 objects are left to
     * the exit (HDF5's cleanup at exit is off, see h5out.h), as closing a file of thousands
     * of series takes seconds even with nothing left to write; the file is unlinked. */
    int kept = remove_tmp && h->stop && *h->stop;
    if (h->series_ds && !kept)
        for (size_t i = 0; i < h->n_sites * h->n_series; i++)
            h5u_close_obj(&h->series_ds[i]);
    if (h->site_time_ds && !kept)
        for (size_t i = 0; i < h->n_sites; i++)
            h5u_close_obj(&h->site_time_ds[i]);
    for (size_t i = 0; i < h->n_group_time && !kept; i++)
        h5u_close_obj(&h->group_time_ds[i]);
    if (!kept)
        h5u_close_obj(&h->time_ds);
    if (h->file >= 0 && !kept && H5Fflush(h->file, H5F_SCOPE_LOCAL) >= 0)
        H5Fclose(h->file);      /* close degree STRONG: also closes anything left open */
    h->file = H5I_INVALID_HID;
    H5Eclear2(H5E_DEFAULT);
    if (remove_tmp && h->tmp_created)
        unlink(h->tmp);
    if (h->site_ids)
        for (size_t i = 0; i < h->n_sites; i++)
            free(h->site_ids[i]);
    free(h->site_ids);
    free(h->used);
    free(h->series_ds);
    free(h->site_time_ds);
    free(h->group_time_ds);
    if (h->tmp_fd >= 0)
        close(h->tmp_fd);
    free(h->tmp);
    free(h->dest);
    free(h);
}

/* Checks the arguments of h5out_create: these are caller bugs, not I/O problems. */
static int check_create_args(const char *dest, const struct h5out_meta *m, size_t n_sites,
                             const char *const *site_ids, size_t n_series, int per_site,
                             const struct h5out_series_def *series, struct diag *d)
{
    if (!m || !m->dcsim_version || !m->scenario_name || !m->start_iso)
        return write_error(d, dest, DCSIM_EINTERNAL, "incomplete metadata");
    if (m->steps < 0 || m->timestep_s <= 0)
        return write_error(d, dest, DCSIM_EINTERNAL, "bad steps %lld or timestep %lld s",
                           (long long)m->steps, (long long)m->timestep_s);
    if (!m->scenario_text && m->scenario_len > 0)
        return write_error(d, dest, DCSIM_EINTERNAL, "scenario text missing");
    if (m->scenario_len > 0 && memchr(m->scenario_text, '\0', m->scenario_len))
        return write_error(d, dest, DCSIM_EINTERNAL,
                           "scenario text contains a NUL byte (HDF5 strings cannot hold it)");
    if ((n_sites > 0 && !site_ids) || (n_series > 0 && !series))
        return write_error(d, dest, DCSIM_EINTERNAL, "site or series list missing");
    for (size_t i = 0; i < n_sites; i++) {
        if (!valid_component(site_ids[i]))
            return write_error(d, dest, DCSIM_EINTERNAL, "bad site id '%s'",
                               site_ids[i] ? site_ids[i] : "(null)");
        for (size_t j = 0; j < i; j++)
            if (strcmp(site_ids[i], site_ids[j]) == 0)
                return write_error(d, dest, DCSIM_EINTERNAL, "duplicate site id '%s'",
                                   site_ids[i]);
    }
    /* per_site: a list of n_series per site, where a NULL name is an unused column */
    for (size_t si = 0; si < (per_site ? n_sites : 1); si++) {
        const struct h5out_series_def *ser = series + si * (per_site ? n_series : 0);
        for (size_t i = 0; i < n_series; i++) {
            if (per_site && !ser[i].name)
                continue;
            if (!valid_component(ser[i].name) || !ser[i].units ||
                strcmp(ser[i].name, "time") == 0 ||
                (ser[i].group && (!ser[i].group[0] || ser[i].group[0] == '/' ||
                                  strstr(ser[i].group, "..") || strstr(ser[i].group, "//"))))
                return write_error(d, dest, DCSIM_EINTERNAL, "bad series name '%s'",
                                   ser[i].name ? ser[i].name : "(null)");
            const char *gi = ser[i].group ? ser[i].group : "series";
            for (size_t j = 0; j < i; j++)
                if (ser[j].name && strcmp(ser[i].name, ser[j].name) == 0 &&
                    strcmp(gi, ser[j].group ? ser[j].group : "series") == 0)
                    return write_error(d, dest, DCSIM_EINTERNAL, "duplicate series '%s'",
                                       ser[i].name);
        }
    }
    return 0;
}

/* The metadata cache of the file we write stays within H5OUT_METADATA_CACHE_BYTES (counted in
 * file bytes: a chunk index node holds several times its file size in memory): by default HDF5
 * lets it grow to 32 MB, i.e. hundreds of MB with thousands of series. Nodes evicted are read
 * back when their series' next chunk is written. */
static herr_t bound_metadata_cache(hid_t fapl)
{
    H5AC_cache_config_t c;
    c.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Pget_mdc_config(fapl, &c) < 0)
        return -1;
    c.set_initial_size = 1;
    c.initial_size = H5OUT_METADATA_CACHE_BYTES / 4;
    c.min_size = H5OUT_METADATA_CACHE_BYTES / 4;
    c.max_size = H5OUT_METADATA_CACHE_BYTES;
    return H5Pset_mdc_config(fapl, &c);
}

/* Creates the temporary file exclusively (a leftover of an earlier run with our pid is
 * removed first) and opens it with HDF5. */
static int create_tmp_file(struct h5out *h, struct diag *d)
{
    if (unlink(h->tmp) != 0 && errno != ENOENT)
        return write_error(d, h->dest, DCSIM_EIO, "cannot remove stale '%s': %s", h->tmp,
                           strerror(errno));
    /* O_EXCL ourselves rather than H5F_ACC_EXCL: same guarantee, and errno gives a clear
     * reason ("Permission denied", "No such file or directory") for the message. */
    int fd = open(h->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return write_error(d, h->dest, DCSIM_EIO, "cannot create '%s': %s", h->tmp,
                           strerror(errno));
    h->tmp_created = 1;
    h->tmp_fd = fd;

    int r = 0;
    hid_t fcpl = ordered_gcpl(H5P_FILE_CREATE);
    hid_t fapl = h5u_file_access_plist();
    if (fcpl < 0 || fapl < 0 || H5Pset_istore_k(fcpl, H5OUT_CHUNK_INDEX_K) < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
        bound_metadata_cache(fapl) < 0) {
        r = write_fail(d, h->dest, "cannot set up file properties");
        goto out;
    }
    h->file = H5Fcreate(h->tmp, H5F_ACC_TRUNC, fcpl, fapl);
    if (h->file < 0)
        r = write_fail(d, h->dest, "cannot create HDF5 file '%s'", h->tmp);
out:
    h5u_close_plist(&fcpl);
    h5u_close_plist(&fapl);
    return r;
}

static int write_root_attrs(struct h5out *h, const struct h5out_meta *m, struct diag *d)
{
    int64_t trials = m->trials;
    int64_t rows = (int64_t)h->steps;
    int64_t every = m->output_every_s > 0 ? m->output_every_s : m->timestep_s;
    if (put_attr_text(h->file, "dcsim_version", m->dcsim_version) < 0 ||
        put_attr(h->file, "rows", H5T_STD_I64LE, H5T_NATIVE_INT64, &rows) < 0 ||
        put_attr(h->file, "output_every_s", H5T_STD_I64LE, H5T_NATIVE_INT64, &every) < 0 ||
        put_attr_text(h->file, "scenario_name", m->scenario_name) < 0 ||
        put_attr_text(h->file, "start", m->start_iso) < 0 ||
        put_attr(h->file, "timestep_s", H5T_STD_I64LE, H5T_NATIVE_INT64, &m->timestep_s) < 0 ||
        put_attr(h->file, "steps", H5T_STD_I64LE, H5T_NATIVE_INT64, &m->steps) < 0 ||
        put_attr(h->file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &m->seed) < 0 ||
        put_attr(h->file, "trials", H5T_STD_I64LE, H5T_NATIVE_INT64, &trials) < 0)
        return write_fail(d, h->dest, "cannot write the root attributes");
    return 0;
}

/* /scenario: one scalar variable-length UTF-8 string, the scenario text byte for byte. */
static int write_scenario(struct h5out *h, const struct h5out_meta *m, struct diag *d)
{
    char *text = malloc(m->scenario_len + 1);
    if (!text)
        return write_error(d, h->dest, DCSIM_ENOMEM, "out of memory");
    if (m->scenario_len > 0)
        memcpy(text, m->scenario_text, m->scenario_len);
    text[m->scenario_len] = '\0';

    int r = 0;
    hid_t t = vlen_utf8_type();
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    hid_t ds = H5I_INVALID_HID;
    if (t < 0 || space < 0 || dcpl < 0 || dxpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0 ||
        H5Pset_buffer(dxpl, H5OUT_TCONV_BYTES, NULL, NULL) < 0) {
        r = write_fail(d, h->dest, "cannot write /scenario");
        goto out;
    }
    ds = H5Dcreate2(h->file, "scenario", t, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    const char *p = text;
    if (ds < 0 || H5Dwrite(ds, t, H5S_ALL, H5S_ALL, dxpl, &p) < 0)
        r = write_fail(d, h->dest, "cannot write /scenario");
out:
    h5u_close_plist(&dxpl);
    h5u_close_obj(&ds);
    h5u_close_plist(&dcpl);
    h5u_close_space(&space);
    h5u_close_type(&t);
    free(text);
    return r;
}

/* ---- the layout: /time and every site's groups, series and time scales ---- */

/* An entry of a dimension scale's REFERENCE_LIST: the attribute H5DSattach_scale makes has
 * this memory layout as its file type too (an object reference, then a native int). */
struct scale_entry {
    hobj_ref_t dataset;
    int dimension;
};

/* What the layout's thousands of objects share (made once: its types, spaces and properties),
 * and the site being made: its groups of series, each with its own time scale, and the series
 * attached to those so far. */
struct layout_ctx {
    hsize_t dims;               /* rows of every series */
    hid_t gcpl, dcpl, dapl;
    hid_t str_type;             /* variable-length UTF-8 string */
    hid_t scalar;               /* scalar dataspace */
    hid_t one;                  /* dataspace of one element */
    hid_t dimlist_type;         /* DIMENSION_LIST: variable-length list of object references */
    hid_t reflist_type;         /* REFERENCE_LIST: {dataset, dimension} */
    char units[96];             /* CF units of the time scales */
    struct site_group {
        const char *name;       /* "series", "supplies/<id>", ... (borrowed) */
        hid_t scale;            /* its time scale (borrowed) */
        hobj_ref_t scale_ref;   /* a reference to it */
    } *groups;                  /* [n_series + 1] */
    size_t n_groups;
    struct attached {
        size_t group;           /* the series' group in groups[] */
        struct scale_entry entry;
    } *attached;                /* [n_series] in the order made */
    size_t n_attached;
    struct scale_entry *list;   /* [n_series] a REFERENCE_LIST being written */
};

/* A new scalar string attribute of a new object: nothing to replace, so no lookup. */
static herr_t new_attr_text(const struct layout_ctx *c, hid_t loc, const char *name,
                            const char *value)
{
    hid_t a = H5Acreate2(loc, name, c->str_type, c->scalar, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t r = H5Awrite(a, c->str_type, &value);
    if (H5Aclose(a) < 0)
        r = -1;
    return r;
}

/* An empty, extendible float64 series under `loc`, with its units and long_name
 * attributes (netCDF/CF names: xarray shows them). long_name NULL: the name. */
static hid_t create_series(const struct layout_ctx *c, hid_t loc, const char *name,
                           const char *units, const char *long_name)
{
    hsize_t maxdims = H5S_UNLIMITED;
    hid_t space = H5Screate_simple(1, &c->dims, &maxdims);
    if (space < 0)
        return H5I_INVALID_HID;
    hid_t ds = H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, c->dcpl, c->dapl);
    H5Sclose(space);
    if (ds >= 0 && (new_attr_text(c, ds, "units", units) < 0 ||
                    new_attr_text(c, ds, "long_name", long_name ? long_name : name) < 0)) {
        H5Dclose(ds);
        return H5I_INVALID_HID;
    }
    return ds;
}

/* CF time units from the ISO start ("2027-01-01T00:00:00Z"): "seconds since 2027-01-01
 * 00:00:00" (CF: no zone means UTC; a trailing Z trips some readers). */
static void cf_time_units(const char *start_iso, char *buf, size_t len)
{
    snprintf(buf, len, "seconds since %s", start_iso);
    for (char *p = buf + strlen("seconds since "); *p; p++) {
        if (*p == 'T')
            *p = ' ';
        else if (*p == 'Z' && p[1] == '\0')
            *p = '\0';
    }
}

/* A time coordinate: a float64 series that is a netCDF-4 dimension scale named "time",
 * with CF units and calendar, so xarray decodes it to datetime64. */
static hid_t create_time(const struct layout_ctx *c, hid_t loc)
{
    hid_t ds = create_series(c, loc, "time", c->units, "time since the start of the run");
    if (ds >= 0 && (new_attr_text(c, ds, "calendar", "standard") < 0 ||
                    new_attr_text(c, ds, "standard_name", "time") < 0 ||
                    new_attr_text(c, ds, "axis", "T") < 0 || H5DSset_scale(ds, "time") < 0)) {
        H5Dclose(ds);
        return H5I_INVALID_HID;
    }
    return ds;
}

/* Adds group `name` of the site being made, with its time scale; its index in *at. */
static herr_t site_group_add(struct layout_ctx *c, const char *name, hid_t scale, size_t *at)
{
    struct site_group *g = &c->groups[c->n_groups];
    g->name = name;
    g->scale = scale;
    if (H5Rcreate(&g->scale_ref, scale, ".", H5R_OBJECT, -1) < 0)
        return -1;
    *at = c->n_groups++;
    return 0;
}

/* The index of group `name` of the site being made, or -1 when it has not been made. */
static long site_group_find(const struct layout_ctx *c, const char *name)
{
    for (size_t g = 0; g < c->n_groups; g++)
        if (strcmp(c->groups[g].name, name) == 0)
            return (long)g;
    return -1;
}

/* Attaches dimension 0 of `ds` to the time scale of its group, as H5DSattach_scale does but
 * without its cost: it rewrites the scale's whole REFERENCE_LIST at every attach (quadratic
 * in a group's series; half of the layout's time). The dataset's DIMENSION_LIST is written
 * now, the scales' REFERENCE_LISTs once the site is made (site_scales_end): the same
 * attributes with the same contents. */
static herr_t scale_attach(struct layout_ctx *c, size_t group, hid_t ds)
{
    hvl_t list = {1, &c->groups[group].scale_ref};
    hid_t a = H5Acreate2(ds, DIMENSION_LIST, c->dimlist_type, c->one, H5P_DEFAULT,
                         H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t r = H5Awrite(a, c->dimlist_type, &list);
    if (H5Aclose(a) < 0)
        r = -1;
    struct attached *at = &c->attached[c->n_attached];
    at->group = group;
    at->entry.dimension = 0;
    if (r >= 0 && (r = H5Rcreate(&at->entry.dataset, ds, ".", H5R_OBJECT, -1)) >= 0)
        c->n_attached++;
    return r;
}

/* Writes the REFERENCE_LIST of each time scale of the site: its series in the order attached
 * (H5DSattach_scale appends), none on a scale without series. Then the next site starts. */
static herr_t site_scales_end(struct layout_ctx *c)
{
    herr_t r = 0;
    for (size_t g = 0; r >= 0 && g < c->n_groups; g++) {
        hsize_t n = 0;
        for (size_t i = 0; i < c->n_attached; i++)
            if (c->attached[i].group == g)
                c->list[n++] = c->attached[i].entry;
        if (n == 0)
            continue;
        hid_t space = H5Screate_simple(1, &n, NULL);
        hid_t a = space < 0 ? H5I_INVALID_HID
                            : H5Acreate2(c->groups[g].scale, REFERENCE_LIST, c->reflist_type,
                                         space, H5P_DEFAULT, H5P_DEFAULT);
        r = a < 0 ? -1 : H5Awrite(a, c->reflist_type, c->list);
        if (a >= 0 && H5Aclose(a) < 0)
            r = -1;
        h5u_close_space(&space);
    }
    c->n_groups = c->n_attached = 0;
    return r;
}

static void layout_ctx_close(struct layout_ctx *c)
{
    h5u_close_plist(&c->gcpl);
    h5u_close_plist(&c->dcpl);
    h5u_close_plist(&c->dapl);
    h5u_close_type(&c->str_type);
    h5u_close_type(&c->dimlist_type);
    h5u_close_type(&c->reflist_type);
    h5u_close_space(&c->scalar);
    h5u_close_space(&c->one);
    free(c->groups);
    free(c->attached);
    free(c->list);
    c->groups = NULL;
    c->attached = NULL;
    c->list = NULL;
}

/* Every dataset has the run's size from the start (the file is renamed into place only when
 * complete) and stays extendible; whole chunks are written, so no chunk cache. The filters
 * are declared even though we apply them ourselves: readers undo them. */
static int layout_ctx_open(const struct h5out *h, struct layout_ctx *c, const char *start_iso,
                           struct diag *d)
{
    hsize_t chunk_dim = h->chunk_rows, one = 1;
    *c = (struct layout_ctx){.dims = h->steps};
    c->gcpl = ordered_gcpl(H5P_GROUP_CREATE);
    c->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    c->dapl = H5Pcreate(H5P_DATASET_ACCESS);
    c->str_type = vlen_utf8_type();
    c->scalar = H5Screate(H5S_SCALAR);
    c->one = H5Screate_simple(1, &one, NULL);
    c->dimlist_type = H5Tvlen_create(H5T_STD_REF_OBJ);
    c->reflist_type = H5Tcreate(H5T_COMPOUND, sizeof(struct scale_entry));
    c->groups = malloc((h->n_series + 1) * sizeof *c->groups);
    c->attached = malloc((h->n_series ? h->n_series : 1) * sizeof *c->attached);
    c->list = malloc((h->n_series ? h->n_series : 1) * sizeof *c->list);
    cf_time_units(start_iso, c->units, sizeof c->units);
    if (!c->groups || !c->attached || !c->list) {
        layout_ctx_close(c);
        return write_error(d, h->dest, DCSIM_ENOMEM, "out of memory");
    }
    if (c->gcpl < 0 || c->dcpl < 0 || c->dapl < 0 || c->str_type < 0 || c->scalar < 0 ||
        c->one < 0 || c->dimlist_type < 0 || c->reflist_type < 0 ||
        H5Tinsert(c->reflist_type, "dataset", offsetof(struct scale_entry, dataset),
                  H5T_STD_REF_OBJ) < 0 ||
        H5Tinsert(c->reflist_type, "dimension", offsetof(struct scale_entry, dimension),
                  H5T_NATIVE_INT) < 0 ||
        H5Pset_obj_track_times(c->dcpl, 0) < 0 || H5Pset_chunk(c->dcpl, 1, &chunk_dim) < 0 ||
        (h->deflate_level > 0 && (H5Pset_shuffle(c->dcpl) < 0 ||
                                  H5Pset_deflate(c->dcpl, (unsigned)h->deflate_level) < 0)) ||
        H5Pset_chunk_cache(c->dapl, 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT) < 0) {
        layout_ctx_close(c);
        return write_fail(d, h->dest, "cannot set up dataset properties");
    }
    return 0;
}

/* Room for one more time scale of a supply or pool group; -1 when out of memory. */
static int grow_group_times(struct h5out *h)
{
    if (h->n_group_time < h->cap_group_time)
        return 0;
    size_t cap = h->cap_group_time ? 2 * h->cap_group_time : 16;
    hid_t *nt = realloc(h->group_time_ds, cap * sizeof *nt);
    if (!nt)
        return -1;
    h->group_time_ds = nt;
    h->cap_group_time = cap;
    return 0;
}

/* Opens group `want` of a site (supplies/<id>, pools/<id>, or one entered before) for its
 * series: a new one with its parents and its own time scale. Its index among the site's
 * groups in *at. */
static int enter_group(struct h5out *h, struct layout_ctx *c, hid_t site, const char *id,
                       const char *want, hid_t *grp, size_t *at, struct diag *d)
{
    long known = site_group_find(c, want);
    hid_t g = H5I_INVALID_HID, t = H5I_INVALID_HID;
    int ok = 0;
    if (known >= 0) {
        g = H5Gopen2(site, want, H5P_DEFAULT);
        *at = (size_t)known;
        ok = g >= 0;
    } else {
        hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
        if (lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0)
            g = H5Gcreate2(site, want, lcpl, c->gcpl, H5P_DEFAULT);
        h5u_close_plist(&lcpl);
        if (g >= 0 && grow_group_times(h) == 0 && (t = create_time(c, g)) >= 0) {
            h->group_time_ds[h->n_group_time++] = t;
            ok = site_group_add(c, want, t, at) >= 0;
        }
    }
    *grp = g;
    if (!ok) {
        H5Eclear2(H5E_DEFAULT);
        return write_fail(d, h->dest, "cannot create /sites/%s/%s", id, want);
    }
    return 0;
}

/* /sites/<id>/series with its time scale, and the site's series in their groups. */
static int create_site(struct h5out *h, struct layout_ctx *c, hid_t sites, size_t i,
                       const struct h5out_series_def *defs, struct diag *d)
{
    const char *id = h->site_ids[i];
    hid_t site = H5Gcreate2(sites, id, H5P_DEFAULT, c->gcpl, H5P_DEFAULT);
    hid_t ser = site < 0 ? H5I_INVALID_HID
                         : H5Gcreate2(site, "series", H5P_DEFAULT, c->gcpl, H5P_DEFAULT);
    if (ser < 0) {
        h5u_close_obj(&site);
        return write_fail(d, h->dest, "cannot create /sites/%s/series", id);
    }
    int r = 0;
    size_t group = 0;   /* the index of the group `grp` is */
    h->site_time_ds[i] = create_time(c, ser);
    if (h->site_time_ds[i] < 0 || site_group_add(c, "series", h->site_time_ds[i], &group) < 0)
        r = write_fail(d, h->dest, "cannot create /sites/%s/series/time", id);
    hid_t grp = ser;
    for (size_t j = 0; r == 0 && j < h->n_series; j++) {
        if (!defs[j].name)
            continue;
        const char *want = defs[j].group ? defs[j].group : "series";
        if (strcmp(want, c->groups[group].name) != 0) {
            if (grp != ser)
                h5u_close_obj(&grp);
            if ((r = enter_group(h, c, site, id, want, &grp, &group, d)) != 0)
                break;
        }
        hid_t ds = create_series(c, grp, defs[j].name, defs[j].units, defs[j].long_name);
        if (ds >= 0 && scale_attach(c, group, ds) < 0)
            h5u_close_obj(&ds);
        if (ds < 0)
            r = write_fail(d, h->dest, "cannot create /sites/%s/%s/%s", id, want, defs[j].name);
        else
            h->series_ds[i * h->n_series + j] = ds;
    }
    if (site_scales_end(c) < 0 && r == 0)
        r = write_fail(d, h->dest, "cannot attach the series of /sites/%s to their time", id);
    if (grp != ser)
        h5u_close_obj(&grp);
    h5u_close_obj(&ser);
    h5u_close_obj(&site);
    return r;
}

/* /time and /sites/<id>/series/<name> for every site and series; each series group has its
 * own copy of /time as the dimension scale of its series (h5netcdf looks for a variable's
 * dimension in the group opened and its parents, and one scale attached to every series of
 * thousands of sites would carry a reference list of them all). */
static int create_layout(struct h5out *h, const struct h5out_series_def *series, int per_site,
                         const char *start_iso, struct diag *d)
{
    struct layout_ctx c;
    int r = layout_ctx_open(h, &c, start_iso, d);
    if (r)
        return r;
    hid_t sites = H5I_INVALID_HID;
    h->time_ds = create_time(&c, h->file);
    if (h->time_ds < 0)
        r = write_fail(d, h->dest, "cannot create /time");
    else if ((sites = H5Gcreate2(h->file, "sites", H5P_DEFAULT, c.gcpl, H5P_DEFAULT)) < 0)
        r = write_fail(d, h->dest, "cannot create /sites");
    for (size_t i = 0; r == 0 && i < h->n_sites; i++) {
        if ((h->stop && *h->stop) || atomic_load(&h->lay.cancel))   /* thousands of sites
                                                          take a while: stop on a signal */
            r = DCSIM_EINTERRUPTED;
        else
            r = create_site(h, &c, sites, i, series + (per_site ? i * h->n_series : 0), d);
    }
    h5u_close_obj(&sites);
    layout_ctx_close(&c);
    return r;
}

/* ---- the layout, made on its own thread ---- */

/* Copies the caller's series (borrowed only during h5out_create) for the layout thread. */
static int layout_copy_defs(struct h5out *h, const struct h5out_series_def *series,
                            size_t n_defs)
{
    size_t bytes = 1;
    for (size_t i = 0; i < n_defs; i++) {
        const struct h5out_series_def *s = &series[i];
        bytes += (s->name ? strlen(s->name) + 1 : 0) + (s->units ? strlen(s->units) + 1 : 0) +
                 (s->long_name ? strlen(s->long_name) + 1 : 0) +
                 (s->group ? strlen(s->group) + 1 : 0);
    }
    h->lay.defs = calloc(n_defs ? n_defs : 1, sizeof *h->lay.defs);
    h->lay.text = malloc(bytes);
    if (!h->lay.defs || !h->lay.text)
        return DCSIM_ENOMEM;
    char *p = h->lay.text;
    for (size_t i = 0; i < n_defs; i++) {
        const char *in[4] = {series[i].name, series[i].units, series[i].long_name,
                             series[i].group};
        const char *out[4] = {NULL, NULL, NULL, NULL};
        for (int k = 0; k < 4; k++) {
            if (!in[k])
                continue;
            size_t n = strlen(in[k]) + 1;
            memcpy(p, in[k], n);
            out[k] = p;
            p += n;
        }
        h->lay.defs[i] = (struct h5out_series_def){out[0], out[1], out[2], out[3]};
    }
    return 0;
}

/* h5chunks' prologue: makes the layout on the pool's writer thread. */
static int layout_prologue(void *ctx, struct diag *d)
{
    struct h5out *h = ctx;
    int rc = create_layout(h, h->lay.defs, h->lay.per_site, h->lay.start_iso, d);
    h->lay.made = rc == 0;
    return rc;
}

static int online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* The chunk: chunk_steps, but no larger than the run (a small run would waste space), at
 * least 1 (HDF5 rejects 0), and small enough that a stage (a chunk of every column) stays
 * within H5OUT_STAGE_MAX_BYTES; chunk_steps 0 means one chunk for the whole run. Two stages
 * when both fit in H5OUT_DOUBLE_STAGE_BYTES. */
static void choose_chunks(struct h5out *h, size_t chunk_steps)
{
    size_t chunk = chunk_steps == 0 || chunk_steps > h->steps ? h->steps : chunk_steps;
    size_t row_bytes = (h->n_used + 1) * sizeof(double);
    if (chunk > H5OUT_STAGE_MAX_BYTES / row_bytes) {
        chunk = H5OUT_STAGE_MAX_BYTES / row_bytes;
        if (chunk > 256)
            chunk -= chunk % 256;
    }
    h->chunk_rows = chunk > 0 ? chunk : 1;
    h->n_stages = h->chunk_rows <= H5OUT_DOUBLE_STAGE_BYTES / 2 / row_bytes ? 2 : 1;
}

size_t h5out_chunk_rows(const struct h5out *h)
{
    return h->chunk_rows;
}

/* Writes column `col` of chunk `chunk` (h5chunks' write): the time into every time scale,
 * or a series; whole compressed chunks directly, or (filter_pipeline) the rows through
 * HDF5's pipeline. */
static herr_t put_chunk(const struct h5out *h, hid_t ds, hsize_t at, size_t rows,
                        const void *data, size_t size)
{
    if (!h->pipeline)
        return H5Dwrite_chunk(ds, H5P_DEFAULT, 0, &at, size, data);
    herr_t r = -1;
    hsize_t n = rows;
    hid_t fspace = H5Dget_space(ds), mspace = H5Screate_simple(1, &n, NULL);
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &at, NULL, &n, NULL) >= 0)
        r = H5Dwrite(ds, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, data);
    h5u_close_space(&mspace);
    h5u_close_space(&fspace);
    return r;
}

/* Wakes the syncer every H5OUT_SYNC_BYTES written (one fdatasync at a time: while one is in
 * flight, the next is due as soon as it ends). */
static void start_writeback(struct h5out *h, size_t bytes)
{
    h->unsynced += bytes;
    if (h->unsynced < H5OUT_SYNC_BYTES || !h->sync.started)
        return;
    h->unsynced = 0;
    pthread_mutex_lock(&h->sync.lock);
    h->sync.due = 1;
    pthread_cond_signal(&h->sync.wake);
    pthread_mutex_unlock(&h->sync.lock);
}

static int write_chunk(void *ctx, size_t col, uint64_t chunk, size_t rows, const void *data,
                       size_t size, struct diag *d)
{
    struct h5out *h = ctx;
    hsize_t at = (hsize_t)chunk * h->chunk_rows;
    start_writeback(h, size);
    if (col == 0) {
        if (put_chunk(h, h->time_ds, at, rows, data, size) < 0)
            return write_fail(d, h->dest, "cannot write /time");
        for (size_t i = 0; i < h->n_sites; i++)
            if (put_chunk(h, h->site_time_ds[i], at, rows, data, size) < 0)
                return write_fail(d, h->dest, "cannot write /sites/%s/series/time",
                                  h->site_ids[i]);
        for (size_t i = 0; i < h->n_group_time; i++)
            if (put_chunk(h, h->group_time_ds[i], at, rows, data, size) < 0)
                return write_fail(d, h->dest, "cannot write the time of a supply or pool");
        return 0;
    }
    size_t i = h->used[col - 1];
    if (put_chunk(h, h->series_ds[i], at, rows, data, size) < 0)
        return write_fail(d, h->dest, "cannot write to /sites/%s/series",
                          h->site_ids[i / h->n_series]);
    return 0;
}

static int start_chunks(struct h5out *h, struct diag *d)
{
    if (h->steps == 0)
        return 0;
    struct h5chunks_opts o = {
        .n_cols = h->n_used + 1, .chunk_rows = h->chunk_rows, .total_rows = h->steps,
        /* one thread asked for (-j 1): none but the caller's, which compresses and writes
         * each stage as the solver hands it over */
        .n_stages = h->n_stages, .threads = h->threads > 1 ? h->threads : 0, .stop = h->stop,
        .level = h->pipeline ? H5CHUNKS_RAW_ROWS
                 : h->deflate_level > 0 ? h->deflate_level : H5CHUNKS_RAW_CHUNK,
        .write = write_chunk, .prologue = layout_prologue, .ctx = h,
    };
    if (h5chunks_start(&o, &h->chunks))
        return write_error(d, h->dest, DCSIM_ENOMEM, "out of memory for the series' chunks");
    return 0;
}

/* Called first by the entry points that write anything else: the series' chunks in flight
 * are written before (the file's bytes must not depend on timing), and once every row is
 * in, the pool is released. */
static int settle(struct h5out *h, struct diag *d)
{
    if (!h->chunks)
        return h->broken ? write_error(d, h->dest, DCSIM_EINTERNAL, "write after a failure") : 0;
    int r = h5chunks_drain(h->chunks, d);
    if (r) {
        h->broken = 1;
        return r;
    }
    if (h->written == h->steps) {
        h5chunks_close(h->chunks, d);
        h->chunks = NULL;
    }
    return 0;
}

int h5out_wait(struct h5out *h, struct diag *d)
{
    h5u_setup();
    return settle(h, d);
}

/* HDF5 keeps the memory it frees on free lists of its own, up to 16 MB for blocks by
 * default; as the metadata cache evicts entries of a long run these only grow. Small limits
 * hand the memory back to malloc (the setting is HDF5-wide; set once). */
static void limit_free_lists_once(void)
{
    H5set_free_list_limits(1 << 20, 256 << 10, 1 << 20, 256 << 10, 1 << 20, 256 << 10);
}

static void limit_free_lists(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, limit_free_lists_once);
}

static int create_any(const char *dest_path, const struct h5out_meta *meta,
                      size_t n_sites, const char *const *site_ids,
                      size_t n_series, const struct h5out_series_def *series, int per_site,
                      size_t chunk_steps, struct h5out **out, struct diag *d)
{
    *out = NULL;
    h5u_setup();
    if (!dest_path || !dest_path[0])
        return write_error(d, dest_path, DCSIM_EINTERNAL, "no destination path");
    int r = check_create_args(dest_path, meta, n_sites, site_ids, n_series, per_site, series, d);
    if (r)
        return r;
    limit_free_lists();

    struct h5out *h = calloc(1, sizeof *h);
    if (!h)
        return write_error(d, dest_path, DCSIM_ENOMEM, "out of memory");
    h->file = h->time_ds = H5I_INVALID_HID;
    h->tmp_fd = -1;
    atomic_init(&h->lay.cancel, 0);
    h->lay.per_site = per_site;
    snprintf(h->lay.start_iso, sizeof h->lay.start_iso, "%s", meta->start_iso);
    h->n_sites = n_sites;
    h->n_series = n_series;
    h->steps = (size_t)(meta->rows > 0 ? meta->rows : meta->steps);
    h->deflate_level = meta->deflate_level == 0 ? H5OUT_DEFLATE_LEVEL
                       : meta->deflate_level < 0 ? 0
                       : meta->deflate_level > 9 ? 9 : meta->deflate_level;
    h->stop = meta->stop;
    h->pipeline = meta->filter_pipeline != 0;
    h->threads = meta->threads > 0 ? meta->threads : online_cores();
    if (h->threads > H5OUT_MAX_THREADS)
        h->threads = H5OUT_MAX_THREADS;
    size_t n_ds = n_sites * n_series;
    size_t tmp_len = strlen(dest_path) + 32;   /* ".tmp." + a pid */
    h->dest = h5u_str_dup(dest_path);
    h->tmp = malloc(tmp_len);
    h->series_ds = malloc((n_ds ? n_ds : 1) * sizeof *h->series_ds);
    h->site_ids = calloc(n_sites ? n_sites : 1, sizeof *h->site_ids);
    h->site_time_ds = malloc((n_sites ? n_sites : 1) * sizeof *h->site_time_ds);
    if (!h->dest || !h->tmp || !h->series_ds || !h->site_ids || !h->site_time_ds) {
        r = write_error(d, dest_path, DCSIM_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n_ds; i++)
        h->series_ds[i] = H5I_INVALID_HID;
    for (size_t i = 0; i < n_sites; i++)
        h->site_time_ds[i] = H5I_INVALID_HID;
    for (size_t i = 0; i < n_sites; i++) {
        h->site_ids[i] = h5u_str_dup(site_ids[i]);
        if (!h->site_ids[i]) {
            r = write_error(d, dest_path, DCSIM_ENOMEM, "out of memory");
            goto fail;
        }
    }
    snprintf(h->tmp, tmp_len, "%s.tmp.%ld", dest_path, (long)getpid());

    /* the columns staged a row: the time, then every series (unused columns skipped) */
    h->used = malloc((n_ds ? n_ds : 1) * sizeof *h->used);
    if (!h->used) {
        r = write_error(d, dest_path, DCSIM_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n_ds; i++)
        if (!per_site || series[i].name)
            h->used[h->n_used++] = i;
    choose_chunks(h, chunk_steps);

    if ((r = create_tmp_file(h, d)) != 0 || (r = write_root_attrs(h, meta, d)) != 0 ||
        (r = write_scenario(h, meta, d)) != 0 ||
        (r = layout_copy_defs(h, series, per_site ? n_ds : n_series)) != 0) {
        if (r == DCSIM_ENOMEM)
            r = write_error(d, dest_path, DCSIM_ENOMEM, "out of memory");
        goto fail;
    }
    syncer_start(h);
    if ((r = start_chunks(h, d)) != 0 ||
        (!h->chunks && (r = layout_prologue(h, d)) != 0))   /* no series rows: no pool */
        goto fail;
    *out = h;
    return 0;
fail:
    h5out_free(h, 1);
    return r;
}

int h5out_create(const char *dest_path, const struct h5out_meta *meta,
                 size_t n_sites, const char *const *site_ids,
                 size_t n_series, const struct h5out_series_def *series,
                 size_t chunk_steps, struct h5out **out, struct diag *d)
{
    return create_any(dest_path, meta, n_sites, site_ids, n_series, series, 0, chunk_steps, out,
                      d);
}

int h5out_create_sites(const char *dest_path, const struct h5out_meta *meta,
                       size_t n_sites, const char *const *site_ids,
                       size_t n_cols, const struct h5out_series_def *series,
                       size_t chunk_steps, struct h5out **out, struct diag *d)
{
    return create_any(dest_path, meta, n_sites, site_ids, n_cols, series, 1, chunk_steps, out, d);
}

int h5out_append(struct h5out *h, size_t n_steps, const double *time_s, const double *values,
                 struct diag *d)
{
    /* no HDF5 call here (not even h5u_setup, which takes HDF5's global lock and so would
     * wait for a chunk being written): the solver's thread only copies rows */
    if (h->broken)
        return write_error(d, h->dest, DCSIM_EINTERNAL, "append after a failed write");
    if (n_steps > h->steps - h->written)
        return write_error(d, h->dest, DCSIM_EINTERNAL,
                           "appending %zu steps after %zu would exceed the declared %zu",
                           n_steps, h->written, h->steps);
    if (n_steps == 0)
        return 0;
    if (!time_s || (!values && h->n_used > 0))
        return write_error(d, h->dest, DCSIM_EINTERNAL, "append without data");
    int r = h5chunks_append(h->chunks, n_steps, time_s, values, h->used, d);
    if (r) {
        h->broken = 1;
        return r;
    }
    h->written += n_steps;
    return 0;
}

/* Opens (creating if needed) /summary for site -1 or /sites/<id>/summary. */
static int open_summary_group(struct h5out *h, int site, hid_t *out, struct diag *d)
{
    *out = H5I_INVALID_HID;
    int econ = site == H5OUT_ECONOMICS_GROUP;
    int fit_site = !econ && site <= H5OUT_FIT_SITE(0) ? H5OUT_FIT_SITE(0) - site : -1;
    if ((!econ && site < H5OUT_FIT_GROUP && (size_t)fit_site >= h->n_sites) ||
        (site >= 0 && (size_t)site >= h->n_sites))
        return write_error(d, h->dest, DCSIM_EINTERNAL, "no site %d for a summary", site);
    char path[512];
    if (econ) {
        snprintf(path, sizeof path, "/economics");
    } else if (fit_site >= 0) {
        if (snprintf(path, sizeof path, "/fit/sites/%s", h->site_ids[fit_site]) >=
            (int)sizeof path)
            return write_error(d, h->dest, DCSIM_EINTERNAL, "site id too long");
    } else if (site == H5OUT_FIT_GROUP)
        snprintf(path, sizeof path, "/fit");
    else if (site < 0)
        snprintf(path, sizeof path, "/summary");
    else if (snprintf(path, sizeof path, "/sites/%s/summary", h->site_ids[site]) >=
             (int)sizeof path)
        return write_error(d, h->dest, DCSIM_EINTERNAL, "site id too long");

    /* /fit/sites/<id>: its parents first (H5Lexists fails on a missing parent) */
    htri_t exists = fit_site >= 0 ? H5Lexists(h->file, "/fit", H5P_DEFAULT) : 1;
    if (exists > 0 && fit_site >= 0)
        exists = H5Lexists(h->file, "/fit/sites", H5P_DEFAULT);
    if (exists > 0)
        exists = H5Lexists(h->file, path, H5P_DEFAULT);
    if (exists > 0) {
        *out = H5Gopen2(h->file, path, H5P_DEFAULT);
    } else if (exists == 0) {
        hid_t gcpl = ordered_gcpl(H5P_GROUP_CREATE);
        hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);   /* /fit/sites/<id>: /fit/sites too */
        if (gcpl >= 0 && lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0)
            *out = H5Gcreate2(h->file, path, lcpl, gcpl, H5P_DEFAULT);
        h5u_close_plist(&gcpl);
        h5u_close_plist(&lcpl);
    }
    if (*out < 0)
        return write_fail(d, h->dest, "cannot create group %s", path);
    return 0;
}

int h5out_write_summary(struct h5out *h, int site, size_t n, const char *const *names,
                        const double *values, struct diag *d)
{
    h5u_setup();
    int settled = settle(h, d);
    if (settled)
        return settled;
    if (n > 0 && (!names || !values))
        return write_error(d, h->dest, DCSIM_EINTERNAL, "summary without data");
    hid_t g;
    int r = open_summary_group(h, site, &g, d);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (!names[i] || !names[i][0])
            r = write_error(d, h->dest, DCSIM_EINTERNAL, "summary metric without a name");
        else if (put_attr(g, names[i], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &values[i]) < 0)
            r = write_fail(d, h->dest, "cannot write summary metric '%s'", names[i]);
    }
    h5u_close_obj(&g);
    return r;
}

/* Opens the group at `path` (must start with '/'), creating it and missing parents. */
static hid_t open_or_create_group(struct h5out *h, const char *path)
{
    if (strcmp(path, "/") == 0)
        return H5Gopen2(h->file, "/", H5P_DEFAULT);
    /* H5Lexists fails on a missing parent: walk the components */
    char buf[1024];
    if (path[0] != '/' || strlen(path) >= sizeof buf)
        return H5I_INVALID_HID;
    strcpy(buf, path);
    htri_t exists = 1;
    for (char *p = buf + 1; exists > 0; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            exists = H5Lexists(h->file, buf, H5P_DEFAULT);
            *p = c;
            if (c == '\0')
                break;
        }
    }
    if (exists > 0)
        return H5Gopen2(h->file, path, H5P_DEFAULT);
    if (exists < 0)
        return H5I_INVALID_HID;
    hid_t g = H5I_INVALID_HID;
    hid_t gcpl = ordered_gcpl(H5P_GROUP_CREATE);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (gcpl >= 0 && lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0)
        g = H5Gcreate2(h->file, path, lcpl, gcpl, H5P_DEFAULT);
    h5u_close_plist(&gcpl);
    h5u_close_plist(&lcpl);
    return g;
}

int h5out_write_attrs(struct h5out *h, const char *group_path, size_t n,
                      const char *const *names, const double *values,
                      const char *const *units, struct diag *d)
{
    h5u_setup();
    int settled = settle(h, d);
    if (settled)
        return settled;
    if (!group_path || (n > 0 && (!names || !values)))
        return write_error(d, h->dest, DCSIM_EINTERNAL, "attributes without data");
    hid_t g = open_or_create_group(h, group_path);
    if (g < 0)
        return write_fail(d, h->dest, "cannot create group %s", group_path);
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        char uname[256];
        if (!names[i] || !names[i][0] || strlen(names[i]) + 7 > sizeof uname)
            r = write_error(d, h->dest, DCSIM_EINTERNAL, "attribute without a usable name");
        else if (put_attr(g, names[i], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &values[i]) < 0)
            r = write_fail(d, h->dest, "cannot write attribute '%s' of %s", names[i],
                           group_path);
        else if (units && units[i]) {
            snprintf(uname, sizeof uname, "%s_units", names[i]);
            if (put_attr_text(g, uname, units[i]) < 0)
                r = write_fail(d, h->dest, "cannot write attribute '%s' of %s", uname,
                               group_path);
        }
    }
    h5u_close_obj(&g);
    return r;
}

int h5out_write_attr_text(struct h5out *h, const char *group_path, const char *name,
                          const char *value, struct diag *d)
{
    h5u_setup();
    int settled = settle(h, d);
    if (settled)
        return settled;
    hid_t g = open_or_create_group(h, group_path);
    if (g < 0)
        return write_fail(d, h->dest, "cannot create group %s", group_path);
    int r = 0;
    if (put_attr_text(g, name, value) < 0)
        r = write_fail(d, h->dest, "cannot write attribute '%s' of %s", name, group_path);
    h5u_close_obj(&g);
    return r;
}

int h5out_write_object_attr(struct h5out *h, const char *obj_path, const char *name,
                            const char *text, double value, struct diag *d)
{
    h5u_setup();
    int settled = settle(h, d);
    if (settled)
        return settled;
    hid_t o = H5Oopen(h->file, obj_path, H5P_DEFAULT);
    if (o < 0)
        return write_fail(d, h->dest, "cannot open %s", obj_path);
    herr_t e = text ? put_attr_text(o, name, text)
                    : put_attr(o, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
    H5Oclose(o);
    if (e < 0)
        return write_fail(d, h->dest, "cannot write attribute '%s' of %s", name, obj_path);
    return 0;
}

int h5out_write_attr_array(struct h5out *h, const char *group_path, const char *name,
                           size_t n, const double *values, struct diag *d)
{
    h5u_setup();
    int settled = settle(h, d);
    if (settled)
        return settled;
    hid_t g = open_or_create_group(h, group_path);
    if (g < 0)
        return write_fail(d, h->dest, "cannot create group %s", group_path);
    int r = 0;
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL), attr = H5I_INVALID_HID;
    htri_t exists = H5Aexists(g, name);
    if (space < 0 || exists < 0 || (exists > 0 && H5Adelete(g, name) < 0) ||
        (attr = H5Acreate2(g, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        (n > 0 && H5Awrite(attr, H5T_NATIVE_DOUBLE, values) < 0))
        r = write_fail(d, h->dest, "cannot write attribute '%s' of %s", name, group_path);
    h5u_close_attr(&attr);
    h5u_close_space(&space);
    h5u_close_obj(&g);
    return r;
}

int h5out_write_table(struct h5out *h, const char *name, const char *index_name, size_t n_rows,
                      size_t n_cols, const char *const *col_names, const double *values,
                      struct diag *d)
{
    h5u_setup();
    int settled = settle(h, d);
    if (settled)
        return settled;
    if (!valid_component(name) || !index_name || n_cols == 0 || !col_names ||
        (n_rows > 0 && !values))
        return write_error(d, h->dest, DCSIM_EINTERNAL, "table '%s' without columns or data",
                           name ? name : "");
    /* row layout in memory: int64 index, then n_cols doubles */
    size_t row_size = sizeof(int64_t) + n_cols * sizeof(double);
    unsigned char *rows = malloc(n_rows ? n_rows * row_size : 1);
    if (!rows)
        return DCSIM_ENOMEM;
    for (size_t r = 0; r < n_rows; r++) {
        int64_t index = (int64_t)r;
        memcpy(rows + r * row_size, &index, sizeof index);
        memcpy(rows + r * row_size + sizeof index, values + r * n_cols, n_cols * sizeof(double));
    }
    int rc = 0;
    hid_t type = H5Tcreate(H5T_COMPOUND, row_size), space = -1, ds = -1;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);   /* no modification time: same bytes */
    if (dcpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0)
        rc = write_fail(d, h->dest, "cannot set up table '%s'", name);
    if (!rc && (type < 0 || H5Tinsert(type, index_name, 0, H5T_NATIVE_INT64) < 0))
        rc = write_fail(d, h->dest, "cannot describe table '%s'", name);
    for (size_t c = 0; !rc && c < n_cols; c++)
        if (H5Tinsert(type, col_names[c], sizeof(int64_t) + c * sizeof(double),
                      H5T_NATIVE_DOUBLE) < 0)
            rc = write_fail(d, h->dest, "cannot add column '%s' to table '%s'", col_names[c], name);
    hsize_t dims[1] = {n_rows};
    if (!rc && (space = H5Screate_simple(1, dims, NULL)) < 0)
        rc = write_fail(d, h->dest, "cannot size table '%s'", name);
    if (!rc && (ds = H5Dcreate2(h->file, name, type, space, H5P_DEFAULT, dcpl,
                                H5P_DEFAULT)) < 0)
        rc = write_fail(d, h->dest, "cannot create table '%s'", name);
    if (!rc && n_rows > 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0)
        rc = write_fail(d, h->dest, "cannot write table '%s'", name);
    if (ds >= 0 && close_dataset_or_keep(&ds) && !rc)
        rc = write_fail(d, h->dest, "cannot close table '%s'", name);
    h5u_close_space(&space);
    h5u_close_type(&type);
    h5u_close_plist(&dcpl);
    free(rows);
    return rc;
}

int h5out_write_summary_text(struct h5out *h, int site, const char *name, const char *value,
                             struct diag *d)
{
    h5u_setup();
    int settled = settle(h, d);
    if (settled)
        return settled;
    if (!name || !name[0] || !value)
        return write_error(d, h->dest, DCSIM_EINTERNAL, "summary text without a name or value");
    hid_t g;
    int r = open_summary_group(h, site, &g, d);
    if (r == 0 && put_attr_text(g, name, value) < 0)
        r = write_fail(d, h->dest, "cannot write summary attribute '%s'", name);
    h5u_close_obj(&g);
    return r;
}

/* Makes the temporary file's data durable before the rename makes it visible, so a crash
 * cannot leave an empty file under the destination name. */
static int sync_file(int fd)
{
    return fsync(fd);
}

int h5out_commit(struct h5out *h, struct diag *d)
{
    if (!h)
        return write_error(d, NULL, DCSIM_EINTERNAL, "commit without a writer");
    h5u_setup();
    int r = 0;
    if (h->broken) {
        r = write_error(d, h->dest, DCSIM_EINTERNAL, "commit after a failed write");
        goto fail;
    }
    if (h->written != h->steps) {
        r = write_error(d, h->dest, DCSIM_EINTERNAL, "%zu steps written but %zu declared",
                        h->written, h->steps);
        goto fail;
    }
    if ((r = settle(h, d)) != 0)
        goto fail;
    if (H5Fflush(h->file, H5F_SCOPE_LOCAL) < 0) {
        r = write_fail(d, h->dest, "cannot flush '%s'", h->tmp);
        goto fail;
    }
    for (size_t i = 0; i < h->n_sites * h->n_series; i++)
        h5u_close_obj(&h->series_ds[i]);
    for (size_t i = 0; i < h->n_sites; i++)
        h5u_close_obj(&h->site_time_ds[i]);
    for (size_t i = 0; i < h->n_group_time; i++)
        h5u_close_obj(&h->group_time_ds[i]);
    h5u_close_obj(&h->time_ds);
    /* Every group, dataset, type and attribute we opened must be closed by now; one left
     * open would be a leak in this file (close degree STRONG would hide it). */
    ssize_t left = H5Fget_obj_count(h->file, H5F_OBJ_DATASET | H5F_OBJ_GROUP |
                                    H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL);
    if (left != 0) {
        r = write_error(d, h->dest, DCSIM_EINTERNAL, "%zd HDF5 objects left open", left);
        goto fail;
    }
    herr_t closed = H5Fclose(h->file);
    h->file = H5I_INVALID_HID;
    if (closed < 0) {
        r = write_fail(d, h->dest, "cannot close '%s'", h->tmp);
        goto fail;
    }
    int sync_err = syncer_stop(h);
    if (sync_err) {
        r = write_error(d, h->dest, DCSIM_EIO, "cannot sync '%s': %s", h->tmp,
                        strerror(sync_err));
        goto fail;
    }
    if (sync_file(h->tmp_fd) != 0) {
        r = write_error(d, h->dest, DCSIM_EIO, "cannot sync '%s': %s", h->tmp,
                        strerror(errno));
        goto fail;
    }
    if (rename(h->tmp, h->dest) != 0) {
        r = write_error(d, h->dest, DCSIM_EIO, "cannot rename '%s' to '%s': %s", h->tmp,
                        h->dest, strerror(errno));
        goto fail;
    }
    h->tmp_created = 0;         /* it is the destination now */
    h5out_free(h, 0);
    return 0;
fail:
    h5out_free(h, 1);
    return r;
}

void h5out_abort(struct h5out *h)
{
    if (!h)
        return;
    h5u_setup();
    h5out_free(h, 1);
}

/* ---- reader ---- */
