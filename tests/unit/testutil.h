/* testutil.h — what every Check unit test shares: its main(), and diag_text for failure
 * reports.
 *
 * TESTUTIL_MAIN(make_suite) defines main(): GSL's abort-on-error handler off (as in dcsim's
 * own main), the suite run with CK_NORMAL output (CK_FORK=no works too, for valgrind and
 * sanitizers), exit status 0 only when every check passed. */
#ifndef DCSIM_TESTUTIL_H
#define DCSIM_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_errno.h>

#include "err.h"

/* Every message of d, one a line, for failure reports (one static buffer: the text of the
 * last call). */
static inline const char *diag_text(const struct diag *d)
{
    static char buf[8192];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    if (!f)
        return "(fmemopen failed)";
    diag_print(d, f);
    fclose(f);
    buf[sizeof buf - 1] = '\0';
    return buf;
}

#define TESTUTIL_MAIN(make_suite)                                    \
    int main(void)                                                   \
    {                                                                \
        gsl_set_error_handler_off();                                 \
        SRunner *runner = srunner_create(make_suite());              \
        srunner_run_all(runner, CK_NORMAL);                          \
        int failed = srunner_ntests_failed(runner);                  \
        srunner_free(runner);                                        \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;            \
    }

#endif
