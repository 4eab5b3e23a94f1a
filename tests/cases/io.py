"""Audio file I/O takes paths, not differentiable arrays: no transform-table cases."""

from __future__ import annotations

_REASON = (
    "file I/O: takes a path, returns an evaluated array; nothing to compile, differentiate or vmap"
)

CASES: list = []
NOT_ARRAY_FUNCTIONS = {
    "load": _REASON,
    "save": "file I/O: writes a file, returns None",
    "info": "file I/O: returns metadata (AudioInfo), no array",
    "stream": "file I/O: a generator of evaluated chunks",
    "batch_load": _REASON,
}
