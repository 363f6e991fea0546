/* stop.c — the process-wide stop flag (see stop.h). */
#include "stop.h"

#include <string.h>

static volatile sig_atomic_t stop_asked;

static void on_signal(int sig)
{
    (void)sig;
    stop_asked = 1;
}

volatile sig_atomic_t *stop_flag(void)
{
    return &stop_asked;
}

volatile sig_atomic_t *stop_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &stop_asked;
}

int stop_requested(void)
{
    return stop_asked != 0;
}

void stop_request(void)
{
    stop_asked = 1;
}
