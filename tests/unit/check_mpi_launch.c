/* check_mpi_launch.c — unit tests of what an MPI sweep does before MPI_Init and
 * MPI_Finalize (sim/sweep/mpi_launch.h): the point-to-point layer and PMIx's store chosen
 * only for a job on one node (and its transports and collectives), each only when its user
 * chose none; TCP_NODELAY set on loopback TCP sockets and on nothing else. */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpi_launch.h"
#include "testutil.h"

static void env_clear(void)
{
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    unsetenv("OMPI_MCA_pml");
    unsetenv("OMPI_MCA_btl");
    unsetenv("OMPI_MCA_coll");
    unsetenv("PMIX_MCA_gds");
}

START_TEST(test_defaults_one_node)
{
    env_clear();
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
    ck_assert_int_eq(mpi_launch_defaults(), 4);
    ck_assert_str_eq(getenv("OMPI_MCA_pml"), "ob1");
    ck_assert_str_eq(getenv("OMPI_MCA_btl"), "self,vader");
    ck_assert_str_eq(getenv("OMPI_MCA_coll"), "self,basic,libnbc");
    ck_assert_str_eq(getenv("PMIX_MCA_gds"), "hash");
    /* a second call finds them set and leaves them */
    ck_assert_int_eq(mpi_launch_defaults(), 0);
    ck_assert_str_eq(getenv("OMPI_MCA_pml"), "ob1");
    ck_assert_str_eq(getenv("OMPI_MCA_btl"), "self,vader");
    ck_assert_str_eq(getenv("OMPI_MCA_coll"), "self,basic,libnbc");
    ck_assert_str_eq(getenv("PMIX_MCA_gds"), "hash");
    env_clear();
}
END_TEST

START_TEST(test_defaults_left_alone)
{
    /* not under OpenMPI's launcher (a singleton, another MPI) */
    env_clear();
    ck_assert_int_eq(mpi_launch_defaults(), 0);
    ck_assert_ptr_null(getenv("OMPI_MCA_pml"));
    ck_assert_ptr_null(getenv("OMPI_MCA_btl"));
    ck_assert_ptr_null(getenv("OMPI_MCA_coll"));
    ck_assert_ptr_null(getenv("PMIX_MCA_gds"));
    /* ranks on more than one node */
    setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
    ck_assert_int_eq(mpi_launch_defaults(), 0);
    ck_assert_ptr_null(getenv("OMPI_MCA_pml"));
    ck_assert_ptr_null(getenv("OMPI_MCA_btl"));
    ck_assert_ptr_null(getenv("OMPI_MCA_coll"));
    ck_assert_ptr_null(getenv("PMIX_MCA_gds"));
    /* the user's own choices, on one node: each kept, the other still chosen */
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "4", 1);
    setenv("OMPI_MCA_pml", "ucx", 1);
    setenv("OMPI_MCA_btl", "self,tcp", 1);
    ck_assert_int_eq(mpi_launch_defaults(), 2);
    ck_assert_str_eq(getenv("OMPI_MCA_pml"), "ucx");
    ck_assert_str_eq(getenv("OMPI_MCA_btl"), "self,tcp");
    ck_assert_str_eq(getenv("OMPI_MCA_coll"), "self,basic,libnbc");
    ck_assert_str_eq(getenv("PMIX_MCA_gds"), "hash");
    unsetenv("OMPI_MCA_pml");
    unsetenv("OMPI_MCA_btl");
    unsetenv("OMPI_MCA_coll");
    setenv("OMPI_MCA_coll", "^han", 1);
    setenv("PMIX_MCA_gds", "ds12", 1);
    ck_assert_int_eq(mpi_launch_defaults(), 2);
    ck_assert_str_eq(getenv("OMPI_MCA_pml"), "ob1");
    ck_assert_str_eq(getenv("OMPI_MCA_btl"), "self,vader");
    ck_assert_str_eq(getenv("OMPI_MCA_coll"), "^han");
    ck_assert_str_eq(getenv("PMIX_MCA_gds"), "ds12");
    env_clear();
}
END_TEST

static int nodelay_of(int fd)
{
    int v = -1;
    socklen_t len = sizeof v;
    ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
    return v != 0;
}

/* A TCP connection through `at`: a socket listening there, a client connected to it, and
 * the accepted end, in fd[0..2]. */
static void tcp_connection(struct in_addr at, int fd[3])
{
    fd[0] = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd[0], 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = at};
    ck_assert_int_eq(bind(fd[0], (struct sockaddr *)&addr, sizeof addr), 0);
    ck_assert_int_eq(listen(fd[0], 1), 0);
    socklen_t alen = sizeof addr;
    ck_assert_int_eq(getsockname(fd[0], (struct sockaddr *)&addr, &alen), 0);
    fd[1] = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd[1], 0);
    ck_assert_int_eq(connect(fd[1], (struct sockaddr *)&addr, sizeof addr), 0);
    fd[2] = accept(fd[0], NULL, NULL);
    ck_assert_int_ge(fd[2], 0);
}

START_TEST(test_nodelay_loopback_only)
{
    /* a listening socket on 127.0.0.1, a client connected to it, the accepted end */
    int tcp[3];
    tcp_connection((struct in_addr){.s_addr = htonl(INADDR_LOOPBACK)}, tcp);
    int listener = tcp[0], client = tcp[1], served = tcp[2];
    /* a Unix-domain pair and a TCP socket connected to nothing: not loopback TCP */
    int pair[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    int unconnected = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(unconnected, 0);

    ck_assert(!nodelay_of(client) && !nodelay_of(served) && !nodelay_of(listener) &&
              !nodelay_of(unconnected));
    ck_assert_int_ge(mpi_launch_nodelay_loopback(), 2);
    ck_assert(nodelay_of(client) && nodelay_of(served));
    ck_assert(!nodelay_of(listener) && !nodelay_of(unconnected));
    /* the pair is still a working pair */
    ck_assert_int_eq(write(pair[0], "x", 1), 1);
    char c = 0;
    ck_assert_int_eq(read(pair[1], &c, 1), 1);
    ck_assert_int_eq(c, 'x');
    int fds[] = {listener, client, served, pair[0], pair[1], unconnected};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        close(fds[i]);
}
END_TEST

/* This machine's first IPv4 address that is not loopback; 0 when it has none. */
static int other_address(struct in_addr *out)
{
    struct ifaddrs *all;
    if (getifaddrs(&all) != 0)
        return 0;
    int found = 0;
    for (struct ifaddrs *i = all; i && !found; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
            struct in_addr a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
            if ((ntohl(a.s_addr) >> 24) != 127) {
                *out = a;
                found = 1;
            }
        }
    freeifaddrs(all);
    return found;
}

START_TEST(test_nodelay_other_host_left)
{
    /* a connection to this machine's own non-loopback address stands for one to another
     * host (its peer is not 127.x); without such an address there is nothing to test */
    struct in_addr other;
    if (!other_address(&other))
        return;
    int tcp[3];
    tcp_connection(other, tcp);
    int listener = tcp[0], client = tcp[1], served = tcp[2];
    mpi_launch_nodelay_loopback();
    ck_assert(!nodelay_of(client) && !nodelay_of(served));
    close(served);
    close(client);
    close(listener);
}
END_TEST

/* Unbound (every CPU in the mask): the node's CPUs shared among the ranks the launcher
 * says are on it, OpenMPI's count before MPICH's; at least one each. */
START_TEST(test_rank_threads_unbound)
{
    cpu_set_t saved, all;
    ck_assert_int_eq(sched_getaffinity(0, sizeof saved, &saved), 0);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    CPU_ZERO(&all);
    for (long c = 0; c < online && c < CPU_SETSIZE; c++)
        CPU_SET((int)c, &all);
    if (sched_setaffinity(0, sizeof all, &all) != 0 || CPU_COUNT(&all) != online)
        return;   /* not allowed every CPU here: nothing to check */
    env_clear();
    unsetenv("MPI_LOCALNRANKS");
    ck_assert_int_eq(mpi_launch_rank_threads(), (int)online);
    setenv("MPI_LOCALNRANKS", "2", 1);
    ck_assert_int_eq(mpi_launch_rank_threads(), online > 2 ? (int)(online / 2) : 1);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "1", 1);   /* OpenMPI's wins */
    ck_assert_int_eq(mpi_launch_rank_threads(), (int)online);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "1000", 1);   /* more ranks than CPUs */
    ck_assert_int_eq(mpi_launch_rank_threads(), 1);
    env_clear();
    unsetenv("MPI_LOCALNRANKS");
    sched_setaffinity(0, sizeof saved, &saved);
}
END_TEST

/* Bound to one CPU of two or more (OpenMPI's default for a job of two ranks or fewer): one
 * thread, though the ranks on the node would leave it more; bound to two of three or more:
 * two. */
START_TEST(test_rank_threads_bound)
{
    cpu_set_t saved, some;
    ck_assert_int_eq(sched_getaffinity(0, sizeof saved, &saved), 0);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online < 2)
        return;
    int cpu[2] = {-1, -1}, found = 0;
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
        if (CPU_ISSET(c, &saved))
            cpu[found++] = c;
    env_clear();
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "1", 1);
    CPU_ZERO(&some);
    for (int k = 0; k < found && k + 1 < online; k++) {
        CPU_SET(cpu[k], &some);
        ck_assert_int_eq(sched_setaffinity(0, sizeof some, &some), 0);
        ck_assert_int_eq(mpi_launch_rank_threads(), k + 1);
    }
    env_clear();
    sched_setaffinity(0, sizeof saved, &saved);
}
END_TEST

static Suite *mpi_launch_suite(void)
{
    Suite *s = suite_create("mpi_launch");
    TCase *tc = tcase_create("launch");
    tcase_add_test(tc, test_defaults_one_node);
    tcase_add_test(tc, test_defaults_left_alone);
    tcase_add_test(tc, test_nodelay_loopback_only);
    tcase_add_test(tc, test_nodelay_other_host_left);
    tcase_add_test(tc, test_rank_threads_unbound);
    tcase_add_test(tc, test_rank_threads_bound);
    suite_add_tcase(s, tc);
    return s;
}

TESTUTIL_MAIN(mpi_launch_suite)
