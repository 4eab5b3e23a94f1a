"""Audio file I/O benchmark: mlxdsp against soundfile, librosa, pedalboard, miniaudio, torchcodec,
mlx-audio-io, PyAV (M4A rows) and the floor, on the same files in the same process run.

    python -m benchmarks io [--seconds 180] [--budget 1.5] [--only-env default|malloc] [--rows FLAC,sr=]
    python benchmarks/io.py ...

The parent runs the whole table twice in child processes: with glibc's default malloc settings and with
``MALLOC_MMAP_THRESHOLD_=2000000000 MALLOC_TRIM_THRESHOLD_=4000000000`` (large fresh arrays then reuse
heap pages instead of page-faulting new mmaps each time). Every timed call ends with an evaluated
``mx.array`` (peers' NumPy/torch results are converted inside the timed region). Cells show the median
in ms and, in parentheses, peer time / mlxdsp time (> 1: mlxdsp is faster). The ``mlxdsp-1t`` column
is mlxdsp with ``MLXDSP_DECODE_THREADS=1`` (one decoding thread): its ratio is the gain from decoding
in parallel parts, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

if __package__ in (None, ""):  # python benchmarks/io.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "2000000000", "MALLOC_TRIM_THRESHOLD_": "4000000000"}
PEERS = [
    "mlxdsp",
    "mlxdsp-1t",  # MLXDSP_DECODE_THREADS=1: one decoding thread (the code before parallel parts)
    "floor",
    "soundfile",
    "librosa",
    "pedalboard",
    "miniaudio",
    "torchcodec",
    "mlx-audio-io",
    "pyav",
]
SR = 44100


# --- inputs ----------------------------------------------------------------------------------------


def make_files(folder: str, seconds: int) -> dict[str, str]:
    import numpy as np
    import soundfile as sf

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    files = {}
    x = None
    for fmt, sub, ext, rate in [
        ("WAV", "PCM_16", "wav", SR),
        ("FLAC", "PCM_16", "flac", SR),
        ("MP3", "MPEG_LAYER_III", "mp3", SR),
        ("OGG", "VORBIS", "ogg", SR),
        ("OPUS", "OPUS", "opus", 48000),
    ]:
        path = os.path.join(folder, f"long_{seconds}s.{ext}")
        files[fmt] = path
        if os.path.exists(path):
            continue
        if x is None:
            t = np.arange(seconds * SR) / SR
            x = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)], 1) * 0.3
            x = (x + 0.05 * rng.standard_normal(x.shape)).astype(np.float32)
        data = x if rate == SR else x[: seconds * rate]  # content only matters for size
        # Written in blocks: libsndfile's Vorbis writer crashes on one very large write.
        with sf.SoundFile(
            path + ".tmp", "w", rate, 2, sub, format="OGG" if fmt == "OPUS" else fmt
        ) as f:
            for i in range(0, len(data), 4096):
                f.write(data[i : i + 4096])
        os.replace(path + ".tmp", path)
    m4a = os.path.join(folder, f"long_{seconds}s.m4a")
    try:
        if not os.path.exists(m4a):  # AAC 128 kbit/s: mlxdsp's libav encoder, else torchcodec's
            y, _ = sf.read(files["WAV"], dtype="float32")
            import mlxdsp
            from mlxdsp import _io_libav

            if _io_libav.available():
                mlxdsp.save(m4a, y, SR, layout="channels_last", bitrate=128)
            else:
                import torch
                from torchcodec.encoders import AudioEncoder

                AudioEncoder(torch.from_numpy(y.T.copy()), sample_rate=SR).to_file(m4a)
        files["M4A"] = m4a
    except Exception as err:  # noqa: BLE001 - optional
        print(f"(no M4A file: {err})")
    clips = []
    for i in range(32):
        path = os.path.join(folder, f"clip{i:02d}.flac")
        clips.append(path)
        if not os.path.exists(path):
            c = (0.3 * rng.standard_normal((10 * SR, 2))).astype(np.float32)
            sf.write(path, c, SR, subtype="PCM_16")
    files["clips"] = clips
    return files


# --- peers -----------------------------------------------------------------------------------------


def peers(files: dict):
    """{row: {peer: fn}} with every fn returning an evaluated mx.array (or a list of them)."""
    import mlx.core as mx
    import numpy as np

    import mlxdsp
    from benchmarks.timing import with_env

    def ev(a):
        mx.eval(a)
        return a

    def from_np(a):  # [frames, ch] or [ch, frames] NumPy -> evaluated mx.array
        return ev(mx.array(a))

    mods = {}
    for name, mod in [
        ("soundfile", "soundfile"),
        ("librosa", "librosa"),
        ("pedalboard", "pedalboard.io"),
        ("miniaudio", "miniaudio"),
        ("torchcodec", "torchcodec.decoders"),
        ("mlx-audio-io", "mlx_audio_io"),
        ("soxr", "soxr"),
        ("pyav", "av"),
    ]:
        try:
            mods[name] = __import__(mod, fromlist=["_"])
        except Exception as err:  # noqa: BLE001 - a missing peer is reported, not fatal
            print(
                f"(peer {name} unavailable: {type(err).__name__}: {str(err).splitlines()[0][:100]})"
            )
    sf = mods.get("soundfile")
    lr = mods.get("librosa")
    pb = mods.get("pedalboard")
    ma = mods.get("miniaudio")
    tc = mods.get("torchcodec")
    mai = mods.get("mlx-audio-io")
    soxr = mods.get("soxr")
    av = mods.get("pyav")
    from mlxdsp import _io_libav

    m4a = _io_libav.available()  # mlxdsp decodes M4A only with the FFmpeg backend

    def av_decode(p, start=0.0, seconds=None):
        """PyAV: seek (to the packet before ``start``), decode, trim to [start, start + seconds)."""
        with av.open(p) as c:
            st = c.streams.audio[0]
            if start:
                c.seek(int(start / st.time_base), stream=st, backward=True)
            out = []
            end = None if seconds is None else start + seconds
            for fr in c.decode(st):
                t = float(fr.pts * st.time_base)
                if end is not None and t >= end:
                    break
                lo = max(0, round((start - t) * fr.sample_rate))
                out.append(fr.to_ndarray()[:, lo:])
            y = np.concatenate(out, axis=1) if out else np.zeros((2, 0), np.float32)
            return y if seconds is None else y[:, : round(seconds * SR)]

    rows: dict[str, dict] = {}

    def wav_floor(path, start=0, frames=None):
        # Read the raw bytes and convert PCM16 -> float32 (header size from soundfile-written files).
        with open(path, "rb") as fp:
            fp.seek(44 + 4 * start)
            raw = fp.read(-1 if frames is None else 4 * frames)
        return ev(
            mx.array(np.frombuffer(raw, np.int16).reshape(-1, 2)).astype(mx.float32) * (1 / 32768)
        )

    def read_only(path):
        with open(path, "rb") as fp:
            return fp.read()

    for fmt in ("WAV", "FLAC", "MP3", "OGG", "OPUS", "M4A"):
        if fmt not in files:
            continue
        p = files[fmt]
        r = rows[f"load {fmt}"] = {}
        if fmt != "M4A" or m4a:
            r["mlxdsp"] = lambda p=p: mlxdsp.load(p)[0]
        if av and fmt == "M4A":
            r["pyav"] = lambda p=p: from_np(av_decode(p))
        r["floor"] = (lambda p=p: wav_floor(p)) if fmt == "WAV" else (lambda p=p: read_only(p))
        if sf and fmt != "M4A":
            r["soundfile"] = lambda p=p: from_np(sf.read(p, dtype="float32")[0])
        if lr:
            r["librosa"] = lambda p=p: from_np(lr.load(p, sr=None, mono=False)[0])
        if pb:

            def pb_load(p=p):
                with pb.AudioFile(p) as f:
                    return from_np(f.read(f.frames))

            r["pedalboard"] = pb_load
        if ma and fmt in ("WAV", "FLAC", "MP3"):
            r["miniaudio"] = lambda p=p: from_np(
                np.frombuffer(ma.decode_file(p, ma.SampleFormat.FLOAT32, 2, SR).samples, np.float32)
            )
        if tc:
            r["torchcodec"] = lambda p=p: from_np(tc.AudioDecoder(p).get_all_samples().data.numpy())
        if mai:
            r["mlx-audio-io"] = lambda p=p: ev(mai.load(p)[0])

    parts = [(fmt, 120.0) for fmt in ("WAV", "FLAC", "MP3", "OGG")]
    if "M4A" in files:  # also at 10 s: the cost of a seek must not grow with the offset
        parts += [("M4A", 10.0), ("M4A", 120.0)]
    for fmt, at in parts:
        p = files[fmt]
        r = rows[f"1 s at {at:.0f} s {fmt}"] = {}
        if fmt != "M4A" or m4a:
            r["mlxdsp"] = lambda p=p, at=at: mlxdsp.load(p, offset=at, duration=1.0)[0]
        if av and fmt == "M4A":
            r["pyav"] = lambda p=p, at=at: from_np(av_decode(p, at, 1.0))
        if fmt == "WAV":
            r["floor"] = lambda p=p: wav_floor(p, 120 * SR, SR)
        if sf and fmt != "M4A":
            r["soundfile"] = lambda p=p, at=at: from_np(
                sf.read(p, start=int(at * SR), frames=SR, dtype="float32")[0]
            )
        if lr:
            r["librosa"] = lambda p=p, at=at: from_np(
                lr.load(p, sr=None, mono=False, offset=at, duration=1.0)[0]
            )
        if pb:

            def pb_part(p=p, at=at):
                with pb.AudioFile(p) as f:
                    f.seek(int(at * SR))
                    return from_np(f.read(SR))

            r["pedalboard"] = pb_part
        if ma and fmt in ("WAV", "FLAC", "MP3"):

            def ma_part(p=p, at=at):
                gen = ma.stream_file(p, ma.SampleFormat.FLOAT32, 2, SR, SR, seek_frame=int(at * SR))
                return from_np(np.frombuffer(next(gen), np.float32))

            r["miniaudio"] = ma_part
        if tc:
            r["torchcodec"] = lambda p=p, at=at: from_np(
                tc.AudioDecoder(p).get_samples_played_in_range(at, at + 1.0).data.numpy()
            )
        if mai:
            r["mlx-audio-io"] = lambda p=p, at=at: ev(mai.load(p, offset=at, duration=1.0)[0])

    for fmt in ("WAV", "FLAC", "MP3", "M4A"):
        if fmt not in files:
            continue
        p = files[fmt]
        r = rows[f"sr=16000 {fmt}"] = {}
        if fmt != "M4A" or m4a:
            r["mlxdsp"] = lambda p=p: mlxdsp.load(p, sr=16000)[0]
        if av and soxr and fmt == "M4A":
            r["pyav"] = lambda p=p: from_np(soxr.resample(av_decode(p).T, SR, 16000, "HQ"))
        if sf and soxr and fmt != "M4A":
            r["soundfile"] = lambda p=p: from_np(
                soxr.resample(sf.read(p, dtype="float32")[0], SR, 16000, "HQ")
            )
        if lr:
            r["librosa"] = lambda p=p: from_np(lr.load(p, sr=16000, mono=False)[0])
        if pb:

            def pb_rs(p=p):
                with pb.AudioFile(p).resampled_to(16000) as f:
                    return from_np(f.read(f.frames))

            r["pedalboard"] = pb_rs
        if ma and fmt != "M4A":
            r["miniaudio"] = lambda p=p: from_np(
                np.frombuffer(
                    ma.decode_file(p, ma.SampleFormat.FLOAT32, 2, 16000).samples, np.float32
                )
            )
        if tc:
            r["torchcodec"] = lambda p=p: from_np(
                tc.AudioDecoder(p, sample_rate=16000).get_all_samples().data.numpy()
            )
        if mai:
            r["mlx-audio-io"] = lambda p=p: ev(mai.load(p, sr=16000)[0])

    audio, _ = mlxdsp.load(files["WAV"])  # [2, frames] float32
    folder = os.path.dirname(files["WAV"])
    for ext, enc in (("wav", "pcm16"), ("flac", "pcm16")):
        out = os.path.join(folder, f"out.{ext}")
        r = rows[f"save {ext.upper()} pcm16"] = {}
        r["mlxdsp"] = lambda out=out, enc=enc: mlxdsp.save(out, audio, SR, encoding=enc)
        if ext == "wav":

            def floor_save(out=out):
                x = np.asarray(audio)
                pcm = (np.clip(x.T, -1, 1) * 32767).astype("<i2")
                with open(out, "wb") as fp:
                    fp.write(b"\0" * 44)
                    fp.write(pcm.tobytes())

            r["floor"] = floor_save
        if sf:
            r["soundfile"] = lambda out=out: sf.write(
                out, np.asarray(audio).T, SR, subtype="PCM_16"
            )
        if pb:

            def pb_save(out=out):
                with pb.AudioFile(out, "w", SR, 2, bit_depth=16) as f:
                    f.write(np.asarray(audio))

            r["pedalboard"] = pb_save
        if ma and ext == "wav":

            def ma_save(out=out):
                pcm = (np.clip(np.asarray(audio).T, -1, 1) * 32767).astype(np.int16)
                s = ma.DecodedSoundFile(
                    "x",
                    2,
                    SR,
                    ma.SampleFormat.SIGNED16,
                    __import__("array").array("h", pcm.tobytes()),
                )
                ma.wav_write_file(out, s)

            r["miniaudio"] = ma_save
        if tc:
            import torch
            from torchcodec.encoders import AudioEncoder

            r["torchcodec"] = lambda out=out: AudioEncoder(
                torch.from_numpy(np.asarray(audio)), sample_rate=SR
            ).to_file(out)
        if mai:
            r["mlx-audio-io"] = lambda out=out, enc=enc: mai.save(
                out, audio, SR, layout="channels_first", encoding=enc
            )

    for fmt in ("WAV", "FLAC", "MP3"):
        p = files[fmt]
        r = rows[f"stream 1 s {fmt}"] = {}
        r["mlxdsp"] = lambda p=p: [ev(c) for c in mlxdsp.stream(p, chunk_frames=SR)]
        if sf:
            r["soundfile"] = lambda p=p: [
                from_np(b) for b in sf.blocks(p, blocksize=SR, dtype="float32")
            ]
        if lr:
            r["librosa"] = lambda p=p: [
                from_np(b)
                for b in lr.stream(p, block_length=1, frame_length=SR, hop_length=SR, mono=False)
            ]
        if pb:

            def pb_stream(p=p):
                out = []
                with pb.AudioFile(p) as f:
                    while f.tell() < f.frames:
                        out.append(from_np(f.read(SR)))
                return out

            r["pedalboard"] = pb_stream
        if ma:
            r["miniaudio"] = lambda p=p: [
                from_np(np.frombuffer(b, np.float32))
                for b in ma.stream_file(p, ma.SampleFormat.FLOAT32, 2, SR, SR)
            ]
        if mai:
            r["mlx-audio-io"] = lambda p=p: [ev(c[0]) for c in mai.stream(p, chunk_frames=SR)]

    clips = files["clips"]
    r = rows["batch 32 x 10 s FLAC"] = {}
    r["mlxdsp"] = lambda: [a for a, _ in mlxdsp.batch_load(clips)]
    if sf:
        r["soundfile"] = lambda: [from_np(sf.read(c, dtype="float32")[0]) for c in clips]
    if lr:
        r["librosa"] = lambda: [from_np(lr.load(c, sr=None, mono=False)[0]) for c in clips]
    if pb:

        def pb_batch():
            out = []
            for c in clips:
                with pb.AudioFile(c) as f:
                    out.append(from_np(f.read(f.frames)))
            return out

        r["pedalboard"] = pb_batch
    if ma:
        r["miniaudio"] = lambda: [
            from_np(
                np.frombuffer(ma.decode_file(c, ma.SampleFormat.FLOAT32, 2, SR).samples, np.float32)
            )
            for c in clips
        ]
    if tc:
        r["torchcodec"] = lambda: [
            from_np(tc.AudioDecoder(c).get_all_samples().data.numpy()) for c in clips
        ]
    if mai:
        r["mlx-audio-io"] = lambda: [
            ev(a) for a, _ in mai.batch_load(clips, num_workers=os.cpu_count() or 2)
        ]
    for r in rows.values():
        if "mlxdsp" in r:
            r["mlxdsp-1t"] = with_env(r["mlxdsp"], "MLXDSP_DECODE_THREADS", "1")
    return rows


# --- measuring -------------------------------------------------------------------------------------


def peak_memory(path: str) -> str:
    """Peak RSS growth of one full load, in a fresh process (MLX's buffer cache and glibc's heap
    would otherwise serve it from memory already counted), over the output array's size."""
    import mlx.core as mx

    import mlxdsp

    mlxdsp.load(path, duration=0.1)  # warm: imports, first-allocation costs
    mx.clear_cache()
    with open("/proc/self/clear_refs", "w") as fp:
        fp.write("5")  # reset VmHWM to the current RSS
    before = _status("VmRSS")
    mx.reset_peak_memory()
    y, _ = mlxdsp.load(path)
    mx.eval(y)
    extra = (_status("VmHWM") - before) * 1024
    mlx_peak = mx.get_peak_memory()
    return (
        f"peak extra memory of a full WAV load: RSS +{extra / 2**20:.1f} MiB = {extra / y.nbytes:.2f} x "
        f"the output ({y.nbytes / 2**20:.1f} MiB); MLX peak {mlx_peak / y.nbytes:.2f} x"
    )


def _status(key: str) -> int:
    with open("/proc/self/status") as fp:
        for line in fp:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _ms(t: float) -> str:
    """A time in ms with three significant digits below 1 ms (a 1 s WAV read is ~0.05 ms)."""
    return f"{t:.3f}" if t < 1 else f"{t:.1f}"


def run_table(files: dict, budget: float, only: str | None = None) -> None:
    from benchmarks.timing import format_table, median_ms

    rows = peers(files)
    if only:
        keep = [w.strip() for w in only.split(",")]
        rows = {k: v for k, v in rows.items() if any(w in k for w in keep)}
    header = ["operation"] + [p for p in PEERS]
    table = []
    for name, fns in rows.items():
        times = {}
        for peer in PEERS:
            if peer in fns:
                try:
                    times[peer] = median_ms(
                        fns[peer],
                        budget_s=budget,
                        min_runs=3,
                        max_runs=30,
                        warmup_runs=3,
                        warmup_s=budget / 4,
                    )
                except Exception as err:  # noqa: BLE001 - a failing peer is a cell, not a crash
                    times[peer] = f"error: {type(err).__name__}"
        base = times.get("mlxdsp")
        cells = [name]
        for peer in PEERS:
            t = times.get(peer)
            if t is None:
                cells.append("-")
            elif isinstance(t, str):
                cells.append(t)
            elif peer == "mlxdsp" or not isinstance(base, float):
                cells.append(_ms(t))
            else:
                cells.append(f"{_ms(t)} ({t / base:.2f}x)")
        table.append(cells)
        print(
            f"  {name}: "
            + ", ".join(
                f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in times.items()
            ),
            flush=True,
        )
    print()
    print(format_table(header, table))


def child(args) -> None:
    import warnings

    warnings.simplefilter("ignore")  # librosa's audioread fallback deprecations
    files = make_files(args.workdir, args.seconds)
    env = "malloc thresholds set" if os.environ.get("MALLOC_MMAP_THRESHOLD_") else "default malloc"
    print(f"\n## {env} (ms, median; parentheses: peer / mlxdsp)\n", flush=True)
    mem = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--memory", files["WAV"]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    run_table(files, args.budget, args.rows)
    print()
    print(mem, flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks io", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seconds", type=int, default=180, help="length of the long test file")
    parser.add_argument("--budget", type=float, default=1.5, help="seconds per cell (>= 3 runs)")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "mlxdsp-bench-io"))
    parser.add_argument("--only-env", choices=["default", "malloc"], help="run one malloc setting")
    parser.add_argument(
        "--rows", help="comma-separated substrings: run only the rows whose name contains one"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory:
        print(peak_memory(args.memory))
        return
    if args.child:
        child(args)
        return
    make_files(args.workdir, args.seconds)  # once, outside the timed children
    envs = [("default", {}), ("malloc", MALLOC_ENV)]
    for name, extra in envs:
        if args.only_env and name != args.only_env:
            continue
        env = {k: v for k, v in os.environ.items() if k not in MALLOC_ENV}
        env.update(extra)
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--child",
            "--seconds",
            str(args.seconds),
            "--budget",
            str(args.budget),
            "--workdir",
            args.workdir,
        ]
        if args.rows:
            cmd += ["--rows", args.rows]
        subprocess.run(cmd, env=env, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
