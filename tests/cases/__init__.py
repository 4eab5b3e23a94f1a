"""Transform-table cases, one module per area (spectral.py, io.py, filters.py, ...).

Each module defines ``CASES: list[Case]`` and ``NOT_ARRAY_FUNCTIONS: dict[str, str]`` (public names that
take no array data, with the reason). ``tests/test_transforms.py`` walks them all and fails if a public
function of ``mlxdsp.__all__`` is in neither.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Case:
    """One public function with fixed options, for the transform walk.

    fn: takes float32 ``mx.array`` inputs, returns one array (real or complex).
    make_inputs: rng -> tuple of float32 NumPy arrays, each with a leading batch axis (size 3).
    skip: transform name ("compile", "grad", "jvp", "vmap") -> reason it cannot be supported.
    ref64: optional float64 NumPy twin of ``fn`` (from an independent reference) for gradient checks by
        float64 finite differences; without it the float32 function itself is differenced.
    """

    name: str
    fn: Callable
    make_inputs: Callable[[np.random.Generator], tuple]
    grad_argnums: tuple = (0,)
    skip: dict = field(default_factory=dict)
    ref64: Callable | None = None
    fd_eps: float = 1e-2
    grad_rtol: float = 2e-3
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.label}]" if self.label else self.name


def all_cases() -> tuple[list[Case], dict[str, str]]:
    cases: list[Case] = []
    exempt: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(getattr(mod, "CASES", []))
        exempt.update(getattr(mod, "NOT_ARRAY_FUNCTIONS", {}))
    return cases, exempt
