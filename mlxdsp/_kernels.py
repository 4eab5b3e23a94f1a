"""GPU kernel dispatch: one entry point per fused stage, each falling back to its pure-MLX path.

The pure-MLX path is the CPU path and the reference. On a GPU (CUDA or Metal) fused kernels run
instead, each assembled from one shared body (``kernels/shared/*.inc``, ``// @include`` lines resolved)
and a thin per-backend prelude (``kernels/cuda/prelude.cu``, ``kernels/metal/prelude.metal``):

``stft_rfft``
    STFT for power-of-two n_fft (16 .. 4096): centre padding + framing + window + real FFT of each
    frame in threadgroup memory, [B, T] -> [B, n_frames, n_fft/2 + 1], one read of the signal and one
    write of the spectrum (:func:`windowed_rfft`; other sizes: ``frames`` + ``mx.fft.rfft``).
``irfft``
    ``mx.fft.irfft`` of each row for power-of-two n_fft (the iSTFT, :func:`irfft_rows`); with the
    ``adjoint`` flag, rfft's adjoint (the backward of ``stft_rfft``).
``frames``
    STFT front end: centre padding (constant/reflect/edge) + framing + window in one pass,
    [B, T] -> [B, n_frames, n_fft], feeding ``mx.fft.rfft``.
``overlap_add``
    iSTFT back end: window + overlap-add (gather form, no atomics) + envelope scale, [B, n_frames,
    n_fft] -> [B, T]; with padding it is the exact adjoint of ``frames`` (padding folded back).
``mel`` / ``mel_adjoint``
    power + sparse mel projection and its backward.

Each is wrapped in ``mx.custom_function`` whose ``vjp`` and ``jvp`` are built from the same kernels
(framing and overlap-add are each other's adjoints; rfft's adjoint is a weighted irfft). Leading
batch dims are flattened natively.

Every kernel configuration (backend, kernel, geometry) validates itself against the pure path on a small
random input the first time it is used; a mismatch or a compile failure warns once
(:class:`KernelWarning`) and that configuration uses the pure path from then on. ``MLXDSP_KERNELS=0`` in
the environment, or the :func:`kernels_disabled` context manager, selects the pure path everywhere; do
that under ``mx.vmap``, which cannot trace a custom kernel.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import threading
import warnings
from pathlib import Path
from typing import NamedTuple

import mlx.core as mx
import numpy as np

from ._fft import inverse_rfft, rfft_rows
from ._frames import frame_rows, overlap_add_rows, pad_signal

# pad_mode names <-> the PAD_MODE template constant of the kernel bodies.
PAD_MODES = {"constant": 0, "reflect": 1, "edge": 2}
_PAD_NAMES = {v: k for k, v in PAD_MODES.items()}

# Kernel name, input names, output names (the shared bodies use exactly these identifiers).
KERNELS = {
    "frames": (("x", "window", "scale"), ("out",)),
    "overlap_add": (("rows", "window", "scale"), ("y",)),
    "mel": (("spec", "weights", "starts"), ("mel",)),
    "mel_adjoint": (("cot", "weights_t", "starts_t", "spec"), ("dspec",)),
    "stft_rfft": (("x", "window", "twiddle"), ("spec",)),
    "irfft": (("spec", "twiddle"), ("rows",)),
    "irfft_ola": (("spec", "window", "scale", "twiddle"), ("y",)),
    "irfft_add": (("spec", "window", "scale", "twiddle"), ("y",)),
}
_GROUP_KERNELS = ("stft_rfft", "irfft", "irfft_ola", "irfft_add")  # layout in the geometry
_ATOMIC_KERNELS = ("irfft_add",)  # output zero-initialised, atomic on Metal
_THREADS_PER_GROUP = 256
_INT32_LIMIT = 2**31 - 1
_MAX_GRID_Y = 65535  # batch rows run along the grid's y axis (CUDA's limit on blocks in y)
_VALIDATION_RTOL = 1e-5


class KernelWarning(RuntimeWarning):
    """A GPU kernel failed to compile or to match the pure-MLX path; the pure path is used instead."""


class Geometry(NamedTuple):
    """Compile-time configuration of one kernel instance (its template constants)."""

    n_fft: int
    hop: int
    left: int = 0
    right: int = 0
    pad_mode: int = 0
    extra: int = 0  # samples past the last frame: T = (NF - 1) * hop + n_fft - left - right + extra
    has_scale: bool = False

    def frames_for(self, length: int) -> int:
        return 1 + (length + self.left + self.right - self.n_fft) // self.hop

    def length_for(self, frames: int) -> int:
        return (frames - 1) * self.hop + self.n_fft - self.left - self.right + self.extra

    def with_scale(self, has_scale: bool) -> Geometry:
        return self._replace(has_scale=bool(has_scale))


class FFTGeometry(NamedTuple):
    """Template constants of the fused frame + window + rFFT kernel (power-of-two ``n_fft``)."""

    n_fft: int
    hop: int
    left: int = 0
    right: int = 0
    pad_mode: int = 0
    tpf: int = 0  # threads per frame (0: the default layout)
    fpg: int = 0  # frames per threadgroup
    adjoint: bool = False  # irfft kernel only: the adjoint of rfft instead of irfft (weights below)

    @property
    def log2m(self) -> int:
        return self.n_fft.bit_length() - 2

    @property
    def threads(self) -> int:
        return self.tpf * self.fpg

    def frames_for(self, length: int) -> int:
        return 1 + (length + self.left + self.right - self.n_fft) // self.hop

    def framing(self, length: int = 0) -> Geometry:
        """The frames-kernel geometry of the same framing (``extra`` from the signal length)."""
        extra = (length + self.left + self.right - self.n_fft) % self.hop if length else 0
        return Geometry(self.n_fft, self.hop, self.left, self.right, self.pad_mode, extra)


# Fused FFT layout: n_fft / 16 threads per frame (one radix-8 butterfly each per pass); frames per
# threadgroup fill FFT_GROUP threads. Module-level so the device benchmark can sweep it.
FFT_MIN_N, FFT_MAX_N = 16, 4096
FFT_GROUP = 64  # run 7: 64-thread groups 8-12% faster than 256 (registers cap occupancy)


def fft_layout(n_fft: int) -> tuple[int, int]:
    """(threads per frame, frames per threadgroup) of the fused STFT kernel."""
    tpf = max(1, n_fft // 16)
    return tpf, max(1, FFT_GROUP // tpf)


def fft_eligible(n_fft: int) -> bool:
    return FFT_MIN_N <= n_fft <= FFT_MAX_N and n_fft & (n_fft - 1) == 0


class OLAGeometry(NamedTuple):
    """Template constants of the fused iSTFT kernel (irfft + window + overlap-add + envelope scale)."""

    n_fft: int
    hop: int
    tpf: int  # threads per frame (n_fft / 16)
    fpg: int  # frames transformed at once
    span: int  # output hops per threadgroup

    @property
    def log2m(self) -> int:
        return self.n_fft.bit_length() - 2

    @property
    def threads(self) -> int:
        return self.tpf * self.fpg

    @property
    def cover(self) -> int:  # frames covering one sample, at most
        return -(-self.n_fft // self.hop)

    @property
    def ring(self) -> int:  # frame slots in threadgroup memory
        return self.fpg + self.cover - 1

    @property
    def shared_bytes(self) -> int:
        m = self.n_fft // 2
        return 2 * 4 * self.ring * (m + m // 32)

    def length_for(self, frames: int) -> int:
        return (frames - 1) * self.hop + self.n_fft


# Fused iSTFT layout: about OLA_THREADS threads per threadgroup (fewer frames at once where the ring
# of frame slots would not fit the backend's threadgroup memory), and a span of output hops per
# threadgroup such that a launch has about OLA_GROUPS threadgroups (about one resident wave on an
# H100/H200; each threadgroup transforms cover - 1 frames of its neighbour's span again).
OLA_THREADS = 128
OLA_GROUPS = 1024
# Which fused iSTFT kernel irfft_overlap_add uses: "atomic" (irfft_add: the irfft kernel adding each
# windowed, scaled frame into the zeroed output), "ring" (irfft_ola), or "" (irfft + overlap_add).
# Atomic adds land in any order (last bits vary between runs, ~1e-7): MLXDSP_DETERMINISTIC=1 selects the
# deterministic two-kernel form.
ISTFT_FUSION = "atomic"


def _istft_fusion() -> str:
    if os.environ.get("MLXDSP_DETERMINISTIC", "0").strip().lower() in ("1", "true", "yes", "on"):
        return ""
    return ISTFT_FUSION


_SHARED_LIMIT = {"cuda": 48 * 1024, "metal": 32 * 1024}


def ola_layout(n_fft: int, hop: int, frames: int, rows: int, backend: str) -> OLAGeometry | None:
    """The fused iSTFT kernel's geometry for ``rows`` x ``frames`` frames, or None (does not fit)."""
    if not fft_eligible(n_fft) or hop < 1:
        return None
    tpf = fft_layout(n_fft)[0]
    g = OLAGeometry(n_fft, hop, tpf, max(1, OLA_THREADS // tpf), 1)
    while g.fpg > 1 and g.shared_bytes > _SHARED_LIMIT[backend]:
        g = g._replace(fpg=g.fpg // 2)
    if g.shared_bytes > _SHARED_LIMIT[backend]:
        return None
    hops = -(-g.length_for(frames) // hop)
    want = max(2 * (g.cover - 1), -(-rows * hops // OLA_GROUPS))
    span = g.fpg
    while span < want:
        span *= 2
    return g._replace(span=span)


class MelGeometry(NamedTuple):
    """Template constants of the power + mel kernel."""

    n_freq: int
    n_mels: int
    max_width: int


# --------------------------------------------------------------------------------------------------
# Enabling


_local = threading.local()


@contextlib.contextmanager
def kernels_disabled():
    """Within this block every kernel-backed op traces its pure-MLX path (use it around ``mx.vmap``)."""
    depth = getattr(_local, "disabled", 0)
    _local.disabled = depth + 1
    try:
        yield
    finally:
        _local.disabled = depth


def _backend() -> str | None:
    """'cuda' or 'metal' when the default device is a GPU of that backend, else None."""
    if mx.default_device().type != mx.gpu:
        return None
    if hasattr(mx, "cuda") and mx.cuda.is_available():
        return "cuda"
    if mx.metal.is_available():
        return "metal"
    return None


def enabled() -> str | None:
    """The backend kernels would run on now, or None (CPU, ``MLXDSP_KERNELS=0``, :func:`kernels_disabled`)."""
    if os.environ.get("MLXDSP_KERNELS", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    if getattr(_local, "disabled", 0):
        return None
    return _backend()


# --------------------------------------------------------------------------------------------------
# Source assembly (string level, testable without a GPU)


def _kernel_root() -> Path:
    """kernels/ as installed package data (mlxdsp/kernels), else the source tree (editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "kernels", here.parent / "kernels"):
        if (candidate / "shared" / "frames.inc").is_file():
            return candidate
    raise FileNotFoundError(f"mlxdsp kernel sources not found under {here} or {here.parent}")


@functools.cache
def _read(relative: str) -> str:
    return (_kernel_root() / relative).read_text()


_PRELUDES = {"cuda": "cuda/prelude.cu", "metal": "metal/prelude.metal"}


class KernelSource(NamedTuple):
    name: str
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    source: str


_INCLUDE = "// @include "


@functools.cache
def kernel_body(kind: str) -> str:
    """The shared body of ``kind``, its ``// @include name.inc`` lines replaced by shared/name.inc
    (whose own includes are resolved the same way)."""
    lines = []
    for line in _read(f"shared/{kind}.inc").splitlines(keepends=True):
        if line.startswith(_INCLUDE):
            line = kernel_body(line[len(_INCLUDE) :].strip().removesuffix(".inc"))
        lines.append(line)
    return "".join(lines)


def kernel_source(kind: str, backend: str) -> KernelSource:
    """The (name, inputs, outputs, source) handed to ``mx.fast.{cuda,metal}_kernel``: prelude + body."""
    inputs, outputs = KERNELS[kind]
    body = kernel_body(kind)
    source = _read(_PRELUDES[backend]) + "\n" + body
    return KernelSource(f"mlxdsp_{kind}", inputs, outputs, source)


def _make_kernel(kind: str, backend: str):
    spec = kernel_source(kind, backend)
    options = {"atomic_outputs": True} if backend == "metal" and kind in _ATOMIC_KERNELS else {}
    make = mx.fast.cuda_kernel if backend == "cuda" else mx.fast.metal_kernel
    return make(
        name=spec.name,
        input_names=list(spec.input_names),
        output_names=list(spec.output_names),
        source=spec.source,
        **options,
    )


_built: dict[tuple[str, str], object] = {}


def _kernel(kind: str, backend: str):
    key = (kind, backend)
    if key not in _built:
        _built[key] = _make_kernel(kind, backend)
    return _built[key]


# The threadgroup kernels' template constants, in order, and the geometry field each one reads.
_TEMPLATE_NAMES = {
    "irfft": ("NFFT", "LOG2M", "TPF", "FPG", "ADJ"),
    "irfft_ola": ("NFFT", "LOG2M", "HOP", "TPF", "FPG", "RING", "SPAN"),
    "irfft_add": ("NFFT", "LOG2M", "HOP", "TPF", "FPG", "ADJ"),
    "stft_rfft": ("NFFT", "LOG2M", "HOP", "LEFT", "RIGHT", "PAD_MODE", "TPF", "FPG"),
}
_TEMPLATE_FIELDS = {
    "NFFT": "n_fft", "LOG2M": "log2m", "HOP": "hop", "LEFT": "left", "RIGHT": "right",
    "PAD_MODE": "pad_mode", "TPF": "tpf", "FPG": "fpg", "ADJ": "adjoint", "RING": "ring",
    "SPAN": "span",
}  # fmt: skip


def template_args(kind: str, g) -> list[tuple[str, object]]:
    if kind == "mel":
        return [("NFREQ", g.n_freq), ("NMELS", g.n_mels), ("MAXW", g.max_width)]
    if kind == "mel_adjoint":
        return [("NFREQ", g.n_freq), ("NMELS", g.n_mels), ("MAXM", g.max_width)]
    if kind in _TEMPLATE_NAMES:
        return [(name, getattr(g, _TEMPLATE_FIELDS[name])) for name in _TEMPLATE_NAMES[kind]]
    args = [
        ("NFFT", g.n_fft),
        ("HOP", g.hop),
        ("LEFT", g.left),
        ("RIGHT", g.right),
        ("PAD_MODE", g.pad_mode),
        ("HAS_SCALE", bool(g.has_scale)),
    ]
    if kind == "overlap_add":
        args.append(("EXTRA", g.extra))
    return args


def launch_grid(kind: str, shape: tuple[int, ...], g=None) -> tuple[int, int, int]:
    """frames / overlap_add: x runs along one batch row, y over batch rows; mel kernels are 1-D;
    stft_rfft: one threadgroup per ``fpg`` frames along x (a whole number of groups), y over rows."""
    if kind == "stft_rfft":
        groups = -(-max(shape[1], 1) // g.fpg)
        return (groups * g.threads, max(shape[0], 1), 1)
    if kind == "irfft":  # one threadgroup per fpg rows
        return (-(-max(shape[0], 1) // g.fpg) * g.threads, 1, 1)
    if kind == "irfft_add":  # one threadgroup per fpg frames of the flattened [B * NF], 1-D
        frames = max(shape[0], 1) * ((shape[1] - g.n_fft) // g.hop + 1)
        return (-(-frames // g.fpg) * g.threads, 1, 1)
    if kind == "irfft_ola":  # one threadgroup per span of output hops along x, y over rows
        hops = -(-max(shape[1], 1) // g.hop)
        return (-(-hops // g.span) * g.threads, max(shape[0], 1), 1)
    if kind in ("frames", "overlap_add"):
        return (max(math.prod(shape[1:]), 1), max(shape[0], 1), 1)
    return (max(math.prod(shape), 1), 1, 1)


def _launch(kind: str, backend: str, g, inputs: list[mx.array], shape: tuple[int, ...]):
    out = _kernel(kind, backend)(
        inputs=inputs,
        template=template_args(kind, g),
        grid=launch_grid(kind, shape, g),
        threadgroup=(g.threads if kind in _GROUP_KERNELS else _THREADS_PER_GROUP, 1, 1),
        output_shapes=[shape],
        output_dtypes=[mx.float32],
        **({"init_value": 0.0} if kind in _ATOMIC_KERNELS else {}),
    )
    return out[0]


# --------------------------------------------------------------------------------------------------
# Pure-MLX references (the CPU path, and the fallback of every kernel)


def frames_pure(g: Geometry, x: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    """[B, T] -> [B, NF, n_fft]: frames of pad(x * scale) times the window."""
    if g.has_scale:
        x = x * scale
    if g.left or g.right:
        x = pad_signal("stft", x, g.left, g.right, _PAD_NAMES[g.pad_mode])
    count = 1 + (x.shape[-1] - g.n_fft) // g.hop
    return frame_rows(x, g.n_fft, g.hop, count) * window


def overlap_add_pure(g: Geometry, rows: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    """[B, NF, n_fft] -> [B, T]: overlap-add of rows * window, padding folded back, times scale."""
    y = overlap_add_rows(rows * window, g.hop)
    if g.left or g.right or g.extra:
        length = g.length_for(rows.shape[-2])
        bare = g._replace(has_scale=False)
        zeros = mx.zeros((*rows.shape[:-2], length), dtype=mx.float32)
        ones = mx.ones((g.n_fft,), dtype=mx.float32)
        _, (y,) = mx.vjp(lambda z: frames_pure(bare, z, ones, z), [zeros], [rows * window])
    if g.has_scale:
        y = y * scale
    return y


def _band_gather(values: mx.array, weights: mx.array, starts: mx.array, width: int, size: int):
    """sum_i weights[j, i] * values[:, starts[j] + i] (indices >= size count as 0), exact float32 sums."""
    count = starts.shape[0]
    index = starts.reshape(count, 1) + mx.arange(width).reshape(1, width)
    valid = index < size
    taken = mx.take(values, mx.where(valid, index, 0).reshape(-1), axis=1)
    taken = taken.reshape(values.shape[0], count, width)
    return mx.sum(taken * mx.where(valid, weights.reshape(count, width), 0.0), axis=-1)


def mel_pure(g: MelGeometry, spec: mx.array, weights: mx.array, starts: mx.array) -> mx.array:
    """Reference of the mel kernel on its own inputs (interleaved spectrum, packed bands).

    Written as a gather and an exact float32 sum: MLX's CUDA float32 matmul rounds like TF32 (~1e-4).
    """
    power = mx.square(spec[:, 0::2]) + mx.square(spec[:, 1::2])
    return _band_gather(power, weights, starts, g.max_width, g.n_freq)


def mel_adjoint_pure(g: MelGeometry, cot, weights_t, starts_t, spec) -> mx.array:
    """Reference of the mel adjoint kernel: interleaved 2 * (cot @ W)[k] * spec[k]."""
    d_power = _band_gather(cot, weights_t, starts_t, g.max_width, g.n_mels)  # [R, n_freq]
    return 2.0 * mx.repeat(d_power, 2, axis=1) * spec


def stft_rfft_pure(g: FFTGeometry, x: mx.array, window: mx.array, twiddle: mx.array) -> mx.array:
    """Reference of the fused STFT kernel on its own inputs: [B, T] -> [B, NF, 2 * (n_fft/2 + 1)]
    (the rFFT of each windowed frame, interleaved re/im; ``twiddle`` is the kernel's table)."""
    ones = mx.ones((1,), dtype=mx.float32)
    spec = mx.fft.rfft(frames_pure(g.framing(), x, window, ones), axis=-1)
    return mx.view(spec, mx.float32)


def irfft_pure(g: FFTGeometry, spec: mx.array, twiddle: mx.array) -> mx.array:
    """Reference of the irfft kernel: [R, 2 * (n_fft/2 + 1)] interleaved half spectra -> [R, n_fft]
    (with ``g.adjoint``: the vjp of ``rfft`` instead, MLX's own rule)."""
    return _inverse_pure(g, mx.view(spec, mx.complex64))


def irfft_ola_pure(g, spec: mx.array, window: mx.array, scale: mx.array, twiddle: mx.array):
    """Reference of the fused iSTFT kernels (``irfft_ola``, ``irfft_add``): [B, NF, 2 * (n_fft/2 + 1)]
    interleaved half spectra -> [B, (NF - 1) * hop + n_fft]: irfft of each frame, times the window,
    overlap-added, times scale."""
    rows = mx.fft.irfft(mx.view(spec, mx.complex64), n=g.n_fft, axis=-1)
    return overlap_add_rows(rows * window, g.hop) * scale


def _inverse_pure(g: FFTGeometry, spec: mx.array) -> mx.array:
    if g.adjoint:
        return _rfft_adjoint(spec, g.n_fft)
    return mx.fft.irfft(spec, n=g.n_fft, axis=-1)


@functools.lru_cache(maxsize=16)
def _twiddle_np(n_fft: int) -> np.ndarray:
    """The fused kernel's twiddle table, in float64 then rounded once (layout: stft_rfft.inc)."""
    m = n_fft // 2
    w = np.exp(-2j * np.pi * np.arange(m + 1) / n_fft)
    parts = [np.stack([w.real, w.imag], axis=-1).reshape(-1)]  # the split: W^k, k <= M, interleaved
    log2m = m.bit_length() - 1
    ns = 8 if log2m % 3 == 0 else 2 ** (log2m % 3)
    while ns < m:  # radix-8 pass with span ns: W_{8 ns}^{r j}, planar [r, j]
        w = np.exp(-2j * np.pi * np.outer(np.arange(8), np.arange(ns)) / (8 * ns))
        parts += [w.real.reshape(-1), w.imag.reshape(-1)]
        ns *= 8
    return np.concatenate(parts).astype(np.float32)


@functools.lru_cache(maxsize=16)
def _twiddle(n_fft: int) -> mx.array:
    return mx.array(_twiddle_np(n_fft))


_PURE = {
    "frames": frames_pure,
    "overlap_add": overlap_add_pure,
    "mel": mel_pure,
    "mel_adjoint": mel_adjoint_pure,
    "stft_rfft": stft_rfft_pure,
    "irfft": irfft_pure,
    "irfft_ola": irfft_ola_pure,
    "irfft_add": irfft_ola_pure,
}


# --------------------------------------------------------------------------------------------------
# Self-validation


_validated: dict[tuple, bool] = {}


def _validation_case(kind: str, g):
    """A small random input with the same template constants as ``g`` (2 batch rows, a few frames)."""
    rng = np.random.default_rng(20261120)
    if kind == "mel":
        spec = rng.standard_normal((5, 2 * g.n_freq)).astype(np.float32)
        weights = rng.uniform(0.0, 1.0, (g.n_mels, g.max_width)).astype(np.float32)
        starts = rng.integers(0, g.n_freq, g.n_mels).astype(np.int32)
        inputs = [mx.array(spec), mx.array(weights.reshape(-1)), mx.array(starts)]
        return inputs, (5, g.n_mels)
    if kind == "mel_adjoint":
        cot = rng.standard_normal((5, g.n_mels)).astype(np.float32)
        weights = rng.uniform(0.0, 1.0, (g.n_freq, g.max_width)).astype(np.float32)
        starts = rng.integers(0, g.n_mels, g.n_freq).astype(np.int32)
        spec = rng.standard_normal((5, 2 * g.n_freq)).astype(np.float32)
        inputs = [mx.array(cot), mx.array(weights.reshape(-1)), mx.array(starts), mx.array(spec)]
        return inputs, (5, 2 * g.n_freq)
    if kind == "irfft":  # more rows than one threadgroup holds (a partly filled last group)
        spec = rng.standard_normal((g.fpg + 3, g.n_fft + 2)).astype(np.float32)
        return [mx.array(spec), _twiddle(g.n_fft)], (g.fpg + 3, g.n_fft)
    if kind in ("irfft_ola", "irfft_add"):  # 2 rows, partly filled last threadgroup, random window
        frames = g.span + g.span // 2 + g.cover if kind == "irfft_ola" else 2 * g.fpg + 3
        spec = rng.standard_normal((2, frames, g.n_fft + 2)).astype(np.float32)
        window = rng.standard_normal(g.n_fft).astype(np.float32)
        length = (frames - 1) * g.hop + g.n_fft
        scale = rng.uniform(0.5, 2.0, length).astype(np.float32)
        inputs = [mx.array(spec), mx.array(window), mx.array(scale), _twiddle(g.n_fft)]
        return inputs, (2, length)
    if kind == "stft_rfft":
        # 2 rows, more frames than one threadgroup holds (a partly filled last group)
        frames = g.fpg + 2
        length = (frames - 1) * g.hop + g.n_fft - g.left - g.right + g.hop // 2
        length = max(length, max(g.left, g.right) + 2)
        x = mx.array(rng.standard_normal((2, length)).astype(np.float32))
        window = mx.array(rng.standard_normal(g.n_fft).astype(np.float32))
        shape = (2, g.frames_for(length), g.n_fft + 2)
        return [x, window, _twiddle(g.n_fft)], shape
    length = g.length_for(3)
    while length < max(g.left, g.right) + 2:
        length += g.hop
    frames = g.frames_for(length)
    window = mx.array(rng.standard_normal(g.n_fft).astype(np.float32))
    scale = mx.array(rng.uniform(0.5, 2.0, length if g.has_scale else 1).astype(np.float32))
    if kind == "frames":
        data = mx.array(rng.standard_normal((2, length)).astype(np.float32))
        shape = (2, frames, g.n_fft)
    else:
        data = mx.array(rng.standard_normal((2, frames, g.n_fft)).astype(np.float32))
        shape = (2, length)
    return [data, window, scale], shape


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    denom = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 0 else float(np.linalg.norm(a - b))


def _usable(kind: str, g) -> str | None:
    """The backend to run ``kind`` at ``g`` on, validating at first use; None means the pure path."""
    backend = enabled()
    if backend is None:
        return None
    key = (kind, backend, str(mx.default_device()), g)
    ok = _validated.get(key)
    if ok is None:
        ok = _validate(kind, backend, g)
        _validated[key] = ok
    return backend if ok else None


def _validate(kind: str, backend: str, g) -> bool:
    inputs, shape = _validation_case(kind, g)
    try:
        got = _launch(kind, backend, g, inputs, shape)
        want = _PURE[kind](g, *inputs)
        mx.eval(got, want)
        got_np, want_np = np.array(got), np.array(want)
        if got_np.shape != want_np.shape:
            problem = f"shape {got_np.shape} != {want_np.shape}"
        elif not np.all(np.isfinite(got_np)):
            problem = "non-finite output"
        else:
            err = _relative_error(got_np, want_np)
            problem = None if err <= _VALIDATION_RTOL else f"relative error {err:.2e}"
    except Exception as exc:  # compile or launch failure: fall back, never crash the caller
        problem = f"{type(exc).__name__}: {exc}"
    if problem is None:
        return True
    warnings.warn(
        f"mlxdsp: the {backend} kernel '{kind}' {tuple(g)} failed self-validation on "
        f"{mx.default_device()} ({problem}); using the pure-MLX path for it",
        KernelWarning,
        stacklevel=4,
    )
    return False


def _frames_op(g: Geometry, x: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    backend = _usable("frames", g)
    if backend is None:
        return frames_pure(g, x, window, scale)
    shape = (x.shape[0], g.frames_for(x.shape[1]), g.n_fft)
    return _launch("frames", backend, g, [x, window, scale], shape)


def _overlap_add_op(g: Geometry, rows: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    backend = _usable("overlap_add", g)
    if backend is None:
        return overlap_add_pure(g, rows, window, scale)
    shape = (rows.shape[0], g.length_for(rows.shape[1]))
    return _launch("overlap_add", backend, g, [rows, window, scale], shape)


def _frames_diff(g: Geometry, x: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    """Differentiable frames: the kernel inside its custom_function, or the pure path."""
    if _usable("frames", g) is None:
        return frames_pure(g, x, window, scale)
    return _frames_fn(g)(x, window, scale)


def _overlap_add_diff(g: Geometry, rows: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    """Differentiable overlap-add: the kernel inside its custom_function, or the pure path."""
    if _usable("overlap_add", g) is None:
        return overlap_add_pure(g, rows, window, scale)
    return _overlap_add_fn(g)(rows, window, scale)


# --------------------------------------------------------------------------------------------------
# Differentiable wrappers: the adjoint of framing is overlap-add and vice versa.
#
# MLX's jvp walks the whole forward graph of a custom_function, so the kernel's inputs are wrapped in
# stop_gradient (a kernel primitive has no jvp/vjp of its own); the vjp and jvp rules call the
# differentiable wrappers, so higher-order derivatives go through the custom rules again.


def _sg(*arrays: mx.array) -> list[mx.array]:
    return [mx.stop_gradient(a) for a in arrays]


def _accumulate(total, term):
    return term if total is None else total + term


def _multilinear_jvp(fn, primals, tangents, shape, dtype=mx.float32):
    """jvp of ``fn``, linear in each argument separately: the sum over the given tangents of ``fn``
    with that argument replaced by its tangent (zeros of ``shape`` when no tangent is given)."""
    total = None
    for i, tangent in enumerate(tangents):
        if tangent is not None:
            args = list(primals)
            args[i] = tangent
            total = _accumulate(total, fn(*args))
    return mx.zeros(shape, dtype=dtype) if total is None else total


@functools.lru_cache(maxsize=256)
def _frames_fn(g: Geometry):
    adjoint = g._replace(has_scale=False)

    @mx.custom_function
    def frames(x, window, scale):
        return _frames_op(g, *_sg(x, window, scale))

    @frames.vjp
    def frames_vjp(primals, cotangent, output):
        x, window, scale = primals
        cot = cotangent[0] if isinstance(cotangent, (list, tuple)) else cotangent
        back = _overlap_add_diff(adjoint, cot, window, scale)  # d(pad-frame input), [B, T]
        ones = mx.ones((g.n_fft,), dtype=mx.float32)
        d_window = mx.sum(cot * _frames_diff(g, x, ones, scale), axis=(0, 1))
        if g.has_scale:
            return back * scale, d_window, mx.sum(back * x, axis=0)
        return back, d_window, mx.zeros_like(scale)

    @frames.jvp
    def frames_jvp(primals, tangents):
        x = primals[0]
        tangents = tangents if g.has_scale else (*tangents[:2], None)
        shape = (x.shape[0], g.frames_for(x.shape[1]), g.n_fft)
        return _multilinear_jvp(functools.partial(_frames_diff, g), primals, tangents, shape)

    return frames


@functools.lru_cache(maxsize=256)
def _overlap_add_fn(g: Geometry):
    @mx.custom_function
    def overlap_add(rows, window, scale):
        return _overlap_add_op(g, *_sg(rows, window, scale))

    @overlap_add.vjp
    def overlap_add_vjp(primals, cotangent, output):
        rows, window, scale = primals
        cot = cotangent[0] if isinstance(cotangent, (list, tuple)) else cotangent
        ones = mx.ones((g.n_fft,), dtype=mx.float32)
        framed = _frames_diff(g, cot, ones, scale)  # frames of pad(cot * scale), [B, NF, n_fft]
        d_rows = framed * window
        d_window = mx.sum(rows * framed, axis=(0, 1))
        if g.has_scale:
            unscaled = _overlap_add_diff(g._replace(has_scale=False), rows, window, scale)
            return d_rows, d_window, mx.sum(cot * unscaled, axis=0)
        return d_rows, d_window, mx.zeros_like(scale)

    @overlap_add.jvp
    def overlap_add_jvp(primals, tangents):
        rows = primals[0]
        tangents = tangents if g.has_scale else (*tangents[:2], None)
        shape = (rows.shape[0], g.length_for(rows.shape[1]))
        return _multilinear_jvp(functools.partial(_overlap_add_diff, g), primals, tangents, shape)

    return overlap_add


def _stft_rfft_op(g: FFTGeometry, x: mx.array, window: mx.array) -> mx.array:
    """[B, T] -> [B, NF, n_fft/2 + 1] complex64: the fused kernel, or frames + rfft (pure path)."""
    backend = _usable("stft_rfft", g)
    if backend is None:
        ones = mx.ones((1,), dtype=mx.float32)
        return mx.fft.rfft(frames_pure(g.framing(), x, window, ones), axis=-1)
    shape = (x.shape[0], g.frames_for(x.shape[1]), g.n_fft + 2)
    out = _launch("stft_rfft", backend, g, [x, window, _twiddle(g.n_fft)], shape)
    return mx.view(out, mx.complex64)


def _stft_rfft_diff(g: FFTGeometry, x: mx.array, window: mx.array) -> mx.array:
    """Differentiable fused STFT: the kernel inside its custom_function, or the pure path."""
    if _usable("stft_rfft", g) is None:
        ones = mx.ones((1,), dtype=mx.float32)
        return mx.fft.rfft(frames_pure(g.framing(), x, window, ones), axis=-1)
    return _stft_rfft_fn(g)(x, window)


def _rfft_adjoint(cot: mx.array, n_fft: int) -> mx.array:
    """The vjp of ``rfft(rows, axis=-1)`` (it does not depend on ``rows``): MLX's own rule, exactly."""
    zeros = mx.zeros((*cot.shape[:-1], n_fft), dtype=mx.float32)
    _, (d_rows,) = mx.vjp(lambda r: mx.fft.rfft(r, axis=-1), [zeros], [cot])
    return d_rows


@functools.lru_cache(maxsize=256)
def _stft_rfft_fn(g: FFTGeometry):
    """rfft(frames(x) * window) as one kernel. Backward: rfft's adjoint, then the frames adjoint
    (the overlap-add kernel); forward-mode: the fused kernel again (it is linear in x and in window)."""

    @mx.custom_function
    def stft_rfft(x, window):
        return _stft_rfft_op(g, *_sg(x, window))

    @stft_rfft.vjp
    def stft_rfft_vjp(primals, cotangent, output):
        x, window = primals
        cot = _single(cotangent)
        # rfft's adjoint: the irfft kernel with weights (ADJ), else MLX's rule
        gi = FFTGeometry(g.n_fft, 0, tpf=g.tpf, fpg=fft_layout(g.n_fft)[1], adjoint=True)
        rows = cot.size // max(cot.shape[-1], 1)
        if rows * (g.n_fft + 2) < _INT32_LIMIT and _usable("irfft", gi) is not None:
            d_rows = _irfft_fn(gi)(cot.reshape(rows, cot.shape[-1]))
            d_rows = d_rows.reshape(*cot.shape[:-1], g.n_fft)
        else:
            d_rows = _rfft_adjoint(cot, g.n_fft)
        ones = mx.ones((1,), dtype=mx.float32)
        fg = g.framing(x.shape[-1])
        _, (dx, dw) = mx.vjp(lambda x, w: _frames_diff(fg, x, w, ones), [x, window], [d_rows])
        return dx, dw

    @stft_rfft.jvp
    def stft_rfft_jvp(primals, tangents):
        x = primals[0]
        shape = (x.shape[0], g.frames_for(x.shape[1]), g.n_fft // 2 + 1)
        fn = functools.partial(_stft_rfft_diff, g)
        return _multilinear_jvp(fn, primals, tangents, shape, mx.complex64)

    return stft_rfft


def _irfft_op(g: FFTGeometry, spec: mx.array) -> mx.array:
    """[R, n_fft/2 + 1] complex64 -> [R, n_fft]: the irfft kernel, or mx.fft.irfft (pure path)."""
    backend = _usable("irfft", g)
    if backend is None:
        return _inverse_pure(g, spec)
    flat = mx.view(spec, mx.float32)
    return _launch("irfft", backend, g, [flat, _twiddle(g.n_fft)], (spec.shape[0], g.n_fft))


def _irfft_diff(g: FFTGeometry, spec: mx.array) -> mx.array:
    if _usable("irfft", g) is None:
        return _inverse_pure(g, spec)
    return _irfft_fn(g)(spec)


@functools.lru_cache(maxsize=64)
def _irfft_fn(g: FFTGeometry):
    """irfft (or rfft's adjoint) as one kernel. Backward: the adjoint of the pure function, by MLX's
    own rules (it does not depend on the input); forward-mode: the kernel again (it is linear)."""

    @mx.custom_function
    def irfft(spec):
        return _irfft_op(g, mx.stop_gradient(spec))

    @irfft.vjp
    def irfft_vjp(primals, cotangent, output):
        spec, cot = _single(primals), _single(cotangent)
        zeros = mx.zeros(spec.shape, dtype=mx.complex64)
        _, (d_spec,) = mx.vjp(lambda z: _inverse_pure(g, z), [zeros], [cot])
        return (d_spec,)

    @irfft.jvp
    def irfft_jvp(primals, tangents):
        return _irfft_diff(g, _single(tangents))

    return irfft


def _ola_kind(g) -> str:
    """The fused iSTFT kernel of a geometry: the ring form (OLAGeometry) or the atomic form."""
    return "irfft_ola" if isinstance(g, OLAGeometry) else "irfft_add"


def _irfft_ola_op(g, spec: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    """[B, NF, n_fft/2 + 1] complex64 -> [B, (NF - 1) * hop + n_fft]: the fused iSTFT kernel, or its
    pure path."""
    flat = mx.view(spec, mx.float32)
    backend = _usable(_ola_kind(g), g)
    if backend is None:
        return irfft_ola_pure(g, flat, window, scale, _twiddle(g.n_fft))
    shape = (spec.shape[0], (spec.shape[1] - 1) * g.hop + g.n_fft)
    return _launch(_ola_kind(g), backend, g, [flat, window, scale, _twiddle(g.n_fft)], shape)


def _irfft_ola_diff(g, spec: mx.array, window: mx.array, scale: mx.array) -> mx.array:
    if _usable(_ola_kind(g), g) is None:
        return _irfft_ola_unfused(g, spec, window, scale)
    return _irfft_ola_fn(g)(spec, window, scale)


def _irfft_ola_unfused(g, spec: mx.array, window: mx.array, scale: mx.array):
    """The same function as two differentiable stages: the irfft kernel, then the overlap-add kernel
    (each falling back to its pure path); the fused kernel's backward goes through it."""
    n_freq = spec.shape[-1]
    gi = FFTGeometry(g.n_fft, 0, tpf=g.tpf, fpg=fft_layout(g.n_fft)[1])
    rows = _irfft_diff(gi, spec.reshape(-1, n_freq)).reshape(*spec.shape[:-1], g.n_fft)
    og = Geometry(g.n_fft, g.hop, has_scale=True)
    return _overlap_add_diff(og, rows, window, scale)


@functools.lru_cache(maxsize=64)
def _irfft_ola_fn(g):
    """irfft + window + overlap-add + scale as one kernel. Backward: the vjp of the two-stage form (the
    frames kernel, rfft's adjoint as a weighted irfft; the rows are recomputed); forward-mode: the
    fused kernel again (it is linear in each argument)."""

    @mx.custom_function
    def irfft_ola(spec, window, scale):
        return _irfft_ola_op(g, *_sg(spec, window, scale))

    @irfft_ola.vjp
    def irfft_ola_vjp(primals, cotangent, output):
        cot = _single(cotangent)
        _, grads = mx.vjp(lambda s, w, c: _irfft_ola_unfused(g, s, w, c), list(primals), [cot])
        return tuple(grads)

    @irfft_ola.jvp
    def irfft_ola_jvp(primals, tangents):
        spec = primals[0]
        shape = (spec.shape[0], (spec.shape[1] - 1) * g.hop + g.n_fft)
        return _multilinear_jvp(functools.partial(_irfft_ola_diff, g), primals, tangents, shape)

    return irfft_ola


# --------------------------------------------------------------------------------------------------
# Entry points called by the spectral core


def _float32(*arrays: mx.array) -> bool:
    return all(a.dtype == mx.float32 for a in arrays)


def _framing_fits(source: mx.array, window: mx.array, g, n_frames: int, row: int) -> bool:
    """The kernels' framing preconditions: float32, a known pad mode, padding shorter than the
    signal, ``n_frames`` frames, and the grid (batch rows on y) and int32 indices of ``row`` outputs
    per frame within range."""
    length = source.shape[-1] if source.ndim else 0
    rows = source.size // max(length, 1)
    return (
        source.ndim >= 1
        and g.pad_mode in _PAD_NAMES
        and _float32(source, window)
        and window.shape == (g.n_fft,)
        and length > max(g.left, g.right)
        and length + g.left + g.right >= g.n_fft
        and g.frames_for(length) == n_frames
        and rows <= _MAX_GRID_Y
        and source.size + g.left + g.right < _INT32_LIMIT
        and rows * n_frames * row < _INT32_LIMIT
    )


def windowed_frames(
    x: mx.array,
    window: mx.array,
    n_fft: int,
    hop_length: int,
    n_frames: int,
    *,
    source: mx.array | None = None,
    padding: tuple[int, int, str] | None = None,
) -> mx.array:
    """[..., T] padded signal -> [..., n_frames, n_fft] frames times the window (STFT front end).

    ``x`` is the padded signal the pure path frames. With ``source`` (the signal before padding) and
    ``padding=(left, right, pad_mode)``, the kernel reads ``source`` and folds the padding into its reads,
    so ``x`` (a lazy graph) is never evaluated.
    """
    if source is None or padding is None:
        source, padding = x, (0, 0, "constant")
    left, right, mode = padding
    g = Geometry(n_fft, hop_length, left, right, PAD_MODES.get(mode, -1))
    length = source.shape[-1] if source.ndim else 0
    eligible = _framing_fits(source, window, g, n_frames, n_fft)
    if eligible:
        g = g._replace(extra=(length + left + right - n_fft) % hop_length)
    if not eligible or _usable("frames", g) is None:
        return frame_rows(x, n_fft, hop_length, n_frames) * window
    lead = source.shape[:-1]
    flat = source.reshape(-1, length)
    rows = _frames_fn(g)(flat, window, mx.ones((1,), dtype=mx.float32))
    return rows.reshape(*lead, n_frames, n_fft)


def windowed_rfft(
    x: mx.array,
    window: mx.array,
    n_fft: int,
    hop_length: int,
    n_frames: int,
    *,
    source: mx.array | None = None,
    padding: tuple[int, int, str] | None = None,
) -> mx.array:
    """[..., T] -> [..., n_frames, n_fft/2 + 1] complex64: the rFFT of each windowed frame.

    Arguments as :func:`windowed_frames`. For a power-of-two ``n_fft`` in 16 .. 4096 one fused kernel
    reads ``source`` once and writes the spectrum once; otherwise (or when that kernel is unusable)
    the frames kernel / pure framing feeds ``mx.fft.rfft``.
    """
    if source is None or padding is None:
        source, padding = x, (0, 0, "constant")
    left, right, mode = padding
    length = source.shape[-1] if source.ndim else 0
    g = FFTGeometry(n_fft, hop_length, left, right, PAD_MODES.get(mode, -1), *fft_layout(n_fft))
    eligible = (
        fft_eligible(n_fft)
        and enabled() is not None
        and _framing_fits(source, window, g, n_frames, n_fft + 2)
        and _usable("stft_rfft", g) is not None
    )
    if not eligible:
        rows = windowed_frames(
            x, window, n_fft, hop_length, n_frames, source=source, padding=padding
        )
        return rfft_rows(rows)
    lead = source.shape[:-1]
    spec = _stft_rfft_fn(g)(source.reshape(-1, length), window)
    return spec.reshape(*lead, n_frames, n_fft // 2 + 1)


def irfft_rows(spectra: mx.array, n_fft: int) -> mx.array:
    """[..., n_fft/2 + 1] complex64 -> [..., n_fft]: ``mx.fft.irfft(spectra, n=n_fft, axis=-1)``, as one
    kernel for a power-of-two ``n_fft`` in 16 .. 4096 on a GPU (the iSTFT's inverse transform), else
    :func:`mlxdsp._fft.inverse_rfft` (any n, odd included)."""
    g = FFTGeometry(n_fft, 0, tpf=fft_layout(n_fft)[0], fpg=fft_layout(n_fft)[1])
    rows = spectra.size // max(spectra.shape[-1], 1) if spectra.ndim else 0
    eligible = (
        fft_eligible(n_fft)
        and enabled() is not None
        and spectra.ndim >= 1
        and spectra.dtype == mx.complex64
        and spectra.shape[-1] == n_fft // 2 + 1
        and rows >= 1
        and rows * (n_fft + 2) < _INT32_LIMIT
        and _usable("irfft", g) is not None
    )
    if not eligible:
        return inverse_rfft(spectra, n_fft)
    lead = spectra.shape[:-1]
    out = _irfft_fn(g)(spectra.reshape(rows, n_fft // 2 + 1))
    return out.reshape(*lead, n_fft)


def irfft_overlap_add(
    spectra: mx.array, window: mx.array, scale: mx.array, n_fft: int, hop_length: int
) -> mx.array:
    """[..., n_frames, n_fft/2 + 1] complex64 -> [..., (n_frames - 1) * hop_length + n_fft]: the iSTFT
    back end ``overlap_add_scaled(irfft_rows(spectra, n_fft), window, scale, hop_length)``.

    On a GPU, for a power-of-two ``n_fft`` in 16 .. 4096 whose frame ring fits threadgroup memory, one
    kernel reads each spectrum once and writes each output sample once (no frame matrix in memory).
    """
    backend = enabled()
    g = None
    if backend is not None and spectra.ndim >= 2 and fft_eligible(n_fft):
        n_frames, n_freq = spectra.shape[-2], spectra.shape[-1]
        rows = spectra.size // max(n_frames * n_freq, 1)
        length = (n_frames - 1) * hop_length + n_fft
        fits = (
            spectra.dtype == mx.complex64
            and n_freq == n_fft // 2 + 1
            and n_frames >= 1
            and 1 <= rows <= _MAX_GRID_Y
            and _float32(window, scale)
            and window.shape == (n_fft,)
            and scale.shape == (length,)
            and rows * n_frames * (n_fft + 2) < _INT32_LIMIT
            and rows * (length + n_fft) < _INT32_LIMIT
        )
        fusion = _istft_fusion()
        if fits and fusion == "atomic":
            g = FFTGeometry(n_fft, hop_length, tpf=fft_layout(n_fft)[0], fpg=fft_layout(n_fft)[1])
        elif fits and fusion == "ring":
            g = ola_layout(n_fft, hop_length, n_frames, rows, backend)
    if g is None or _usable(_ola_kind(g), g) is None:
        return overlap_add_scaled(irfft_rows(spectra, n_fft), window, scale, hop_length)
    lead = spectra.shape[:-2]
    y = _irfft_ola_fn(g)(spectra.reshape(-1, n_frames, n_freq), window, scale)
    return y.reshape(*lead, length)


def overlap_add_scaled(
    rows: mx.array, window: mx.array, scale: mx.array, hop_length: int
) -> mx.array:
    """[..., n_frames, n_fft] inverse-FFT rows -> window, overlap-add, times the envelope reciprocal."""
    eligible = rows.ndim >= 2
    if eligible:
        n_frames, n_fft = rows.shape[-2], rows.shape[-1]
        g = Geometry(n_fft, hop_length, has_scale=True)
        length = g.length_for(n_frames)
        eligible = (
            _float32(rows, window, scale)
            and window.shape == (n_fft,)
            and scale.shape == (length,)
            and rows.size // (n_frames * n_fft) <= _MAX_GRID_Y
            and rows.size < _INT32_LIMIT
            and rows.size // (n_frames * n_fft) * length < _INT32_LIMIT
        )
    if not eligible or _usable("overlap_add", g) is None:
        return overlap_add_rows(rows * window, hop_length) * scale
    lead = rows.shape[:-2]
    flat = rows.reshape(-1, n_frames, n_fft)
    y = _overlap_add_fn(g)(flat, window, scale)
    return y.reshape(*lead, length)


# --------------------------------------------------------------------------------------------------
# Power + mel projection


def _power(z: mx.array) -> mx.array:
    re, im = mx.real(z), mx.imag(z)
    return re * re + im * im


class _MelPack(NamedTuple):
    geometry: MelGeometry
    fn: object


_mel_packs: dict[int, tuple[object, _MelPack]] = {}


def _mel_pack(banded, n_freq: int) -> _MelPack:
    """Pack the banded filterbank (see _mel._banded_projection) per band: first bin + weights."""
    hit = _mel_packs.get(id(banded))
    if hit is not None and hit[0] is banded and hit[1].geometry.n_freq == n_freq:
        return hit[1]
    n_mels = max(group[3] for group in banded)
    dense = np.zeros((n_mels, n_freq), dtype=np.float32)
    for lo, hi, band_lo, band_hi, block in banded:
        dense[band_lo:band_hi, lo:hi] = np.array(block).T
    g, weights, starts = _pack_rows(dense)  # per band: first bin + weights
    gt, weights_t, starts_t = _pack_rows(dense.T)  # per bin: first band + weights (backward)
    g = MelGeometry(n_freq, n_mels, g.max_width)
    gt = MelGeometry(n_freq, n_mels, gt.max_width)
    fn = _mel_fn(g, gt, weights, starts, weights_t, starts_t)
    pack = _MelPack(g, fn)
    _mel_packs[id(banded)] = (banded, pack)
    return pack


def _pack_rows(dense: np.ndarray):
    """Each row's nonzero span as (first column, zero-padded weights of the widest span)."""
    rows, cols = dense.shape
    starts = np.zeros(rows, dtype=np.int32)
    stops = np.ones(rows, dtype=np.int32)
    for i in range(rows):
        nz = np.flatnonzero(dense[i])
        if nz.size:
            starts[i], stops[i] = nz[0], nz[-1] + 1
    width = int(max(1, (stops - starts).max()))
    packed = np.zeros((rows, width), dtype=np.float32)
    for i in range(rows):
        row = dense[i, starts[i] : starts[i] + width]
        packed[i, : row.shape[0]] = row
    return MelGeometry(cols, rows, width), mx.array(packed.reshape(-1)), mx.array(starts)


def _single(value):
    """MLX hands a one-argument custom_function's primals/tangents over bare or in a sequence."""
    return value[0] if isinstance(value, (list, tuple)) else value


def _mel_fn(g, gt, weights, starts, weights_t, starts_t):
    @mx.custom_function
    def power_mel(spec):
        spec = mx.stop_gradient(spec)
        flat = mx.view(spec, mx.float32)  # [R, 2 * n_freq], no copy
        backend = _usable("mel", g)
        if backend is None:
            return mel_pure(g, flat, weights, starts)
        return _launch("mel", backend, g, [flat, weights, starts], (spec.shape[0], g.n_mels))

    @power_mel.vjp
    def power_mel_vjp(primals, cotangent, output):
        spec, cot = _single(primals), _single(cotangent)
        backend = _usable("mel_adjoint", gt)
        flat = mx.view(spec, mx.float32)
        if backend is None:
            d_flat = mel_adjoint_pure(gt, cot, weights_t, starts_t, flat)
        else:
            inputs = [cot, weights_t, starts_t, flat]
            d_flat = _launch("mel_adjoint", backend, gt, inputs, tuple(flat.shape))
        return (mx.view(d_flat, mx.complex64),)

    @power_mel.jvp
    def power_mel_jvp(primals, tangents):
        _, (d_power,) = mx.jvp(_power, [_single(primals)], [_single(tangents)])
        return _band_gather(d_power, weights, starts, g.max_width, g.n_freq)

    return power_mel


def mel_projection(spectrum: mx.array, power: float, filterbank, options) -> mx.array:
    """[..., n_freq, n_frames] complex spectrum (stft's layout) -> [..., n_mels, n_frames]: ``|X| ** power``
    times the filters: ``filterbank`` (an array) or the built-in one of ``options`` (sr, n_fft, n_mels,
    fmin, fmax, mel_scale, norm).

    The fused kernel covers the built-in filterbank with ``power=2``; a learned ``filterbank`` array,
    another power or no kernel take the pure banded projection (``_mel.project_columns``).
    """
    from ._mel import _banded_projection, project_columns
    from ._spectrum import magnitude_from_power, power_of

    if (
        filterbank is None
        and power == 2.0
        and spectrum.ndim >= 2
        and spectrum.dtype == mx.complex64
        and 2 * spectrum.size < _INT32_LIMIT
        and enabled() is not None
    ):
        n_freq = spectrum.shape[-2]
        pack = _mel_pack(_banded_projection(*options), n_freq)
        if pack.geometry.n_mels * (spectrum.size // max(n_freq, 1)) < _INT32_LIMIT and _usable(
            "mel", pack.geometry
        ):
            rows = mx.swapaxes(spectrum, -1, -2)
            lead = rows.shape[:-1]
            out = pack.fn(rows.reshape(-1, n_freq)).reshape(*lead, pack.geometry.n_mels)
            return mx.swapaxes(out, -1, -2)
    power_spectrum = mx.contiguous(magnitude_from_power(power_of(spectrum), power))
    return project_columns(power_spectrum, filterbank, options)


def _pad_name(mode: int) -> str:  # for tests and messages
    return _PAD_NAMES[mode]


__all__ = [
    "KernelWarning",
    "enabled",
    "irfft_overlap_add",
    "irfft_rows",
    "kernel_body",
    "kernel_source",
    "kernels_disabled",
    "mel_projection",
    "overlap_add_scaled",
    "windowed_frames",
    "windowed_rfft",
]
