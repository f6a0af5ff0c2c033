"""Full-size official key/shape manifest, built on the meta device (S2C_REFERENCE §4.2)."""

from __future__ import annotations

import pytest
import torch

from s2c_core.engines.s2c import S2C, S2CConfig
from s2c_core.engines.s2c.config import hubert_large_config
from s2c_core.engines.s2c.official_export import official_state_dict

# group -> (tensors, elements), the §4.2 table
GROUPS = {
    "schedule": (13, 13_000),
    "model.cond_feature_map": (2, 50_176),
    "model.init_conv": (2, 3_681_024),
    "model.time_mlp": (4, 1_312_768),
    "model.downs": (108, 35_956_480),
    "model.ups": (124, 126_763_776),
    "model.mid_block1": (10, 29_376_512),
    "model.cross_attn": (10, 33_572_864),
    "model.diff_attn": (17, 46_148_608),
    "model.mid_attn": (4, 1_052_672),
    "model.mid_block2": (10, 29_376_512),
    "model.final_res_block": (12, 1_247_488),
    "model.final_conv": (2, 12_336),
    "model.transformer_decoder": (72, 42_008_576),
    "model.transformer_encoder": (48, 33_599_488),
    "piano2posi.audio_encoder_cont": (424, 315_471_520),
    "piano2posi.audio_feature_map_cont": (2, 524_800),
    "piano2posi.pos_feature_map": (2, 3_584),
    "piano2posi.transformer_decoder": (72, 10_518_528),
    "piano2posi.transformer_encoder": (48, 12_609_536),
    "piano2posi.bs_map_r": (4, 66_051),
}

HUBERT = "piano2posi.audio_encoder_cont."
SHAPES = {
    "model.cond_feature_map.weight": (1024, 48),
    "model.init_conv.weight": (256, 2054, 7),
    "model.time_mlp.1.weight": (1024, 256),
    "model.downs.0.0.mlp.1.weight": (512, 1024),
    "model.downs.3.0.block1.proj.weight": (1024, 1024, 3),
    "model.downs.1.2.fn.fn.to_qkv.weight": (384, 256, 1),
    "model.downs.2.2.fn.fn.to_out.1.g": (1, 512, 1),
    "model.downs.2.2.fn.norm.g": (1, 512, 1),
    "model.downs.2.3.weight": (1024, 512, 4),
    "model.downs.3.3.weight": (2048, 1024, 3),
    "model.mid_block1.mlp.1.weight": (4096, 1024),
    "model.mid_attn.fn.fn.to_out.weight": (2048, 128, 1),
    "model.cross_attn.cross_attn.in_proj_weight": (6144, 2048),
    "model.diff_attn.lambda_q_left": (256,),
    "model.diff_attn.v_proj_right.weight": (2048, 2048),
    "model.diff_attn.mlp.2.weight": (2048, 4096),
    "model.ups.0.0.block1.proj.weight": (2048, 3072, 3),
    "model.ups.0.0.res_conv.weight": (2048, 3072, 1),
    "model.ups.0.3.1.weight": (1024, 2048, 3),
    "model.ups.3.3.weight": (256, 256, 3),
    "model.final_res_block.res_conv.weight": (256, 512, 1),
    "model.final_conv.weight": (48, 256, 1),
    "model.transformer_encoder.layers.3.linear1.weight": (2048, 1024),
    "model.transformer_decoder.layers.0.multihead_attn.in_proj_weight": (3072, 1024),
    "model.transformer_decoder.layers.0.linear1.weight": (1024, 1024),
    "piano2posi.audio_encoder_cont.masked_spec_embed": (1024,),
    "piano2posi.audio_encoder_cont.feature_extractor.conv_layers.0.conv.weight": (512, 1, 10),
    HUBERT + "encoder.pos_conv_embed.conv.parametrizations.weight.original0": (1, 1, 128),
    HUBERT + "encoder.pos_conv_embed.conv.parametrizations.weight.original1": (1024, 64, 128),
    HUBERT + "encoder.layers.23.feed_forward.output_dense.weight": (1024, 4096),
    "piano2posi.audio_encoder_cont.lm_head.weight": (32, 1024),
    "piano2posi.audio_feature_map_cont.weight": (512, 1024),
    "piano2posi.pos_feature_map.weight": (512, 6),
    "piano2posi.transformer_encoder.layers.0.self_attn.in_proj_weight": (1536, 512),
    "piano2posi.transformer_decoder.layers.3.linear1.weight": (512, 512),
    "piano2posi.bs_map_r.0.weight": (128, 512),
    "piano2posi.bs_map_r.1.weight": (3, 128),
    "betas": (1000,),
    "loss_weight": (1000,),
}


@pytest.fixture(scope="module")
def full_size_manifest() -> dict[str, torch.Size]:
    with torch.device("meta"):
        model = S2C(S2CConfig(hubert=hubert_large_config().to_dict()))
    state = official_state_dict(model.hands["left"], model.schedule)
    return {key: value.shape for key, value in state.items()}


def _group(key: str) -> str:
    parts = key.split(".")
    return "schedule" if len(parts) == 1 else ".".join(parts[:2])


def test_totals(full_size_manifest):
    assert len(full_size_manifest) == 990
    assert sum(s.numel() for s in full_size_manifest.values()) == 723_366_299


def test_groups(full_size_manifest):
    groups: dict[str, tuple[int, int]] = {}
    for key, shape in full_size_manifest.items():
        n, e = groups.get(_group(key), (0, 0))
        groups[_group(key)] = (n + 1, e + shape.numel())
    assert groups == GROUPS


def test_key_shapes(full_size_manifest):
    for key, shape in SHAPES.items():
        assert tuple(full_size_manifest[key]) == shape, key
