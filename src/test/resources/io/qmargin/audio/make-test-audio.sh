#!/usr/bin/env bash
# Regenerates the tiny FLAC and Ogg Vorbis test files from synthetic tones.
# Needs python3 and Debian's 'flac' and 'vorbis-tools' packages (apt-get install flac vorbis-tools).
# The tests rebuild the same integer samples in Java (AudioTestSignals) and compare exactly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import math, struct, sys, wave
out = sys.argv[1]
def write(name, rate, width, channels):
    # channels: list of per-channel integer sample lists (signed; 8-bit written unsigned).
    n = len(channels[0])
    with wave.open(f"{out}/{name}.wav", "wb") as w:
        w.setnchannels(len(channels)); w.setsampwidth(width); w.setframerate(rate)
        frames = bytearray()
        for i in range(n):
            for ch in channels:
                v = ch[i]
                if width == 1: frames += struct.pack("<B", v + 128)
                elif width == 2: frames += struct.pack("<h", v)
                else: frames += struct.pack("<i", v)[:3]
        w.writeframes(bytes(frames))
def tone(amp, freq, rate, n):
    return [int(round(amp * math.sin(2 * math.pi * freq * i / rate))) for i in range(n)]
write("tone-16k-16bit-mono", 16000, 2, [tone(12000, 440, 16000, 4000)])
write("tone-8k-24bit-stereo", 8000, 3, [tone(3000000, 440, 8000, 2000), tone(2000000, 1000, 8000, 2000)])
write("tone-8k-8bit-mono", 8000, 1, [tone(100, 440, 8000, 2000)])
write("tone-22k-stereo", 22050, 2, [tone(16000, 440, 22050, 11025), tone(16000, 1000, 22050, 11025)])
PY
for f in tone-16k-16bit-mono tone-8k-24bit-stereo tone-8k-8bit-mono; do
  flac -s -f --best --no-padding --no-seektable -o "$f.flac" "$tmp/$f.wav"
done
oggenc -Q -q 0 -o tone-22k-stereo.ogg "$tmp/tone-22k-stereo.wav"
ls -l *.flac *.ogg
