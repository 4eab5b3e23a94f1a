# cython: language_level=3
"""Placeholder (session 5): filled in by the work on issue 3's I/O rows."""
