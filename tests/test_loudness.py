"""The BS.1770 meter and the true-peak limiter, against the standard's figures and ffmpeg."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from narrator.loudness import (
    _CHUNK,
    integrated_loudness,
    limiter_gain,
    oversampling,
    peak_envelope,
    true_peak,
)

from .conftest import Measured, measure_loudness


def sine(freq: float, amplitude: float, seconds: float, rate: int, phase: float = 0.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def speechlike(seconds: float, rate: int, seed: int = 3) -> np.ndarray:
    """Noise syllables with sharp clicks over them, as synthetic speech has plosives."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    signal = rng.normal(0, 0.05, n) * np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None) ** 2
    for at in rng.integers(0, n - 100, size=int(seconds * 2)):
        signal[at : at + 40] += 0.6 * np.hanning(40) * rng.choice([-1, 1])
    return signal.astype(np.float32)


def ffmpeg_measure(samples: np.ndarray, rate: int, tmp_path: Path) -> Measured:
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return measure_loudness(path)


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_a_997_hz_sine_reads_as_the_standard_says(rate: int) -> None:
    # BS.1770: a 0 dB FS 997 Hz sine in one channel reads -3.01 LUFS.
    for level in (0.0, -20.0):
        measured = integrated_loudness(sine(997, 10 ** (level / 20), 5, rate), rate)
        assert measured == pytest.approx(level - 3.01, abs=0.05)


@pytest.mark.parametrize("rate", [22050, 44100])
def test_agrees_with_ffmpegs_meter(tmp_path: Path, rate: int) -> None:
    signal = speechlike(30, rate)
    reference = ffmpeg_measure(signal, rate, tmp_path)
    # ffmpeg prints one decimal.
    assert integrated_loudness(signal, rate) == pytest.approx(reference.integrated, abs=0.1)
    assert true_peak(signal, rate) == pytest.approx(reference.true_peak, abs=0.2)


def test_gating_ignores_silence_and_quiet_passages() -> None:
    rate = 22050
    speech = speechlike(20, rate)
    padded = np.concatenate([np.zeros(10 * rate, np.float32), speech, np.zeros(10 * rate, np.float32)])
    # (The blocks that straddle the edges of the speech move it by a few hundredths.)
    assert integrated_loudness(padded, rate) == pytest.approx(integrated_loudness(speech, rate), abs=0.1)
    # A passage 30 dB down falls under the relative gate.
    with_murmur = np.concatenate([speech, speech * np.float32(10 ** (-30 / 20))])
    assert integrated_loudness(with_murmur, rate) == pytest.approx(integrated_loudness(speech, rate), abs=0.1)
    assert integrated_loudness(np.zeros(rate * 5, np.float32), rate) == -math.inf
    assert integrated_loudness(speech[: rate // 4], rate) == -math.inf  # shorter than one block


def test_true_peak_finds_the_peak_between_samples() -> None:
    # A full-scale sine at a quarter of the rate, sampled 45 degrees off its crests:
    # every sample is at 0.707 (-3 dB) while the waveform reaches 1.0 between them.
    rate = 44100
    signal = sine(rate / 4, 1.0, 1, rate, phase=math.pi / 4)
    assert 20 * math.log10(float(np.abs(signal).max())) == pytest.approx(-3.01, abs=0.01)
    assert true_peak(signal, rate) == pytest.approx(0.0, abs=0.15)
    assert true_peak(np.zeros(100, np.float32), rate) == -math.inf


@pytest.mark.parametrize("rate", [16000, 22050, 44100])
def test_true_peak_of_high_frequencies(rate: int) -> None:
    # Near the top of the band a peak can fall far between four-times points. (The ends
    # are left out: a sine that starts abruptly really does overshoot there.)
    for fraction in (0.25, 0.33, 0.41):
        for phase in np.linspace(0, np.pi / 2, 7):
            signal = sine(rate * fraction, 0.5, 0.5, rate, phase)
            peak = 20 * math.log10(float(peak_envelope(signal, rate)[50:-50].max()))
            assert peak == pytest.approx(20 * math.log10(0.5), abs=0.3)


def test_chunked_processing_matches_one_pass() -> None:
    rate = 22050
    signal = speechlike(3 * _CHUNK / rate + 1.3, rate)
    # The envelope straight from a whole-signal interpolation.
    from narrator.loudness import _TAPS, _interpolator

    half = _TAPS // 2
    padded = np.concatenate([np.zeros(half - 1, np.float32), signal, np.zeros(half, np.float32)])
    direct = np.abs(signal)
    for column in _interpolator(oversampling(rate)).T:
        direct = np.maximum(direct, np.abs(np.correlate(padded, column, mode="valid")))
    assert np.abs(peak_envelope(signal, rate) - direct).max() < 1e-6
    # Loudness from one unchunked K-weighting pass (scipy's filter).
    sosfilt = pytest.importorskip("scipy.signal").sosfilt
    from narrator.loudness import _k_weighting

    weighted = sosfilt(_k_weighting(rate), signal.astype(np.float64))
    step = round(rate * 0.1)
    squares = (weighted[: len(weighted) // step * step] ** 2).reshape(-1, step).sum(axis=1)
    blocks = np.convolve(squares, np.ones(4), mode="valid") / (4 * step)
    blocks = blocks[-0.691 + 10 * np.log10(blocks) > -70]
    gate = -0.691 + 10 * np.log10(blocks.mean()) - 10
    expected = -0.691 + 10 * np.log10(blocks[-0.691 + 10 * np.log10(blocks) > gate].mean())
    assert integrated_loudness(signal, rate) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_block_filter_is_the_recursive_filter(rate: int) -> None:
    """The K-weighting run as matrix products equals the sample-by-sample recursion."""
    sosfilt = pytest.importorskip("scipy.signal").sosfilt
    from narrator.loudness import _k_weighted, _k_weighting

    # Several chunks, a length that fills no block, and a loud start.
    signal = np.random.default_rng(rate).standard_normal(3 * _CHUNK + 4099)
    signal[:500] *= 20
    expected = sosfilt(_k_weighting(rate), signal)
    pieces = list(_k_weighted(signal, rate))
    assert len(pieces) > 3
    assert np.abs(np.concatenate(pieces) - expected).max() < 1e-9


def reference_true_peak(samples: np.ndarray) -> float:
    """True peak from a long, high-quality 16-times upsampling."""
    resample_poly = pytest.importorskip("scipy.signal").resample_poly
    upsampled = resample_poly(samples.astype(np.float64), 16, 1, window=("kaiser", 10.0))
    return 20 * math.log10(float(np.abs(upsampled).max()))


def test_limiter_holds_true_peaks_to_the_ceiling() -> None:
    rate = 22050
    driven = speechlike(20, rate) * np.float32(4.0)  # clicks at +7.6 dBTP
    assert true_peak(driven, rate) > 6
    gain = limiter_gain(peak_envelope(driven, rate), rate, -3.0)
    assert gain.dtype == np.float32 and gain.shape == driven.shape
    assert gain.max() <= 1.0 and gain.min() > 0
    limited = driven * gain
    # The short interpolator reads a limited signal's peaks a little low (the gain's
    # movement adds high frequencies, where it rolls off), by a tenth of a dB at most.
    assert true_peak(limited, rate) == pytest.approx(reference_true_peak(limited), abs=0.1)
    assert reference_true_peak(limited) <= -3.0 + 0.15


def test_limiter_attack_and_release() -> None:
    rate = 22050
    signal = np.full(rate * 3, 0.1, dtype=np.float32)
    at = rate  # one click 10 dB over a 0 dBTP ceiling, in a quiet steady signal
    signal[at] = 10 ** (10 / 20)
    gain = limiter_gain(peak_envelope(signal, rate), rate, 0.0, attack=0.005, release=0.08)
    reduction = -20 * np.log10(gain)
    assert reduction[at] >= 10 - 0.01
    # Untouched until the attack time before the click (whose interpolated peak starts a
    # few samples early)...
    start = at - round(0.005 * rate) - 6
    assert np.all(reduction[:start] == 0)
    # ...then a ramp down to the full reduction...
    assert np.all(np.diff(reduction[start : at + 1]) >= 0)
    assert reduction[at] >= 10 - 0.01
    # ...and an exponential release: a 1/e of the reduction left after 80 ms.
    after = reduction[at + round(0.08 * rate)]
    assert after == pytest.approx(reduction[at] / math.e, rel=0.1)
    assert reduction[-1] < 1e-3


def test_limiter_leaves_signals_under_the_ceiling_alone() -> None:
    rate = 22050
    quiet = speechlike(5, rate) * np.float32(0.5)
    assert np.all(limiter_gain(peak_envelope(quiet, rate), rate, 0.0) == 1.0)


@pytest.mark.parametrize("width", [1, 2, 7, 56])
def test_minimum_ahead_is_a_forward_window_minimum(width: int) -> None:
    from narrator.loudness import _minimum_ahead

    values = np.random.default_rng(width).random(1000).astype(np.float32)
    expected = [values[i : i + width].min() for i in range(len(values))]
    assert np.array_equal(_minimum_ahead(values, width), np.array(expected, dtype=np.float32))
