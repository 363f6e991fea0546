/* fuzz_common.h — what the libFuzzer harnesses share: the catalog read once from models/
 * (DCSIM_MODELS_DIR), and a scratch file of this process for inputs that must be files. */
#ifndef DCSIM_FUZZ_COMMON_H
#define DCSIM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The catalog, loaded on first use; a harness cannot run without it. */
static inline const struct catalog *fuzz_catalog(void)
{
    static struct catalog cat;
    static int ready;
    if (!ready) {
        struct diag d;
        diag_init(&d);
        if (catalog_load(DCSIM_MODELS_DIR, &cat, &d)) {
            diag_print(&d, stderr);
            abort();
        }
        diag_release(&d);
        ready = 1;
    }
    return &cat;
}

static char fuzz_dir[64];

static void fuzz_remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (fuzz_dir[0] && system(cmd) != 0)
        fprintf(stderr, "fuzz: cannot remove %s\n", fuzz_dir);
}

/* A private scratch directory of this process (removed at exit); NAME inside it. */
static inline const char *fuzz_path(const char *name)
{
    static char path[128];
    if (!fuzz_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/dcsim-fuzz.XXXXXX", tmp ? tmp : "/tmp");
        if (!mkdtemp(fuzz_dir))
            abort();
        atexit(fuzz_remove_dir);
    }
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    return path;
}

/* Writes the input to NAME in the scratch directory; returns its path. */
static inline const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    return path;
}

#endif
