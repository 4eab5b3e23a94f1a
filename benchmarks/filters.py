"""Resampling, filtering and effects: mlxdsp vs soxr, scipy, librosa (soxr_hq, kaiser_best) and torchaudio's
resampling algorithm re-implemented in torch (CPU).

    python -m benchmarks filters [--quick] [--markdown]

Every number is the median of repeated runs on the same input in this process. Ratios are
peer time / mlxdsp time (> 1: mlxdsp is faster). The resampling table also prints each method's measured
quality, so speed is compared at known quality: stopband (worst output level of tones between 8 and
21.6 kHz, which must be removed, 44.1k -> 16k) and passband (worst level error of tones up to 7.2 kHz, 0.9
of the output Nyquist, by a least-squares fit at the tone's frequency). mlxdsp rows name the engine:
"fft" (overlap-save blocks, what ``resample`` picks for hq and sinc_interp_kaiser at this ratio) or
"direct" (banded tap matmuls, what it picks for polyphase and sinc_interp_hann here). "hq (fft, one
stream)" is the default with ``MLXDSP_CPU_STREAMS=0``: its speed when another job holds the second core.
Each section ends with the load average (on the project's 2-core machine, above ~1 the second CPU stream
is contended).

    python -m benchmarks filters --sections resample,effects   # a subset
"""

from __future__ import annotations

import argparse
import math
import os
import platform

import mlx.core as mx
import numpy as np

import mlxdsp
from mlxdsp._resample import _resample_ratio, block_geometry, choose_engine, kernel_reach

from .timing import format_table, median_ms, with_env


def _torchaudio_resample(orig, new, lpfw=6, rolloff=0.99):
    """torchaudio.functional.resample's sinc_interp_hann algorithm in plain torch (torchaudio itself does
    not import on this machine)."""
    import torch

    g = math.gcd(orig, new)
    orig, new = orig // g, new // g
    base = min(orig, new) * rolloff
    width = math.ceil(lpfw * orig / base)
    idx = torch.arange(-width, width + orig, dtype=torch.float64)[None, None] / orig
    t = torch.arange(0, -new, -1, dtype=torch.float64)[:, None, None] / new + idx
    t = (t * base).clamp(-lpfw, lpfw)
    window = torch.cos(t * math.pi / lpfw / 2) ** 2
    t = t * math.pi
    kernel = (
        torch.where(t == 0, torch.tensor(1.0, dtype=torch.float64), t.sin() / t)
        * window
        * base
        / orig
    )
    kernel = kernel.to(torch.float32)

    def run(x):
        n = x.shape[-1]
        xp = torch.nn.functional.pad(x.reshape(-1, 1, n), (width, width + orig))
        y = (
            torch.nn.functional.conv1d(xp, kernel, stride=orig)
            .transpose(1, 2)
            .reshape(x.shape[0], -1)
        )
        return y[..., : math.ceil(new * n / orig)]

    return run


def _resamplers(orig, new):
    import librosa
    import scipy.signal as ss
    import soxr
    import torch

    g = math.gcd(orig, new)
    up, down = new // g, orig // g
    ta = _torchaudio_resample(orig, new)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    def _mine(method, engine):
        def run(x):
            return _resample_ratio(x, method, up, down, 6, 0.99, 14.769656459379492, engine)

        return run

    rows = [
        ("hq", "fft"),
        ("hq", "direct"),
        ("sinc_interp_kaiser", "fft"),
        ("sinc_interp_kaiser", "direct"),
        ("sinc_interp_hann", "fft"),
        ("sinc_interp_hann", "direct"),
        ("polyphase", "direct"),
    ]
    for method, _ in rows:  # what resample() itself picks for a 180 s signal
        reach = kernel_reach(method, up, down, 6, 0.99)
        geometry = block_geometry(orig * 180, up, down, reach)
        chosen = choose_engine(method, up, down, 6, 0.99, 14.769656459379492, geometry)
        assert (method, chosen) in rows, (method, chosen)
    mlx_methods = {f"mlxdsp {m} ({e})": _mine(m, e) for m, e in rows}
    mlx_methods["mlxdsp hq (fft, one stream)"] = with_env(
        mlx_methods["mlxdsp hq (fft)"], "MLXDSP_CPU_STREAMS", "0"
    )  # the engine's speed when the second core is busy elsewhere (streams are chosen as the graph is built)
    peers = {
        "soxr HQ": lambda x: soxr.resample(x.T, orig, new, quality="HQ").T,
        "soxr VHQ": lambda x: soxr.resample(x.T, orig, new, quality="VHQ").T,
        "scipy resample_poly": lambda x: ss.resample_poly(x, up, down, axis=-1),
        "librosa soxr_hq": lambda x: librosa.resample(
            x, orig_sr=orig, target_sr=new, res_type="soxr_hq"
        ),
        "librosa kaiser_best": lambda x: librosa.resample(
            x, orig_sr=orig, target_sr=new, res_type="kaiser_best"
        ),
        "torchaudio algo (torch)": lambda x: ta(torch.from_numpy(x)).numpy(),
    }
    return mlx_methods, peers


def _tone_out(fn, freq, orig, is_mlx):
    t = np.arange(orig // 4) / orig
    x = np.sin(2 * np.pi * freq * t).astype(np.float32)[None]
    y = fn(mx.array(x)) if is_mlx else fn(x)
    return np.asarray(y, dtype=np.float64)[0, 200:-200]


def _stopband_db(fn, orig, new, is_mlx):
    """Worst output level (dB re. input) of tones that must be removed (new/2 .. orig/2)."""
    worst = -np.inf
    for f in np.linspace(new / 2 * 1.0, orig / 2 * 0.98, 24):
        y = _tone_out(fn, f, orig, is_mlx)
        worst = max(worst, 10 * np.log10(2 * np.mean(y**2) + 1e-30))
    return worst


def _passband_db(fn, orig, new, is_mlx):
    """Worst |level error| (dB) of tones up to 0.9 of the output Nyquist (least-squares amplitude fit)."""
    worst = 0.0
    for f in np.linspace(0.02, 0.9, 12) * new / 2:
        y = _tone_out(fn, f, orig, is_mlx)
        t = (np.arange(y.size) + 200) / new
        basis = np.stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)], axis=1)
        coef = np.linalg.lstsq(basis, y, rcond=None)[0]
        worst = max(worst, abs(20 * np.log10(np.hypot(*coef))))
    return worst


def bench_resample(seconds, rows_out):
    orig, new = 44100, 16000
    x = np.random.default_rng(0).standard_normal((2, orig * seconds)).astype(np.float32) * 0.1
    xm = mx.array(x)
    mx.eval(xm)
    mine, peers = _resamplers(orig, new)
    mine_ms = {}
    for name, fn in mine.items():
        mine_ms[name] = median_ms(
            lambda fn=fn: mx.eval(fn(xm)), budget_s=3.0, min_runs=3, max_runs=10
        )
        quality = [
            f"{q(fn, orig, new, True):.{d}f}" for q, d in ((_stopband_db, 0), (_passband_db, 3))
        ]
        rows_out.append([name, f"{mine_ms[name]:.0f}", *quality, "", ""])
    ref = mine_ms["mlxdsp hq (fft)"]
    same = {
        "scipy resample_poly": "mlxdsp polyphase (direct)",
        "torchaudio algo (torch)": "mlxdsp sinc_interp_hann (direct)",
    }
    for name, fn in peers.items():
        ms = median_ms(lambda fn=fn: fn(x), budget_s=3.0, min_runs=3, max_runs=10)
        quality = [
            f"{q(fn, orig, new, False):.{d}f}" for q, d in ((_stopband_db, 0), (_passband_db, 3))
        ]
        kernel = f"{ms / mine_ms[same[name]]:.2f}" if name in same else ""
        rows_out.append([name, f"{ms:.0f}", *quality, f"{ms / ref:.2f}", kernel])


def bench_filters(seconds, rows_out):
    """lfilter family on a 6th-order Butterworth (cutoff 0.1 Nyquist): as (b, a) its six clustered poles
    are the float32-hard case. The error column is mlxdsp's float32 result against scipy in float64."""
    import scipy.signal as ss

    sr = 44100
    x = np.random.default_rng(1).standard_normal((8, sr * seconds)).astype(np.float32)
    x64 = x.astype(np.float64)
    xm = mx.array(x)
    b, a = ss.butter(6, 0.1)
    sos = ss.butter(6, 0.1, output="sos")
    bm, am, sm = (mx.array(v.astype(np.float32)) for v in (b, a, sos))

    def loss(s, bb, aa):
        y = mlxdsp.lfilter(s, bb, aa)
        return mx.sum(y * y)  # not y ** 2: MLX's pow (and its vjp) is ~40x slower than a multiply

    def grad_lfilter():
        mx.eval(mx.grad(loss, argnums=(0, 1, 2))(xm, bm, am))

    def err(mine, ref):
        return f"{np.linalg.norm(np.array(mine) - ref) / np.linalg.norm(ref):.1e}"

    cases = [
        (
            "lfilter 6th order",
            lambda: mlxdsp.lfilter(xm, bm, am),
            lambda: ss.lfilter(b, a, x),
            lambda: ss.lfilter(b, a, x64),
        ),
        (
            "sosfilt 6th order",
            lambda: mlxdsp.sosfilt(xm, sm),
            lambda: ss.sosfilt(sos, x),
            lambda: ss.sosfilt(sos, x64),
        ),
        (
            "filtfilt 6th order",
            lambda: mlxdsp.filtfilt(xm, bm, am),
            lambda: ss.filtfilt(b, a, x),
            lambda: ss.filtfilt(b, a, x64),
        ),
        (
            "sosfiltfilt 6th order",
            lambda: mlxdsp.sosfiltfilt(xm, sm),
            lambda: ss.sosfiltfilt(sos, x),
            lambda: ss.sosfiltfilt(sos, x64),
        ),
        ("grad lfilter (x, b, a)", None, lambda: ss.lfilter(b, a, x), None),
    ]
    for name, mine, peer, ref in cases:
        run = grad_lfilter if mine is None else (lambda f=mine: mx.eval(f()))
        m = median_ms(run, budget_s=2.0, min_runs=3, max_runs=15)
        p = median_ms(peer, budget_s=2.0, min_runs=3, max_runs=15)
        e = "" if ref is None else err(mine(), ref())
        rows_out.append([name, f"{m:.0f}", "scipy", f"{p:.0f}", f"{p / m:.2f}", e])


def bench_effects(seconds, rows_out):
    import librosa

    sr = 22050
    t = np.arange(sr * seconds) / sr
    y = (
        0.5 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.random.default_rng(2).standard_normal(t.size)
    ).astype(np.float32)
    S = np.abs(librosa.stft(y)).astype(np.float32)
    ym, Sm = mx.array(y), mx.array(S)
    cases = [
        (
            "griffin_lim 32 iter",
            lambda: mx.eval(mlxdsp.griffin_lim(Sm, n_iter=32, init="zeros")),
            lambda: librosa.griffinlim(S, n_iter=32, init=None),
        ),
        (
            "time_stretch x1.25",
            lambda: mx.eval(mlxdsp.time_stretch(ym, rate=1.25)),
            lambda: librosa.effects.time_stretch(y, rate=1.25),
        ),
        (
            "pitch_shift +3 (hq / soxr_hq)",
            lambda: mx.eval(mlxdsp.pitch_shift(ym, sr=sr, n_steps=3)),
            lambda: librosa.effects.pitch_shift(y, sr=sr, n_steps=3),
        ),
        (
            "hpss",
            lambda: [mx.eval(v) for v in mlxdsp.hpss(Sm)],
            lambda: librosa.decompose.hpss(S),
        ),
    ]
    for name, mine, peer in cases:
        m = median_ms(mine, budget_s=2.0, min_runs=3, max_runs=10)
        p = median_ms(peer, budget_s=2.0, min_runs=3, max_runs=10)
        rows_out.append([name, f"{m:.0f}", "librosa", f"{p:.0f}", f"{p / m:.2f}"])


def _load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks filters")
    parser.add_argument("--quick", action="store_true", help="30 s resampling, 2 s filters/effects")
    parser.add_argument("--markdown", action="store_true", help="(tables are markdown already)")
    parser.add_argument(
        "--sections", default="resample,filters,effects", help="comma-separated subset to run"
    )
    args = parser.parse_args(argv)
    res_s, filt_s, fx_s = (30, 2, 2) if args.quick else (180, 10, 10)
    sections = set(args.sections.split(","))
    print(
        f"# filters benchmark: {platform.machine()}, {os.cpu_count()} cpus, mlx {mx.__version__}, device {mx.default_device()}; "
        f"load average {_load()} (2 cores: above ~1 the second CPU stream is contended)"
    )
    rows: list[list[str]] = []
    if "resample" in sections:
        bench_resample(res_s, rows)
        print(f"\n## resample {res_s} s stereo 44.1k -> 16k (ratio = peer ms / mlxdsp ms)\n")
        header = ["method", "median ms", "stopband dB", "passband dB"]
        print(format_table([*header, "peer/mlxdsp hq", "peer/mlxdsp same kernel"], rows))
        print(f"# load average after this section {_load()}")
    if "filters" in sections:
        rows = []
        bench_filters(filt_s, rows)
        print(f"\n## IIR filtering, {filt_s} s x 8 channels at 44.1k (butter 6th order)\n")
        header = ["function", "mlxdsp ms", "peer", "peer ms", "peer/mlxdsp", "float32 error"]
        print(format_table(header, rows))
        print(f"# load average after this section {_load()}")
    if "effects" in sections:
        rows = []
        bench_effects(fx_s, rows)
        print(f"\n## effects, {fx_s} s mono at 22.05k, n_fft 2048\n")
        print(format_table(["function", "mlxdsp ms", "peer", "peer ms", "peer/mlxdsp"], rows))
        print(f"# load average after this section {_load()}")
