/* h5util.c — what the HDF5 writer (h5out.c) and reader (h5in.c) share: HDF5's own reason
 * for a failure turned into one message, closing ids, file access properties. */
#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H5U_DETAIL_MAX 256       /* room for the HDF5 detail appended to a message */

struct h5_detail {
    char text[H5U_DETAIL_MAX];
};

/* H5Ewalk2 callback: keeps the innermost description (n == 0 walking upward), which is
 * where HDF5 says what really happened (e.g. the errno text of a failed write). */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *err, void *data)
{
    struct h5_detail *det = data;
    if (n != 0 || !err->desc)
        return 0;
    const char *desc = err->desc;
    /* File-driver messages carry "error message = 'No space left on device'": prefer it. */
    const char *em = strstr(desc, "error message = '");
    if (em) {
        em += strlen("error message = '");
        const char *end = strchr(em, '\'');
        int len = end ? (int)(end - em) : (int)strlen(em);
        snprintf(det->text, sizeof det->text, "%.*s", len, em);
    } else {
        snprintf(det->text, sizeof det->text, "%s", desc);
    }
    return 0;
}

/* Takes the detail from HDF5's error stack of this thread and clears the stack. */
static void take_h5_detail(struct h5_detail *det)
{
    det->text[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, det);
    H5Eclear2(H5E_DEFAULT);
}

/* Adds "PATH: error: PREFIX: <what> (<hdf5 detail>)" and returns `status`. */
int h5u_vreport(struct diag *d, const char *path, const char *prefix, int status,
                   int with_h5, const char *fmt, va_list ap)
{
    char what[768];
    vsnprintf(what, sizeof what, fmt, ap);
    struct h5_detail det = {{0}};
    if (with_h5)
        take_h5_detail(&det);
    if (det.text[0])
        diag_error(d, path, 0, 0, "%s: %s (%s)", prefix, what, det.text);
    else
        diag_error(d, path, 0, 0, "%s: %s", prefix, what);
    return status;
}

/* Called first by every entry point. Turns off HDF5's automatic error printing for this
 * thread (failures reach the user through struct diag), and asks HDF5 not to close what is
 * still open at exit: a file whose data could not be written (disk full) is left open on
 * purpose (see close_dataset_or_keep), and closing it again at exit would crash HDF5 1.10.
 * H5dont_atexit only acts before HDF5's first use in the process; later it does nothing,
 * so main() should call it first too. */
void h5u_setup(void)
{
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void h5u_close_obj(hid_t *id)
{
    if (*id >= 0)
        H5Oclose(*id);
    *id = H5I_INVALID_HID;
}

void h5u_close_plist(hid_t *id)
{
    if (*id >= 0)
        H5Pclose(*id);
    *id = H5I_INVALID_HID;
}

void h5u_close_space(hid_t *id)
{
    if (*id >= 0)
        H5Sclose(*id);
    *id = H5I_INVALID_HID;
}

void h5u_close_type(hid_t *id)
{
    if (*id >= 0)
        H5Tclose(*id);
    *id = H5I_INVALID_HID;
}

void h5u_close_attr(hid_t *id)
{
    if (*id >= 0)
        H5Aclose(*id);
    *id = H5I_INVALID_HID;
}

/* File access properties for writer and reader: file locking where the file system has it,
 * but no failure where it has not (some network file systems). */
hid_t h5u_file_access_plist(void)
{
    hid_t p = H5Pcreate(H5P_FILE_ACCESS);
    if (p >= 0 && H5Pset_file_locking(p, 1, 1) < 0) {
        H5Pclose(p);
        return H5I_INVALID_HID;
    }
    return p;
}

char *h5u_str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
