/* stop.h — the process-wide stop flag: SIGINT and SIGTERM set it, and every long loop (the
 * solver's steps, trials, fit's rounds, sweep cases, event draws, weather building) polls it
 * and returns DCSIM_EINTR-like failure through its caller, which removes what it had begun
 * to write. Commands install the handlers; the layers below only read the flag. */
#ifndef DCSIM_STOP_H
#define DCSIM_STOP_H

#include <signal.h>

/** The flag (never NULL). Nonzero once a stop was asked for. */
volatile sig_atomic_t *stop_flag(void);

/** Installs SIGINT/SIGTERM handlers that set the flag; returns the flag. */
volatile sig_atomic_t *stop_catch_signals(void);

/** Nonzero once a stop was asked for (by a signal or stop_request). */
int stop_requested(void);

/** Asks for a stop from code (a sweep that cannot save its table stops its workers). */
void stop_request(void);

#endif
