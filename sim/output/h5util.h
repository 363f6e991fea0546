/* h5util.h — internal to sim/output: helpers shared by the HDF5 writer and reader. */
#ifndef DCSIM_H5UTIL_H
#define DCSIM_H5UTIL_H

#include <stdarg.h>

#include <hdf5.h>

#include "err.h"

/** Adds "PATH: error: PREFIX: <what> (<hdf5 detail>)" to d and returns `status`; with_h5
 *  appends the innermost message of HDF5's error stack of this thread (and clears it). */
int h5u_vreport(struct diag *d, const char *path, const char *prefix, int status, int with_h5,
                const char *fmt, va_list ap);

/** Called first by every entry point: no automatic HDF5 error printing, no cleanup at exit. */
void h5u_setup(void);

/* Close an id if valid and set it to H5I_INVALID_HID. */
void h5u_close_obj(hid_t *id);
void h5u_close_plist(hid_t *id);
void h5u_close_space(hid_t *id);
void h5u_close_type(hid_t *id);
void h5u_close_attr(hid_t *id);

/** File access properties: file locking where the file system has it. Caller closes it. */
hid_t h5u_file_access_plist(void);

/** strdup (NULL when out of memory). */
char *h5u_str_dup(const char *s);

#endif
