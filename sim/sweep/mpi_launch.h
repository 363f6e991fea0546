/* mpi_launch.h — what dcsim does just before MPI_Init and MPI_Finalize to keep an MPI sweep's
 * start and stop short. Neither touches MPI itself: both are compiled (and unit-tested) in
 * every build, and called only by the MPI build (sweep_run.c).
 *
 * Measured on the 2-core machine of docs (OpenMPI 4.1.4, PMIx 4.2.2, `mpirun -n 2` of a
 * program that only starts and stops MPI): 0.43 s with OpenMPI's defaults; 0.24 s with the
 * point-to-point layer ob1; 0.21 s with PMIx's hash store too (2 ranks; 1 rank: 0.22 →
 * 0.19 s); MPI_Finalize 50 ms → 20 ms with TCP_NODELAY on the PMIx socket. */
#ifndef DCSIM_MPI_LAUNCH_H
#define DCSIM_MPI_LAUNCH_H

/** Before MPI_Init: when OpenMPI's launcher says every rank of the job is on this node
 *  (OMPI_COMM_WORLD_LOCAL_SIZE equals OMPI_COMM_WORLD_SIZE), chooses what the user left
 *  unset:
 *  - the point-to-point layer ob1 (shared memory between the ranks; OMPI_MCA_pml): OpenMPI's
 *    own choice probes network fabrics a single node never uses, 0.2 s of MPI_Init;
 *  - its transports: the rank itself and shared memory (OMPI_MCA_btl=self,vader; OpenMPI 5
 *    knows vader as sm), not TCP, whose start lists the network interfaces and opens
 *    sockets a single node never uses;
 *  - the collectives: the plain ones (OMPI_MCA_coll=self,basic,libnbc; a sweep calls a few
 *    barriers, a broadcast and a reduction of one value), not the half dozen other
 *    components each opened and asked at MPI_Init and for every communicator;
 *  - PMIx's job data kept in the rank's own table (PMIX_MCA_gds=hash) instead of a store
 *    that mpirun lays out in shared memory for each rank as it starts (its default, ds21:
 *    ~30 ms per launch, for memory that a handful of ranks do not need).
 *  The transports and collectives together: 2 ranks of a one-case sweep 213.5 -> 201.9 ms
 *  (best of 11 alternated). Jobs across nodes, and anything the user set, are left alone.
 *  Returns how many of the four it set. Call it before any thread starts (setenv). */
int mpi_launch_defaults(void);

/** Before MPI_Finalize: sets TCP_NODELAY on this process's TCP sockets connected to the
 *  loopback address. The PMIx client (OpenMPI's link to mpirun) talks over such a socket
 *  without it, and MPI_Finalize's run of small messages to mpirun then waits for a delayed
 *  acknowledgement (Nagle's algorithm: ~40 ms on Linux). Sockets to other hosts, and any
 *  other kind of file, are left alone. Returns the sockets it set. */
int mpi_launch_nodelay_loopback(void);

/** The threads one rank of a sweep runs by default: the CPUs it may run on when the launcher
 *  bound it to some of them (`mpirun --map-by ...:PE=N`, or OpenMPI's default binding of a
 *  rank to one core); otherwise (unbound) the node's CPUs shared among the ranks on it, as
 *  the launcher tells (OpenMPI's OMPI_COMM_WORLD_LOCAL_SIZE, MPICH's MPI_LOCALNRANKS; all of
 *  them when neither does). At least 1. */
int mpi_launch_rank_threads(void);

#endif
