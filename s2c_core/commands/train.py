"""`s2c train-position` and `s2c train-gesture` wiring; `s2c_core/cli.py` calls `register`.

The options are generated from the fields of `PositionTrainConfig` / `GestureTrainConfig`
(one source for names, defaults and help). Under torchrun every process runs this same
command: `torchrun --nproc-per-node 2 -m s2c_core train-gesture ...`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

# which config field becomes which kind of argument, when not an ordinary --option
_POSITIONAL = {"data_root": "DATA_ROOT"}
_RENAMED = {"out_dir": "--out"}


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..train.config import GestureTrainConfig, PositionTrainConfig

    commands = (
        ("train-position", PositionTrainConfig, run_position,
         "stage 1: train both hands' position predictors (HuBERT fine-tuned)"),
        ("train-gesture", GestureTrainConfig, run_gesture,
         "stage 2: train the dual-stream diffusion U-Nets on a stage-1 model"),
    )  # fmt: skip
    for name, config_cls, handler, help_text in commands:
        parser = subparsers.add_parser(
            name,
            help=help_text,
            description=f"{help_text}. Defaults are the paper's recipe; see docs/training.md.",
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        )
        add_config_arguments(parser, config_cls)
        parser.set_defaults(handler=handler, config_cls=config_cls)


def add_config_arguments(parser: argparse.ArgumentParser, config_cls: type) -> None:
    import dataclasses
    import typing

    hints = typing.get_type_hints(config_cls)
    for field in dataclasses.fields(config_cls):
        kwargs = _argument_kind(hints[field.name])
        kwargs["help"] = field.metadata.get("help", "")
        if field.name in _POSITIONAL:
            parser.add_argument(field.name, metavar=_POSITIONAL[field.name], **kwargs)
            continue
        flag = _RENAMED.get(field.name, "--" + field.name.replace("_", "-"))
        if field.default is dataclasses.MISSING:
            kwargs["required"] = True
        else:
            kwargs["default"] = field.default
        parser.add_argument(flag, dest=field.name, **kwargs)


def _argument_kind(hint) -> dict:
    """argparse keywords for a field's type (bool, Literal, tuple, Path, scalars)."""
    import typing

    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if hint is bool:
        return {"action": argparse.BooleanOptionalAction}
    if origin is typing.Literal:
        return {"choices": typing.get_args(hint)}
    if origin is tuple:
        return {"nargs": "+", "type": args[0]}
    if args and typing.get_origin(args[0]) is tuple:  # optional tuple: none given -> keep all
        return {"nargs": "*", "type": typing.get_args(args[0])[0]}
    return {"type": hint}


def _config(args: argparse.Namespace):
    import dataclasses

    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(args.config_cls)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return args.config_cls(**values)


def run_position(args: argparse.Namespace) -> int:
    from ..train.position import train_position

    return _report(train_position(_config(args)), args.out_dir)


def run_gesture(args: argparse.Namespace) -> int:
    from ..train.gesture import train_gesture

    return _report(train_gesture(_config(args)), args.out_dir)


def _report(result, out_dir: Path) -> int:
    import os

    if os.environ.get("RANK", "0") == "0":
        print(f"best validation {result.best_val:.6f} at step {result.best_step}; see {out_dir}")
    return 0
