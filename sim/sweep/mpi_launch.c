/* mpi_launch.c — OpenMPI's start and stop kept short (see mpi_launch.h). */
#define _GNU_SOURCE 1   /* sched_getaffinity, CPU_COUNT */
#include "mpi_launch.h"

#include <sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sets name to value unless the user set it; 1 when it did. */
static int choose(const char *name, const char *value)
{
    return !getenv(name) && setenv(name, value, 0) == 0;
}

int mpi_launch_defaults(void)
{
    const char *size = getenv("OMPI_COMM_WORLD_SIZE");
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (!size || !local || !*size || strcmp(size, local) != 0)
        return 0;
    static const char *const chosen[][2] = {
        {"OMPI_MCA_pml", "ob1"},
        {"OMPI_MCA_btl", "self,vader"},
        {"OMPI_MCA_coll", "self,basic,libnbc"},
        {"PMIX_MCA_gds", "hash"},
    };
    int set = 0;
    for (size_t i = 0; i < sizeof chosen / sizeof chosen[0]; i++)
        set += choose(chosen[i][0], chosen[i][1]);
    return set;
}

/* 1 when fd is a stream socket whose peer is 127.0.0.0/8 or ::1 (or ::ffff:127.x). */
static int loopback_stream(int fd)
{
    int type;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM)
        return 0;
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &plen) != 0)
        return 0;
    if (peer.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&peer;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (peer.ss_family == AF_INET6) {
        const unsigned char *a = ((const struct sockaddr_in6 *)&peer)->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        static const unsigned char one[16] = {[15] = 1};
        return memcmp(a, one, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
    }
    return 0;
}

/* The descriptors looked at: MPI opens its sockets early, among the first few dozen. */
#define LAUNCH_MAX_FD 1024

int mpi_launch_nodelay_loopback(void)
{
    long open_max = sysconf(_SC_OPEN_MAX);
    int last = open_max > 0 && open_max < LAUNCH_MAX_FD ? (int)open_max : LAUNCH_MAX_FD;
    int set = 0, one = 1;
    for (int fd = 0; fd < last; fd++)
        if (loopback_stream(fd) &&
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0)
            set++;
    return set;
}

int mpi_launch_rank_threads(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online < 1)
        online = 1;
    cpu_set_t set;
    CPU_ZERO(&set);
    long mine = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : online;
    if (mine >= 1 && mine < online)
        return (int)mine;   /* bound: its own CPUs */
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (!local || !*local)
        local = getenv("MPI_LOCALNRANKS");
    long ranks = local && *local ? strtol(local, NULL, 10) : 1;
    if (ranks < 1)
        ranks = 1;
    return online > ranks ? (int)(online / ranks) : 1;
}
