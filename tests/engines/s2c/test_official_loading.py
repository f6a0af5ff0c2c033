"""Official on-disk format: strict loading, both weight-norm spellings, safe unpickling,
conversion to our format with identical outputs, and one-line errors naming the file.

The official-format folders here are written by our own exporter, so they test our file
handling, not our numerics; test_reference_fixture.py compares with the authors' code."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest
import torch

from s2c_core.cli import main
from s2c_core.commands.convert_official import register
from s2c_core.engines.s2c import S2C, CheckpointError
from s2c_core.engines.s2c.official import find_checkpoint
from tests.engines.s2c.tiny_s2c import tiny_audio, tiny_inputs, write_tiny_official


def _outputs(model: S2C) -> dict[str, torch.Tensor]:
    cond = model.encode_audio(tiny_audio(2))
    x, t = tiny_inputs(2)
    with torch.no_grad():
        out = model.denoise(x, t, cond)
    return {**out, **{f"xyz_{h}": cond.position[h] for h in cond.position}}


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


@pytest.mark.parametrize("legacy_weight_norm", [False, True], ids=["parametrizations", "g_v"])
def test_official_load_matches_source_model(tmp_path, legacy_weight_norm):
    exp = tmp_path / "exp"
    source = write_tiny_official(exp, legacy_weight_norm=legacy_weight_norm)
    ckpt = torch.load(find_checkpoint(exp, "left"), weights_only=False)
    names = "\n".join(ckpt["state_dict"])
    assert ("weight_g" in names) == legacy_weight_norm
    assert isinstance(ckpt["hyper_parameters"], argparse.Namespace)
    loaded = S2C.from_pretrained(exp)
    assert not loaded.training
    assert all(not p.is_meta for p in loaded.parameters())
    _assert_same(_outputs(source), _outputs(loaded))


def test_convert_round_trip_identical(tiny_official, tmp_path):
    exp, _ = tiny_official
    official = _outputs(S2C.from_pretrained(exp))
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["convert-official", str(exp), str(tmp_path / "ours")])
    assert args.handler(args) == 0
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == [
        "config.json",
        "model.safetensors",
    ]
    ours = S2C.from_pretrained(tmp_path / "ours")
    _assert_same(official, _outputs(ours))
    ours.save_pretrained(tmp_path / "again")
    _assert_same(official, _outputs(S2C.from_pretrained(tmp_path / "again")))


def test_hubert_path_override_and_relative_wav2vec_path(tiny_official, tmp_path):
    exp, _ = tiny_official
    moved = tmp_path / "elsewhere"
    (exp / "hubert").rename(moved)
    with pytest.raises(CheckpointError, match=r"exp/hubert/config\.json: HuBERT config not found"):
        S2C.from_pretrained(exp)
    assert S2C.from_pretrained(exp, hubert_path=moved).config.cond_dim == 32


def _single_line_naming(exc: pytest.ExceptionInfo, path: Path) -> None:
    message = str(exc.value)
    assert "\n" not in message and str(path) in message


def test_refuses_code_executing_pickle(tiny_official, tmp_path):
    exp, _ = tiny_official
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = find_checkpoint(exp, "right")
    torch.save({"state_dict": {}, "hyper_parameters": Exploit()}, path)
    with pytest.raises(CheckpointError, match="refused to unpickle") as exc:
        S2C.from_pretrained(exp)
    _single_line_naming(exc, path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage, match",
    [
        (lambda p: p.write_bytes(os.urandom(4096)), "not a PyTorch checkpoint"),
        (lambda p: p.write_bytes(p.read_bytes()[:5000]), "not a PyTorch checkpoint|cannot"),
        (lambda p: torch.save({"weights": 1}, p), "no 'state_dict' of tensors"),
    ],
    ids=["random", "truncated", "no_state_dict"],
)
def test_corrupt_checkpoint_is_one_line_error(tiny_official, damage, match):
    exp, _ = tiny_official
    path = find_checkpoint(exp, "left")
    damage(path)
    with pytest.raises(CheckpointError, match=match) as exc:
        S2C.from_pretrained(exp)
    _single_line_naming(exc, path)


def _edit_state(path: Path, edit) -> None:
    ckpt = torch.load(path, weights_only=False)
    edit(ckpt["state_dict"])
    torch.save(ckpt, path)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda s: s.update(extra=torch.zeros(1)), "unexpected tensor 'extra'"),
        (lambda s: s.pop("model.cross_attn.norm.bias"), "1 tensors missing"),
        (lambda s: s.update(betas=s["betas"] * 2), "schedule buffer 'betas' differs"),
        (lambda s: s.pop("loss_weight"), "schedule buffer 'loss_weight' missing"),
        (
            lambda s: s.update({"model.final_conv.bias": torch.zeros(7)}),
            r"'model.final_conv.bias' has shape \(7,\)",
        ),
    ],
    ids=["unexpected", "missing", "schedule", "no_buffer", "shape"],
)
def test_strict_loading(tiny_official, edit, match):
    exp, _ = tiny_official
    path = find_checkpoint(exp, "left")
    _edit_state(path, edit)
    with pytest.raises(CheckpointError, match=match) as exc:
        S2C.from_pretrained(exp)
    _single_line_naming(exc, path)


def test_unsupported_args_and_missing_files(tiny_official, tmp_path):
    exp, _ = tiny_official
    args = json.loads((exp / "args.txt").read_text())
    (exp / "args.txt").write_text(json.dumps({**args, "fusion": 3}))
    with pytest.raises(CheckpointError, match=r"args\.txt: fusion=3 is not supported"):
        S2C.from_pretrained(exp)
    with pytest.raises(CheckpointError, match="neither our format"):
        S2C.from_pretrained(tmp_path)


def test_cli_reports_one_line_error(tmp_path, capsys):
    assert main(["convert-official", str(tmp_path), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path) in err


def test_a_legacy_non_zip_checkpoint_loads_like_the_zip_one(tiny_official):
    exp, source = tiny_official
    for hand in ("left", "right"):
        path = find_checkpoint(exp, hand)
        ckpt = torch.load(path, weights_only=False)
        torch.save(ckpt, path, _use_new_zipfile_serialization=False)
    _assert_same(_outputs(source), _outputs(S2C.from_pretrained(exp)))


def test_the_refusal_of_a_foreign_object_is_one_short_line(tiny_official):
    exp, _ = tiny_official
    path = find_checkpoint(exp, "left")
    torch.save({"state_dict": {}, "payload": os.getcwd}, path)
    with pytest.raises(CheckpointError) as exc:
        S2C.from_pretrained(exp)
    module = os.getcwd.__module__  # posix or nt
    assert str(exc.value) == (
        f"{path}: refused to unpickle {module}.getcwd (only tensors and argparse.Namespace "
        "are allowed)"
    )


@pytest.mark.parametrize("value", ["wide", 2.5, True, 0, None])
def test_a_bad_value_in_args_txt_names_the_file_and_the_key(tiny_official, value):
    exp, _ = tiny_official
    args_file = exp / "args.txt"
    args = json.loads(args_file.read_text())
    args["unet_dim"] = value
    args_file.write_text(json.dumps(args))
    with pytest.raises(CheckpointError) as exc:
        S2C.from_pretrained(exp)
    assert str(exc.value) == (
        f"{args_file}: unet_dim must be a positive whole number, got {value!r}"
    )


def test_loaders_never_import_the_model():
    # loading flows one way: the loaders read files into data, S2C.from_pretrained builds
    import ast

    import s2c_core.engines.s2c.checkpoint as ours
    import s2c_core.engines.s2c.official as official

    for module in (ours, official):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "model" not in imported and "engine" not in imported, module.__name__
