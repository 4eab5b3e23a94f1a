"""Cython wrappers over C audio libraries (libsndfile, libsoxr, libav)."""
