"""A fingertip that misses the key it strikes pulls the wrist: each strike its own way,
faded over a few frames, never into the keys."""

import numpy as np

from s2c_core.engines.midi.finger_ik import FingerSolver
from s2c_core.engines.midi.posture import playing_posture
from s2c_core.engines.midi.press_correction import (
    WRIST_FLOOR,
    pull_wrist_to_presses,
    struck_frames,
)
from s2c_core.hand.rig import builtin_rig
from s2c_core.music.keyboard import Keyboard

FRAMES, STRIKE, MIDDLE = 21, 10, 2


def _hand_on_keys(reach_out: float, reach_down: float = 0.0, strikes: tuple[int, ...] = (STRIKE,)):
    """A still right hand in its reference shape over the keys, its middle finger on a key
    and the others free; on frame STRIKE the middle finger strikes a key `reach_out` m
    further to the right and `reach_down` m lower (on `strikes`, alternately right and
    left)."""
    rig = builtin_rig("right")
    solver = FingerSolver(rig)
    keyboard = Keyboard()
    posture = playing_posture(solver, rig, keyboard.geometry.white_width)
    rotation = np.broadcast_to(posture.orientation(np.zeros(3)), (FRAMES, 3, 3)).copy()
    wrist = np.tile([0.5, -0.07, 0.05], (FRAMES, 1))
    canonical = np.tile(posture.tips, (FRAMES, 1, 1))
    for i, frame in enumerate(strikes):
        reach = np.array([reach_out * (-1) ** i, 0.0, -reach_down])
        canonical[frame, MIDDLE] += reach @ rotation[frame]
    touching = np.zeros((FRAMES, 5), dtype=bool)
    touching[:, MIDDLE] = True
    fingers = np.full(len(strikes), MIDDLE + 1)
    struck = struck_frames(np.array(strikes), fingers, np.arange(FRAMES))
    params = solver.solve(canonical, posture.params, 12, ~touching)
    return wrist, rotation, canonical, touching, struck, params, solver, posture.params


def _miss(wrist, rotation, canonical, params, solver, frame: int = STRIKE) -> float:
    """World miss (m) of the middle fingertip at the strike on `frame`."""
    target = wrist[frame] + rotation[frame] @ canonical[frame, MIDDLE]
    reached = wrist[frame] + rotation[frame] @ solver.tips(params[frame : frame + 1])[0, MIDDLE]
    return float(np.linalg.norm(target - reached))


def test_a_short_strike_pulls_the_wrist_smoothly_onto_the_key():
    wrist, rotation, canonical, touching, struck, params, solver, start = _hand_on_keys(0.06)
    before = _miss(wrist, rotation, canonical, params, solver)
    moved, solved = pull_wrist_to_presses(
        wrist, rotation, canonical, touching, struck, params, solver, start, 12
    )
    # The hand's own frame moves with the wrist: the target stays where it is in the world.
    shifted = canonical - np.einsum("ta,tab->tb", moved - wrist, rotation)[:, None]
    assert before > 0.01
    assert _miss(moved, rotation, shifted, solved, solver) < 0.5 * before
    shift = np.linalg.norm(moved - wrist, axis=1)
    assert shift[STRIKE] > 0.005 and moved[STRIKE, 0] > wrist[STRIKE, 0]  # towards the key
    assert np.allclose(shift[: STRIKE - 4], 0.0) and np.allclose(shift[STRIKE + 5 :], 0.0)
    assert np.all(np.diff(shift[: STRIKE + 1]) >= 0.0)  # faded in, no jump


def test_a_strike_on_its_key_leaves_the_hand_alone():
    wrist, rotation, canonical, touching, struck, params, solver, start = _hand_on_keys(0.0)
    moved, solved = pull_wrist_to_presses(
        wrist, rotation, canonical, touching, struck, params, solver, start, 12
    )
    assert moved is wrist and solved is params


def _world_tips(wrist, rotation, params, solver) -> np.ndarray:
    return wrist[:, None] + np.einsum("tab,tfb->tfa", rotation, solver.tips(params))


def test_a_wrist_pulled_down_leaves_the_free_fingers_at_their_height():
    wrist, rotation, canonical, touching, struck, params, solver, start = _hand_on_keys(0.0, 0.03)
    moved, solved = pull_wrist_to_presses(
        wrist, rotation, canonical, touching, struck, params, solver, start, 12
    )
    assert moved[STRIKE, 2] < wrist[STRIKE, 2] - 0.01  # the arm takes the hand down
    before = _world_tips(wrist, rotation, params, solver)
    after = _world_tips(moved, rotation, solved, solver)
    free = np.arange(5) != MIDDLE
    # Not carried down with the hand (into the keys beside the struck one): they lift.
    assert np.all(after[:, free, 2] >= before[:, free, 2] - 0.003)


def test_strikes_two_frames_apart_each_get_their_own_pull():
    # A fast figure reaching right, then left: shifts averaged over the two would leave
    # both strikes short of their keys.
    strikes = (STRIKE, STRIKE + 2)
    hand = _hand_on_keys(0.05, strikes=strikes)
    wrist, rotation, canonical, touching, struck, params, solver, start = hand
    moved, solved = pull_wrist_to_presses(
        wrist, rotation, canonical, touching, struck, params, solver, start, 12
    )
    shifted = canonical - np.einsum("ta,tab->tb", moved - wrist, rotation)[:, None]
    for frame in strikes:
        before = _miss(wrist, rotation, canonical, params, solver, frame)
        assert _miss(moved, rotation, shifted, solved, solver, frame) < 0.3 * before
    assert moved[STRIKE, 0] > wrist[STRIKE, 0] > moved[STRIKE + 2, 0]


def test_the_pull_keeps_the_wrist_above_the_keys():
    wrist, rotation, canonical, touching, struck, params, solver, start = _hand_on_keys(0.0, 0.1)
    moved, _ = pull_wrist_to_presses(
        wrist, rotation, canonical, touching, struck, params, solver, start, 12
    )
    assert moved[STRIKE, 2] < wrist[STRIKE, 2] - 0.02  # pulled down ...
    assert moved[:, 2].min() >= WRIST_FLOOR - 1e-9  # ... but not into the keys
