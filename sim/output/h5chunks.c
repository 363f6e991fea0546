/* h5chunks.c — staged rows compressed on a pool of threads and written in order (see
 * h5chunks.h).
 *
 * Work is numbered: task g is column g % n_cols of chunk g / n_cols, kept in stage
 * (g / n_cols) % n_stages. A thread claims the next task (`claim`), compresses (or copies) it
 * into slot g % n_slots of a ring, and marks it ready; one writer thread (the only one that
 * calls HDF5) writes the ready tasks in order. A task is claimed only when its slot is free
 * (g < written + n_slots). A stage is refilled as soon as all of its tasks are in the ring,
 * not when they are written: the ring holds about a stage more, so the appending thread (the
 * solver) waits for the compression (and compresses meanwhile), never for HDF5's writes,
 * which can take long (metadata reloads with thousands of series).
 *
 * Inline (threads 0): no threads at all; the appending thread compresses and writes each
 * stage as it is sent, through the same ring and the same order, so the bytes are the same. */
#define _DEFAULT_SOURCE 1   /* madvise */
#include "h5chunks.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zlib.h>

#include "h5util.h"

/* The ring of prepared chunks holds at most this many bytes (see ring_slots). */
#define H5CHUNKS_RING_BYTES (32u << 20)
/* A stage of at least this many bytes is allocated in transparent huge pages (see
 * stage_alloc). */
#define H5CHUNKS_HUGE_PAGE (2u << 20)
/* Rows sampled for a column's fingerprint, and the candidates with an equal fingerprint
 * compared byte for byte before a column is compressed anyway (see find_repeats). */
#define H5CHUNKS_FP_SAMPLES 32
#define H5CHUNKS_REPEAT_PROBES 8

struct slot {
    unsigned char *buf;         /* compressed or copied bytes (cap: the largest the slot's
                                   chunks have needed) */
    size_t cap;
    const void *data;           /* what to write: buf, or the shared zero chunk */
    size_t size;
    int ready;
};

/* What one compressing thread owns. */
struct worker {
    struct h5chunks *hc;
    unsigned char *shuffled;    /* [chunk_rows * 8] */
    unsigned char *packed;      /* [slot_cap]: deflate's output, then copied to the slot */
    z_stream z;                 /* reset for every chunk */
    int z_ready;
};

struct h5chunks {
    struct h5chunks_opts o;
    size_t chunk_bytes;         /* chunk_rows * 8 */
    double *stage[2];           /* [n_cols][chunk_rows] */
    size_t filled;              /* rows in the stage being filled */
    uint64_t rows_in;           /* rows appended so far */
    uint64_t sent;              /* stages sent so far (the one filled is number `sent`) */

    pthread_mutex_t lock;
    pthread_cond_t work;        /* a task to claim, or a slot freed (the pool waits on it) */
    pthread_cond_t done;        /* a stage free, all written, or a failure (the appender) */
    pthread_cond_t wrote;       /* the next task to write is ready (the writer waits on it) */
    pthread_t writer;
    int writer_started;
    int prologue_done;          /* the writer thread's prologue has run */
    uint64_t claim, written, end;   /* next task to claim, to write; tasks sent */
    struct slot *slots;
    size_t n_slots, slot_cap;
    size_t left[2];             /* tasks of the stage in each buffer not yet in the ring */
    int quit;
    int rc;                     /* first failure */
    struct diag d;              /* its message */

    unsigned char *zero;        /* an all-zero chunk compressed (most chunks of a run's
                                   unused supplies and shed series are zeros) */
    size_t zero_size;

    /* Repeated columns: many chunks of a stage are another chunk of it byte for byte (a
     * series and its max when constant, facility and grid power when nothing is short), and
     * the same bytes compress to the same bytes: those are compressed once and copied. */
    size_t *same[2];            /* [n_cols] per stage: an earlier column with the same bytes
                                   (the column itself when none) */
    size_t *table;              /* [table_size] open addressing: column + 1, 0 empty */
    uint64_t *table_fp;         /* [table_size] fingerprint of that column */
    size_t table_size;          /* a power of two >= 2 * n_cols */
    pthread_cond_t prepared;    /* a task is in the ring (a repeat waits for the one it copies) */
    int repeat_waiters;

    pthread_t *tids;
    int n_tids;
    struct worker *workers;     /* [threads + 1]: the last is the appending thread's */
};

/* Inline (threads 0): everything on the appending thread. */
static int inline_mode(const struct h5chunks *hc)
{
    return hc->o.threads == 0;
}

void h5chunks_shuffle8(const void *in, size_t n, void *out)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t i = 0;
    /* eight values at a time: an 8 x 8 byte transpose in registers, a word to each plane */
    for (; i + 8 <= n; i += 8) {
        uint64_t v[8];
        memcpy(v, src + i * 8, sizeof v);
        for (int b = 0; b < 8; b++) {
            uint64_t w = 0;
            for (int k = 0; k < 8; k++)
                w |= ((v[k] >> (8 * b)) & 0xffu) << (8 * k);
            memcpy(dst + (size_t)b * n + i, &w, sizeof w);   /* little-endian planes */
        }
    }
    for (; i < n; i++)
        for (size_t b = 0; b < 8; b++)
            dst[b * n + i] = src[i * 8 + b];
}

/* Whether a chunk's bytes are all zero. */
static int all_zero(const double *x, size_t n)
{
    const unsigned char *p = (const unsigned char *)x;
    size_t bytes = n * sizeof *x;
    if (bytes == 0 || p[0] != 0)
        return bytes == 0;
    return memcmp(p, p + 1, bytes - 1) == 0;
}

/* A fingerprint of a chunk from H5CHUNKS_FP_SAMPLES of its values spread over it, into *fp;
 * returns 0 when they are all zero (the chunk is likely all zeros: left to the zero chunk). A
 * sample, not a hash of every byte: candidates are compared whole anyway. */
static int fingerprint(const double *x, size_t n, uint64_t *fp)
{
    uint64_t h = 0x243f6a8885a308d3u, any = 0;
    for (size_t k = 0; k < H5CHUNKS_FP_SAMPLES; k++) {
        uint64_t v;
        memcpy(&v, x + k * (n - 1) / (H5CHUNKS_FP_SAMPLES - 1), sizeof v);
        any |= v;
        h = (h ^ v) * 0x9e3779b97f4a7c15u;
        h ^= h >> 29;
    }
    *fp = h;
    return any != 0;
}

/* Fills same[s] for the stage in buffer s (on the appending thread, once the stage is full):
 * for each column the latest earlier column with the same bytes (the nearest: its slot in
 * the ring is the least likely to have been reused). A column whose fingerprint
 * matches none, or only columns that differ after H5CHUNKS_REPEAT_PROBES comparisons, is its
 * own (compressed). Costs a few loads per column plus a comparison per repeat. */
static void find_repeats(struct h5chunks *hc, int s)
{
    size_t n_cols = hc->o.n_cols, mask = hc->table_size - 1;
    memset(hc->table, 0, hc->table_size * sizeof *hc->table);
    for (size_t c = 0; c < n_cols; c++) {
        const double *x = hc->stage[s] + c * hc->o.chunk_rows;
        uint64_t fp;
        hc->same[s][c] = c;
        if (!fingerprint(x, hc->o.chunk_rows, &fp))
            continue;
        size_t i = (size_t)fp & mask;
        for (int probes = 0; probes < H5CHUNKS_REPEAT_PROBES; i = (i + 1) & mask) {
            size_t e = hc->table[i];
            if (e == 0) {
                hc->table[i] = c + 1;
                hc->table_fp[i] = fp;
                break;
            }
            if (hc->table_fp[i] != fp)
                continue;
            if (memcmp(x, hc->stage[s] + (e - 1) * hc->o.chunk_rows, hc->chunk_bytes) == 0) {
                hc->same[s][c] = e - 1;
                hc->table[i] = c + 1;   /* the next repeat copies this one: nearer in the ring */
                break;
            }
            probes++;
        }
    }
}

/* deflate of `len` bytes at level into out (cap bytes) with w's stream; 0 or a zlib error. */
static int deflate_chunk(struct worker *w, int level, const void *in, size_t len,
                         unsigned char *out, size_t cap, size_t *size)
{
    int z = w->z_ready ? deflateReset(&w->z) : deflateInit(&w->z, level);
    w->z_ready = w->z_ready || z == Z_OK;
    if (z == Z_OK) {
        w->z.next_in = (Bytef *)(uintptr_t)in;
        w->z.avail_in = (uInt)len;
        w->z.next_out = out;
        w->z.avail_out = (uInt)cap;
        z = deflate(&w->z, Z_FINISH);
    }
    if (z != Z_STREAM_END)
        return z == Z_OK ? Z_BUF_ERROR : z;
    *size = w->z.total_out;
    return 0;
}

static int stopped(const struct h5chunks *hc)
{
    return hc->o.stop && *hc->o.stop;
}

/* Records the first failure (lock held). */
static void fail_locked(struct h5chunks *hc, int rc)
{
    if (!hc->rc)
        hc->rc = rc;
    pthread_cond_broadcast(&hc->work);
    pthread_cond_broadcast(&hc->prepared);
    pthread_cond_broadcast(&hc->done);
    pthread_cond_signal(&hc->wrote);
}

/* A thread's failure rc, with what it said in d, into the pool (lock held). */
static void fail_with_locked(struct h5chunks *hc, int rc, const struct diag *d)
{
    diag_append(&hc->d, d);
    fail_locked(hc, rc);
}

/* Rows of data in chunk `chunk`: chunk_rows, fewer in the run's last. */
static size_t chunk_data_rows(const struct h5chunks *hc, uint64_t chunk)
{
    uint64_t first = chunk * hc->o.chunk_rows;
    uint64_t left = hc->o.total_rows > first ? hc->o.total_rows - first : 0;
    return left < hc->o.chunk_rows ? (size_t)left : hc->o.chunk_rows;
}

/* Copies `size` bytes into the slot's buffer, grown when they do not fit (kept, not freed
 * once written: a free from the writing thread would contend for the allocating thread's
 * malloc arena with HDF5's own allocations). When slots do not each hold one column (`shrink`:
 * a ring of fewer slots than columns), a buffer far larger than its chunk is shrunk, or every
 * slot would grow to the largest chunk of any column. */
static int slot_put(struct slot *sl, const void *bytes, size_t size, int shrink,
                    struct diag *d)
{
    size_t cap = (size + 4095) & ~(size_t)4095;   /* whole pages: fewer reallocs */
    if (size > sl->cap || (shrink && sl->cap > 2 * cap)) {
        unsigned char *moved = realloc(sl->buf, cap);
        if (!moved) {
            diag_error(d, NULL, 0, 0, "out of memory for a chunk of series");
            return DCSIM_ENOMEM;
        }
        sl->buf = moved;
        sl->cap = cap;
    }
    memcpy(sl->buf, bytes, size);
    sl->data = sl->buf;
    sl->size = size;
    return 0;
}

/* Whether slots are shared by columns (a ring of fewer slots than a stage's columns): then
 * slot_put shrinks a buffer far larger than its chunk. */
static int ring_shrinks(const struct h5chunks *hc)
{
    return hc->n_slots % hc->o.n_cols != 0;
}

/* Task g repeats task `src` of its stage: waits until `src` is in the ring and copies its
 * compressed bytes into g's slot (the same bytes compressing g would give). Returns 1 when
 * copied, 0 when it cannot be (src's slot reused since, or the pool stopping: compress g
 * instead), or a failure status with a message in d. */
static int copy_repeat(struct h5chunks *hc, struct slot *sl, uint64_t src, struct diag *d)
{
    const struct slot *from = &hc->slots[src % hc->n_slots];
    int r = 0;
    pthread_mutex_lock(&hc->lock);
    hc->repeat_waiters++;
    while (!hc->rc && !hc->quit && src >= hc->written && !from->ready)
        pthread_cond_wait(&hc->prepared, &hc->lock);
    hc->repeat_waiters--;
    /* src's slot holds its bytes until task src + n_slots is claimed (under the lock) */
    if (!hc->rc && !hc->quit && hc->claim <= src + hc->n_slots)
        r = slot_put(sl, from->data, from->size, ring_shrinks(hc), d) ? DCSIM_ENOMEM : 1;
    pthread_mutex_unlock(&hc->lock);
    return r;
}

/* A stage's memory: tens of MB filled once by the appending thread; in 4 KB pages that is
 * thousands of page faults (~0.1 s of the solver's thread for a 44 MB stage), in huge pages
 * (where the kernel has them for the asking) a few dozen. */
static double *stage_alloc(size_t bytes)
{
    if (bytes < H5CHUNKS_HUGE_PAGE)
        return malloc(bytes);
    size_t size = (bytes + H5CHUNKS_HUGE_PAGE - 1) & ~(size_t)(H5CHUNKS_HUGE_PAGE - 1);
    void *p = NULL;
    if (posix_memalign(&p, H5CHUNKS_HUGE_PAGE, size) != 0)
        return NULL;
    (void)madvise(p, size, MADV_HUGEPAGE);   /* only advice: 4 KB pages work the same */
    return p;
}

/* Prepares task g in its slot (no lock held; the slot is the claimer's): compresses it (or
 * copies an earlier task's bytes when it repeats one), or copies it (no filter), so that its
 * stage can be refilled before it is written. */
static int prepare(struct worker *w, uint64_t g, struct diag *d)
{
    struct h5chunks *hc = w->hc;
    uint64_t chunk = g / hc->o.n_cols;
    size_t col = (size_t)(g % hc->o.n_cols);
    int s = (int)(chunk % (uint64_t)hc->o.n_stages);
    const double *src = hc->stage[s] + col * hc->o.chunk_rows;
    struct slot *sl = &hc->slots[g % hc->n_slots];
    if (hc->o.level > 0 && all_zero(src, hc->o.chunk_rows)) {   /* the same bytes as
                                                                   compressing it */
        sl->data = hc->zero;
        sl->size = hc->zero_size;
        return 0;
    }
    if (hc->o.level <= 0) {   /* H5CHUNKS_RAW_ROWS: the rows of data; RAW_CHUNK: all */
        size_t size = (hc->o.level == H5CHUNKS_RAW_ROWS ? chunk_data_rows(hc, chunk)
                                                         : hc->o.chunk_rows) * sizeof(double);
        return slot_put(sl, src, size, ring_shrinks(hc), d);
    }
    size_t same = hc->same[s][col];
    if (same != col) {
        int r = copy_repeat(hc, sl, g - (col - same), d);
        if (r)
            return r > 0 ? 0 : r;
    }
    /* What HDF5's pipeline does with shuffle + deflate: compress2 (deflateInit at the level,
     * one deflate to the end, deflateEnd) of the shuffled chunk. A stream reset between
     * chunks gives the same bytes (its state is re-initialised; every chunk has the same
     * length) without allocating and clearing ~270 KB of zlib state a chunk. */
    h5chunks_shuffle8(src, hc->o.chunk_rows, w->shuffled);
    size_t size = 0;
    int z = deflate_chunk(w, hc->o.level, w->shuffled, hc->chunk_bytes, w->packed, hc->slot_cap,
                          &size);
    if (z) {
        diag_error(d, NULL, 0, 0, "cannot compress a chunk of series: zlib error %d", z);
        return z == Z_MEM_ERROR ? DCSIM_ENOMEM : DCSIM_EINTERNAL;
    }
    return slot_put(sl, w->packed, size, ring_shrinks(hc), d);
}

/* Lock held, on the writer thread: writes every ready task in order (the lock released
 * around each write). */
static void write_ready_locked(struct h5chunks *hc)
{
    while (!hc->rc && !hc->quit && hc->written < hc->claim &&
           hc->slots[hc->written % hc->n_slots].ready) {
        uint64_t t = hc->written;
        struct slot *sl = &hc->slots[t % hc->n_slots];
        uint64_t chunk = t / hc->o.n_cols;
        size_t col = (size_t)(t % hc->o.n_cols);
        pthread_mutex_unlock(&hc->lock);
        struct diag d;
        diag_init(&d);
        int rc = hc->o.write(hc->o.ctx, col, chunk, chunk_data_rows(hc, chunk), sl->data,
                             sl->size, &d);
        pthread_mutex_lock(&hc->lock);
        if (rc)
            fail_with_locked(hc, rc, &d);
        diag_release(&d);
        sl->ready = 0;
        hc->written++;
        if (hc->written == hc->end) {   /* a drain may be waiting (on either) */
            pthread_cond_broadcast(&hc->done);
            pthread_cond_broadcast(&hc->work);
        }
        if (hc->claim < hc->end && hc->claim + 1 == hc->written + hc->n_slots)
            pthread_cond_signal(&hc->work);       /* the ring was full: a task to claim */
    }
}

/* Lock held: marks task g ready; its stage's buffer is free once all its tasks are; the
 * writer is woken when g is the next to write. */
static void complete_locked(struct h5chunks *hc, uint64_t g)
{
    hc->slots[g % hc->n_slots].ready = 1;
    if (hc->repeat_waiters)
        pthread_cond_broadcast(&hc->prepared);
    int s = (int)((g / hc->o.n_cols) % (uint64_t)hc->o.n_stages);
    if (--hc->left[s] == 0) {   /* the appender may be waiting for this buffer */
        pthread_cond_broadcast(&hc->done);
        pthread_cond_broadcast(&hc->work);
    }
    if (g == hc->written)
        pthread_cond_signal(&hc->wrote);
}

/* Lock held: claims the next task if there is one whose slot is free; runs it (the lock
 * released while compressing). Returns 1 when it did. */
static int work_one_locked(struct worker *w)
{
    struct h5chunks *hc = w->hc;
    if (hc->rc || hc->quit || hc->claim >= hc->end || hc->claim >= hc->written + hc->n_slots)
        return 0;
    if (stopped(hc)) {
        fail_locked(hc, DCSIM_EINTERRUPTED);
        return 0;
    }
    uint64_t g = hc->claim++;
    pthread_mutex_unlock(&hc->lock);
    struct diag d;
    diag_init(&d);
    int rc = prepare(w, g, &d);
    pthread_mutex_lock(&hc->lock);
    if (rc)
        fail_with_locked(hc, rc, &d);
    else
        complete_locked(hc, g);
    diag_release(&d);
    return 1;
}

static void *pool_thread(void *arg)
{
    struct worker *w = arg;
    struct h5chunks *hc = w->hc;
    pthread_mutex_lock(&hc->lock);
    while (!hc->quit) {
        if (!work_one_locked(w))
            pthread_cond_wait(&hc->work, &hc->lock);
    }
    pthread_mutex_unlock(&hc->lock);
    return NULL;
}

/* The one thread that calls `write` (and first `prologue`): all of HDF5's work and memory
 * on one thread (its allocations in one malloc arena, not spread over the pool's), and the
 * compressing threads never wait for a write. */
static void *writer_thread(void *arg)
{
    struct h5chunks *hc = arg;
    h5u_setup();   /* this thread's HDF5 error printing off: failures report through d */
    if (hc->o.prologue) {
        struct diag d;
        diag_init(&d);
        int rc = hc->o.prologue(hc->o.ctx, &d);
        pthread_mutex_lock(&hc->lock);
        if (rc)
            fail_with_locked(hc, rc, &d);
        pthread_mutex_unlock(&hc->lock);
        diag_release(&d);
    }
    pthread_mutex_lock(&hc->lock);
    hc->prologue_done = 1;   /* a drain waits for it even with nothing to write */
    pthread_cond_broadcast(&hc->done);
    pthread_cond_broadcast(&hc->work);
    while (!hc->quit && !hc->rc) {
        if (hc->written < hc->claim && hc->slots[hc->written % hc->n_slots].ready)
            write_ready_locked(hc);
        else
            pthread_cond_wait(&hc->wrote, &hc->lock);
    }
    pthread_mutex_unlock(&hc->lock);
    return NULL;
}

/* Lock held: waits until done(hc) holds or the work failed or stopped; with `help`, the
 * calling thread compresses with the pool meanwhile (else a core would sit idle while the
 * solver waits). */
static int wait_until_locked(struct h5chunks *hc, int (*done)(const struct h5chunks *), int help)
{
    struct worker *self = &hc->workers[hc->o.threads];
    while (!done(hc) && !hc->rc && !hc->quit) {
        if (stopped(hc)) {
            fail_locked(hc, DCSIM_EINTERRUPTED);
            break;
        }
        if (help && work_one_locked(self))
            continue;
        pthread_cond_wait(help ? &hc->work : &hc->done, &hc->lock);
    }
    return hc->rc;
}

/* The stage to fill next (number `sent`) is free: every task of the stage in its buffer
 * is in the ring. */
static int fill_stage_free(const struct h5chunks *hc)
{
    return hc->left[hc->sent % (uint64_t)hc->o.n_stages] == 0;
}

static int all_written(const struct h5chunks *hc)
{
    return hc->prologue_done && hc->written >= hc->end;
}

/* Moves the pool's messages into d (only when no thread can be adding to them). */
static void take_messages(struct h5chunks *hc, struct diag *d)
{
    if (d)
        diag_append(d, &hc->d);
    diag_release(&hc->d);
    diag_init(&hc->d);
}

/* Stops and joins the threads. */
static void halt(struct h5chunks *hc)
{
    pthread_mutex_lock(&hc->lock);
    hc->quit = 1;
    pthread_cond_broadcast(&hc->work);
    pthread_cond_broadcast(&hc->prepared);
    pthread_cond_broadcast(&hc->done);
    pthread_cond_signal(&hc->wrote);
    pthread_mutex_unlock(&hc->lock);
    for (int i = 0; i < hc->n_tids; i++)
        pthread_join(hc->tids[i], NULL);
    hc->n_tids = 0;
    if (hc->writer_started)
        pthread_join(hc->writer, NULL);
    hc->writer_started = 0;
}

/* After a failure: the threads stop (one may be writing), then the messages are handed over. */
static int failed(struct h5chunks *hc, int rc, struct diag *d)
{
    halt(hc);
    if (rc != DCSIM_EINTERRUPTED)
        take_messages(hc, d);
    return rc;
}

/* Slots of the ring: a stage's tasks, or a few stages' when a stage has few columns (so the
 * writes may lag a stage behind the compression, and each slot always holds the same column:
 * its buffer grows to that column's largest chunk only), at most H5CHUNKS_RING_BYTES of
 * buffers even if nothing compressed (typical series take a fifth of that or less). */
static size_t ring_slots(const struct h5chunks_opts *o, size_t slot_cap)
{
    size_t least = 4 * (size_t)o->threads + 4;
    size_t budget = H5CHUNKS_RING_BYTES / slot_cap;
    size_t n = o->n_cols * ((least + o->n_cols - 1) / o->n_cols);
    n = n <= budget ? n : budget;
    return n > least ? n : least;
}

/* Inline: the prologue on the appending thread, at the start; a failure is reported by the
 * first append or the drain, as the writer thread's would be. Returns 0. */
static int run_prologue_inline(struct h5chunks *hc)
{
    if (hc->o.prologue) {
        struct diag d;
        diag_init(&d);
        int rc = hc->o.prologue(hc->o.ctx, &d);
        if (rc)
            fail_with_locked(hc, rc, &d);   /* no other thread: the lock is not needed */
        diag_release(&d);
    }
    hc->prologue_done = 1;
    return 0;
}

/* Inline: compresses and writes every task sent, in order, on the appending thread. */
static void work_inline(struct h5chunks *hc)
{
    struct worker *self = &hc->workers[hc->o.threads];
    pthread_mutex_lock(&hc->lock);
    while (!hc->rc && !hc->quit && hc->written < hc->end) {
        work_one_locked(self);   /* none when the ring is full: the writes free it */
        write_ready_locked(hc);
    }
    pthread_mutex_unlock(&hc->lock);
}

int h5chunks_start(const struct h5chunks_opts *o, struct h5chunks **out)
{
    *out = NULL;
    struct h5chunks *hc = calloc(1, sizeof *hc);
    if (!hc)
        return DCSIM_ENOMEM;
    hc->o = *o;
    if (hc->o.n_stages != 2 || inline_mode(hc))   /* inline: a stage is done when sent */
        hc->o.n_stages = 1;
    if (hc->o.threads < 0)
        hc->o.threads = 1;
    if (hc->o.chunk_rows < 1)
        hc->o.chunk_rows = 1;
    hc->chunk_bytes = hc->o.chunk_rows * sizeof(double);
    hc->slot_cap = o->level > 0 ? compressBound((uLong)hc->chunk_bytes) : hc->chunk_bytes;
    hc->n_slots = ring_slots(&hc->o, hc->slot_cap);
    diag_init(&hc->d);
    pthread_mutex_init(&hc->lock, NULL);
    pthread_cond_init(&hc->work, NULL);
    pthread_cond_init(&hc->done, NULL);
    pthread_cond_init(&hc->wrote, NULL);
    pthread_cond_init(&hc->prepared, NULL);
    int ok = 1;
    for (int s = 0; s < hc->o.n_stages; s++) {
        hc->stage[s] = stage_alloc(hc->o.n_cols * hc->chunk_bytes + 1);
        hc->same[s] = malloc(hc->o.n_cols * sizeof *hc->same[s]);
        ok = ok && hc->stage[s] && hc->same[s];
    }
    for (hc->table_size = 16; hc->table_size < 2 * hc->o.n_cols; hc->table_size *= 2)
        ;
    hc->table = malloc(hc->table_size * sizeof *hc->table);
    hc->table_fp = malloc(hc->table_size * sizeof *hc->table_fp);
    ok = ok && hc->table && hc->table_fp;
    hc->slots = calloc(hc->n_slots, sizeof *hc->slots);
    hc->workers = calloc((size_t)hc->o.threads + 1, sizeof *hc->workers);
    hc->tids = calloc((size_t)hc->o.threads + 1, sizeof *hc->tids);   /* + 1: never calloc(0) */
    ok = ok && hc->slots && hc->workers && hc->tids;
    for (int i = 0; ok && i <= hc->o.threads; i++) {
        hc->workers[i].hc = hc;
        if (o->level > 0)
            ok = (hc->workers[i].shuffled = malloc(hc->chunk_bytes)) != NULL &&
                 (hc->workers[i].packed = malloc(hc->slot_cap)) != NULL;
    }
    if (ok && o->level > 0) {   /* the compressed zero chunk, made by the appending thread's stream */
        struct worker *self = &hc->workers[hc->o.threads];
        hc->zero = malloc(hc->slot_cap);
        ok = hc->zero && (memset(self->shuffled, 0, hc->chunk_bytes),
                          deflate_chunk(self, o->level, self->shuffled, hc->chunk_bytes, hc->zero,
                                        hc->slot_cap, &hc->zero_size) == 0);
    }
    if (ok && inline_mode(hc)) {
        *out = hc;
        return run_prologue_inline(hc);
    }
    ok = ok && pthread_create(&hc->writer, NULL, writer_thread, hc) == 0;
    hc->writer_started = ok;
    for (int i = 0; ok && i < hc->o.threads; i++) {
        if (pthread_create(&hc->tids[i], NULL, pool_thread, &hc->workers[i]) != 0)
            ok = 0;
        else
            hc->n_tids++;
    }
    if (!ok) {
        h5chunks_close(hc, NULL);
        return DCSIM_ENOMEM;
    }
    *out = hc;
    return 0;
}

/* Sends the stage being filled to the pool: zero-pads a partial one to whole chunks. */
static void send_stage(struct h5chunks *hc)
{
    int s = (int)(hc->sent % (uint64_t)hc->o.n_stages);
    if (hc->filled < hc->o.chunk_rows)
        for (size_t c = 0; c < hc->o.n_cols; c++)
            memset(hc->stage[s] + c * hc->o.chunk_rows + hc->filled, 0,
                   (hc->o.chunk_rows - hc->filled) * sizeof(double));
    if (hc->o.level > 0)
        find_repeats(hc, s);
    pthread_mutex_lock(&hc->lock);
    hc->left[s] = hc->o.n_cols;
    hc->sent++;
    hc->end += hc->o.n_cols;
    pthread_cond_broadcast(&hc->work);
    pthread_mutex_unlock(&hc->lock);
    hc->filled = 0;
    if (inline_mode(hc))
        work_inline(hc);
}

int h5chunks_append(struct h5chunks *hc, size_t n, const double *time_s, const double *values,
                    const size_t *map, struct diag *d)
{
    size_t off = 0;
    while (off < n) {
        if (hc->rows_in >= hc->o.total_rows) {
            diag_error(d, NULL, 0, 0, "series rows past the run's %llu",
                       (unsigned long long)hc->o.total_rows);
            return DCSIM_EINTERNAL;
        }
        if (hc->filled == 0) {   /* a new stage: wait until its buffer is written out */
            pthread_mutex_lock(&hc->lock);
            int rc = wait_until_locked(hc, fill_stage_free, hc->o.n_stages == 1);
            pthread_mutex_unlock(&hc->lock);
            if (rc)
                return failed(hc, rc, d);
        }
        double *stage = hc->stage[hc->sent % (uint64_t)hc->o.n_stages];
        size_t take = n - off;
        if (take > hc->o.chunk_rows - hc->filled)
            take = hc->o.chunk_rows - hc->filled;
        if (take > hc->o.total_rows - hc->rows_in)
            take = (size_t)(hc->o.total_rows - hc->rows_in);
        size_t at = hc->filled, bytes = take * sizeof(double);
        memcpy(stage + at, time_s + off, bytes);
        for (size_t c = 1; c < hc->o.n_cols; c++)
            memcpy(stage + c * hc->o.chunk_rows + at, values + map[c - 1] * n + off, bytes);
        hc->filled += take;
        hc->rows_in += take;
        off += take;
        if (hc->filled == hc->o.chunk_rows || hc->rows_in == hc->o.total_rows)
            send_stage(hc);
    }
    if (stopped(hc))
        return failed(hc, DCSIM_EINTERRUPTED, d);
    pthread_mutex_lock(&hc->lock);
    int rc = hc->rc;
    pthread_mutex_unlock(&hc->lock);
    return rc ? failed(hc, rc, d) : 0;
}

int h5chunks_drain(struct h5chunks *hc, struct diag *d)
{
    pthread_mutex_lock(&hc->lock);
    int rc = wait_until_locked(hc, all_written, 1);
    pthread_mutex_unlock(&hc->lock);
    return rc ? failed(hc, rc, d) : 0;
}

void h5chunks_close(struct h5chunks *hc, struct diag *d)
{
    if (!hc)
        return;
    halt(hc);
    take_messages(hc, d);
    diag_release(&hc->d);
    pthread_mutex_destroy(&hc->lock);
    pthread_cond_destroy(&hc->work);
    pthread_cond_destroy(&hc->done);
    pthread_cond_destroy(&hc->wrote);
    pthread_cond_destroy(&hc->prepared);
    for (size_t i = 0; hc->slots && i < hc->n_slots; i++)
        free(hc->slots[i].buf);
    for (int i = 0; hc->workers && i <= hc->o.threads; i++) {
        free(hc->workers[i].shuffled);
        free(hc->workers[i].packed);
        if (hc->workers[i].z_ready)
            deflateEnd(&hc->workers[i].z);
    }
    free(hc->zero);
    free(hc->slots);
    free(hc->workers);
    free(hc->tids);
    free(hc->stage[0]);
    free(hc->stage[1]);
    free(hc->same[0]);
    free(hc->same[1]);
    free(hc->table);
    free(hc->table_fp);
    free(hc);
}
