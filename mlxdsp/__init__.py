"""mlxdsp: functional, differentiable DSP on MLX.

Every array function is a stateless pure function: signal first, options keyword-only, time on the last
axis, any number of leading batch dimensions; each composes with ``mx.compile``, ``mx.grad``/``mx.vjp``,
``mx.jvp`` and ``mx.vmap`` (exceptions are listed in the README's transform table).
"""

# --- errors ---
from ._errors import AudioFileError as AudioFileError
from ._errors import AudioFileNotFoundError as AudioFileNotFoundError
from ._errors import ParameterError as ParameterError

# --- spectral core ---
from ._window import get_window as get_window
from ._frames import frame as frame
from ._frames import overlap_add as overlap_add
from ._stft import istft as istft
from ._stft import stft as stft
from ._spectrum import magphase as magphase
from ._spectrum import spectrogram as spectrogram
from ._db import amplitude_to_db as amplitude_to_db
from ._db import db_to_amplitude as db_to_amplitude
from ._db import db_to_power as db_to_power
from ._db import power_to_db as power_to_db
from ._mel import fft_frequencies as fft_frequencies
from ._mel import hz_to_mel as hz_to_mel
from ._mel import log_mel_spectrogram as log_mel_spectrogram
from ._mel import mel_filterbank as mel_filterbank
from ._mel import mel_frequencies as mel_frequencies
from ._mel import mel_spectrogram as mel_spectrogram
from ._mel import mel_to_hz as mel_to_hz
from ._mfcc import dct as dct
from ._mfcc import mfcc as mfcc
from ._delta import delta as delta
from ._cqt import cqt_frequencies as cqt_frequencies
from ._cqt import cqt as cqt
from ._cqt import vqt as vqt
from ._cqt import hybrid_cqt as hybrid_cqt
from ._cqt import pseudo_cqt as pseudo_cqt
from ._cqt import icqt as icqt
from ._chroma import chroma_stft as chroma_stft
from ._chroma import chroma_cqt as chroma_cqt
from ._chroma import chroma_cens as chroma_cens
from ._chroma import cq_to_chroma as cq_to_chroma
from ._tonnetz import tonnetz as tonnetz
from ._onset import onset_strength as onset_strength
from ._onset import onset_strength_multi as onset_strength_multi
from ._pcen import pcen as pcen
from ._stack_memory import stack_memory as stack_memory
from ._descriptors import rms as rms
from ._descriptors import spectral_bandwidth as spectral_bandwidth
from ._descriptors import spectral_centroid as spectral_centroid
from ._descriptors import spectral_contrast as spectral_contrast
from ._descriptors import spectral_flatness as spectral_flatness
from ._descriptors import poly_features as poly_features
from ._descriptors import spectral_rolloff as spectral_rolloff
from ._descriptors import zero_crossing_rate as zero_crossing_rate

# --- GPU kernels ---
from ._kernels import kernels_disabled as kernels_disabled

# --- audio file I/O ---
from ._io import AudioInfo as AudioInfo
from ._io import batch_load as batch_load
from ._io import info as info
from ._io import load as load
from ._io import save as save
from ._io import stream as stream

# --- resampling, filtering, effects ---
from ._resample import resample as resample
from ._filter import filtfilt as filtfilt
from ._filter import lfilter as lfilter
from ._filter import lfilter_zi as lfilter_zi
from ._filter import sosfilt as sosfilt
from ._filter import sosfilt_zi as sosfilt_zi
from ._filter import sosfiltfilt as sosfiltfilt
from ._biquad import allpass_biquad as allpass_biquad
from ._biquad import bandpass_biquad as bandpass_biquad
from ._biquad import bandreject_biquad as bandreject_biquad
from ._biquad import bass_biquad as bass_biquad
from ._biquad import biquad as biquad
from ._biquad import equalizer_biquad as equalizer_biquad
from ._biquad import highpass_biquad as highpass_biquad
from ._biquad import highshelf_biquad as highshelf_biquad
from ._biquad import lowpass_biquad as lowpass_biquad
from ._biquad import lowshelf_biquad as lowshelf_biquad
from ._biquad import treble_biquad as treble_biquad
from ._convolve import convolve as convolve
from ._convolve import fftconvolve as fftconvolve
from ._convolve import oaconvolve as oaconvolve
from ._emphasis import deemphasis as deemphasis
from ._emphasis import preemphasis as preemphasis
from ._mulaw import mu_law_decoding as mu_law_decoding
from ._mulaw import mu_law_encoding as mu_law_encoding
from ._griffinlim import griffin_lim as griffin_lim
from ._griffinlim import mel_to_audio as mel_to_audio
from ._griffinlim import mel_to_stft as mel_to_stft
from ._griffinlim import mfcc_to_audio as mfcc_to_audio
from ._griffinlim import mfcc_to_mel as mfcc_to_mel
from ._vocoder import phase_vocoder as phase_vocoder
from ._vocoder import pitch_shift as pitch_shift
from ._vocoder import time_stretch as time_stretch
from ._hpss import hpss as hpss
from ._hpss import median_filter as median_filter
from ._trim import nonsilent_frames as nonsilent_frames
from ._trim import split as split
from ._trim import trim as trim

__version__ = "0.1.0"

__all__ = [
    # errors
    "AudioFileError",
    "AudioFileNotFoundError",
    "ParameterError",
    # spectral core
    "get_window",
    "frame",
    "overlap_add",
    "istft",
    "stft",
    "magphase",
    "spectrogram",
    "amplitude_to_db",
    "db_to_amplitude",
    "db_to_power",
    "power_to_db",
    "fft_frequencies",
    "hz_to_mel",
    "log_mel_spectrogram",
    "mel_filterbank",
    "mel_frequencies",
    "mel_spectrogram",
    "mel_to_hz",
    "dct",
    "mfcc",
    "delta",
    "cqt_frequencies",
    "cqt",
    "vqt",
    "hybrid_cqt",
    "pseudo_cqt",
    "icqt",
    "chroma_stft",
    "chroma_cqt",
    "chroma_cens",
    "cq_to_chroma",
    "tonnetz",
    "onset_strength",
    "onset_strength_multi",
    "pcen",
    "stack_memory",
    "rms",
    "spectral_bandwidth",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_flatness",
    "poly_features",
    "spectral_rolloff",
    "zero_crossing_rate",
    # GPU kernels
    "kernels_disabled",
    # audio file I/O
    "AudioInfo",
    "batch_load",
    "info",
    "load",
    "save",
    "stream",
    # resampling, filtering, effects
    "resample",
    "filtfilt",
    "lfilter",
    "lfilter_zi",
    "sosfilt",
    "sosfilt_zi",
    "sosfiltfilt",
    "allpass_biquad",
    "bandpass_biquad",
    "bandreject_biquad",
    "bass_biquad",
    "biquad",
    "equalizer_biquad",
    "highpass_biquad",
    "highshelf_biquad",
    "lowpass_biquad",
    "lowshelf_biquad",
    "treble_biquad",
    "convolve",
    "fftconvolve",
    "oaconvolve",
    "deemphasis",
    "preemphasis",
    "mu_law_decoding",
    "mu_law_encoding",
    "griffin_lim",
    "mel_to_audio",
    "mel_to_stft",
    "mfcc_to_audio",
    "mfcc_to_mel",
    "phase_vocoder",
    "pitch_shift",
    "time_stretch",
    "hpss",
    "median_filter",
    "nonsilent_frames",
    "split",
    "trim",
]
