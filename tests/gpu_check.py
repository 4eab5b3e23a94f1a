"""GPU correctness of the kernels: ``python tests/gpu_check.py [--examples N] [--quick]`` on the device.

Not collected by pytest (no GPU in CI). Hypothesis draws configurations (odd n_fft, hop not dividing
n_fft, win_length < n_fft, every pad mode, center on/off, 1-3 leading dims) and checks, in float32:

* kernel outputs vs the pure-MLX path (``kernels_disabled()``): stft, istft;
* gradients (vjp) w.r.t. the signal, the spectrum and an ``mx.array`` window, and jvp, vs the pure path;
* torch CUDA parity of stft / istft (reflect padding, hann window);
* that every kernel configuration validated (no KernelWarning) and that kernels actually ran.

Prints one line per failure and a summary with the worst relative errors; exit status 1 on failure.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import mlx.core as mx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlxdsp
from mlxdsp import _kernels

RTOL = 1e-5
worst: dict[str, float] = {}
failures: list[str] = []


def rel(a, b) -> float:
    a = np.asarray(a, dtype=np.complex128)
    b = np.asarray(b, dtype=np.complex128)
    assert a.shape == b.shape, f"shape {a.shape} != {b.shape}"
    d = np.linalg.norm(b.ravel())
    return float(np.linalg.norm((a - b).ravel()) / (d if d > 0 else 1.0))


def record(what: str, err: float, tol: float, cfg) -> None:
    worst[what] = max(worst.get(what, 0.0), err)
    if not err <= tol:  # NaN fails
        failures.append(f"{what}: {err:.2e} > {tol:.0e} at {cfg}")
        print(failures[-1], flush=True)


def pure(fn, *args):
    with _kernels.kernels_disabled():
        out = fn(*args)
        mx.eval(out)
        return out


@st.composite
def configs(draw):
    # half the draws: a power of two (the fused frame + window + rFFT kernel), else any size
    n_fft = draw(
        st.one_of(
            st.integers(4, 600), st.sampled_from([16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
        )
    )
    win = draw(st.one_of(st.none(), st.integers(max(2, n_fft // 3), n_fft)))
    eff = win or n_fft
    hop = draw(st.integers(1, max(1, eff // 2)))  # hann NOLA holds for hop <= win / 2
    center = draw(st.booleans())
    mode = draw(st.sampled_from(["reflect", "constant", "edge"]))
    lead = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=3)))
    length = draw(st.integers(n_fft + 1, n_fft + 40 * hop + 3))
    seed = draw(st.integers(0, 2**31 - 1))
    return n_fft, hop, win, center, mode, lead, length, seed


def stft64(a, n_fft, hop, win, center, mode):
    """float64 NumPy stft (periodic hann, centred window of win samples), [..., n_freq, n_frames]."""
    wl = win or n_fft
    w = np.zeros(n_fft)
    start = (n_fft - wl) // 2
    w[start : start + wl] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(wl) / wl)
    a = a.astype(np.float64)
    if center:
        pad = [(0, 0)] * (a.ndim - 1) + [(n_fft // 2, n_fft // 2)]
        a = np.pad(a, pad, mode={"edge": "edge", "reflect": "reflect"}.get(mode, "constant"))
    frames = 1 + (a.shape[-1] - n_fft) // hop
    index = np.arange(frames)[:, None] * hop + np.arange(n_fft)[None, :]
    return np.swapaxes(np.fft.rfft(a[..., index] * w, axis=-1), -1, -2)


def check(cfg) -> None:
    started = time.perf_counter()
    try:
        check_one(cfg)
    finally:
        print(f"  {cfg}: {time.perf_counter() - started:.1f} s", flush=True)


def check_one(cfg) -> None:
    n_fft, hop, win, center, mode, lead, length, seed = cfg
    rng = np.random.default_rng(seed)
    x = mx.array(rng.standard_normal((*lead, length)).astype(np.float32))
    opts = dict(n_fft=n_fft, hop_length=hop, win_length=win, center=center)
    # poison-free check of every element: random input, compare all outputs
    X = mlxdsp.stft(x, pad_mode=mode, **opts)
    Xp = pure(lambda: mlxdsp.stft(x, pad_mode=mode, **opts))
    record("stft", rel(X, Xp), RTOL, cfg)
    record("stft vs f64", rel(X, stft64(np.array(x), n_fft, hop, win, center, mode)), RTOL, cfg)
    worst["(pure stft vs f64)"] = max(
        worst.get("(pure stft vs f64)", 0.0),
        rel(Xp, stft64(np.array(x), n_fft, hop, win, center, mode)),
    )
    # the same spectrum into both paths: with center=False the inverse envelope amplifies the edges,
    # so the fused stft's (float32-rounding) difference from the pure stft must not enter this check
    y = mlxdsp.istft(X, length=length, **opts)
    yp = pure(lambda: mlxdsp.istft(X, length=length, **opts))
    if center:
        record("istft", rel(y, yp), RTOL, cfg)
    else:  # uncentred: the first/last n_fft samples divide by an envelope down to 1e-11
        inner = slice(n_fft, length - n_fft)
        if length > 2 * n_fft:
            record("istft", rel(y[..., inner], yp[..., inner]), RTOL, cfg)
        worst["(istft uncentred edges)"] = max(
            worst.get("(istft uncentred edges)", 0.0), rel(y, yp)
        )

    w = mx.array(rng.uniform(0.3, 1.0, win or n_fft).astype(np.float32))
    u_np = rng.standard_normal((*lead, length)).astype(np.float32)
    if not center:  # the inverse envelope is ~0 at the uncentred edges: keep them out of the loss
        u_np[..., :n_fft] = 0.0
        u_np[..., -n_fft:] = 0.0
    u = mx.array(u_np)
    wopts = dict(opts, window=w)

    def loss(x, w):
        Z = mlxdsp.stft(x, pad_mode=mode, **dict(opts, window=w))
        back = mlxdsp.istft(Z, length=length, **dict(opts, window=w))
        return mx.sum((mx.real(Z) ** 2 + mx.imag(Z) ** 2) * 1e-2) + mx.sum(back * u)

    grad = mx.value_and_grad(loss, argnums=(0, 1))
    (v, (gx, gw)) = grad(x, w)
    (vp, (gxp, gwp)) = pure(grad, x, w)
    record("loss", rel(v, vp), RTOL, cfg)
    record("grad x", rel(gx, gxp), RTOL, cfg)
    record("grad window", rel(gw, gwp), RTOL, cfg)

    # grad of istft w.r.t. the spectrum (the overlap-add vjp is the frames kernel)
    def iloss(Z):
        return mx.sum(mlxdsp.istft(Z, length=length, **wopts) * u)

    gZ = mx.grad(iloss)(X)
    gZp = pure(mx.grad(iloss), X)
    record("grad spectrum", rel(gZ, gZp), RTOL, cfg)
    if n_fft >= 64:  # power + mel kernel (built-in filterbank, power 2)
        mopts = dict(sr=16000, n_mels=16, pad_mode=mode, **opts)
        # reference: float64 projection of the (pure-path) spectrum. MLX's CUDA float32 matmul rounds
        # like TF32 (~1e-4), so the pure mel path is itself no 1e-5 reference on the GPU.
        fb = np.array(mlxdsp.mel_filterbank(sr=16000, n_fft=n_fft, n_mels=16), dtype=np.float64)
        Xp64 = np.array(Xp).astype(np.complex128)
        power64 = Xp64.real**2 + Xp64.imag**2
        ref = np.einsum("mk,...kt->...mt", fb, power64)
        M = mlxdsp.mel_spectrogram(x, **mopts)
        Mp = pure(lambda: mlxdsp.mel_spectrogram(x, **mopts))
        record("mel vs f64", rel(M, ref), RTOL, cfg)
        worst["(pure mel vs f64)"] = max(worst.get("(pure mel vs f64)", 0.0), rel(Mp, ref))
        um_np = rng.standard_normal(M.shape)
        um = mx.array(um_np.astype(np.float32))

        def mloss(x):
            return mx.sum(mlxdsp.mel_spectrogram(x, **mopts) * um)

        # reference gradient w.r.t. the spectrum: 2 X (fb^T u), through the pure stft adjoint
        g_spec = 2 * Xp64 * np.einsum("mk,...mt->...kt", fb, um_np)
        with _kernels.kernels_disabled():
            _, (g_ref,) = mx.vjp(
                lambda x: [mlxdsp.stft(x, pad_mode=mode, **opts)],
                [x],
                [mx.array(g_spec.astype(np.complex64))],
            )
        record("grad mel vs f64 proj", rel(mx.grad(mloss)(x), g_ref), RTOL, cfg)
    # MLX 0.32.4's irfft jvp is wrong for odd n; the pure overlap-add scatters (no jvp) when a frame
    # spans more than 32 hops
    if n_fft % 2 == 0 and -(-n_fft // hop) <= 32:
        dx = mx.array(rng.standard_normal(x.shape).astype(np.float32))
        _, (t,) = mx.jvp(lambda x: loss(x, w), (x,), (dx,))
        _, (tp,) = pure(mx.jvp, lambda x: loss(x, w), (x,), (dx,))
        record("jvp", rel(t, tp), RTOL, cfg)


def check_torch(cfg, torch) -> None:
    n_fft, hop, win, center, mode, lead, length, seed = cfg
    if mode != "reflect" and center:
        mode = "reflect"
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((*lead, length)).astype(np.float32)
    opts = dict(n_fft=n_fft, hop_length=hop, win_length=win, center=center)
    X = mlxdsp.stft(mx.array(a), pad_mode=mode, **opts)
    wl = win or n_fft
    tw = torch.hann_window(wl, device="cuda")
    ta = torch.from_numpy(a.reshape(-1, length)).cuda()
    tX = torch.stft(ta, n_fft, hop, wl, tw, center=center, pad_mode=mode, return_complex=True)
    tX = tX.reshape(*lead, *tX.shape[-2:]).cpu().numpy()
    record("stft vs torch", rel(X, tX), 1e-5, cfg)
    if center:  # torch.istft refuses center=False edges with a zero envelope
        ty = torch.istft(
            torch.from_numpy(np.array(X).reshape(-1, *X.shape[-2:])).cuda(),
            n_fft, hop, wl, tw, center=center, length=length,
        )  # fmt: skip
        y = mlxdsp.istft(X, length=length, **opts)
        ty = ty.reshape(*lead, length).cpu().numpy()
        record("istft vs torch", rel(y, ty), 1e-5, cfg)
    # torchaudio's filterbank puts its bins on linspace(0, sr/2, n_fft//2+1), which is not the rFFT grid
    # for odd n_fft: compare even n_fft only
    if center and n_fft >= 64 and n_fft % 2 == 0:
        import torchaudio

        tm = torchaudio.transforms.MelSpectrogram(
            sample_rate=16000, n_fft=n_fft, win_length=wl, hop_length=hop, n_mels=16
        ).cuda()
        want = tm(ta).reshape(*lead, 16, -1).cpu().numpy()
        got = mlxdsp.mel_spectrogram(
            mx.array(a), sr=16000, n_mels=16, mel_scale="htk", norm=None, **opts
        )
        record("mel vs torchaudio", rel(got, want), 1e-5, cfg)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=60)
    parser.add_argument("--torch", action="store_true")
    args = parser.parse_args()
    backend = _kernels.enabled()
    print(f"device {mx.default_device()} kernel backend {backend}", flush=True)
    if backend is None:
        print("no GPU kernel backend: nothing to check")
        return 1
    torch = None
    if args.torch:
        import torch as torch_mod

        torch = torch_mod if torch_mod.cuda.is_available() else None

    fixed = [
        (1024, 256, None, True, "reflect", (4,), 16000, 1),
        (2048, 512, None, True, "reflect", (2, 2), 33000, 2),
        (1023, 250, 800, True, "edge", (1, 2, 3), 9001, 3),
        (400, 160, None, True, "constant", (3,), 16000, 4),
        (31, 7, 20, False, "reflect", (2,), 400, 5),
        (16, 4, None, True, "reflect", (3,), 500, 6),
        (4096, 1024, 3000, True, "edge", (2,), 20000, 7),
        (512, 100, None, False, "constant", (), 3000, 8),
    ]

    @settings(
        max_examples=args.examples,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(configs())
    def drawn(cfg):
        check(cfg)
        if torch is not None:
            check_torch(cfg, torch)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for cfg in fixed:
            check(cfg)
            if torch is not None:
                check_torch(cfg, torch)
        drawn()
    kernel_warnings = [w for w in caught if issubclass(w.category, _kernels.KernelWarning)]
    for w in kernel_warnings:
        failures.append(f"KernelWarning: {w.message}")
        print(failures[-1])
    ran = sum(1 for ok in _kernels._validated.values() if ok)
    print(f"kernel configurations validated OK: {ran}, failed: {len(_kernels._validated) - ran}")
    fused = {
        kind: sum(1 for key, ok in _kernels._validated.items() if ok and key[0] == kind)
        for kind in ("stft_rfft", "irfft", "irfft_add")
    }
    print(f"  of which fused FFT kernels: {fused}")
    if ran == 0 or 0 in fused.values():
        failures.append(
            "no kernel configuration ran" if ran == 0 else f"an FFT kernel never ran {fused}"
        )
    print("worst relative errors (float32):")
    for k, v in sorted(worst.items()):
        print(f"  {k:16s} {v:.2e}")
    print("FAIL" if failures else "PASS", f"({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
