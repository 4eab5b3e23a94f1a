// mlxdsp CUDA prelude: prepended to every shared kernel body (kernels/shared/*.inc) before it is
// passed to mx.fast.cuda_kernel, which wraps it in a __global__ function whose inputs are
// `const float* name` (plus `Shape name_shape` when referenced) and whose template constants are
// constexpr ints/bools. The grid is given in threads and rounded up to whole blocks.
#define DSP_THREAD_INDEX ((int)(blockIdx.x * blockDim.x + threadIdx.x))
#define DSP_THREAD_Y ((int)(blockIdx.y * blockDim.y + threadIdx.y))
