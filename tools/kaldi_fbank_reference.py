#!/usr/bin/env python3
"""Development check, not used by tests: an independent numpy re-implementation of
torchaudio.compliance.kaldi.fbank (float32 throughout, like torch on CPU) and of
torchaudio.functional.resample (sinc_interp_hann, lowpass_filter_width 6, rolloff 0.99), written
from torchaudio's and Kaldi's published algorithms, to compare with `qmargin fbank`.

Usage:
  python3 tools/kaldi_fbank_reference.py IN.wav OUT.npy [--num-mel-bins 80] [--snip-edges false]
      [--sample-frequency 16000] [--window-type povey] [--use-energy true] ...
  python3 tools/kaldi_fbank_reference.py --compare A.npy B.npy

Needs numpy and scipy (scipy.io.wavfile reads the WAV; 16-bit PCM is read as the integers Kaldi
sees; other depths are scaled to the same 16-bit range, multi-channel averaged).
"""
import argparse
import math
import sys

import numpy as np

EPS = np.float32(np.finfo(np.float32).eps)


def to_bool(s):
    if s.lower() in ("true", "1", "yes"):
        return True
    if s.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError("expected true/false, got " + s)


def read_wav_16bit_scale(path):
    from scipy.io import wavfile
    rate, data = wavfile.read(path)
    if data.dtype == np.int16:
        x = data.astype(np.float32)
    elif data.dtype == np.uint8:
        x = (data.astype(np.float32) - 128.0) * 256.0
    elif data.dtype == np.int32:
        x = (data.astype(np.float64) / 65536.0).astype(np.float32)
    else:
        x = (data.astype(np.float64) * 32768.0).astype(np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1, dtype=np.float64).astype(np.float32)
    return rate, x


def resample(x, orig, new, width=6, rolloff=0.99):
    """torchaudio.functional.resample with sinc_interp_hann, written as a dense polyphase filter."""
    if orig == new:
        return x
    g = math.gcd(int(orig), int(new))
    orig, new = int(orig) // g, int(new) // g
    base = min(orig, new) * rolloff
    w = math.ceil(width * orig / base)
    idx = np.arange(-w, w + orig, dtype=np.float64)[None, :] / orig
    t = np.arange(0, -new, -1, dtype=np.float64)[:, None] / new + idx
    t *= base
    t = np.clip(t, -width, width)
    window = np.cos(t * math.pi / width / 2) ** 2
    t *= math.pi
    scale = base / orig
    with np.errstate(invalid="ignore", divide="ignore"):
        kernels = np.where(t == 0, 1.0, np.sin(t) / t)
    kernels = (kernels * window * scale).astype(np.float32)  # (new, 2w + orig)
    length = len(x)
    padded = np.concatenate([np.zeros(w, np.float32), x, np.zeros(w + orig, np.float32)])
    nblocks = (len(padded) - kernels.shape[1]) // orig + 1
    frames = np.lib.stride_tricks.as_strided(
        padded, (nblocks, kernels.shape[1]), (padded.strides[0] * orig, padded.strides[0]))
    out = (frames.astype(np.float64) @ kernels.T.astype(np.float64)).reshape(-1)
    target = int(math.ceil(new * length / orig))
    return out[:target].astype(np.float32)


def window_fn(kind, n, blackman_coeff):
    i = np.arange(n, dtype=np.float64)
    a = 2 * math.pi / (n - 1)
    if kind == "hanning":
        w = 0.5 - 0.5 * np.cos(a * i)
    elif kind == "hamming":
        w = 0.54 - 0.46 * np.cos(a * i)
    elif kind == "povey":
        w = (0.5 - 0.5 * np.cos(a * i)) ** 0.85
    elif kind == "rectangular":
        w = np.ones(n)
    elif kind == "blackman":
        w = blackman_coeff - 0.5 * np.cos(a * i) + (0.5 - blackman_coeff) * np.cos(2 * a * i)
    else:
        raise ValueError(kind)
    return w.astype(np.float32)


def mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f, dtype=np.float32) / np.float32(700.0))


def mel_banks(num_bins, padded, sample_freq, low, high):
    num_fft_bins = padded // 2
    nyquist = 0.5 * sample_freq
    if high <= 0.0:
        high += nyquist
    fft_bin_width = sample_freq / padded
    mlow = 1127.0 * math.log(1.0 + low / 700.0)
    mhigh = 1127.0 * math.log(1.0 + high / 700.0)
    delta = (mhigh - mlow) / (num_bins + 1)
    b = np.arange(num_bins, dtype=np.float32)[:, None]
    left = (mlow + b * delta).astype(np.float32)
    center = (mlow + (b + 1.0) * delta).astype(np.float32)
    right = (mlow + (b + 2.0) * delta).astype(np.float32)
    m = mel(np.float32(fft_bin_width) * np.arange(num_fft_bins, dtype=np.float32))[None, :].astype(np.float32)
    up = (m - left) / (center - left)
    down = (right - m) / (right - center)
    banks = np.maximum(np.float32(0), np.minimum(up, down)).astype(np.float32)
    return np.pad(banks, ((0, 0), (0, 1)))


def strided(x, size, shift, snip_edges):
    n = len(x)
    if snip_edges:
        if n < size:
            return np.zeros((0, size), np.float32)
        m = 1 + (n - size) // shift
    else:
        rev = x[::-1]
        m = (n + shift // 2) // shift
        pad = size // 2 - shift // 2
        if pad > 0:
            x = np.concatenate([rev[-pad:], x, rev])
        else:
            x = np.concatenate([x[-pad:], rev])
    x = np.ascontiguousarray(x)
    return np.lib.stride_tricks.as_strided(x, (m, size), (x.strides[0] * shift, x.strides[0])).copy()


def fbank(x, a):
    sf = a.sample_frequency
    shift = int(sf * a.frame_shift * 0.001)
    size = int(sf * a.frame_length * 0.001)
    padded = 1 << (size - 1).bit_length() if a.round_to_power_of_two else size
    fr = strided(x.astype(np.float32), size, shift, a.snip_edges)
    if a.remove_dc_offset:
        fr = fr - fr.mean(axis=1, keepdims=True)
    energy = None
    if a.raw_energy:
        energy = np.log(np.maximum((fr * fr).sum(axis=1), EPS))
    if a.preemphasis_coefficient != 0.0:
        prev = np.concatenate([fr[:, :1], fr[:, :-1]], axis=1)
        fr = fr - np.float32(a.preemphasis_coefficient) * prev
    fr = fr * window_fn(a.window_type, size, a.blackman_coeff)[None, :]
    if padded != size:
        fr = np.pad(fr, ((0, 0), (0, padded - size)))
    if not a.raw_energy:
        energy = np.log(np.maximum((fr * fr).sum(axis=1), EPS))
    if a.energy_floor > 0.0:
        energy = np.maximum(energy, np.float32(math.log(a.energy_floor)))
    spec = np.abs(np.fft.rfft(fr.astype(np.float32), axis=1)).astype(np.float32)
    if a.use_power:
        spec = spec ** 2
    banks = mel_banks(a.num_mel_bins, padded, sf, a.low_freq, a.high_freq)
    e = spec @ banks.T
    if a.use_log_fbank:
        e = np.log(np.maximum(e, EPS))
    if a.use_energy:
        e = np.concatenate([e, energy[:, None]], 1) if a.htk_compat else np.concatenate([energy[:, None], e], 1)
    return e.astype(np.float32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("paths", nargs="+")
    p.add_argument("--compare", action="store_true")
    p.add_argument("--sample-frequency", type=float, default=16000.0)
    p.add_argument("--frame-length", type=float, default=25.0)
    p.add_argument("--frame-shift", type=float, default=10.0)
    p.add_argument("--num-mel-bins", type=int, default=80)
    p.add_argument("--low-freq", type=float, default=20.0)
    p.add_argument("--high-freq", type=float, default=0.0)
    p.add_argument("--window-type", default="povey")
    p.add_argument("--blackman-coeff", type=float, default=0.42)
    p.add_argument("--preemphasis-coefficient", type=float, default=0.97)
    p.add_argument("--remove-dc-offset", type=to_bool, default=True)
    p.add_argument("--round-to-power-of-two", type=to_bool, default=True)
    p.add_argument("--snip-edges", type=to_bool, default=True)
    p.add_argument("--use-energy", type=to_bool, default=False)
    p.add_argument("--raw-energy", type=to_bool, default=True)
    p.add_argument("--energy-floor", type=float, default=0.0)
    p.add_argument("--htk-compat", type=to_bool, default=False)
    p.add_argument("--use-log-fbank", type=to_bool, default=True)
    p.add_argument("--use-power", type=to_bool, default=True)
    a = p.parse_args()
    if a.compare:
        x, y = np.load(a.paths[0]), np.load(a.paths[1])
        if x.shape != y.shape:
            print("shape mismatch", x.shape, y.shape)
            sys.exit(1)
        d = np.abs(x.astype(np.float64) - y)
        print(f"shape {x.shape}  max|diff| {d.max():.3e}  mean|diff| {d.mean():.3e}  "
              f"at {np.unravel_index(d.argmax(), d.shape)}")
        return
    rate, x = read_wav_16bit_scale(a.paths[0])
    if rate != int(a.sample_frequency):
        # Resample on the [-1, 1] scale, then back to 16-bit scale, like qmargin does.
        x = resample(x / np.float32(32768.0), rate, int(a.sample_frequency)) * np.float32(32768.0)
    np.save(a.paths[1], fbank(x, a))


if __name__ == "__main__":
    main()
