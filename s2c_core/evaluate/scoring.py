"""Scores of one generated window against its ground truth, and their run-level summaries.

Reference metrics (S2C_REFERENCE §5.2, per hand, per window, then averaged over windows):
`fid_<hand>` (eval.py `fid`), `wgd_<hand>` (`MW`), `pd_<hand>` (`dist`), `smooth_<hand>`
(`smooth`); `fgd` (`FID2`) is one Fréchet distance over all windows' autoencoder features.

Our metrics, on the motion in the piano world (the default `CameraPlacement`, which is how
the engines and the synthetic data place the PianoMotion10M camera frame):
- `key_contact`: share of the window's notes whose assigned fingertip is over its key and
  below the key top at the onset frame (`engines.midi.metrics.key_contact`), pooled over all
  notes of all windows. Notes get a hand and finger from `refine_contacts.plan_notes`,
  except for an engine that chose its own (the MIDI engine), which is judged on its choice.
- `jitter_<hand>`: mean joint jerk, |third finite difference of the 21 world joint
  positions| * fps^3 in m/s^3, averaged over joints and frames. Jerk rather than the
  reference `smooth`, which compares a quirky scalar with the ground truth's and so cannot
  tell a trembling hand from a calm one on its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ..data.pianomotion import HANDS
from ..engines.midi.config import MidiEngineConfig
from ..engines.midi.metrics import key_contact
from ..engines.s2c.to_motion import motion_from_prediction
from ..hand.rig import HandRig
from ..motion import HandMotion, MotionMetadata
from ..music.keyboard import Keyboard
from ..music.midi import MidiNotes
from ..pm10m import denormalise
from ..refine_contacts import plan_notes
from .autoencoder import GestureAutoencoder
from .metrics import fid_per_window, position_distance, smoothness, wgd
from .windows import Targets

Scores = dict[str, float | None]

PER_HAND = ("fid", "wgd", "pd", "smooth")
REFERENCE_KEYS = {"fid": "fid", "wgd": "MW", "pd": "dist", "smooth": "smooth", "fgd": "FID2"}
# The reference's best-of-10 composite, sum(weight * metric / range) (S2C:eval.py:18-33).
# F_dist has weight 0 there and is not computed here.
COMPOSITE = {"fid": (0.25, 1.0), "wgd": (0.15, 1.0), "pd": (0.1, 0.1), "smooth": (0.15, 1.0)}
COMPOSITE_FGD = (0.3, 1000.0)
_CONTACT_HITS, _CONTACT_NOTES = "contact_hits", "contact_notes"


def metric_names() -> list[str]:
    """Every metric of a summary, in report order."""
    per_hand = [f"{name}_{hand}" for name in PER_HAND for hand in HANDS]
    return [*per_hand, "fgd", "key_contact", *(f"jitter_{hand}" for hand in HANDS)]


def reference_scores(truth: Targets, pred: Targets) -> Scores:
    """The four per-hand reference metrics of one window, in radians and camera units."""
    scores: Scores = {}
    for hand in HANDS:
        gt_pose, gt_xyz = denormalise(truth.pose[hand], truth.position[hand])
        pose, xyz = denormalise(pred.pose[hand], pred.position[hand])
        scores[f"fid_{hand}"] = fid_per_window(gt_pose, pose)
        with warnings.catch_warnings():
            # sklearn's IncrementalPCA divides by a zero variance on a hand that holds still
            # (its explained-variance ratio only); the projection, and so WGD, are unaffected
            warnings.simplefilter("ignore", RuntimeWarning)
            scores[f"wgd_{hand}"] = wgd(gt_pose, pose)
        scores[f"pd_{hand}"] = position_distance(gt_xyz, xyz)
        scores[f"smooth_{hand}"] = smoothness(gt_pose, pose)
    return scores


def to_motion(pred: Targets, rig: HandRig) -> HandMotion:
    """A window in the piano world, as the S2C engine converts its output."""
    return motion_from_prediction(pred.pose, pred.position, rig, MotionMetadata("evaluation"))


def own_scores(
    motion: HandMotion, notes: MidiNotes | None, table: np.ndarray | None, keyboard: Keyboard
) -> Scores:
    """Jitter per hand, and key-contact counts when the window's notes are known.

    table: the engine's own (N, 6) note table (hand and finger chosen); None: plan them.
    """
    scores: Scores = {f"jitter_{hand}": jitter(motion, hand) for hand in HANDS}
    if notes is not None:
        if table is None:
            table = plan_notes(notes, keyboard, MidiEngineConfig()).table()
        hits = key_contact(_with_notes(motion, table), keyboard) if len(table) else []
        scores[_CONTACT_HITS], scores[_CONTACT_NOTES] = float(np.sum(hits)), float(len(table))
    return scores


def _with_notes(motion: HandMotion, table: np.ndarray) -> HandMotion:
    return HandMotion(motion.fps, motion.left, motion.right, motion.metadata, table)


def jitter(motion: HandMotion, hand: str) -> float:
    joints = np.asarray(motion.hand(hand).joints, dtype=np.float64)
    jerk = np.diff(joints, n=3, axis=0) * motion.fps**3
    return float(np.linalg.norm(jerk, axis=-1).mean())


def fgd_features(autoencoder: GestureAutoencoder, windows: Sequence[Targets]) -> np.ndarray:
    """(N, 256) features of concat(right48, left48) radians per window, as `FID2` feeds them."""
    poses = np.stack([np.concatenate([w.pose["right"], w.pose["left"]], axis=1) for w in windows])
    return autoencoder.encode(poses * np.pi)


def summarise(windows: Sequence[Scores], fgd: float | None) -> Scores:
    """One run: per-window metrics averaged, key contact pooled over notes, plus FGD."""
    summary: Scores = {name: _mean(windows, name) for name in metric_names()}
    notes = sum(w.get(_CONTACT_NOTES) or 0.0 for w in windows)
    hits = sum(w.get(_CONTACT_HITS) or 0.0 for w in windows)
    summary["key_contact"] = hits / notes if notes else None
    summary["fgd"] = fgd
    return summary


def _mean(windows: Sequence[Scores], name: str) -> float | None:
    values = [w[name] for w in windows if w.get(name) is not None]
    return float(np.mean(values)) if values else None


def composite(run: Scores) -> float:
    """The reference's weighted score (lower is better); FGD counts only when computed."""
    total = sum(
        weight * run[f"{name}_{hand}"] / scale
        for name, (weight, scale) in COMPOSITE.items()
        for hand in HANDS
    )
    if run.get("fgd") is not None:
        weight, scale = COMPOSITE_FGD
        total += weight * run["fgd"] / scale
    return float(total)


def over_runs(runs: Sequence[Scores]) -> dict:
    """Mean over runs and the reference's best run (lowest composite), with the run list."""
    scores = [composite(run) for run in runs]
    best = int(np.argmin(scores))
    return {
        "mean": {name: _mean(runs, name) for name in metric_names()},
        "best": dict(runs[best]),
        "best_run": best,
        "composite": scores,
        "runs": [dict(run) for run in runs],
    }
