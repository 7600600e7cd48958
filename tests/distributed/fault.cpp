// A job in which rank 1 fails while rank 0 waits in an allreduce: the whole job must end at
// once with a non-zero status (tests/distributed/expect_abort.sh checks it), never hang.
//   fault uncaught   rank 1's exception leaves main (std::terminate -> MPI_Abort)
//   fault caught     main catches it and returns 1 (the communicator's destructor aborts)
#include <cstdio>
#include <stdexcept>
#include <string>

#include "dezero/distributed.hpp"

namespace dm = dezero::distributed;

namespace {
void work(const dm::Communicator& comm) {
  comm.barrier();
  if (comm.rank() == 1) throw std::runtime_error("rank 1 fails on purpose");
  (void)comm.allreduce(np::ones({3}));  // rank 0 would wait here for ever
  std::printf("rank %d: the allreduce returned, which it must not\n", comm.rank());
}
}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "uncaught") {
    work(dm::create_communicator());
    return 0;
  }
  if (mode == "caught") {
    try {
      const dm::Communicator comm = dm::create_communicator();
      work(comm);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "caught: %s\n", e.what());
      return 1;
    }
    return 0;
  }
  std::fprintf(stderr, "usage: fault uncaught|caught\n");
  return 2;
}
