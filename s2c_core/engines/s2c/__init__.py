"""The S2C engine: HuBERT position predictors + dual-stream diffusion with HCAA fusion.

from s2c_core.engines.s2c import S2C
model = S2C.from_pretrained(path)      # official experiment folder or our format
cond = model.encode_audio(audio)       # (B, N) float32 at 16 kHz
poses = model.sample(cond, generator=torch.Generator().manual_seed(0))
"""

from .config import CompatConfig, S2CConfig
from .errors import CheckpointError
from .model import S2C, AudioCondition, PreparedCondition
from .samplers import ddpm_sample, initial_noise
from .schedule import DiffusionSchedule

__all__ = [
    "S2C",
    "AudioCondition",
    "CheckpointError",
    "CompatConfig",
    "DiffusionSchedule",
    "PreparedCondition",
    "S2CConfig",
    "ddpm_sample",
    "initial_noise",
]
