"""A fingertip that misses the key it strikes pulls the wrist, faded over a few frames."""

import numpy as np

from s2c_core.engines.midi.finger_ik import FingerSolver
from s2c_core.engines.midi.posture import playing_posture
from s2c_core.engines.midi.press_correction import pull_wrist_to_presses, struck_frames
from s2c_core.hand.rig import builtin_rig
from s2c_core.music.keyboard import Keyboard

FRAMES, STRIKE, MIDDLE = 21, 10, 2


def _hand_on_keys(reach_out: float, reach_down: float = 0.0):
    """A still right hand in its reference shape over the keys, its middle finger on a key
    and the others free; on frame STRIKE the middle finger strikes a key `reach_out` m
    further to the right and `reach_down` m lower."""
    rig = builtin_rig("right")
    solver = FingerSolver(rig)
    keyboard = Keyboard()
    posture = playing_posture(solver, rig, keyboard.geometry.white_width)
    rotation = np.broadcast_to(posture.orientation(np.zeros(3)), (FRAMES, 3, 3)).copy()
    wrist = np.tile([0.5, -0.07, 0.05], (FRAMES, 1))
    canonical = np.tile(posture.tips, (FRAMES, 1, 1))
    canonical[STRIKE, MIDDLE] += np.array([reach_out, 0.0, -reach_down]) @ rotation[STRIKE]
    touching = np.zeros((FRAMES, 5), dtype=bool)
    touching[:, MIDDLE] = True
    struck = struck_frames(np.array([STRIKE]), np.array([MIDDLE + 1]), np.arange(FRAMES))
    params = solver.solve(canonical, posture.params, 12, ~touching)
    return wrist, rotation, canonical, touching, struck, params, solver, posture.params


def _miss(wrist, rotation, canonical, params, solver) -> float:
    """World miss (m) of the middle fingertip at the strike."""
    target = wrist[STRIKE] + rotation[STRIKE] @ canonical[STRIKE, MIDDLE]
    reached = wrist[STRIKE] + rotation[STRIKE] @ solver.tips(params[STRIKE : STRIKE + 1])[0, MIDDLE]
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
