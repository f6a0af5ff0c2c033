"""The skin of a hand rig: an anatomically shaped, skinned quad mesh built from its joints.

No bpy here (numpy only), so the geometry is testable on its own; rig.py turns it into a
Blender mesh. The surface is the zero level of a signed-distance shape built around the
rig's rest joints (right hand, canonical frame: fingers along -X, palm facing -Y):

- palm: four metacarpal capsules and a rounded slab, blended smoothly, with the knuckles
  (metacarpal heads) standing out on the back; a thenar pad around the thumb's metacarpal
  and a hypothenar pad along the little-finger side; a short forearm stub at the wrist;
- fingers: tapered phalanges with slightly thicker PIP/DIP joints, a pulp under each
  fingertip and a nail plate on its back (nail faces are flagged for their own material).

The fingers (a hard union, so they stay separate) join the palm with one smooth blend,
which also makes the webs between them. The surface is extracted with naive surface nets
(one vertex per grid cell the surface crosses, one quad per crossed grid edge), then
relaxed and projected back onto the surface: a closed, connected quad mesh (genus 0) that
subdivides smoothly.

Proportions, as fractions of hand length (wrist crease to middle fingertip), after
Garrett 1971 ("The adult human hand: some anthropometric and biomechanical
considerations", Human Factors 13(2)) and the 1988 US Army anthropometric survey (ANSUR;
Gordon et al. 1989), approximately: finger breadth at the PIP joint ~0.10 (index) to
~0.085 (little), at the DIP ~0.09 to 0.075, thumb at the IP ~0.10; wrist breadth ~0.30
and thickness ~0.18. Finger breadths are taken ~10 % under those means so that
neighbouring fingers do not touch at the rig's finger spacing (they would fuse into a
mitten). Joint positions, and so segment lengths and the palm's breadth, come from the rig
itself (the built-in rig's phalanx ratios follow Buchholz, Armstrong & Goldstein 1992,
"Anthropometric data for describing the kinematics of the human hand", Ergonomics 35(3);
a MANO take brings MANO's joints, and the skin follows them).

Skin weights blend across every joint: each vertex is softly assigned to the bone segments
it is nearest to, and within a segment blends with the neighbouring bone over a band
either side of the plane that bisects the joint, so bent knuckles and the thumb base fold
instead of collapsing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from s2c_core.hand.skeleton import FINGERS, NUM_MANO_JOINTS, finger_chain

VOXEL = 0.002  # grid step (m)
_FAR = 1.0  # distance assumed outside a primitive's bounding box (m)
_MAX_INFLUENCES = 4  # bones per vertex (what game engines expect)
_WEIGHT_STEPS = 256  # weights in whole 1/256ths (8-bit, as game engines store them)

# Radii as fractions of hand length (see the module docstring for the sources).
_FINGER_RADIUS = {  # (MCP, PIP, DIP, tip) half-breadths
    "index": (0.046, 0.044, 0.039, 0.034),
    "middle": (0.047, 0.045, 0.040, 0.035),
    "ring": (0.044, 0.042, 0.037, 0.032),
    "pinky": (0.039, 0.037, 0.033, 0.029),
}
_THUMB_RADIUS = (0.062, 0.055, 0.048, 0.040)  # CMC, MCP, IP, tip
_METACARPAL_HEAD = 1.12  # metacarpal head radius / the finger's radius at its base
_KNUCKLE_BULGE = 0.012  # metacarpal heads stand out on the back of the hand
_PALM_HALF_THICKNESS = 0.060
_WRIST_HALF_BREADTH = 0.15
_WRIST_HALF_THICKNESS = 0.09
_FOREARM_LENGTH = 0.25
_NAIL_LENGTH = 0.55  # fraction of the distal segment
_NAIL_THICKNESS = 0.0009  # m


@dataclass(frozen=True)
class HandSurface:
    """A closed quad mesh with skin weights, in the rig's canonical frame.

    vertices (V, 3); quads (F, 4) wound so normals point outward; weights (V, 16) over
    the 16 MANO joints, each row summing to 1 with at most four non-zero entries;
    nail (F,) True for the faces of the fingernails.
    """

    vertices: np.ndarray
    quads: np.ndarray
    weights: np.ndarray
    nail: np.ndarray

    def mirrored(self) -> HandSurface:
        """The other hand's surface: x negated, faces rewound to keep normals outward."""
        return HandSurface(
            self.vertices * np.array([-1.0, 1.0, 1.0]),
            self.quads[:, ::-1].copy(),
            self.weights,
            self.nail,
        )


def hand_surface(rest_joints: np.ndarray, flex_axes: np.ndarray) -> HandSurface:
    """The skinned surface of a right hand with these (21, 3) rest joints and (15, 3) axes."""
    joints = np.ascontiguousarray(rest_joints, dtype=np.float64)
    axes = np.ascontiguousarray(flex_axes, dtype=np.float64)
    return _cached_surface(joints.tobytes(), axes.tobytes())


@functools.lru_cache(maxsize=4)
def _cached_surface(joints_bytes: bytes, axes_bytes: bytes) -> HandSurface:
    joints = np.frombuffer(joints_bytes).reshape(-1, 3)
    axes = np.frombuffer(axes_bytes).reshape(-1, 3)
    layout = _Layout(joints, axes)
    shape = layout.shape()
    low, high = layout.bounds()
    vertices, quads = surface_nets(shape, low, high, VOXEL)
    vertices = _relax(vertices, quads, shape)
    weights = layout.skin_weights(vertices)
    centres = vertices[quads].mean(axis=1)
    nail = layout.nails.distance(centres) < 0.6 * VOXEL
    return HandSurface(vertices, quads, weights, nail)


# --- signed-distance shapes -------------------------------------------------------------


class _Capsule:
    """A tapered capsule from a (radius ra) to b (radius rb), optionally squashed along `up`."""

    def __init__(self, a, b, ra: float, rb: float, up=None, squash: float = 1.0) -> None:
        self.a, self.b = np.asarray(a, float), np.asarray(b, float)
        self.ra, self.rb = ra, rb
        self.up = None if up is None else np.asarray(up, float) / np.linalg.norm(up)
        self.squash = squash

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        r = max(self.ra, self.rb)
        return np.minimum(self.a, self.b) - r, np.maximum(self.a, self.b) + r

    def distance(self, points: np.ndarray, margin: float = 0.0) -> np.ndarray:
        p, a, b = points, self.a, self.b
        if self.up is not None:  # squash space along `up` about the axis
            stretch = 1.0 / self.squash - 1.0
            p = p + stretch * ((p - a) @ self.up)[:, None] * self.up
            b = b + stretch * ((b - a) @ self.up) * self.up
        ab = b - a
        t = np.clip((p - a) @ ab / (ab @ ab), 0.0, 1.0)
        radius = self.ra + (self.rb - self.ra) * t
        d = np.linalg.norm(p - (a + t[:, None] * ab), axis=1) - radius
        return d * (self.squash if self.up is not None else 1.0)


class _Ellipsoid:
    """An ellipsoid with semi-axes `radii` along the columns of `frame` (approximate SDF)."""

    def __init__(self, centre, frame: np.ndarray, radii) -> None:
        self.centre, self.frame, self.radii = np.asarray(centre, float), frame, np.asarray(radii)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        extent = np.abs(self.frame) @ self.radii
        return self.centre - extent, self.centre + extent

    def distance(self, points: np.ndarray, margin: float = 0.0) -> np.ndarray:
        local = (points - self.centre) @ self.frame
        k0 = np.linalg.norm(local / self.radii, axis=1)
        k1 = np.linalg.norm(local / self.radii**2, axis=1)
        return k0 * (k0 - 1.0) / np.maximum(k1, 1e-12)


class _Union:
    """min of the children's distances; with `blend` > 0 a smooth (polynomial) minimum."""

    def __init__(self, children: list, blend: float = 0.0) -> None:
        self.children, self.blend = children, blend

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lows, highs = zip(*(c.bounds() for c in self.children), strict=True)
        return np.min(lows, axis=0) - self.blend, np.max(highs, axis=0) + self.blend

    def distance(self, points: np.ndarray, margin: float = 0.0) -> np.ndarray:
        need = max(margin, self.blend)
        return self.combine([_culled(c, points, need) for c in self.children])

    def combine(self, distances: list[np.ndarray]) -> np.ndarray:
        result = distances[0]
        for d in distances[1:]:
            result = (
                _smooth_min(result, d, self.blend) if self.blend > 0.0 else np.minimum(result, d)
            )
        return result


def _culled(shape, points: np.ndarray, margin: float) -> np.ndarray:
    """shape's distance for points within `margin` of its bounding box (else _FAR).

    Whoever smooths a shape with others needs its true distance up to the blend width
    beyond its box, and so do the shape's own parts: the margin passes down the tree.
    """
    low, high = shape.bounds()
    inside = np.ones(len(points), dtype=bool)
    for axis in range(3):
        inside &= (points[:, axis] >= low[axis] - margin) & (points[:, axis] <= high[axis] + margin)
    out = np.full(len(points), _FAR)
    if inside.any():
        out[inside] = shape.distance(points[inside], margin)
    return out


def grid_distance(shape, axes: list[np.ndarray]) -> np.ndarray:
    """shape.distance on the grid axes[0] x axes[1] x axes[2], evaluated box by box."""
    values = np.full(tuple(len(a) for a in axes), _FAR)
    box = _box(shape, axes, 0.0)
    values[box] = _on_box(shape, axes, box, 0.0)
    return values


def _on_box(shape, axes: list[np.ndarray], box: tuple[slice, ...], margin: float) -> np.ndarray:
    """shape's values on the sub-grid `box`, children culled as in _culled."""
    if not isinstance(shape, _Union):
        points = np.meshgrid(*(a[s] for a, s in zip(axes, box, strict=True)), indexing="ij")
        flat = np.stack([p.reshape(-1) for p in points], axis=1)
        return shape.distance(flat).reshape(points[0].shape)
    need = max(margin, shape.blend)
    values = np.full(tuple(s.stop - s.start for s in box), _FAR)
    for child in shape.children:
        child_box = _box(child, axes, need)
        local = tuple(
            slice(c.start - b.start, c.stop - b.start) for c, b in zip(child_box, box, strict=True)
        )
        values[local] = shape.combine([values[local], _on_box(child, axes, child_box, need)])
    return values


def _box(shape, axes: list[np.ndarray], margin: float) -> tuple[slice, ...]:
    """Index ranges of the grid points within `margin` of shape's bounding box."""
    low, high = shape.bounds()
    low, high = low - margin, high + margin
    return tuple(
        slice(int(np.searchsorted(a, lo)), int(np.searchsorted(a, hi, side="right")))
        for a, lo, hi in zip(axes, low, high, strict=True)
    )


def _smooth_min(a: np.ndarray, b: np.ndarray, blend: float) -> np.ndarray:
    """Quilez's polynomial smooth minimum (the plain minimum where |a - b| >= blend)."""
    h = np.clip(0.5 + 0.5 * (b - a) / blend, 0.0, 1.0)
    return b + (a - b) * h - blend * h * (1.0 - h)


# --- the hand's layout -------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A bone's stretch of skin: from a to b, owned by `bone`, blending with its neighbours."""

    a: np.ndarray
    b: np.ndarray
    bone: int
    parent: int | None
    child: int | None
    band_a: float
    band_b: float
    bisector_a: np.ndarray | None
    bisector_b: np.ndarray | None


class _Layout:
    """Where the palm, pads, fingers and nails go for one set of rest joints."""

    def __init__(self, joints: np.ndarray, flex_axes: np.ndarray) -> None:
        self.joints = joints
        self.flex_axes = flex_axes
        self.wrist = joints[0]
        bases = np.array([joints[finger_chain(f)[0]] for f in FINGERS if f != "thumb"])
        self.length = float(np.linalg.norm(joints[finger_chain("middle")[3]] - self.wrist))
        forward = bases.mean(axis=0) - self.wrist
        self.forward = forward / np.linalg.norm(forward)
        across = joints[finger_chain("index")[0]] - joints[finger_chain("pinky")[0]]
        back = np.cross(self.forward, across)
        self.back = back / np.linalg.norm(back)
        self.across = np.cross(self.back, self.forward)
        self.nails = _Union([self._nail(f) for f in FINGERS])

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        low, high = self.shape().bounds()
        return low - 3 * VOXEL, high + 3 * VOXEL

    def shape(self) -> _Union:
        palm = _Union(self._palm_parts(), blend=self._r(0.35 * _PALM_HALF_THICKNESS))
        fingers = [self._finger(f) for f in FINGERS]
        return _Union([_Union([palm, _Union(fingers)], blend=self._r(0.05)), self.nails])

    def _r(self, fraction: float) -> float:
        return fraction * self.length

    def _palm_parts(self) -> list:
        j, w = self.joints, self.wrist
        parts = []
        for finger in ("index", "middle", "ring", "pinky"):
            base = j[finger_chain(finger)[0]]
            head = _METACARPAL_HEAD * self._r(_FINGER_RADIUS[finger][0])
            root = w + 0.25 * (base - w) - 0.35 * ((base - w) @ self.across) * self.across
            parts.append(_Capsule(root, base, 1.1 * head, head, self.back, squash=0.85))
            knuckle = base + self._r(_KNUCKLE_BULGE) * self.back - 0.2 * head * self.forward
            parts.append(_Ellipsoid(knuckle, self._frame(), (0.7 * head, 0.7 * head, 0.75 * head)))
        parts.append(self._palm_slab())
        parts += self._pads()
        wrist_end = w - self._r(_FOREARM_LENGTH) * self.forward
        parts.append(
            _Capsule(
                w + 0.1 * self.length * self.forward,
                wrist_end,
                self._r(_WRIST_HALF_BREADTH),
                self._r(_WRIST_HALF_BREADTH),
                self.back,
                squash=_WRIST_HALF_THICKNESS / _WRIST_HALF_BREADTH,
            )
        )
        return parts

    def _frame(self) -> np.ndarray:
        """Columns: forward, back, across (the hand's own axes)."""
        return np.stack([self.forward, self.back, self.across], axis=1)

    def _palm_slab(self) -> _Ellipsoid:
        j, w = self.joints, self.wrist
        index, pinky = j[finger_chain("index")[0]], j[finger_chain("pinky")[0]]
        centre = w + 0.5 * (0.5 * (index + pinky) - w) - self._r(0.02) * self.back
        half_breadth = 0.5 * abs((index - pinky) @ self.across) + self._r(0.03)
        return _Ellipsoid(
            centre,
            self._frame(),
            (
                0.62 * (centre - w) @ self.forward + self._r(0.05),
                self._r(_PALM_HALF_THICKNESS),
                half_breadth,
            ),
        )

    def _pads(self) -> list:
        """Thenar (around the thumb's metacarpal) and hypothenar (little-finger side) pads."""
        j, w = self.joints, self.wrist
        cmc, mcp = j[finger_chain("thumb")[0]], j[finger_chain("thumb")[1]]
        palmar = -self.back
        thenar = _Capsule(
            w + 0.25 * (cmc - w) + self._r(0.03) * palmar,
            0.6 * cmc + 0.4 * mcp + self._r(0.02) * palmar - self._r(0.02) * self.across,
            self._r(0.085),
            self._r(0.06),
        )
        pinky = j[finger_chain("pinky")[0]]
        side = (pinky - w) @ self.across
        hypothenar = _Capsule(
            w + self._r(0.08) * self.forward + 0.6 * side * self.across + self._r(0.035) * palmar,
            w + 0.8 * (pinky - w) + self._r(0.02) * palmar - 0.05 * side * self.across,
            self._r(0.07),
            self._r(0.05),
        )
        return [thenar, hypothenar]

    def _finger(self, finger: str) -> _Union:
        chain = finger_chain(finger)
        points = self.joints[list(chain)]
        radii = [self._r(r) for r in self._radii(finger)]
        tip_dir = points[3] - points[2]
        tip_dir /= np.linalg.norm(tip_dir)
        end = points[3] - radii[3] * tip_dir  # the capsule's cap reaches the fingertip
        up = self._dorsal(finger)
        # the thumb's metacarpal is round (the thenar pad wraps it); finger shafts are flatter
        flat = 1.0 if finger == "thumb" else 0.9
        parts = [
            _Capsule(points[0], points[1], radii[0], radii[1], up, squash=flat),
            _Capsule(points[1], points[2], radii[1], radii[2], up, squash=0.9),
            _Capsule(points[2], end, radii[2], radii[3], up, squash=0.85),
            # PIP/DIP (thumb MCP/IP) joints a little thicker than the shafts either side
            _Ellipsoid(points[1] + 0.06 * radii[1] * up, self._finger_frame(finger, 1),
                       (0.85 * radii[1], 0.96 * radii[1], 1.04 * radii[1])),
            _Ellipsoid(points[2] + 0.04 * radii[2] * up, self._finger_frame(finger, 2),
                       (0.8 * radii[2], 0.94 * radii[2], 1.03 * radii[2])),
            # the pulp under the fingertip
            _Ellipsoid(end - 0.4 * radii[3] * tip_dir - 0.25 * radii[3] * up,
                       self._finger_frame(finger, 3),
                       (1.5 * radii[3], 0.85 * radii[3], 0.95 * radii[3])),
        ]  # fmt: skip
        return _Union(parts, blend=0.25 * radii[2])

    def _radii(self, finger: str) -> tuple[float, ...]:
        return _THUMB_RADIUS if finger == "thumb" else _FINGER_RADIUS[finger]

    def _dorsal(self, finger: str) -> np.ndarray:
        """The back (nail side) of a finger's distal segment: direction x flexion axis."""
        chain = finger_chain(finger)
        direction = self.joints[chain[3]] - self.joints[chain[2]]
        back = np.cross(direction, self.flex_axes[chain[2] - 1])
        return back / np.linalg.norm(back)

    def _finger_frame(self, finger: str, segment: int) -> np.ndarray:
        """Columns: along the segment, dorsal, across (the segment's own axes)."""
        chain = finger_chain(finger)
        along = self.joints[chain[segment]] - self.joints[chain[segment - 1]]
        along /= np.linalg.norm(along)
        up = self._dorsal(finger)
        up = up - (up @ along) * along
        up /= np.linalg.norm(up)
        return np.stack([along, up, np.cross(along, up)], axis=1)

    def _nail(self, finger: str) -> _Ellipsoid:
        chain = finger_chain(finger)
        dip, tip = self.joints[chain[2]], self.joints[chain[3]]
        radius = self._r(self._radii(finger)[3])
        frame = self._finger_frame(finger, 3)
        along, up = frame[:, 0], frame[:, 1]
        length = _NAIL_LENGTH * np.linalg.norm(tip - dip)
        centre = tip - (0.5 * length + 0.45 * radius) * along + (0.82 * radius) * up
        return _Ellipsoid(centre, frame, (0.5 * length, _NAIL_THICKNESS + 0.18 * radius,
                                          0.78 * radius))  # fmt: skip

    # --- skin weights -----------------------------------------------------------------

    def segments(self) -> list[_Segment]:
        """Every bone's skin segments, with the bisecting planes of the joints they meet."""
        j, w = self.joints, self.wrist
        segments = [
            _Segment(w - self._r(_FOREARM_LENGTH) * self.forward, w, 0, None, None,
                     0.0, 0.0, None, None)
        ]  # fmt: skip
        for finger in FINGERS:
            chain = finger_chain(finger)
            points = [w, *(j[c] for c in chain)]
            bones = [0, *chain[:3]]
            radii = [self._r(r) for r in self._radii(finger)]
            # bands: wide at the thumb's base (the thenar pad folds), ~half a radius elsewhere
            bands = [1.4 * radii[0] if finger == "thumb" else 0.9 * radii[0],
                     0.6 * radii[1], 0.55 * radii[2]]  # fmt: skip
            for s in range(4):
                a, b = points[s], points[s + 1]
                bisector_a = self._bisector(points[s - 1], a, b) if s > 0 else None
                bisector_b = self._bisector(a, b, points[s + 2]) if s < 3 else None
                segments.append(
                    _Segment(a, b, bones[s],
                             bones[s - 1] if s > 0 else None, bones[s + 1] if s < 3 else None,
                             bands[s - 1] if s > 0 else 0.0, bands[s] if s < 3 else 0.0,
                             bisector_a, bisector_b)
                )  # fmt: skip
        return segments

    @staticmethod
    def _bisector(before: np.ndarray, joint: np.ndarray, after: np.ndarray) -> np.ndarray:
        d = (joint - before) / np.linalg.norm(joint - before)
        d += (after - joint) / np.linalg.norm(after - joint)
        return d / np.linalg.norm(d)

    def skin_weights(self, vertices: np.ndarray) -> np.ndarray:
        """(V, 16) weights: soft nearest-segment assignment times joint-plane blends."""
        segments = self.segments()
        distance = np.stack([_segment_distance(vertices, s.a, s.b) for s in segments], axis=1)
        softness = self._r(0.012)
        share = np.exp(-(distance - distance.min(axis=1, keepdims=True)) / softness)
        share /= share.sum(axis=1, keepdims=True)
        weights = np.zeros((len(vertices), NUM_MANO_JOINTS))
        for column, s in enumerate(segments):
            own = np.ones(len(vertices))
            if s.parent is not None:
                to_parent = 1.0 - _smoothstep((vertices - s.a) @ s.bisector_a / s.band_a)
                weights[:, s.parent] += share[:, column] * to_parent
                own -= to_parent
            if s.child is not None:
                to_child = _smoothstep((vertices - s.b) @ s.bisector_b / s.band_b)
                weights[:, s.child] += share[:, column] * to_child
                own -= to_child
            weights[:, s.bone] += share[:, column] * np.clip(own, 0.0, 1.0)
        return _strongest(weights, _MAX_INFLUENCES)


def _segment_distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    t = np.clip((points - a) @ ab / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(points - (a + t[:, None] * ab), axis=1)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below -1, 1 above +1, a smooth cubic between."""
    t = np.clip(0.5 * (x + 1.0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _strongest(weights: np.ndarray, count: int) -> np.ndarray:
    """Keep each row's `count` largest weights (ties broken by column), renormalised."""
    keep = np.argsort(-weights, axis=1, kind="stable")[:, :count]
    kept = np.zeros_like(weights)
    rows = np.arange(len(weights))[:, None]
    kept[rows, keep] = weights[rows, keep]
    return _quantised(kept / kept.sum(axis=1, keepdims=True))


def _quantised(weights: np.ndarray, steps: int = _WEIGHT_STEPS) -> np.ndarray:
    """Weights in whole 1/steps, each row still summing to exactly `steps` of them.

    Largest-remainder rounding; few distinct values let Blender fill a vertex group with
    one call per value instead of one per vertex.
    """
    scaled = weights * steps
    units = np.floor(scaled)
    missing = (steps - units.sum(axis=1)).astype(int)
    order = np.argsort(-(scaled - units), axis=1, kind="stable")
    rows = np.arange(len(weights))
    for k in range(weights.shape[1]):
        units[rows, order[:, k]] += k < missing
    return units / steps


# --- surface extraction --------------------------------------------------------------------


def surface_nets(
    shape, low: np.ndarray, high: np.ndarray, step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Naive surface nets of shape's zero level on a grid over [low, high].

    Returns vertices (V, 3) and outward-wound quads (F, 4). The grid must enclose the
    shape with a margin (its border cells all outside).
    """
    axes = [np.arange(lo, hi + step, step) for lo, hi in zip(low, high, strict=True)]
    values = _without_saddle_faces(grid_distance(shape, axes))
    inside = values < 0.0
    if inside[[0, -1]].any() or inside[:, [0, -1]].any() or inside[:, :, [0, -1]].any():
        raise ValueError("the grid does not enclose the shape")
    cell_vertex, vertices = _cell_vertices(axes, values, inside)
    quads = []
    for axis in range(3):
        quads.append(_edge_quads(inside, cell_vertex, axis))
    return vertices, np.concatenate(quads)


def _without_saddle_faces(values: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Grid values with no face whose corners alternate inside/outside round it.

    On such a face (two sheets of surface a sub-voxel crack apart, e.g. in the crease
    between two fingers) surface nets would put four quads on one edge. The crack is
    closed instead: the face's outside corner nearest to the surface is moved inside.
    """
    values = values.copy()
    for _ in range(rounds):
        inside = values < 0.0
        flips = []
        for u, v in ((0, 1), (1, 2), (2, 0)):
            shape = [n - (1 if axis in (u, v) else 0) for axis, n in enumerate(values.shape)]
            offsets = []
            for du, dv in ((0, 0), (1, 0), (1, 1), (0, 1)):
                offset = [0, 0, 0]
                offset[u], offset[v] = du, dv
                offsets.append(offset)
            a, b, c, d = (_corner(inside, o, shape) for o in offsets)
            saddle = (a == c) & (b == d) & (a != b)
            for face in np.argwhere(saddle):
                corners = [face + o for o in offsets]
                outside = [p for p in corners if not inside[tuple(p)]]
                flips.append(min(outside, key=lambda p: values[tuple(p)]))
        if not flips:
            return values
        for point in flips:
            values[tuple(point)] = -1e-9
    raise RuntimeError("could not remove the saddle faces from the hand's distance grid")


# The 12 edges of a cell as (corner offset, axis).
_CELL_EDGES = [
    (offset, axis)
    for axis in range(3)
    for offset in [
        tuple(int(o) for o in np.insert(np.array(pair), axis, 0))
        for pair in ((0, 0), (1, 0), (0, 1), (1, 1))
    ]
]


def _cell_vertices(
    axes: list[np.ndarray], values: np.ndarray, inside: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One vertex per surface cell at the mean of its edge crossings; cell -> vertex index."""
    shape = tuple(n - 1 for n in values.shape)
    corners = [_corner(inside, offset, shape) for offset in np.ndindex(2, 2, 2)]
    surface = np.any(corners, axis=0) & ~np.all(corners, axis=0)
    cells = np.argwhere(surface)
    total = np.zeros((len(cells), 3))
    count = np.zeros(len(cells))
    step = np.array([a[1] - a[0] for a in axes])
    origin = np.array([a[0] for a in axes])
    for offset, axis in _CELL_EDGES:
        start = cells + offset
        v0 = values[tuple(start.T)]
        end = start.copy()
        end[:, axis] += 1
        v1 = values[tuple(end.T)]
        crossing = (v0 < 0.0) != (v1 < 0.0)
        t = np.where(crossing, v0 / np.where(crossing, v0 - v1, 1.0), 0.0)
        point = origin + start * step
        point[:, axis] += t * step[axis]
        total += np.where(crossing[:, None], point, 0.0)
        count += crossing
    cell_vertex = np.full(shape, -1, dtype=np.int64)
    cell_vertex[surface] = np.arange(len(cells))
    return cell_vertex, total / count[:, None]


def _corner(array: np.ndarray, offset, shape) -> np.ndarray:
    return array[tuple(slice(o, o + n) for o, n in zip(offset, shape, strict=True))]


def _edge_quads(inside: np.ndarray, cell_vertex: np.ndarray, axis: int) -> np.ndarray:
    """A quad around every grid edge along `axis` that the surface crosses."""
    u, v = (axis + 1) % 3, (axis + 2) % 3  # (u, v, axis) is right-handed
    start = inside.take(range(inside.shape[axis] - 1), axis=axis)
    end = inside.take(range(1, inside.shape[axis]), axis=axis)
    crossed = np.argwhere(start != end)
    # edges on the grid border have fewer than four cells; the border is outside, so none
    crossed = crossed[(crossed[:, u] > 0) & (crossed[:, v] > 0)]
    outward = start[tuple(crossed.T)]  # inside -> outside along +axis
    ring = []
    for du, dv in ((-1, -1), (0, -1), (0, 0), (-1, 0)):
        cell = crossed.copy()
        cell[:, u] += du
        cell[:, v] += dv
        ring.append(cell_vertex[tuple(cell.T)])
    quads = np.stack(ring, axis=1)
    quads[~outward] = quads[~outward, ::-1]
    return quads


def _relax(vertices: np.ndarray, quads: np.ndarray, shape, rounds: int = 3) -> np.ndarray:
    """Even out the quads (Laplacian steps) and put every vertex back on the surface."""
    neighbours = np.concatenate([quads[:, [0, 1]], quads[:, [1, 2]], quads[:, [2, 3]],
                                 quads[:, [3, 0]]])  # fmt: skip
    degree = np.bincount(neighbours[:, 0], minlength=len(vertices)).astype(float)
    for _ in range(rounds):
        mean = np.zeros_like(vertices)
        np.add.at(mean, neighbours[:, 0], vertices[neighbours[:, 1]])
        vertices = 0.5 * vertices + 0.5 * mean / degree[:, None]
        vertices = _project(vertices, shape)
    return vertices


def _project(points: np.ndarray, shape) -> np.ndarray:
    """One Newton step along the distance gradient (forward differences) onto the zero level."""
    h = 0.05 * VOXEL
    d = shape.distance(points)
    gradient = np.stack([shape.distance(points + h * e) - d for e in np.eye(3)], axis=1) / h
    norm2 = np.maximum((gradient**2).sum(axis=1), 1e-6)
    return points - (d / norm2)[:, None] * gradient
