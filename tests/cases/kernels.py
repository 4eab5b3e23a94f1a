"""Transform-table entries for the GPU-kernel switch (the kernels themselves sit under stft/istft/mel)."""

NOT_ARRAY_FUNCTIONS = {
    "kernels_disabled": "context manager that selects the pure-MLX path (needed under mx.vmap on a GPU); "
    "takes no array",
}
