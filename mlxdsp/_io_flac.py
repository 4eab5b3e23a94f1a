"""Placeholder (session 5): filled in by the work on issue 3's I/O rows."""
