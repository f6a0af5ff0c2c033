"""The MANO_RIGHT.pkl path, on a synthetic pickle of MANO's layout (the real file is
licence-gated): chumpy-wrapped arrays, a sparse J_regressor, and a crafted malicious file."""

import pickle
import sys
import types

import numpy as np
import pytest
import scipy.sparse

from s2c_core.hand.mano import ManoFileError, load_mano_rig, read_mano_pickle
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.skeleton import FINGERS

# smplx's fingertip vertex ids for MANO
TIP_VERTICES = {"thumb": 744, "index": 320, "middle": 443, "ring": 554, "pinky": 671}


@pytest.fixture
def fake_chumpy(monkeypatch):
    """A stand-in `chumpy.ch.Ch` so the test can write pickles that reference chumpy."""
    package, module = types.ModuleType("chumpy"), types.ModuleType("chumpy.ch")

    class Ch:
        def __init__(self, x):
            self.x = x

    Ch.__module__, Ch.__qualname__ = "chumpy.ch", "Ch"
    module.Ch = Ch
    monkeypatch.setitem(sys.modules, "chumpy", package)
    monkeypatch.setitem(sys.modules, "chumpy.ch", module)
    return Ch


def synthetic_mano(Ch) -> tuple[dict, np.ndarray]:
    """A MANO-layout model whose joints (incl. tips) are exactly the built-in rig's."""
    rng = np.random.default_rng(0)
    wrist = np.array([0.0957, 0.0064, 0.0062])
    joints = builtin_rig().rest_joints + wrist
    v_template = rng.normal(scale=0.01, size=(778, 3)) + wrist
    regressor = np.zeros((16, 778))
    for j in range(16):  # each joint = mean of 4 vertices placed around it
        ids = np.arange(4) + 20 * j
        v_template[ids] = (
            joints[j] + np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]]) * 1e-3
        )
        regressor[j, ids] = 0.25
    for f, finger in enumerate(FINGERS):
        v_template[TIP_VERTICES[finger]] = joints[16 + f]
    kintree = np.array([[2**32 - 1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 10, 11, 0, 13, 14],
                        np.arange(16)])  # fmt: skip
    data = {
        "v_template": v_template,
        "J_regressor": scipy.sparse.csc_matrix(regressor),
        "weights": np.full((778, 16), 1 / 16),
        "posedirs": np.zeros((778, 3, 135)),
        "shapedirs": Ch(np.zeros((778, 3, 10))),
        "kintree_table": kintree,
        "f": rng.integers(0, 778, size=(1538, 3)).astype(np.uint32),
        "hands_components": np.eye(45),
        "hands_mean": Ch(np.linspace(-0.1, 0.2, 45)),
    }
    return data, joints


def test_loads_mano_rest_joints_and_mean_pose(tmp_path, fake_chumpy):
    data, joints = synthetic_mano(fake_chumpy)
    path = tmp_path / "MANO_RIGHT.pkl"
    path.write_bytes(pickle.dumps(data, protocol=2))
    rig = load_mano_rig(path)
    assert rig.name == "mano" and rig.side == "right"
    np.testing.assert_allclose(rig.rest_joints, joints - joints[0], atol=1e-6)
    np.testing.assert_allclose(rig.mano_wrist, joints[0], atol=1e-6)
    np.testing.assert_allclose(rig.mean_pose, np.linspace(-0.1, 0.2, 45))
    left = load_mano_rig(path, side="left")
    np.testing.assert_allclose(left.rest_joints, rig.rest_joints * [-1, 1, 1])


def test_refuses_a_pickle_that_would_run_code(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "MANO_RIGHT.pkl"
    path.write_bytes(pickle.dumps({"v_template": Exploit()}))
    with pytest.raises(ManoFileError, match=r"refusing to load builtins\.print"):
        read_mano_pickle(path)


def test_clear_errors_for_missing_and_wrong_files(tmp_path, fake_chumpy):
    with pytest.raises(ManoFileError, match="MANO file not found"):
        read_mano_pickle(tmp_path / "MANO_RIGHT.pkl")
    wrong = tmp_path / "wrong.pkl"
    wrong.write_bytes(pickle.dumps({"v_template": np.zeros((10, 3))}))
    with pytest.raises(ManoFileError, match="missing J_regressor"):
        read_mano_pickle(wrong)
    garbage = tmp_path / "garbage.pkl"
    garbage.write_bytes(b"\x00\x01 not a pickle")
    with pytest.raises(ManoFileError, match="not a loadable MANO pickle"):
        read_mano_pickle(garbage)
    data, _ = synthetic_mano(fake_chumpy)
    data["v_template"] = data["v_template"][:100]
    small = tmp_path / "small.pkl"
    small.write_bytes(pickle.dumps(data, protocol=2))
    with pytest.raises(ManoFileError, match=r"expected \(778, 3\)"):
        read_mano_pickle(small)
