// Host prelude for the threadgroup kernels of kernels/shared/*.inc (used by tests/test_kernel_stft_rfft.py).
//
// Emulates one GPU threadgroup at a time on the CPU: every thread of the group is a ucontext coroutine
// running the whole shared body; DSP_BARRIER() switches back to the scheduler, which resumes the
// threads in a fixed order (forward, or reversed) until each reaches the barrier or returns. Running
// both orders turns a missing barrier (a thread reading what another writes in the same phase) into a
// wrong result instead of a timing-dependent one. A barrier that some threads of the group skip (a
// divergent barrier) is reported as an error.
//
// The including file defines, before including this header: the template constants (constexpr ints),
// the kernel's inputs/outputs and `_shape` arrays as globals, and `static void dsp_body()` after it.
#pragma once
#include <ucontext.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace dsp_emu {
inline int lid = 0, group = 0, gy = 0;
inline ucontext_t scheduler;
inline std::vector<ucontext_t> lanes;
inline std::vector<int> state;  // 0 running, 1 at a barrier, 2 returned
inline int current = 0;
inline int error = 0;

inline void barrier() {
  state[current] = 1;
  swapcontext(&lanes[current], &scheduler);
}

inline unsigned reverse(unsigned v, int bits) {
  unsigned r = 0;
  for (int i = 0; i < bits; ++i) {
    r = (r << 1) | ((v >> i) & 1u);
  }
  return r;
}
}  // namespace dsp_emu

#define DSP_LOCAL_INDEX (dsp_emu::lid)
#define DSP_GROUP_INDEX (dsp_emu::group)
#define DSP_THREAD_Y (dsp_emu::gy)
#define DSP_SHARED static
#define DSP_BARRIER() dsp_emu::barrier()
#define DSP_BITREV(v, bits) ((int)dsp_emu::reverse((unsigned)(v), (bits)))
#define DSP_UNROLL
struct dsp_float2 {
  float x, y;
};
#define DSP_FLOAT2 dsp_float2
#define DSP_LOAD2(p, i) (*(const dsp_float2*)((p) + (i)))
#define DSP_ALIGNED8(p) ((((uintptr_t)(p)) & 7u) == 0)
#define DSP_ATOMIC_ADD(p, i, v) ((p)[i] += (v))  // the threads of a group run one at a time

static void dsp_body();

namespace dsp_emu {
inline void entry(int index) {
  current = index;
  lid = index;
  dsp_body();
  state[index] = 2;
}

// Runs groups x groups_y threadgroups of `threads` threads; order 0 forward, 1 reversed.
inline int run_groups(int groups, int groups_y, int threads, int order) {
  constexpr size_t stack = 64 * 1024;
  std::vector<char> stacks(stack * threads);
  error = 0;
  for (gy = 0; gy < groups_y; ++gy) {
    for (group = 0; group < groups; ++group) {
      lanes.assign(threads, ucontext_t{});
      state.assign(threads, 0);
      for (int i = 0; i < threads; ++i) {
        getcontext(&lanes[i]);
        lanes[i].uc_stack.ss_sp = stacks.data() + stack * i;
        lanes[i].uc_stack.ss_size = stack;
        lanes[i].uc_link = &scheduler;
        makecontext(&lanes[i], (void (*)())entry, 1, i);
      }
      std::vector<int> started(threads, 0);
      while (true) {
        for (int k = 0; k < threads; ++k) {
          const int i = order ? threads - 1 - k : k;
          if (state[i] == 2) {
            continue;
          }
          state[i] = 0;
          current = i;
          lid = i;
          swapcontext(&scheduler, &lanes[i]);
        }
        int waiting = 0, done = 0;
        for (int i = 0; i < threads; ++i) {
          waiting += state[i] == 1;
          done += state[i] == 2;
        }
        if (done == threads) {
          break;
        }
        if (done > 0) {
          return 1;  // divergent barrier: some threads returned while others wait
        }
      }
    }
  }
  return error;
}
}  // namespace dsp_emu
