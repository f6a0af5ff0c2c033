"""Which bones of a character's armature are its hands: naming conventions and presets.

No bpy here: the functions take bone names (and, for validation, the parent of each) so
they can be tested on plain lists. A `BoneMapping` names, per hand, the bone of each MANO
joint (the wrist and index1..thumb3: segment 1 of a finger is its proximal phalanx, of the
thumb its metacarpal) and the arm's two bones (upper arm, forearm) that carry the wrist.

Conventions, and what is keyed in each (metacarpals of the fingers, twist and helper
bones, and in Rigify the DEF-/ORG-/MCH- bones are never touched):

- Rigify (generated rig): FK controls `upper_arm_fk.L`, `forearm_fk.L`, `hand_fk.L`,
  `f_index.01.L`..`f_index.03.L` (`f_middle`, `f_ring`, `f_pinky`), `thumb.01.L`..03.
- Mixamo: `mixamorig:LeftArm`, `LeftForeArm`, `LeftHand`, `LeftHandIndex1`..3,
  `LeftHandThumb1`..3 (any prefix, e.g. `mixamorig1:` or none).
- Unreal mannequin: `upperarm_l`, `lowerarm_l`, `hand_l`, `index_01_l`..`_03_l`,
  `thumb_01_l`..; UE5's `*_metacarpal_l` left alone.
- Unity humanoid / VRM: `LeftUpperArm`, `LeftLowerArm`, `LeftHand`, `LeftIndexProximal`,
  `...Intermediate`, `...Distal` (`Little` for the pinky), thumb `LeftThumbProximal`..
  `Distal`, or VRM 1.0's `LeftThumbMetacarpal`, `Proximal`, `Distal`; any case, any prefix.
- MPFB / MakeHuman: `upperarm01.L`, `lowerarm01.L`, `wrist.L`, `finger2-1.L`..`finger2-3.L`
  (1 thumb .. 5 little finger).
- Auto-Rig Pro: controls `c_arm_fk.l`, `c_forearm_fk.l`, `c_hand_fk.l`, `c_index1.l`..3,
  `c_thumb1.l`..3 when present, else the exported names `arm.l`, `forearm.l`, `hand.l`,
  `index1.l`...

A hand whose thumb has only two bones maps them to thumb2 and thumb3 and leaves thumb1
unmapped. Fingertips are the tails of the last finger bones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from s2c_core.hand.skeleton import FINGERS

SIDES = ("left", "right")
ARM_SLOTS = ("upper_arm", "forearm")
HAND_SLOTS: tuple[str, ...] = ("wrist", *(f"{f}{s}" for f in FINGERS for s in (1, 2, 3)))
SLOTS: tuple[str, ...] = (*ARM_SLOTS, *HAND_SLOTS)
OPTIONAL_SLOTS = frozenset({"thumb1"})  # a two-bone thumb has no metacarpal bone
PRESET_FORMAT = "s2c-bone-mapping"
PRESET_VERSION = 1


class MappingError(ValueError):
    """No usable hand bones: one line naming the armature or file and the bone."""


@dataclass(frozen=True)
class BoneMapping:
    convention: str
    bones: dict[str, dict[str, str]] = field(default_factory=dict)  # side -> slot -> bone

    def bone(self, side: str, slot: str) -> str | None:
        return self.bones.get(side, {}).get(slot)

    def to_json(self) -> dict:
        return {
            "format": PRESET_FORMAT,
            "version": PRESET_VERSION,
            "convention": self.convention,
            "bones": {side: dict(self.bones[side]) for side in SIDES},
        }


# Candidate names per (side, slot), most preferred first. `{L}` is the side's letter in
# the convention's spelling, `{Side}` its word.
_FINGER_WORDS = {
    "unity": {"index": "Index", "middle": "Middle", "ring": "Ring", "pinky": "Little"},
    "mpfb": {"thumb": 1, "index": 2, "middle": 3, "ring": 4, "pinky": 5},
}
_UNITY_SEGMENTS = ("Proximal", "Intermediate", "Distal")


def _rigify(side: str, slot: str) -> list[str]:
    s = "L" if side == "left" else "R"
    fixed = {"upper_arm": "upper_arm_fk", "forearm": "forearm_fk", "wrist": "hand_fk"}
    if slot in fixed:
        return [f"{fixed[slot]}.{s}"]
    finger, segment = slot[:-1], slot[-1]
    stem = "thumb" if finger == "thumb" else f"f_{finger}"
    return [f"{stem}.0{segment}.{s}"]


def _mixamo(side: str, slot: str) -> list[str]:
    word = side.capitalize()
    fixed = {"upper_arm": "Arm", "forearm": "ForeArm", "wrist": "Hand"}
    if slot in fixed:
        return [f"{word}{fixed[slot]}"]
    return [f"{word}Hand{slot[:-1].capitalize()}{slot[-1]}"]


def _unreal(side: str, slot: str) -> list[str]:
    s = side[0]
    fixed = {"upper_arm": "upperarm", "forearm": "lowerarm", "wrist": "hand"}
    if slot in fixed:
        return [f"{fixed[slot]}_{s}"]
    return [f"{slot[:-1]}_0{slot[-1]}_{s}"]


def _unity(side: str, slot: str) -> list[str]:
    word = side.capitalize()
    fixed = {"upper_arm": "UpperArm", "forearm": "LowerArm", "wrist": "Hand"}
    if slot in fixed:
        return [f"{word}{fixed[slot]}"]
    finger, segment = slot[:-1], int(slot[-1])
    if finger == "thumb":  # Unity: Proximal/Intermediate/Distal; VRM 1.0: Metacarpal/...
        unity = f"{word}Thumb{_UNITY_SEGMENTS[segment - 1]}"
        vrm = f"{word}Thumb{('Metacarpal', 'Proximal', 'Distal')[segment - 1]}"
        return [vrm, unity] if segment == 1 else [unity, vrm]
    return [f"{word}{_FINGER_WORDS['unity'][finger]}{_UNITY_SEGMENTS[segment - 1]}"]


def _mpfb(side: str, slot: str) -> list[str]:
    s = "L" if side == "left" else "R"
    fixed = {"upper_arm": "upperarm01", "forearm": "lowerarm01", "wrist": "wrist"}
    if slot in fixed:
        return [f"{fixed[slot]}.{s}"]
    return [f"finger{_FINGER_WORDS['mpfb'][slot[:-1]]}-{slot[-1]}.{s}"]


def _auto_rig_pro(side: str, slot: str) -> list[str]:
    s = side[0]
    fixed = {"upper_arm": "arm", "forearm": "forearm", "wrist": "hand"}
    if slot in fixed:
        return [f"c_{fixed[slot]}_fk.{s}", f"{fixed[slot]}.{s}"]
    return [f"c_{slot}.{s}", f"{slot}.{s}"]


@dataclass(frozen=True)
class Convention:
    name: str
    candidates: Callable[[str, str], list[str]]
    any_prefix: bool = False  # names may carry a namespace prefix ("mixamorig:")
    any_case: bool = False


CONVENTIONS: tuple[Convention, ...] = (
    Convention("Rigify", _rigify),
    Convention("Mixamo", _mixamo, any_prefix=True),
    Convention("Unreal mannequin", _unreal),
    Convention("Unity humanoid / VRM", _unity, any_prefix=True, any_case=True),
    Convention("MPFB / MakeHuman", _mpfb),
    Convention("Auto-Rig Pro", _auto_rig_pro),
)


def _lookup(convention: Convention, names: list[str], wanted: str, where: str) -> str | None:
    """The bone called `wanted` in this convention's spelling; ambiguity is an error."""
    if wanted in names:
        return wanted
    if not (convention.any_prefix or convention.any_case):
        return None
    flags = re.IGNORECASE if convention.any_case else 0
    prefix = r"(?:.*[:_.|])?" if convention.any_prefix else ""
    pattern = re.compile(f"{prefix}{re.escape(wanted)}", flags)
    found = [name for name in names if pattern.fullmatch(name)]
    if len(found) > 1:
        raise MappingError(
            f"{where}: bone {wanted!r} is ambiguous ({', '.join(repr(n) for n in found)}); "
            "pick one in the mapping table"
        )
    return found[0] if found else None


def _match(convention: Convention, names: list[str], where: str) -> tuple[dict, list]:
    """(side -> slot -> bone, [(side, slot, first candidate) of each missing slot])."""
    bones: dict[str, dict[str, str]] = {side: {} for side in SIDES}
    for side in SIDES:
        for slot in SLOTS:
            candidates = convention.candidates(side, slot)
            found = next(
                filter(None, (_lookup(convention, names, c, where) for c in candidates)), None
            )
            if found:
                bones[side][slot] = found
        _two_bone_thumb(bones[side])
    missing = [
        (side, slot, convention.candidates(side, slot)[0])
        for side in SIDES
        for slot in SLOTS
        if slot not in bones[side] and slot not in OPTIONAL_SLOTS
    ]
    return bones, missing


def _two_bone_thumb(hand: dict[str, str]) -> None:
    """A thumb found as only segments 1 and 2 has two bones: they are thumb2 and thumb3."""
    if "thumb1" in hand and "thumb2" in hand and "thumb3" not in hand:
        hand["thumb3"], hand["thumb2"] = hand["thumb2"], hand.pop("thumb1")


def find_mapping(bone_names: Iterable[str], where: str) -> BoneMapping:
    """The hand bones of an armature (named `where` in messages) by naming convention."""
    names = list(bone_names)
    best: tuple[int, Convention, list] | None = None
    complete = []
    for convention in CONVENTIONS:
        bones, missing = _match(convention, names, where)
        if not missing:
            complete.append(BoneMapping(convention.name, bones))
        found = sum(len(hand) for hand in bones.values())
        if best is None or found > best[0]:
            best = (found, convention, missing)
    if len(complete) > 1:
        kinds = " and ".join(m.convention for m in complete)
        raise MappingError(f"{where}: bone names match both {kinds}; load a mapping preset")
    if complete:
        return complete[0]
    found, convention, missing = best
    if found < 4:
        known = ", ".join(c.name for c in CONVENTIONS)
        raise MappingError(
            f"{where}: no hand bones found (supported: {known}; or load a mapping preset)"
        )
    side, slot, name = missing[0]
    more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
    raise MappingError(
        f"{where}: {convention.name} rig without the {side} {_slot_words(slot)} bone {name!r}{more}"
    )


def validate_mapping(mapping: BoneMapping, parents: Mapping[str, str | None], where: str) -> None:
    """Every required slot names a bone that exists; each finger's bones form a chain under
    the wrist bone; the wrist hangs under the forearm, the forearm under the upper arm."""
    for side in SIDES:
        hand = mapping.bones.get(side, {})
        for slot in SLOTS:
            bone = hand.get(slot)
            if not bone:
                if slot in OPTIONAL_SLOTS:
                    continue
                raise MappingError(f"{where}: no bone mapped for the {side} {_slot_words(slot)}")
            if bone not in parents:
                raise MappingError(
                    f"{where}: the {side} {_slot_words(slot)} bone {bone!r} is not in the armature"
                )
        chains = [("wrist", "forearm"), ("forearm", "upper_arm")]
        chains += [(f"{f}{s}", f"{f}{s - 1}") for f in FINGERS for s in (2, 3)]
        chains += [(f"{f}1", "wrist") for f in FINGERS]
        for child, parent in chains:
            if child == "thumb1" and not hand.get("thumb1"):
                continue
            if parent == "thumb1" and not hand.get("thumb1"):
                parent = "wrist"
            if not _descends(hand[child], hand[parent], parents):
                raise MappingError(
                    f"{where}: the {side} {_slot_words(child)} bone {hand[child]!r} is not "
                    f"below {hand[parent]!r} in the hierarchy"
                )


def _descends(bone: str, ancestor: str, parents: Mapping[str, str | None]) -> bool:
    seen = set()
    current = parents.get(bone)
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _slot_words(slot: str) -> str:
    if slot in ("upper_arm", "forearm", "wrist"):
        return {"upper_arm": "upper arm", "forearm": "forearm", "wrist": "hand"}[slot]
    return f"{slot[:-1]} segment {slot[-1]}"


def save_preset(path: str | Path, mapping: BoneMapping) -> Path:
    path = Path(path)
    path.write_text(json.dumps(mapping.to_json(), indent=1))
    return path


def load_preset(path: str | Path) -> BoneMapping:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise MappingError(f"{path}: mapping preset not found") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(f"{path}: not a JSON mapping preset ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != PRESET_FORMAT:
        raise MappingError(f"{path}: not a bone mapping preset (format is not {PRESET_FORMAT!r})")
    bones = data.get("bones")
    if not isinstance(bones, dict) or set(bones) != set(SIDES):
        raise MappingError(f"{path}: 'bones' must hold exactly 'left' and 'right'")
    for side in SIDES:
        hand = bones[side]
        if not isinstance(hand, dict) or not all(
            isinstance(v, str) and k in SLOTS for k, v in hand.items()
        ):
            raise MappingError(f"{path}: {side} bones must map slots {SLOTS} to bone names")
    return BoneMapping(str(data.get("convention") or "preset"), bones)
