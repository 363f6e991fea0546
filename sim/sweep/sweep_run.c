/* sweep_run.c — the cases of a sweep on threads and MPI ranks (see sweep_run.h). */
#include "sweep_run.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef DCSIM_MPI
#include <mpi.h>
#endif

#include "mpi_launch.h"
#include "run_output.h"
#include "stop.h"
#include "h5out.h"
#include "scenario.h"
#include "solver.h"
#include "sweep_units.h"
#include "weather_cache.h"

#define SWEEP_MAX_THREADS 256   /* threads of a sweep, or of one MPI rank */
#define SWEEP_POLL_NS 50000000L   /* the main thread looks at progress every 50 ms (and
                                     as soon as the last worker returns) */

/* The first error of a case's diagnostics, with its position, for the table. */
static void first_message(const struct diag *d, int rc, char *message)
{
    const struct diag_msg *m = NULL;   /* the first error: a case's warnings are not why it failed */
    for (size_t i = 0; i < d->n && !m; i++)
        if (d->msgs[i].severity == DIAG_ERROR)
            m = &d->msgs[i];
    if (m) {
        const char *base = m->file ? strrchr(m->file, '/') : NULL;
        base = base ? base + 1 : m->file;
        if (base && m->line)
            snprintf(message, SWEEP_MESSAGE_MAX, "%s:%d:%d: %s", base, m->line, m->col, m->text);
        else
            snprintf(message, SWEEP_MESSAGE_MAX, "%s", m->text);
    } else {
        snprintf(message, SWEEP_MESSAGE_MAX, "%s", dcsim_strerror(rc));
    }
}

/* A case's scenario text: its document written back (the varied values in place). */
static int case_text(struct scenario *sc, const struct ydoc *doc)
{
    char *text;
    size_t len;
    int rc = ynode_emit(doc->root, &text, &len);
    if (rc)
        return rc;
    free(sc->text);
    sc->text = text;
    sc->text_len = len;
    return 0;
}

struct case_attrs {
    const struct sweep *sw;
    size_t c;
};

/* /scenario of a case file: `case` and each varied path's value as attributes. */
static int write_case_attrs(struct h5out *h, void *ctx, struct diag *d)
{
    const struct case_attrs *ca = ctx;
    int rc = h5out_write_object_attr(h, "/scenario", "case", NULL, (double)ca->c, d);
    for (size_t v = 0; v < ca->sw->n_vars && !rc; v++) {
        const struct sweep_var *var = &ca->sw->vars[v];
        const char *val = var->values[sweep_value_index(ca->sw, ca->c, v)];
        rc = var->numeric ? h5out_write_object_attr(h, "/scenario", var->path, NULL,
                                                    strtod(val, NULL), d)
                          : h5out_write_object_attr(h, "/scenario", var->path, val, 0, d);
    }
    if (!rc)
        rc = h5out_write_object_attr(h, "/scenario", "sweep", ca->sw->path, 0, d);
    return rc;
}

/* Runs case c alone: fills metrics (the scenario summary), status and message; weather
 * years come from `cache` (borrowed, thread-safe). A case whose unit's shared pool comes
 * online after the start goes on from *snap when that holds the state before the same step
 * (*resumed = 1), else it runs from the start and saves its state there into *snap (when
 * *snap is NULL). */
static void run_case(const struct sweep *sw, const struct catalog *cat, size_t c,
                     const char *series_dir, struct weather_cache *cache,
                     volatile sig_atomic_t *stop, const struct sweep_units *units,
                     struct sim_snapshot **snap, int *resumed, double *metrics, int *status,
                     char *message)
{
    *resumed = 0;
    struct diag d;
    diag_init(&d);
    struct ydoc doc;
    struct scenario *sc = NULL;
    struct sim *sim = NULL;
    struct sim_summary sum = {0};
    for (int k = 0; k < N_METRICS; k++)
        metrics[k] = NAN;
    message[0] = '\0';
    char err[256];
    int rc = sweep_case_doc(sw, c, &doc, err, sizeof err);
    if (rc) {
        *status = rc == DCSIM_EINPUT ? CASE_INVALID : CASE_FAILED;
        snprintf(message, SWEEP_MESSAGE_MAX, "%s", err);
        return;
    }
    rc = scenario_from_doc(&doc, cat, &sc, &d);
    if (!rc && series_dir)
        rc = case_text(sc, &doc);   /* the case file's /scenario: what was run */
    ydoc_release(&doc);
    if (!rc && sw->trials > 0)
        sc->trials = sw->trials;
    if (!rc)
        rc = sim_create_shared(sc, cache, &sim, &d);
    if (!rc && series_dir) {
        char path[PATH_MAX];
        sweep_case_file(series_dir, c, path, sizeof path);
        struct case_attrs ca = {sw, c};
        struct run_file_opts fo = {.quiet = 1, .threads = 1, .before_commit = write_case_attrs,
                                   .ctx = &ca};
        rc = run_to_file(sc, sim, path, &fo, &sum, &d);
    } else if (!rc) {
        struct sim_options opt = {.threads = 1, .stop = stop};
        int64_t k = sweep_units_fork_step(units, sc);
        if (k > 0 && *snap && sim_snapshot_step(*snap) == k) {
            opt.resume = *snap;
        } else if (k > 0 && !*snap) {
            opt.save_at_k = k;
            opt.save_to = snap;
        }
        rc = sim_run(sim, &opt, &sum, &d);
        if (rc == DCSIM_EINTERNAL && opt.resume) {
            /* the snapshot does not fit this case's sites after all: from the start */
            diag_release(&d);
            diag_init(&d);
            opt.resume = NULL;
            rc = sim_run(sim, &opt, &sum, &d);
        }
        *resumed = !rc && opt.resume;
    }
    if (!rc) {
        memcpy(metrics, sum.total, sizeof sum.total);
        *status = CASE_OK;
    } else if (rc == DCSIM_EINTERRUPTED) {
        *status = CASE_PENDING;
    } else {
        *status = rc == DCSIM_EINPUT ? CASE_INVALID : CASE_FAILED;
        first_message(&d, rc, message);
    }
    sim_summary_release(&sum);
    sim_destroy(sim);
    scenario_destroy(sc);
    diag_release(&d);
}

void sweep_series_dir(const char *out, char *buf, size_t len)
{
    size_t n = strlen(out);
    if (n > 3 && strcmp(out + n - 3, ".h5") == 0)
        n -= 3;
    snprintf(buf, len, "%.*s-cases", (int)n, out);
}

void sweep_case_file(const char *series_dir, size_t c, char *buf, size_t len)
{
    snprintf(buf, len, "%s/case-%06zu.h5", series_dir, c);
}

/* The directory for per-case series files (sweep_series_dir); made when `make_it` (rank 0
 * only, under MPI). */
static int series_dir_for(const struct sweep_exec *ex, int make_it, char *buf, size_t len,
                          struct diag *d)
{
    sweep_series_dir(ex->out, buf, len);
    if (make_it && mkdir(buf, 0777) != 0 && errno != EEXIST) {
        diag_error(d, buf, 0, 0, "cannot create the directory for the cases' series: %s",
                   strerror(errno));
        return DCSIM_EIO;
    }
    return 0;
}

struct pool {
    struct sweep_exec *ex;
    const char *series_dir;
    struct weather_cache *cache;     /* shared by the cases */
    const struct sweep_units *units;
    atomic_size_t next;              /* the next unit */
    atomic_size_t done;
    atomic_size_t resumed;           /* cases that went on from their unit's shared steps */
    atomic_int finished;             /* workers that have returned */
    pthread_mutex_t lock;            /* guards results rows while they are written/copied */
    pthread_cond_t ended;            /* a worker returned (signalled under lock) */
};

static void pool_work(struct pool *p);

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    pool_work(p);
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->finished, 1);
    pthread_cond_signal(&p->ended);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void pool_work(struct pool *p)
{
    const struct sweep_units *u = p->units;
    struct sweep_results *r = p->ex->results;
    double metrics[N_METRICS];
    char message[SWEEP_MESSAGE_MAX];
    for (;;) {
        if (*p->ex->interrupted)
            return;
        size_t unit = atomic_fetch_add(&p->next, 1);
        if (unit >= u->n_units)
            return;
        struct sim_snapshot *snap = NULL;   /* the unit's shared state, once its first runs */
        for (size_t i = u->first[unit]; i < u->first[unit + 1] && !*p->ex->interrupted; i++) {
            size_t c = u->order[i];
            pthread_mutex_lock(&p->lock);
            int pending = r->status[c] == CASE_PENDING;
            pthread_mutex_unlock(&p->lock);
            if (!pending)
                continue;
            int status, resumed;
            run_case(p->ex->sw, p->ex->cat, c, p->series_dir, p->cache, p->ex->interrupted, u,
                     &snap, &resumed, metrics, &status, message);
            if (resumed)
                atomic_fetch_add(&p->resumed, 1);
            pthread_mutex_lock(&p->lock);
            memcpy(r->metrics[c], metrics, sizeof metrics);
            memcpy(r->message[c], message, sizeof message);
            r->status[c] = status;
            pthread_mutex_unlock(&p->lock);
            if (status != CASE_PENDING)
                atomic_fetch_add(&p->done, 1);
        }
        sim_snapshot_destroy(snap);
    }
}

/* A consistent copy of the results, taken under the lock, written outside it. */
static int checkpoint(struct pool *p, struct diag *d)
{
    struct sweep_results snap;
    int rc = sweep_results_init(&snap, p->ex->results->n_cases);
    if (rc)
        return rc;
    pthread_mutex_lock(&p->lock);
    size_t n = snap.n_cases;
    memcpy(snap.status, p->ex->results->status, n * sizeof *snap.status);
    memcpy(snap.metrics, p->ex->results->metrics, n * sizeof *snap.metrics);
    memcpy(snap.message, p->ex->results->message, n * sizeof *snap.message);
    pthread_mutex_unlock(&p->lock);
    rc = sweep_write_h5(p->ex->out, p->ex->sw, &snap, d);
    sweep_results_release(&snap);
    return rc;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int execute_threads(struct sweep_exec *ex, const char *series_dir,
                           struct weather_cache *cache, const struct sweep_units *units,
                           void (*progress)(void *, size_t), void *ctx, struct diag *d)
{
    struct pool p = {.ex = ex, .series_dir = series_dir, .cache = cache, .units = units};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, sweep_results_done(ex->results));
    atomic_init(&p.resumed, 0);
    atomic_init(&p.finished, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.ended, NULL);
    int threads = ex->threads > 0 ? ex->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (threads > SWEEP_MAX_THREADS)
        threads = SWEEP_MAX_THREADS;
    pthread_t tids[SWEEP_MAX_THREADS];
    int started = 0;
    for (int i = 0; i < threads; i++, started++)
        if (pthread_create(&tids[i], NULL, pool_worker, &p) != 0)
            break;
    int rc = 0;
    if (started == 0) {
        pool_work(&p);   /* no thread could start: do the work here */
    } else {
        double last_save = mono_s();
        size_t shown = (size_t)-1;
        while (atomic_load(&p.finished) < started) {
            size_t done = atomic_load(&p.done);
            if (done != shown && progress) {
                progress(ctx, done);
                shown = done;
            }
            if (!*ex->interrupted && ex->out && mono_s() - last_save >= SWEEP_CHECKPOINT_S) {
                if ((rc = checkpoint(&p, d)))
                    *ex->interrupted = 1;   /* cannot save: stop the workers too */
                last_save = mono_s();
            }
            /* until the next look, or at once when the last worker returns */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += SWEEP_POLL_NS;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_mutex_lock(&p.lock);
            if (atomic_load(&p.finished) < started)
                pthread_cond_timedwait(&p.ended, &p.lock, &until);
            pthread_mutex_unlock(&p.lock);
        }
        for (int i = 0; i < started; i++)
            pthread_join(tids[i], NULL);
    }
    if (progress)
        progress(ctx, atomic_load(&p.done));
    pthread_cond_destroy(&p.ended);
    pthread_mutex_destroy(&p.lock);
    ex->resumed_cases = atomic_load(&p.resumed);
    if (!rc && sweep_results_done(ex->results) < ex->sw->n_cases)
        rc = DCSIM_EINTERRUPTED;
    return rc;
}

#ifdef DCSIM_MPI
int sweep_mpi_init(int *argc, char ***argv, struct sweep_mpi *m)
{
    memset(m, 0, sizeof *m);
    mpi_launch_defaults();   /* one node: shared memory between ranks, PMIx hash store */
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return DCSIM_EIO;
    m->serialized = provided >= MPI_THREAD_SERIALIZED;   /* else one thread per rank */
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    m->enabled = m->size > 1;
    return 0;
}

/* Waiting for MPI (a message, a send, a collective) sleeps between looks, from
 * MPI_IDLE_FIRST_NS doubling up to MPI_IDLE_NS: the short waits at the end of a sweep (the
 * last records, the closing collectives: a few hundred µs each) end soon after what they wait
 * for, not on the next millisecond, and a long one (rank 0 waiting for the others' last
 * cases) looks at most a thousand times a second, off the CPU in between. */
#define MPI_IDLE_FIRST_NS 20000L
#define MPI_IDLE_NS 1000000L

struct idle {
    long ns;   /* the next sleep; 0: the first */
};

static void idle_sleep(struct idle *w)
{
    if (w->ns < MPI_IDLE_FIRST_NS)
        w->ns = MPI_IDLE_FIRST_NS;
    struct timespec ts = {0, w->ns};
    nanosleep(&ts, NULL);
    w->ns = w->ns > MPI_IDLE_NS / 2 ? MPI_IDLE_NS : 2 * w->ns;
}

/* Waits for a non-blocking collective, sleeping between tests. Returns 1 when it completed,
 * 0 on an MPI error. */
static int quiet_wait(MPI_Request *rq)
{
    int done = 0;
    struct idle w = {0};
    while (MPI_Test(rq, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
        idle_sleep(&w);
    return done;
}

/* Waits, sleeping between looks, until every rank has come here: MPI's own collectives
 * (MPI_Finalize, MPI_Win_free) spin while they wait for the slowest rank. */
static void quiet_barrier(void)
{
    MPI_Request rq;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &rq) == MPI_SUCCESS)
        quiet_wait(&rq);
}

int sweep_mpi_all_ok(struct sweep_mpi *m, int ok)
{
    if (m->size < 2 || m->finalized)
        return ok;
    int mine = ok != 0, all = 0;
    MPI_Request rq;
    if (MPI_Iallreduce(&mine, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD, &rq) != MPI_SUCCESS)
        return 0;
    return quiet_wait(&rq) && all;
}

void sweep_mpi_finalize(struct sweep_mpi *m)
{
    if (m->finalized)
        return;
    m->finalized = 1;
    if (m->size > 1)
        quiet_barrier();
    mpi_launch_nodelay_loopback();   /* MPI_Finalize's messages to mpirun: no 40 ms wait */
    MPI_Finalize();
}

/* A finished case on its way to rank 0. */
struct case_record {
    int64_t c;
    int32_t status;
    int32_t resumed;                 /* it went on from its unit's shared steps */
    char message[SWEEP_MESSAGE_MAX];
    double metrics[N_METRICS];
};

#define TAG_RECORD 1          /* a finished case, to rank 0 */
#define MPI_SENDS_IN_FLIGHT 64   /* records a rank may have on their way at once */

static void store_record(struct sweep_results *r, const struct case_record *rec)
{
    if (rec->c < 0 || (size_t)rec->c >= r->n_cases)
        return;
    r->status[rec->c] = rec->status;
    memcpy(r->metrics[rec->c], rec->metrics, sizeof rec->metrics);
    memcpy(r->message[rec->c], rec->message, sizeof rec->message);
}

/* Rank 0: takes every record that has arrived (never blocks); counts the ranks that said
 * they are done (a record with c = -1) and the cases that went on from shared steps.
 * Returns the records taken. */
static int drain(struct sweep_results *r, int *ranks_done, size_t *resumed)
{
    int taken = 0;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_RECORD, MPI_COMM_WORLD, &flag, &st);
        if (!flag)
            return taken;
        struct case_record rec;
        MPI_Recv(&rec, (int)sizeof rec, MPI_BYTE, st.MPI_SOURCE, TAG_RECORD, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (rec.c < 0) {
            (*ranks_done)++;
        } else {
            store_record(r, &rec);
            *resumed += rec.resumed != 0;
        }
        taken++;
    }
}

/* Records on their way from a rank other than 0: non-blocking sends from a ring of buffers,
 * so a rank never waits for rank 0 (busy computing) to receive. */
struct outbox {
    struct case_record rec[MPI_SENDS_IN_FLIGHT];
    MPI_Request req[MPI_SENDS_IN_FLIGHT];
};

/* A free slot, waiting (sleeping, not spinning) while every slot is in flight. */
static int outbox_slot(struct outbox *o)
{
    struct idle w = {0};
    for (;;) {
        for (int i = 0; i < MPI_SENDS_IN_FLIGHT; i++) {
            int done = 0;
            if (o->req[i] == MPI_REQUEST_NULL)
                return i;
            MPI_Test(&o->req[i], &done, MPI_STATUS_IGNORE);
            if (done)
                return i;
        }
        idle_sleep(&w);
    }
}

static void outbox_send(struct outbox *o, const struct case_record *rec)
{
    int i = outbox_slot(o);
    o->rec[i] = *rec;
    MPI_Isend(&o->rec[i], (int)sizeof o->rec[i], MPI_BYTE, 0, TAG_RECORD, MPI_COMM_WORLD,
              &o->req[i]);
}

/* Waits for every send to complete, sleeping between tests. */
static void outbox_flush(struct outbox *o)
{
    struct idle w = {0};
    for (;;) {
        int all = 0;
        MPI_Testall(MPI_SENDS_IN_FLIGHT, o->req, &all, MPI_STATUSES_IGNORE);
        if (all)
            return;
        idle_sleep(&w);
    }
}

/* The next pending unit of cases (sweep_units.h): one counter on rank 0, taken from by
 * every rank with an MPI-3 atomic (MPI_Fetch_and_op), so each rank, rank 0 included, runs
 * the next unit as soon as it is free: a rank whose cases cost more (cases are ordered by
 * their values, and neighbouring cases need not cost the same) takes fewer, and nobody
 * waits for anyone until the table is done. */
struct case_counter {
    MPI_Win win;
    int64_t *next;   /* rank 0's counter (the window's memory) */
};

static int counter_open(struct case_counter *k, int root)
{
    MPI_Aint bytes = root ? (MPI_Aint)sizeof(int64_t) : 0;
    if (MPI_Win_allocate(bytes, (int)sizeof(int64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &k->next,
                         &k->win) != MPI_SUCCESS)
        return DCSIM_EIO;
    if (root) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, k->win);
        *k->next = 0;
        MPI_Win_unlock(0, k->win);
    }
    MPI_Barrier(MPI_COMM_WORLD);   /* nobody takes before the counter is 0 */
    MPI_Win_lock_all(0, k->win);
    return 0;
}

static int64_t counter_take(struct case_counter *k)
{
    const int64_t one = 1;
    int64_t got = 0;
    MPI_Fetch_and_op(&one, &got, MPI_INT64_T, 0, 0, MPI_SUM, k->win);
    MPI_Win_flush(0, k->win);
    return got;
}

static void counter_close(struct case_counter *k)
{
    MPI_Win_unlock_all(k->win);
    quiet_barrier();   /* MPI_Win_free is collective: wait for the others asleep */
    MPI_Win_free(&k->win);
}

/* What a rank's threads share while they take units from the counter. They call MPI one at
 * a time (MPI_THREAD_SERIALIZED), under `lock`, which also guards rank 0's table and the
 * fields below it. */
struct rank_work {
    struct sweep_exec *ex;
    const char *series_dir;
    struct weather_cache *cache;
    const struct sweep_units *units;
    const unsigned char *done_mask;     /* [case]: done before this run (--resume) */
    const size_t *pending;              /* the units with a pending case, in plan order */
    size_t n_pending;
    struct case_counter *counter;
    struct outbox *out;                 /* ranks other than 0: records on their way */
    struct diag *d;
    pthread_mutex_t lock;
    int ranks_done;                     /* rank 0: the ranks that said they are done */
    double last_save;                   /* rank 0: when the table was last saved */
    int rc;                             /* a failure: before the threads started, or rank
                                           0's checkpoint that could not be written */
};

/* One thread of a rank: the next pending unit from the counter, its cases one after
 * another (the unit's first saves the shared steps, the others go on from them), each
 * finished case into rank 0's table (rank 0, taking the others' records as it does, and
 * saving the table every SWEEP_CHECKPOINT_S) or on its way there. */
static void *rank_worker(void *arg)
{
    struct rank_work *w = arg;
    struct sweep_exec *ex = w->ex;
    const struct sweep_units *units = w->units;
    struct sweep_results *r = ex->results;
    int root = ex->mpi->rank == 0;
    struct case_record rec;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        int64_t taken = w->rc || *ex->interrupted ? -1 : counter_take(w->counter);
        pthread_mutex_unlock(&w->lock);
        if (taken < 0 || (size_t)taken >= w->n_pending)
            break;
        size_t u = w->pending[taken];
        struct sim_snapshot *snap = NULL;   /* the unit's shared state, once its first runs */
        for (size_t i = units->first[u]; i < units->first[u + 1] && !*ex->interrupted; i++) {
            size_t c = units->order[i];
            if (w->done_mask[c])
                continue;
            memset(&rec, 0, sizeof rec);
            rec.c = (int64_t)c;
            int status, resumed;
            run_case(ex->sw, ex->cat, c, w->series_dir, w->cache, ex->interrupted, units, &snap,
                     &resumed, rec.metrics, &status, rec.message);
            rec.status = status;
            rec.resumed = resumed;
            if (status == CASE_PENDING)
                continue;
            pthread_mutex_lock(&w->lock);
            if (root) {
                store_record(r, &rec);
                ex->resumed_cases += rec.resumed != 0;
                drain(r, &w->ranks_done, &ex->resumed_cases);
                if (!w->rc && ex->out && mono_s() - w->last_save >= SWEEP_CHECKPOINT_S) {
                    if ((w->rc = sweep_write_h5(ex->out, ex->sw, r, w->d)))
                        *ex->interrupted = 1;
                    w->last_save = mono_s();
                }
            } else {
                outbox_send(w->out, &rec);
            }
            pthread_mutex_unlock(&w->lock);
        }
        sim_snapshot_destroy(snap);
    }
    return NULL;
}

/* Threads per rank: -j, or the CPUs the rank may use (mpi_launch_rank_threads); one when the
 * MPI library cannot take calls from several threads. */
static int rank_threads(const struct sweep_exec *ex)
{
    if (!ex->mpi->serialized)
        return 1;
    int threads = ex->threads > 0 ? ex->threads : mpi_launch_rank_threads();   /* >= 1 */
    return threads > SWEEP_MAX_THREADS ? SWEEP_MAX_THREADS : threads;
}

/* Finished cases go to rank 0 by non-blocking sends; rank 0 takes them between its own
 * cases and saves the table every SWEEP_CHECKPOINT_S; when the table is done it waits for
 * the others' last records, sleeping between looks. Each rank runs its cases on
 * rank_threads() threads, the calling one included. */
static int execute_mpi(struct sweep_exec *ex, const char *series_dir,
                       struct weather_cache *cache, const struct sweep_units *units,
                       struct diag *d)
{
    const struct sweep *sw = ex->sw;
    struct sweep_results *r = ex->results;
    size_t n = sw->n_cases;
    int root = ex->mpi->rank == 0;
    /* what --resume found on rank 0, for everyone */
    unsigned char *done_mask = calloc(n ? n : 1, 1);
    if (!done_mask)
        return DCSIM_ENOMEM;
    struct outbox box, *out = root ? NULL : &box;
    for (int i = 0; out && i < MPI_SENDS_IN_FLIGHT; i++)
        out->req[i] = MPI_REQUEST_NULL;
    if (root)
        for (size_t c = 0; c < n; c++)
            done_mask[c] = r->status[c] != CASE_PENDING;
    MPI_Bcast(done_mask, (int)n, MPI_UNSIGNED_CHAR, 0, MPI_COMM_WORLD);

    /* the units with a pending case, in the order of the plan */
    size_t *pending = malloc((units->n_units ? units->n_units : 1) * sizeof *pending);
    size_t n_pending = 0;
    struct case_counter counter;
    int rc = pending ? 0 : DCSIM_ENOMEM;
    for (size_t u = 0; pending && u < units->n_units; u++) {
        int any = 0;
        for (size_t i = units->first[u]; i < units->first[u + 1]; i++)
            any |= !done_mask[units->order[i]];
        if (any)
            pending[n_pending++] = u;
    }
    /* every rank opens the counter (collective), whatever its memory said */
    int counter_rc = counter_open(&counter, root);
    if (!rc)
        rc = counter_rc;
    struct rank_work w = {.ex = ex, .series_dir = series_dir, .cache = cache, .units = units,
                          .done_mask = done_mask, .pending = pending, .n_pending = n_pending,
                          .counter = &counter, .out = out, .d = d, .last_save = mono_s(),
                          .rc = rc};
    pthread_mutex_init(&w.lock, NULL);
    pthread_t tids[SWEEP_MAX_THREADS];
    int started = 0, threads = rank_threads(ex);
    for (int i = 1; !rc && i < threads; i++, started++)
        if (pthread_create(&tids[started], NULL, rank_worker, &w) != 0)
            break;   /* the work is the same on fewer threads */
    rank_worker(&w);
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    pthread_mutex_destroy(&w.lock);
    rc = w.rc;
    free(done_mask);
    struct case_record rec;
    if (root) {
        struct idle wait = {0};   /* from the first look again after each record */
        while (w.ranks_done < ex->mpi->size - 1) {
            if (drain(r, &w.ranks_done, &ex->resumed_cases))
                wait.ns = 0;
            else
                idle_sleep(&wait);
            if (!rc && ex->out && mono_s() - w.last_save >= SWEEP_CHECKPOINT_S) {
                rc = sweep_write_h5(ex->out, sw, r, d);
                w.last_save = mono_s();
            }
        }
    } else {
        memset(&rec, 0, sizeof rec);
        rec.c = -1;
        outbox_send(out, &rec);
        outbox_flush(out);
    }
    if (!counter_rc)
        counter_close(&counter);
    free(pending);
    if (root && !rc && sweep_results_done(r) < n)
        rc = DCSIM_EINTERRUPTED;
    return rc;
}
#else
int sweep_mpi_init(int *argc, char ***argv, struct sweep_mpi *m)
{
    (void)argc;
    (void)argv;
    memset(m, 0, sizeof *m);
    m->size = 1;
    return 0;
}

int sweep_mpi_all_ok(struct sweep_mpi *m, int ok)
{
    (void)m;
    return ok;
}

void sweep_mpi_finalize(struct sweep_mpi *m)
{
    (void)m;
}
#endif

/* The CSV series of a sweep's cases are shared (tseries_get) but freed with their last
 * user: cases run one after another would each read them again. The first pending case's
 * scenario, held for the whole sweep, keeps the series it names (those of every case, unless
 * a case varies them) read once. NULL when there is no such case or it does not load (the
 * case then reports its own error when it runs). */
static struct scenario *pin_series(const struct sweep_exec *ex)
{
    const struct sweep *sw = ex->sw;
    size_t c = 0;
    while (c < sw->n_cases && ex->results->status[c] != CASE_PENDING)
        c++;
    if (c == sw->n_cases)
        return NULL;
    struct ydoc doc;
    char err[256];
    if (sweep_case_doc(sw, c, &doc, err, sizeof err))
        return NULL;
    struct diag d;
    diag_init(&d);
    struct scenario *sc = NULL;
    if (scenario_from_doc(&doc, ex->cat, &sc, &d))
        sc = NULL;
    ydoc_release(&doc);
    diag_release(&d);
    return sc;
}

int sweep_execute(struct sweep_exec *ex, void (*progress)(void *ctx, size_t done), void *ctx,
                  struct diag *d)
{
    char dir[PATH_MAX];
    const char *series_dir = NULL;
    if (ex->sw->series) {
        int rc = series_dir_for(ex, !ex->mpi->enabled || ex->mpi->rank == 0, dir, sizeof dir, d);
        if (rc)
            return rc;
        series_dir = dir;
    }
    /* every case borrows the weather years it shares with others from one cache */
    struct weather_cache *cache = NULL;
    int rc = weather_cache_create(&cache);
    if (rc)
        return rc;
    struct scenario *pin = pin_series(ex);
    /* cases that share their past in units (every rank plans the same) */
    struct sweep_units units;
    if ((rc = sweep_units_plan(ex->sw, ex->cat, !ex->no_share, &units))) {
        scenario_destroy(pin);
        weather_cache_destroy(cache);
        return rc;
    }
#ifdef DCSIM_MPI
    if (ex->mpi->enabled)
        rc = execute_mpi(ex, series_dir, cache, &units, d);
    else
#endif
        rc = execute_threads(ex, series_dir, cache, &units, progress, ctx, d);
    sweep_units_release(&units);
    scenario_destroy(pin);
    weather_cache_destroy(cache);
    return rc;
}
