"""Small bpy data-API helpers shared by the piano and hand builders (no bpy.ops)."""

from __future__ import annotations

from collections.abc import Sequence

import bpy
import numpy as np


def ensure_collection(scene: bpy.types.Scene, name: str) -> bpy.types.Collection:
    """The collection `name` linked under the scene's master collection (created if missing)."""
    collection = bpy.data.collections.get(name) or bpy.data.collections.new(name)
    if collection.name not in scene.collection.children:
        scene.collection.children.link(collection)
    return collection


def ensure_material(
    name: str, rgba: tuple[float, float, float, float], roughness: float = 0.5
) -> bpy.types.Material:
    """A Principled material (reused by name) whose colour also shows in the solid viewport."""
    material = bpy.data.materials.get(name)
    if material is not None:
        return material
    material = bpy.data.materials.new(name)
    material.diffuse_color = rgba
    material.roughness = roughness
    # New materials carry a Principled BSDF node tree in Blender 4.2+; FBX/glTF read it.
    bsdf = material.node_tree.nodes.get("Principled BSDF") if material.node_tree else None
    if bsdf is not None:
        bsdf.inputs["Base Color"].default_value = rgba
        bsdf.inputs["Roughness"].default_value = roughness
    return material


def mesh_from_arrays(
    name: str, vertices: np.ndarray, faces: Sequence[Sequence[int]], *, smooth: bool = False
) -> bpy.types.Mesh:
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(np.asarray(vertices, dtype=float).tolist(), [], [list(f) for f in faces])
    mesh.validate()
    if smooth:
        mesh.shade_smooth()
    mesh.update()
    return mesh


def boxes_mesh(
    name: str, boxes: Sequence[tuple[Sequence[float], Sequence[float]]]
) -> bpy.types.Mesh:
    """One mesh made of axis-aligned boxes, each given as (min corner, max corner)."""
    vertices, faces = [], []
    for low, high in boxes:
        base = len(vertices)
        vertices += [
            (x, y, z)
            for z in (low[2], high[2])
            for y in (low[1], high[1])
            for x in (low[0], high[0])
        ]
        faces += [tuple(base + i for i in quad) for quad in _BOX_QUADS]
    return mesh_from_arrays(name, np.array(vertices), faces)


# Outward-facing quads of a box whose 8 corners are ordered x fastest, then y, then z.
_BOX_QUADS = (
    (0, 2, 3, 1),  # bottom
    (4, 5, 7, 6),  # top
    (0, 1, 5, 4),  # front (-y)
    (2, 6, 7, 3),  # back (+y)
    (0, 4, 6, 2),  # left (-x)
    (1, 3, 7, 5),  # right (+x)
)


def new_object(
    collection: bpy.types.Collection,
    name: str,
    data: bpy.types.ID | None,
    *,
    parent: bpy.types.Object | None = None,
) -> bpy.types.Object:
    obj = bpy.data.objects.new(name, data)
    collection.objects.link(obj)
    if parent is not None:
        obj.parent = parent
    return obj
