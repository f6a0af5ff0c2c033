import numpy as np
import pytest

from s2c_core.engines.midi.finger_ik import (
    FREE_MISS_WEIGHTS,
    PIANO_FINGERS,
    FingerSolver,
)
from s2c_core.engines.midi.posture import playing_posture
from s2c_core.hand.fk import forward_kinematics
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.skeleton import tip_index
from s2c_core.music.keyboard import Keyboard

SIDES = ("right", "left")


def _params_within_limits(solver: FingerSolver, count: int) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.uniform(solver.lower, solver.upper, (count,) + solver.lower.shape)


@pytest.mark.parametrize("side", SIDES)
def test_fingertips_agree_with_the_hands_forward_kinematics(side):
    """The solver's chain (abduction, then three flexions about rest-frame axes) is the
    MANO chain of the pose it reports."""
    rig = builtin_rig(side)
    solver = FingerSolver(rig)
    params = _params_within_limits(solver, 50)
    pose = rig.pose_from_angles(*solver.angles(params))
    joints = forward_kinematics(rig, np.zeros((len(pose), 3)), pose, rig.rest_joints[0])
    expected = joints[:, [tip_index(name) for name in PIANO_FINGERS]]
    np.testing.assert_allclose(solver.tips(params), expected, atol=1e-9)


@pytest.mark.parametrize("side", SIDES)
def test_jacobian_matches_finite_differences(side):
    solver = FingerSolver(builtin_rig(side))
    params = _params_within_limits(solver, 20)
    jacobian = solver.jacobian(params)
    step = 1e-6
    for j in range(3):
        delta = np.zeros(3)
        delta[j] = step
        numeric = (solver.tips(params + delta) - solver.tips(params - delta)) / (2 * step)
        np.testing.assert_allclose(jacobian[..., j], numeric, atol=1e-8)


@pytest.mark.parametrize("side", SIDES)
def test_reachable_targets_are_reached(side):
    solver = FingerSolver(builtin_rig(side))
    params = _params_within_limits(solver, 200)
    params[..., 1:] = 0.5 * (params[..., 1:] + solver.upper[..., 1:])  # bent, as when playing
    targets = solver.tips(params)
    start = 0.5 * (solver.lower + solver.upper)
    reached = solver.tips(solver.solve(targets, start, 30))
    assert np.median(np.linalg.norm(reached - targets, axis=-1)) < 1e-4


def test_a_frame_is_solved_the_same_alone_or_among_others():
    """Each frame's pose depends on its own targets only (the spread sweeps stop per frame),
    so a take solved in chunks, or a keyframe settled beside other candidates, is the same
    to the last bit."""
    solver = FingerSolver(builtin_rig("right"))
    rng = np.random.default_rng(3)
    targets = solver.tips(_params_within_limits(solver, 40))
    targets += rng.normal(0.0, 0.02, targets.shape)  # some out of reach, spreads to fix
    free = rng.random((40, 5)) < 0.3
    least = np.where(rng.random(40) < 0.5, 0.5, 0.0)
    start = 0.5 * (solver.lower + solver.upper)
    together = solver.solve(targets, start, 10, free, least)
    for frame in range(40):
        alone = solver.solve(targets[frame : frame + 1], start, 10, free[frame : frame + 1],
                             least[frame : frame + 1])  # fmt: skip
        np.testing.assert_array_equal(alone[0], together[frame])


@pytest.mark.parametrize("side", SIDES)
def test_a_least_middle_flexion_keeps_the_long_fingers_curved_on_its_frames_only(side):
    """Targets only a straight finger reaches: the frames given a least middle-joint
    flexion bend their long fingers at least that much and fall short; the others reach."""
    solver = FingerSolver(builtin_rig(side))
    params = np.broadcast_to(0.5 * (solver.lower + solver.upper), (4, 5, 3)).copy()
    params[:, 1:, 2] = 0.0  # long fingers straight at the middle joint
    targets = solver.tips(params)
    least = np.array([0.0, 0.5, 0.0, 0.5])
    solved = solver.solve(targets, params[0], 30, least_middle=least)
    assert (solved[least > 0, 1:, 2] >= 0.5 - 1e-12).all()
    misses = np.linalg.norm(solver.tips(solved) - targets, axis=-1)[:, 1:]
    assert misses[least == 0].max() < 1e-4 and misses[least > 0].min() > 1e-3


@pytest.mark.parametrize("side", SIDES)
def test_a_free_finger_out_of_reach_misses_no_more_than_its_starting_pose(side):
    """A free thumb asked to stay over a key the hand has left (far across the hand, a
    little below it) keeps the hand's shape rather than swinging across and down into
    the keys, as the clipped Gauss-Newton steps took it."""
    rig = builtin_rig(side)
    solver = FingerSolver(rig)
    posture = playing_posture(solver, rig, Keyboard().geometry.white_width)
    free = np.ones((3, 5), dtype=bool)
    targets = np.repeat(posture.free_tips[None], 3, axis=0)
    targets[:, 0] += [[-0.03, -0.014, across] for across in (0.04, 0.07, 0.1)]
    start_tips = solver.tips(posture.params[None])[0, 0]
    solved_tips = solver.tips(solver.solve(targets, posture.params, 12, free))[:, 0]
    for target, tip in zip(targets[:, 0], solved_tips, strict=True):
        missed = (FREE_MISS_WEIGHTS * (target - tip) ** 2).sum()
        assert missed <= (FREE_MISS_WEIGHTS * (target - start_tips) ** 2).sum() + 1e-12
