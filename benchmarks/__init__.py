"""Benchmarks: mlxdsp against its peers, measured in the same process run, printed as ratios."""
