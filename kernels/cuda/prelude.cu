// mlxdsp CUDA prelude: prepended to every shared kernel body (kernels/shared/*.inc) before it is
// passed to mx.fast.cuda_kernel, which wraps it in a __global__ function whose inputs are
// `const float* name` (plus `Shape name_shape` when referenced) and whose template constants are
// constexpr ints/bools. The grid is given in threads and rounded up to whole blocks.
#define DSP_THREAD_INDEX ((int)(blockIdx.x * blockDim.x + threadIdx.x))
#define DSP_THREAD_Y ((int)(blockIdx.y * blockDim.y + threadIdx.y))
// Threadgroup (block) kernels: index within the block, block index along x, block-shared arrays,
// the block barrier, the low `bits` bits of v reversed, and a loop-unroll hint.
#define DSP_LOCAL_INDEX ((int)threadIdx.x)
#define DSP_GROUP_INDEX ((int)blockIdx.x)
#define DSP_SHARED __shared__
#define DSP_BARRIER() __syncthreads()
#define DSP_BITREV(v, bits) ((int)(__brev((unsigned int)(v)) >> (32 - (bits))))
#define DSP_UNROLL _Pragma("unroll")
// 8-byte loads: a float pair at p + i (the caller checks alignment with DSP_ALIGNED8).
#define DSP_FLOAT2 float2
#define DSP_LOAD2(p, i) (*(const float2*)((p) + (i)))
#define DSP_ALIGNED8(p) ((((unsigned long long)(p)) & 7ull) == 0)
// Atomic add of v to p[i] (a float output; the result is not used, so it compiles to a reduction).
#define DSP_ATOMIC_ADD(p, i, v) atomicAdd((p) + (i), (v))
