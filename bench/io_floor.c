/* io_floor.c — the I/O floor for `make bench`: reads every series of a dcsim result into
 * memory (not timed), then writes the same series, of the same length and values, with the
 * same HDF5 layout as dcsim (chunks of 4096 rows, shuffle, deflate 1, appended a block at a
 * time) and prints the seconds that took. What dcsim cannot beat when writing that file.
 * Usage: io_floor IN.h5 OUT.h5 [DEFLATE_LEVEL (default 1; 0: none)] */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK 4096
#define MAX_SERIES 4096

struct series {
    double *v;
    hsize_t n;
};

struct loader {
    hid_t file;
    struct series s[MAX_SERIES];
    int n;
};

static herr_t load_one(hid_t loc, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    struct loader *l = data;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0 || l->n >= MAX_SERIES)
        return -1;
    hid_t sp = H5Dget_space(ds);
    hsize_t n;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    l->s[l->n].v = malloc((n ? n : 1) * sizeof(double));
    l->s[l->n].n = n;
    H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, l->s[l->n].v);
    l->n++;
    H5Sclose(sp);
    H5Dclose(ds);
    return 0;
}

static herr_t each_site(hid_t loc, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    char path[512];
    snprintf(path, sizeof path, "%s/series", name);
    hid_t g = H5Gopen2(loc, path, H5P_DEFAULT);
    if (g < 0)
        return -1;
    herr_t e = H5Literate(g, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, load_one, data);
    H5Gclose(g);
    return e;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: io_floor IN.h5 OUT.h5 [DEFLATE_LEVEL]\n");
        return 2;
    }
    unsigned level = argc == 4 ? (unsigned)atoi(argv[3]) : 1;
    static struct loader l;
    hid_t in = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t sites = in >= 0 ? H5Gopen2(in, "sites", H5P_DEFAULT) : -1;
    if (sites < 0 || H5Literate(sites, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, each_site, &l) < 0)
        return 3;
    H5Gclose(sites);
    H5Fclose(in);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    hid_t f = H5Fcreate(argv[2], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t ds[MAX_SERIES];
    hsize_t zero[1] = {0}, maxd[1] = {H5S_UNLIMITED}, chunk[1] = {CHUNK};
    for (int s = 0; s < l.n; s++) {
        hid_t sp = H5Screate_simple(1, zero, maxd), pl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(pl, 1, chunk);
        H5Pset_shuffle(pl);
        if (level > 0)
            H5Pset_deflate(pl, level);
        H5Pset_obj_track_times(pl, 0);
        char name[32];
        snprintf(name, sizeof name, "s%d", s);
        ds[s] = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
        H5Pclose(pl);
        H5Sclose(sp);
    }
    hsize_t rows = l.n ? l.s[0].n : 0;
    for (hsize_t done = 0; done < rows; done += CHUNK) {
        hsize_t n = rows - done < CHUNK ? rows - done : CHUNK;
        for (int s = 0; s < l.n; s++) {
            hsize_t start[1] = {done}, count[1] = {n}, size[1] = {done + n};
            H5Dset_extent(ds[s], size);
            hid_t fsp = H5Dget_space(ds[s]), msp = H5Screate_simple(1, count, NULL);
            H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
            H5Dwrite(ds[s], H5T_NATIVE_DOUBLE, msp, fsp, H5P_DEFAULT, l.s[s].v + done);
            H5Sclose(msp);
            H5Sclose(fsp);
        }
    }
    for (int s = 0; s < l.n; s++)
        H5Dclose(ds[s]);
    H5Fclose(f);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.4f %d %llu\n", (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
           l.n, (unsigned long long)rows);
    for (int s = 0; s < l.n; s++)
        free(l.s[s].v);
    return 0;
}
