// Open MPI's handles are macros over addresses of library globals (MPI_COMM_WORLD is
// `&ompi_mpi_comm_world`, a cast Swift cannot import): these functions give Swift the
// handles repro uses. MPI is transport only here; no MPI reduction ever sums a float.
#include <mpi.h>

static inline MPI_Comm repro_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Request repro_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Datatype repro_mpi_float(void) { return MPI_FLOAT; }
static inline int repro_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
