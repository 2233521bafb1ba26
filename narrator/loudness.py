"""Loudness and true peak after ITU-R BS.1770-4, and a true-peak limiter, on numpy arrays.

Mastering has the whole episode in memory, so measuring it here costs a fraction of a
pass through ffmpeg (the same meter, without writing, decoding and piping a WAV). The
finished MP3 is still measured by ffmpeg's ``ebur128`` filter, the reference this module
is tested against.

- :func:`integrated_loudness`: K-weighting (the standard's two filters, designed for any
  sample rate as libebur128 and ffmpeg do, run exactly as matrix products on blocks of
  samples), 400 ms blocks every 100 ms, the absolute gate at -70 LUFS and the relative
  gate 10 LU under the ungated mean.
- :func:`peak_envelope` and :func:`true_peak`: the signal upsampled, as the standard's
  Annex 2 describes (four times, or more below 44.1 kHz; a windowed-sinc interpolator
  of 12 taps a phase).
- :func:`limiter_gain`: a look-ahead brick-wall limiter driven by that true-peak envelope.
  Its gain holds every peak of the envelope to the ceiling (the true peak of the output
  can pass it by a hundredth of a dB or two: the gain moves within the interpolator's
  reach), ramps down over the ``attack`` seconds before a peak, and recovers
  exponentially over ``release`` seconds after it.

Long signals are processed in chunks of a few seconds: the temporaries stay in the CPU's
cache and the process does not fault in hundreds of megabytes of fresh pages.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["integrated_loudness", "limiter_gain", "peak_envelope", "true_peak"]

_CHUNK = 1 << 16
"""Samples processed at a time."""
_MIN_OVERSAMPLE = 4
_MIN_PEAK_RATE = 176400
_KAISER_BETA = 4.0
_TAPS = 12
"""Interpolator taps per phase."""
_BLOCK_SECONDS = 0.4
_STEP_SECONDS = 0.1
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0


def _k_weighting(rate: int) -> np.ndarray:
    """The K-weighting filter at ``rate`` as two biquads, rows of ``b0 b1 b2 a0 a1 a2``."""
    # Stage 1, the high shelf modelling the head...
    f0, gain, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2 * (k * k - 1) / a0,
        (1 - k / q + k * k) / a0,
    ]
    # ...and stage 2, the RLB high pass.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def _state_space(sections: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``A, B, C, D`` of biquads in series: ``s' = A s + B x``, ``y = C s + D x``."""
    a_total = np.zeros((0, 0))
    b_total = np.zeros(0)
    c_total = np.zeros(0)
    d_total = 1.0
    for b0, b1, b2, _, a1, a2 in sections:
        # One biquad in controllable canonical form.
        a = np.array([[-a1, -a2], [1.0, 0.0]])
        b = np.array([1.0, 0.0])
        c = np.array([b1 - a1 * b0, b2 - a2 * b0])
        # Feed it the output of the sections so far.
        n = len(b_total)
        grown = np.zeros((n + 2, n + 2))
        grown[:n, :n] = a_total
        grown[n:, :n] = np.outer(b, c_total)
        grown[n:, n:] = a
        a_total = grown
        b_total = np.concatenate([b_total, b * d_total])
        c_total = np.concatenate([b0 * c_total, c])
        d_total *= b0
    return a_total, b_total, c_total, d_total


class _BlockFilter:
    """An IIR filter run exactly, in matrix products, on blocks of ``block`` samples.

    Within a block, the output is the block convolved with the impulse response (a
    triangular matrix product) plus the response to the state the block starts in. The
    block-start states follow ``s[k + 1] = M s[k] + u[k]`` (``M = A ** block``, ``u`` what
    each block adds), solved the same way for groups of ``group`` blocks: only one step a
    group is left to a Python loop.
    """

    def __init__(self, sections: np.ndarray, block: int = 64, group: int = 64) -> None:
        a, b, c, d = _state_space(sections)
        order = len(b)
        power = [np.eye(order)]
        for _ in range(block):
            power.append(a @ power[-1])
        response = np.array([d] + [c @ power[k - 1] @ b for k in range(1, block)])
        index = np.arange(block)
        lags = index[None, :] - index[:, None]  # [i, n] = n - i
        self.block, self.group, self.order = block, group, order
        # y[n] = sum over i <= n of x[i] h[n - i], as x (rows) @ this.
        self.convolve = np.where(lags >= 0, response[np.clip(lags, 0, None)], 0.0)
        # The state a block adds: sum of A^(block - 1 - i) B x[i].
        self.adds = np.array([power[block - 1 - i] @ b for i in range(block)])
        # The output of a starting state s: C A^n s.
        self.outputs = np.array([c @ power[n] for n in range(block)]).T
        m = [np.eye(order)]
        for _ in range(group):
            m.append(power[block] @ m[-1])
        # Block-start states within a group that starts from zero: s[j] = sum over i < j of
        # M^(j - 1 - i) u[i]; as u (a group's row) @ this.
        within = np.zeros((group, order, group, order))
        for j in range(group):
            for i in range(j):
                within[i, :, j, :] = m[j - 1 - i].T
        self.within = within.reshape(group * order, group * order)
        self.carry = np.array(m[:group])
        self.across = m[group]
        self.step = power[block]

    def run(self, x: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Filter ``x`` (a multiple of ``block * group`` long) from ``state``; the output and end state."""
        rows = x.reshape(-1, self.block)
        y = rows @ self.convolve
        adds = rows @ self.adds
        groups = adds.reshape(-1, self.group * self.order)
        states = (groups @ self.within).reshape(len(groups), self.group, self.order)
        # Where each group ends, from zero, and so where each starts, from ``state``.
        ends = states[:, -1] @ self.step.T + adds.reshape(len(groups), self.group, self.order)[:, -1]
        starts = np.empty((len(groups), self.order))
        for g in range(len(groups)):
            starts[g] = state
            state = self.across @ state + ends[g]
        states += np.einsum("jab,gb->gja", self.carry, starts)
        y += states.reshape(-1, self.order) @ self.outputs
        return y.reshape(-1), state


@functools.cache
def _k_filter(rate: int) -> _BlockFilter:
    return _BlockFilter(_k_weighting(rate))


def _k_weighted(samples: np.ndarray, rate: int) -> Iterator[np.ndarray]:
    """The K-weighted signal, in consecutive pieces."""
    kfilter = _k_filter(rate)
    unit = kfilter.block * kfilter.group
    chunk = unit * max(1, _CHUNK // unit)
    state = np.zeros(kfilter.order)
    for start in range(0, len(samples), chunk):
        piece = np.asarray(samples[start : start + chunk], dtype=np.float64)
        padded = np.zeros(-(-len(piece) // unit) * unit)
        padded[: len(piece)] = piece
        weighted, state = kfilter.run(padded, state)
        yield weighted[: len(piece)]


def _step_energies(samples: np.ndarray, rate: int) -> np.ndarray:
    """Sum of squares of the K-weighted signal in each consecutive 100 ms step."""
    step = round(rate * _STEP_SECONDS)
    # The running sum of squares, read at every step boundary.
    boundaries = [np.zeros(1)]
    total = 0.0
    start = 0
    for piece in _k_weighted(samples, rate):
        sums = np.cumsum(piece * piece) + total
        first = (start // step + 1) * step
        boundaries.append(sums[np.arange(first, start + len(piece) + 1, step) - start - 1])
        total = float(sums[-1])
        start += len(piece)
    return np.diff(np.concatenate(boundaries))


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness of a mono signal in LUFS (``-inf`` for silence)."""
    energies = _step_energies(samples, rate)
    per_block = round(_BLOCK_SECONDS / _STEP_SECONDS)
    if len(energies) < per_block:
        return -math.inf
    # Mean square of each 400 ms block.
    powers = np.convolve(energies, np.ones(per_block), mode="valid") / (
        per_block * round(rate * _STEP_SECONDS)
    )
    with np.errstate(divide="ignore"):
        powers = powers[-0.691 + 10 * np.log10(powers) > _ABSOLUTE_GATE]
    if not len(powers):
        return -math.inf
    relative = -0.691 + 10 * math.log10(powers.mean()) + _RELATIVE_GATE
    powers = powers[-0.691 + 10 * np.log10(powers) > relative]
    return -0.691 + 10 * math.log10(powers.mean())


def oversampling(rate: int) -> int:
    """How many times to upsample for true peaks: at least 4, and to at least 176.4 kHz.

    BS.1770's four times suits 48 kHz; at 22.05 kHz a peak can fall far enough between
    four-times points to read 0.7 dB low, so lower rates are upsampled further.
    """
    return max(_MIN_OVERSAMPLE, math.ceil(_MIN_PEAK_RATE / rate))


@functools.cache
def _interpolator(factor: int) -> np.ndarray:
    """A (taps, factor - 1) matrix: the signal at 1/factor, 2/factor... between samples.

    Column ``p - 1`` holds a Kaiser-windowed sinc sampled at the input samples ``-5 .. 6``
    around the point ``p / factor`` past sample 0 (flat within +0.09/-0.25 dB up to 0.4
    times the sample rate).
    """
    half = _TAPS // 2
    columns = []
    for phase in range(1, factor):
        offsets = np.arange(-half + 1, half + 1) - phase / factor
        shape = np.sqrt(np.clip(1 - (offsets / half) ** 2, 0, None))
        window = np.i0(_KAISER_BETA * shape) / np.i0(_KAISER_BETA)
        columns.append(np.sinc(offsets) * window)
    return np.array(columns, dtype=np.float32).T


def peak_envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """For each sample ``n``, the largest magnitude of the signal from ``n`` to ``n + 1``.

    The magnitude of the sample itself and of the points an upsampling by
    :func:`oversampling` puts between it and the next.
    """
    x = np.asarray(samples, dtype=np.float32)
    envelope = np.empty(len(x), dtype=np.float32)
    taps = _interpolator(oversampling(rate))
    _in_parallel(len(x), lambda start, stop: _envelope(x, envelope, taps, start, stop))
    return envelope


def _envelope(x: np.ndarray, envelope: np.ndarray, taps: np.ndarray, first: int, last: int) -> None:
    """Fill ``envelope[first:last]``, a chunk at a time."""
    count = len(x)
    half = _TAPS // 2
    between = np.empty(_CHUNK, dtype=np.float32)
    term = np.empty_like(between)
    for start in range(first, last, _CHUNK):
        stop = min(last, start + _CHUNK)
        length = stop - start
        # Point n needs samples n - half + 1 .. n + half; zeros outside the signal.
        lo, hi = start - half + 1, stop + half
        window = np.zeros(hi - lo, dtype=np.float32)
        window[max(lo, 0) - lo : min(hi, count) - lo] = x[max(lo, 0) : min(hi, count)]
        peak = envelope[start:stop]
        np.abs(x[start:stop], out=peak)
        # A sum of shifted, scaled copies: faster than a correlation for 12 taps.
        for phase in range(taps.shape[1]):
            np.multiply(window[:length], taps[0, phase], out=between[:length])
            for tap in range(1, _TAPS):
                np.multiply(window[tap : tap + length], taps[tap, phase], out=term[:length])
                between[:length] += term[:length]
            np.maximum(peak, np.abs(between[:length]), out=peak)


def _in_parallel(count: int, work: Callable[[int, int], None]) -> None:
    """Run ``work(start, stop)`` over ``range(count)`` cut in two at a chunk boundary, on two
    threads when there are two cores (numpy releases the GIL while it computes)."""
    middle = (count // 2) // _CHUNK * _CHUNK
    if middle == 0 or (os.cpu_count() or 1) < 2:
        work(0, count)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(work, middle, count)
        work(0, middle)
        other.result()


def true_peak(samples: np.ndarray, rate: int) -> float:
    """True peak of a signal in dBTP (``-inf`` for silence)."""
    peak = float(peak_envelope(samples, rate).max(initial=0.0))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limiter_gain(
    envelope: np.ndarray,
    rate: int,
    ceiling_db: float,
    *,
    attack: float = 0.005,
    release: float = 0.08,
) -> np.ndarray:
    """The gain, per sample, of a look-ahead limiter that holds every true peak to ``ceiling_db``.

    ``envelope`` is the signal's :func:`peak_envelope`. The gain comes from three
    vectorised steps: the gain each sample needs; the smallest of those over the next
    ``attack / 2`` seconds, averaged over the last ``attack / 2`` seconds (a ramp over the
    ``attack`` seconds before a peak that reaches the needed gain in time, since it
    averages values none of which exceeds it); then a release that lets the gain
    reduction, in dB, fall back exponentially with time constant ``release`` and never
    faster.
    """
    count = len(envelope)
    ceiling = 10 ** (ceiling_db / 20)
    if not count or float(envelope.max()) <= ceiling:
        return np.ones(count, dtype=np.float32)
    span = max(1, round(attack * rate / 2))
    log_decay = np.float32(-1.0 / (release * rate))
    steps = np.arange(min(count, _CHUNK), dtype=np.float32) * log_decay
    to_gain = np.float32(-math.log(10) / 20)
    gain = np.empty(count, dtype=np.float32)

    def ramps(first: int, last: int) -> None:
        for start in range(first, last, _CHUNK):
            stop = min(last, start + _CHUNK)
            gain[start:stop] = _ramp(envelope, start, stop, span, ceiling)

    _in_parallel(count, ramps)
    carried = np.float32(0.0)
    for start in range(0, count, _CHUNK):
        stop = min(count, start + _CHUNK)
        reduction = gain[start:stop].copy()
        # released[n] = max over k <= n of reduction[k] * decay ** (n - k), counting the
        # reduction carried in from before the chunk: in logs, a running maximum of
        # log(reduction[k]) - k * log(decay), plus n * log(decay). (Zero reductions are
        # floored to a negligible 1e-30 dB so that their logarithm is finite.)
        ramp = steps[: stop - start]
        logs = np.log(np.maximum(reduction, np.float32(1e-30))) - ramp
        logs[0] = max(logs[0], np.log(max(carried, np.float32(1e-30))) + log_decay)
        released = np.exp(np.maximum.accumulate(logs) + ramp)
        carried = released[-1]
        np.multiply(np.maximum(released, reduction), to_gain, out=gain[start:stop])
    np.exp(gain, out=gain)
    return gain


def _ramp(envelope: np.ndarray, start: int, stop: int, span: int, ceiling: float) -> np.ndarray:
    """Gain reduction (dB) for samples ``start .. stop``: the attack ramp of :func:`limiter_gain`."""
    count = len(envelope)
    # Needed gains for start - span .. stop + span; 1 outside the signal.
    lo, hi = start - span, stop + span
    needed = np.ones(hi - lo, dtype=np.float32)
    inside = envelope[max(lo, 0) : min(hi, count)]
    needed[max(lo, 0) - lo : min(hi, count) - lo] = np.minimum(1.0, ceiling / np.maximum(inside, 1e-9))
    ahead = _minimum_ahead(needed, span + 1)
    # The average of ahead[i - span .. i], for i over the chunk.
    sums = np.concatenate([[0.0], np.cumsum(ahead, dtype=np.float64)])
    length = stop - start
    average = (sums[span + 1 : span + 1 + length] - sums[:length]) / (span + 1)
    ramp = np.minimum(average.astype(np.float32), needed[span : span + length])
    return -20 * np.log10(ramp)


def _minimum_ahead(values: np.ndarray, width: int) -> np.ndarray:
    """``out[i]`` = the smallest of ``values[i .. i + width - 1]`` (fewer at the end).

    The van Herk / Gil-Werman algorithm: in blocks of ``width``, the running minimum from
    each block's end backwards and from its start forwards; any window spans at most two
    blocks, the end of one and the start of the next. Three comparisons a value.
    """
    count = len(values)
    blocks = -(-count // width) + 1
    padded = np.full(blocks * width, np.inf, dtype=values.dtype)
    padded[:count] = values
    rows = padded.reshape(blocks, width)
    backward = np.minimum.accumulate(rows[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    forward = np.minimum.accumulate(rows, axis=1).reshape(-1)
    return np.minimum(backward[:count], forward[width - 1 : width - 1 + count])
