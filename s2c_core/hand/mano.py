"""Load a user-supplied MANO_RIGHT.pkl as a HandRig, safely.

The official pickle holds numpy arrays, a scipy sparse J_regressor and chumpy objects.
A restricted unpickler admits only those classes (chumpy objects become plain arrays, so
chumpy itself is not needed) and refuses everything else, so a crafted file cannot run
code. The arrays are then handed to smplx, which computes the true rest joints.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .rig import HandRig, builtin_rig, rest_joints_problem
from .skeleton import FINGERS

_REQUIRED_KEYS = (
    "v_template", "J_regressor", "weights", "posedirs", "shapedirs",
    "kintree_table", "f", "hands_components", "hands_mean",
)  # fmt: skip


class ManoFileError(ValueError):
    """The MANO file is missing, not a MANO model, or unsafe to load (message names it)."""


class _ChumpyArray:
    """Stand-in for chumpy's Ch: keeps the wrapped value ('x' in its pickled state)."""

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def to_array(self) -> np.ndarray:
        value = self.state.get("x") if isinstance(self.state, dict) else None
        if value is None:
            raise pickle.UnpicklingError("chumpy object without a stored value")
        return np.asarray(value)


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("scipy.sparse._csc", "csc_matrix"),
    ("scipy.sparse.csc", "csc_matrix"),
    ("scipy.sparse._csr", "csr_matrix"),
    ("scipy.sparse.csr", "csr_matrix"),
    ("copy_reg", "_reconstructor"),
    ("copyreg", "_reconstructor"),
    ("__builtin__", "object"),
    ("builtins", "object"),
    ("_codecs", "encode"),  # how protocol-2 pickles store bytes; only encodes a string
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("chumpy"):
            return _ChumpyArray
        if (module, name) in _ALLOWED:
            module = {"copy_reg": "copyreg", "__builtin__": "builtins"}.get(module, module)
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def read_mano_pickle(path: str | Path) -> dict[str, Any]:
    """The MANO model's arrays as a dict, loaded without executing code."""
    path = Path(path)
    if not path.is_file():
        raise ManoFileError(
            f"{path}: MANO file not found (download MANO_RIGHT.pkl from mano.is.tue.mpg.de)"
        )
    try:
        raw = _RestrictedUnpickler(io.BytesIO(path.read_bytes()), encoding="latin1").load()
    except Exception as exc:  # any unpickling failure is one clear line
        raise ManoFileError(f"{path}: not a loadable MANO pickle ({exc})") from exc
    if not isinstance(raw, dict):
        raise ManoFileError(f"{path}: not a MANO model (top level is {type(raw).__name__})")
    missing = [key for key in _REQUIRED_KEYS if key not in raw]
    if missing:
        raise ManoFileError(f"{path}: not a MANO model (missing {', '.join(missing)})")
    data = {k: v.to_array() if isinstance(v, _ChumpyArray) else v for k, v in raw.items()}
    if np.asarray(data["v_template"]).shape != (778, 3):
        raise ManoFileError(
            f"{path}: v_template has shape {np.shape(data['v_template'])}, expected (778, 3)"
        )
    return data


def load_mano_rig(path: str | Path, side: str = "right") -> HandRig:
    """A HandRig whose rest joints and mean pose come from MANO_RIGHT.pkl (through smplx)."""
    data = read_mano_pickle(path)
    try:
        import smplx
        import torch
        from smplx.utils import Struct
        from smplx.vertex_ids import vertex_ids as VERTEX_IDS
    except ImportError as exc:
        raise ManoFileError(
            f"{path}: using a MANO file needs the optional 'smplx' package "
            "(pip install 's2c-hands[mano]')"
        ) from exc
    try:  # a well-formed pickle can still hold arrays smplx cannot use
        model = smplx.MANO(
            str(path), is_rhand=True, data_struct=Struct(**data), use_pca=False, flat_hand_mean=True
        )
        with torch.no_grad():
            output = model(
                betas=torch.zeros(1, model.num_betas),
                global_orient=torch.zeros(1, 3),
                hand_pose=torch.zeros(1, 45),
            )
        joints = output.joints[0, :16].double().numpy()
        vertices = output.vertices[0].double().numpy()
        tips = vertices[[VERTEX_IDS["mano"][finger] for finger in FINGERS]]  # smplx's tips
        rest = np.concatenate([joints, tips], axis=0)
        mean_pose = np.asarray(data["hands_mean"], dtype=np.float64).reshape(45)
    except Exception as exc:  # any failure of smplx on it is the file's fault
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ManoFileError(f"{path}: not a usable MANO model ({reason})") from exc
    problem = rest_joints_problem(rest)
    if problem:
        raise ManoFileError(f"{path}: the hand's rest joints {problem}")
    rig = replace(
        builtin_rig("right"),
        name="mano",
        rest_joints=rest - rest[0],
        mean_pose=mean_pose,
        mano_wrist=rest[0].copy(),
    )
    return rig.for_side(side)
