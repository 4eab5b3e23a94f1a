"""Drop-in API shims: change an import, keep the upstream signature (``mlxdsp.compat.librosa`` ...)."""
