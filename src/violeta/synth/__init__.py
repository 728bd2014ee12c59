"""Synthetic data for Violeta: six agencies' registry files and the ground truth.

Pure Python (no Django): ``generate(out_dir, women=..., seed=...)`` writes the files,
``bench_generate(records)`` times a run. Every person is invented. See ``docs/generator.md``.
"""

from violeta.synth.config import PRESETS, CorruptionConfig
from violeta.synth.generate import FORMATS, GenerateSummary, bench_generate, generate
from violeta.synth.model import AGENCIES, severity

__all__ = [
    "AGENCIES",
    "FORMATS",
    "PRESETS",
    "CorruptionConfig",
    "GenerateSummary",
    "bench_generate",
    "generate",
    "severity",
]
