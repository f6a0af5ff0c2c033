"""S2C Hands Blender add-on: registration only.

Importing this package has no side effects and does not import bpy, so `backend.py` and
`python -m blender_addon.headless` work anywhere; the UI modules load in `register()`.
The metadata is in blender_manifest.toml (Blender 4.4+ extension).
"""

from __future__ import annotations

import importlib

_MODULES = ("properties", "preferences", "operators", "model_download", "retarget_operators", "ui")


def _classes() -> list[type]:
    # Property groups first: preferences and panels refer to them when they register.
    modules = [importlib.import_module(f".{name}", __package__) for name in _MODULES]
    return [cls for module in modules for cls in module.CLASSES]


def register() -> None:
    import bpy

    from .properties import register_properties

    for cls in _classes():
        bpy.utils.register_class(cls)
    register_properties()


def unregister() -> None:
    import bpy

    from .properties import unregister_properties

    unregister_properties()
    for cls in reversed(_classes()):
        bpy.utils.unregister_class(cls)
