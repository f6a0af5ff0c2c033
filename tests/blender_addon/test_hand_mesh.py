"""hand_mesh: a closed, connected, outward-wound quad surface with blended skin weights."""

from __future__ import annotations

import numpy as np
import pytest

from blender_addon import hand_mesh
from s2c_core.hand.rig import builtin_rig
from s2c_core.hand.skeleton import FINGERS, NUM_MANO_JOINTS, finger_chain


def right_surface(scale: float = 1.0) -> hand_mesh.HandSurface:
    rig = builtin_rig("right")
    return hand_mesh.hand_surface(rig.rest_joints * scale, rig.flex_axes)


def directed_edges(quads: np.ndarray) -> np.ndarray:
    return np.concatenate([quads[:, [i, (i + 1) % 4]] for i in range(4)])


def components(vertex_count: int, quads: np.ndarray) -> int:
    """Connected parts of the mesh (union-find over its edges)."""
    parent = np.arange(vertex_count)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in directed_edges(quads):
        parent[root(a)] = root(b)
    return len({root(i) for i in range(vertex_count)})


@pytest.mark.parametrize("scale", [1.0, 1.15])  # the built-in hand and a larger (MANO) one
def test_surface_is_one_closed_sphere_like_quad_mesh(scale):
    surface = right_surface(scale)
    quads, count = surface.quads, len(surface.vertices)
    edges = directed_edges(quads)
    # every edge used exactly once in each direction: closed, 2-manifold, consistently wound
    forward = np.unique(edges, axis=0)
    assert len(forward) == len(edges)
    np.testing.assert_array_equal(forward, np.unique(edges[:, ::-1], axis=0))
    assert np.all(np.sort(quads, axis=1)[:, 1:] != np.sort(quads, axis=1)[:, :-1])
    assert np.array_equal(np.unique(quads), np.arange(count))  # no unused vertices
    assert count - len(edges) // 2 + len(quads) == 2  # genus 0: no tunnels between fingers
    assert components(count, quads) == 1


def test_surface_encloses_the_joints_and_reaches_the_fingertips():
    rig = builtin_rig("right")
    surface = right_surface()
    for finger in FINGERS:
        chain = finger_chain(finger)
        tip = rig.rest_joints[chain[3]]
        # the skin reaches the rig's fingertip within a couple of millimetres
        assert np.linalg.norm(surface.vertices - tip, axis=1).min() < 0.003
    inside = hand_mesh._Layout(rig.rest_joints, rig.flex_axes).shape().distance(rig.rest_joints)
    assert np.all(inside[:NUM_MANO_JOINTS] < 0.0)


def test_weights_are_normalised_blended_and_limited_to_four_bones():
    surface = right_surface()
    weights = surface.weights
    assert weights.shape == (len(surface.vertices), NUM_MANO_JOINTS)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-9)
    assert np.all((weights > 0).sum(axis=1) <= 4)
    assert np.all(weights.max(axis=0) > 0.99)  # every bone owns some skin outright
    blended = (weights > 0).sum(axis=1) >= 2
    assert 0.2 < blended.mean() < 0.8  # joints blend; segments' middles stay rigid


def test_weights_change_smoothly_across_a_knuckle():
    """Along the back of the index finger the MCP's weight falls off over millimetres."""
    rig = builtin_rig("right")
    surface = right_surface()
    mcp = rig.rest_joints[finger_chain("index")[0]]
    strip = np.abs(surface.vertices[:, 2] - mcp[2]) < 0.002
    strip &= surface.vertices[:, 1] > mcp[1]  # the back of the hand
    strip &= np.abs(surface.vertices[:, 0] - mcp[0]) < 0.015
    order = np.argsort(surface.vertices[strip, 0])
    index1 = surface.weights[strip][order, finger_chain("index")[0]]
    assert index1[0] > 0.9 and index1[-1] < 0.1  # fingerwards -> wristwards
    assert np.abs(np.diff(index1)).max() < 0.35


def test_each_finger_has_a_nail_on_its_back():
    rig = builtin_rig("right")
    surface = right_surface()
    centres = surface.vertices[surface.quads[surface.nail]].mean(axis=1)
    for finger in FINGERS:
        chain = finger_chain(finger)
        dip, tip = rig.rest_joints[chain[2]], rig.rest_joints[chain[3]]
        near = np.linalg.norm(centres - 0.5 * (dip + tip), axis=1) < 0.6 * np.linalg.norm(tip - dip)
        assert near.sum() > 10, finger


def test_the_left_surface_mirrors_the_right_with_outward_faces():
    right = right_surface()
    left = right.mirrored()
    np.testing.assert_allclose(left.vertices[:, 0], -right.vertices[:, 0])
    np.testing.assert_array_equal(left.quads, right.quads[:, ::-1])
    np.testing.assert_array_equal(left.weights, right.weights)


def test_surface_nets_of_a_sphere_is_a_closed_round_mesh():
    ball = hand_mesh._Ellipsoid(np.zeros(3), np.eye(3), (0.01, 0.01, 0.01))
    vertices, quads = hand_mesh.surface_nets(ball, np.full(3, -0.012), np.full(3, 0.012), 0.001)
    radius = np.linalg.norm(vertices, axis=1)
    assert np.all(np.abs(radius - 0.01) < 0.001)  # within a voxel before relaxing
    assert len(vertices) - len(quads) * 2 + len(quads) == 2  # V - E + F of a sphere


def test_surface_nets_refuses_a_grid_that_cuts_the_shape():
    ball = hand_mesh._Ellipsoid(np.zeros(3), np.eye(3), (0.01, 0.01, 0.01))
    with pytest.raises(ValueError, match="does not enclose"):
        hand_mesh.surface_nets(ball, np.full(3, -0.005), np.full(3, 0.012), 0.001)
