// mlxdsp Metal prelude: prepended to every shared kernel body (kernels/shared/*.inc) before it is
// passed to mx.fast.metal_kernel, which wraps it in a templated [[kernel]] function whose inputs are
// `const device float* name` (plus `const constant int* name_shape` when referenced) and whose
// template constants are the kernel's template parameters. The grid is given in threads.
#define DSP_THREAD_INDEX ((int)thread_position_in_grid.x)
#define DSP_THREAD_Y ((int)thread_position_in_grid.y)
// Threadgroup kernels: index within the threadgroup, threadgroup index along x, threadgroup arrays,
// the threadgroup barrier, the low `bits` bits of v reversed, and a loop-unroll hint.
#define DSP_LOCAL_INDEX ((int)thread_position_in_threadgroup.x)
#define DSP_GROUP_INDEX ((int)threadgroup_position_in_grid.x)
#define DSP_SHARED threadgroup
#define DSP_BARRIER() threadgroup_barrier(mem_flags::mem_threadgroup)
#define DSP_BITREV(v, bits) ((int)(reverse_bits((uint)(v)) >> (32 - (bits))))
#define DSP_UNROLL _Pragma("unroll")
// 8-byte loads: a float pair at p + i. DSP_ALIGNED8 is false on Metal (no portable pointer-to-
// integer test in MSL), so bodies take their scalar path there.
#define DSP_FLOAT2 float2
#define DSP_LOAD2(p, i) (*(const device float2*)((p) + (i)))
#define DSP_ALIGNED8(p) false
// Atomic add of v to p[i] (an output declared `device atomic<float>*`: atomic_outputs=True).
#define DSP_ATOMIC_ADD(p, i, v) atomic_fetch_add_explicit((p) + (i), (v), memory_order_relaxed)
