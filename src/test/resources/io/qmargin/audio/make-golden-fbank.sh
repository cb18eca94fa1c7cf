#!/usr/bin/env bash
# Regenerates the golden fbank features used by FbankGoldenTest: a synthetic speech-like 16-bit WAV
# and its features from tools/kaldi_fbank_reference.py, an independent numpy (float32) rewrite of
# torchaudio.compliance.kaldi.fbank. Needs python3 with numpy and scipy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ref=../../../../../../tools/kaldi_fbank_reference.py
python3 - <<'PY'
import numpy as np
from scipy.io import wavfile
rate, n = 16000, 4800
t = np.arange(n) / rate
rng = np.random.default_rng(20240601)
f0 = 110 + 40 * t / t[-1]                        # gliding voice pitch
phase = 2 * np.pi * np.cumsum(f0) / rate
voice = sum(np.sin(h * phase) / h for h in range(1, 40))
chirp = np.sin(2 * np.pi * (200 * t + 0.5 * 20000 * t ** 2))   # 200 Hz -> 6.2 kHz sweep
envelope = 0.2 + 0.8 * np.abs(np.sin(2 * np.pi * 3 * t))
x = 3000 * envelope * voice + 2000 * chirp + 300 * rng.standard_normal(n)
x[2000:2400] = 0                                   # a pause of digital silence
wavfile.write("speechlike-16k.wav", rate, np.clip(np.round(x), -32768, 32767).astype(np.int16))
PY
python3 "$ref" speechlike-16k.wav speechlike-16k.fbank-default.npy
python3 "$ref" speechlike-16k.wav speechlike-16k.fbank-variant.npy --num-mel-bins 23 --snip-edges false \
  --use-energy true --energy-floor 1.0 --window-type hamming --low-freq 64 --high-freq -400
ls -l speechlike-16k*
