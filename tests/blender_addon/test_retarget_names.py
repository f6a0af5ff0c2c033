"""Finding a character's hand bones by naming convention, and mapping presets (no bpy)."""

import re

import pytest

from blender_addon.retarget_names import (
    SLOTS,
    BoneMapping,
    MappingError,
    find_mapping,
    load_preset,
    save_preset,
    validate_mapping,
)
from tests.blender_addon.character_rigs import bone_specs

EXPECTED = {
    "mixamo": ("Mixamo", "mixamorig:LeftHandIndex1", "mixamorig:RightHandThumb1"),
    "unreal": ("Unreal mannequin", "index_01_l", "thumb_01_r"),
    "unity": ("Unity humanoid / VRM", "LeftIndexProximal", "RightThumbProximal"),
    "mpfb": ("MPFB / MakeHuman", "finger2-1.L", "finger1-1.R"),
    "arp": ("Auto-Rig Pro", "index1.l", "thumb1.r"),
}
RIGIFY = [
    "root", "MCH-hand_fk.L", "ORG-hand.L", "DEF-f_index.01.L", "palm.L",
    *(f"{n}.{s}" for s in "LR" for n in (
        "upper_arm_fk", "forearm_fk", "hand_fk", "upper_arm_ik", "hand_ik",
        *(f"{f}.0{i}" for f in ("f_index", "f_middle", "f_ring", "f_pinky", "thumb")
          for i in (1, 2, 3)),
        "f_index.01_master",
    )),
]  # fmt: skip


def names_and_parents(convention: str) -> tuple[list[str], dict[str, str | None]]:
    specs = bone_specs(convention, 1.0)
    return [name for name, _, _ in specs], {name: parent for name, parent, _ in specs}


@pytest.mark.parametrize("convention", sorted(EXPECTED))
def test_each_convention_is_found_and_its_helpers_left_alone(convention):
    names, parents = names_and_parents(convention)
    mapping = find_mapping(names, "rig")
    kind, left_index, right_thumb = EXPECTED[convention]
    assert mapping.convention == kind
    assert mapping.bone("left", "index1") == left_index
    assert mapping.bone("right", "thumb1") == right_thumb
    mapped = {bone for hand in mapping.bones.values() for bone in hand.values()}
    assert len(mapped) == 2 * len(SLOTS)
    helpers = re.compile(r".*(twist|metacarpal|_base|arm02|Index4|Thumb4).*")
    assert not any(helpers.match(bone) for bone in mapped)
    assert any(helpers.match(name) for name in names) == (convention != "unity")
    validate_mapping(mapping, parents, "rig")


def test_rigify_keys_fk_controls_not_deform_or_mechanism_bones():
    mapping = find_mapping(RIGIFY, "rig")
    assert mapping.convention == "Rigify"
    assert mapping.bone("left", "wrist") == "hand_fk.L"
    assert mapping.bone("right", "middle2") == "f_middle.02.R"
    assert mapping.bone("left", "upper_arm") == "upper_arm_fk.L"


@pytest.mark.parametrize("prefix", ["", "mixamorig1:", "Armature|mixamorig:"])
def test_mixamo_any_namespace(prefix):
    names = [n.replace("mixamorig:", prefix) for n in names_and_parents("mixamo")[0]]
    assert find_mapping(names, "rig").bone("right", "pinky3") == f"{prefix}RightHandPinky3"


def test_vrm_lower_camel_case_and_metacarpal_thumbs():
    names = [n[0].lower() + n[1:] for n in names_and_parents("unity")[0]]
    names = [n.replace("ThumbProximal", "ThumbMetacarpal") for n in names]
    names = [n.replace("ThumbIntermediate", "ThumbProximal") for n in names]
    mapping = find_mapping(names, "rig")
    assert mapping.bone("left", "thumb1") == "leftThumbMetacarpal"
    assert mapping.bone("left", "thumb2") == "leftThumbProximal"
    assert mapping.bone("left", "pinky2") == "leftLittleIntermediate"


def test_two_bone_thumbs_map_to_segments_two_and_three():
    names = [n for n in names_and_parents("unreal")[0] if not n.startswith("thumb_03")]
    mapping = find_mapping(names, "rig")
    assert mapping.bone("left", "thumb1") is None
    assert (mapping.bone("left", "thumb2"), mapping.bone("left", "thumb3")) == (
        "thumb_01_l",
        "thumb_02_l",
    )


def test_a_missing_bone_is_named():
    names = [n for n in names_and_parents("mixamo")[0] if n != "mixamorig:LeftHandRing2"]
    with pytest.raises(MappingError) as error:
        find_mapping(names, "armature 'Hero'")
    assert str(error.value) == (
        "armature 'Hero': Mixamo rig without the left ring segment 2 bone 'LeftHandRing2'"
    )


def test_an_armature_without_hands():
    with pytest.raises(MappingError, match="armature 'Cube': no hand bones found"):
        find_mapping(["Bone", "Bone.001", "spine", "head"], "armature 'Cube'")


def test_an_ambiguous_bone_is_named():
    names = names_and_parents("mixamo")[0] + ["other:LeftHandIndex1"]
    with pytest.raises(MappingError, match="'LeftHandIndex1' is ambiguous"):
        find_mapping(names, "rig")


def test_two_complete_conventions_are_ambiguous():
    names = names_and_parents("mixamo")[0] + names_and_parents("unreal")[0]
    with pytest.raises(MappingError, match="match both Mixamo and Unreal mannequin"):
        find_mapping(names, "rig")


def test_preset_round_trip_and_validation(tmp_path):
    names, parents = names_and_parents("arp")
    mapping = find_mapping(names, "rig")
    path = save_preset(tmp_path / "arp.json", mapping)
    loaded = load_preset(path)
    assert loaded == mapping
    loaded.bones["left"]["ring2"] = "ring_two.l"
    with pytest.raises(MappingError, match="left ring segment 2 bone 'ring_two.l' is not in"):
        validate_mapping(loaded, parents, "rig")
    del loaded.bones["left"]["ring2"]
    with pytest.raises(MappingError, match="no bone mapped for the left ring segment 2"):
        validate_mapping(loaded, parents, "rig")


def test_a_chain_out_of_order_is_refused():
    names, parents = names_and_parents("unreal")
    mapping = find_mapping(names, "rig")
    swapped = {**mapping.bones["right"], "index2": "index_03_r", "index3": "index_02_r"}
    with pytest.raises(MappingError, match="'index_02_r' is not below 'index_03_r'"):
        validate_mapping(BoneMapping("x", {**mapping.bones, "right": swapped}), parents, "rig")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not a JSON mapping preset"),
        ('{"format": "x"}', "not a bone mapping preset"),
        ('{"format": "s2c-bone-mapping", "bones": {"left": {}}}', "exactly 'left' and 'right'"),
        (
            '{"format": "s2c-bone-mapping", "bones": {"left": {"elbow": "x"}, "right": {}}}',
            "left bones must map slots",
        ),
    ],
)
def test_bad_presets(tmp_path, content, message):
    path = tmp_path / "preset.json"
    path.write_text(content)
    with pytest.raises(MappingError, match=message) as error:
        load_preset(path)
    assert str(error.value).startswith(str(path))
    with pytest.raises(MappingError, match="not found"):
        load_preset(tmp_path / "none.json")
