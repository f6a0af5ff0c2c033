"""Install S2C Hands into a user's Blender (4.4+): backend environment + add-on extension.

    python scripts/install_into_blender.py [--blender PATH] [--python PYTHON] [--venv DIR]
    python scripts/install_into_blender.py --uninstall [--blender PATH]
    python scripts/install_into_blender.py --build-zip DIR     # for Install from Disk

What it does, each step skipped when already done:
1. finds Blender (--blender, $BLENDER, PATH, the usual install folders);
2. creates the backend venv (s2c_core, torch, ...) with --python, or reuses it when it already
   has this s2c_core version. Blender's own Python never gets torch;
3. stages the extension: the blender_addon package + manifest, plus a pure-Python wheel of
   the numpy-only s2c_core modules the add-on imports (found by following its imports), listed
   in the manifest's `wheels`. Blender installs that wheel into its extension site-packages,
   so the repo keeps one copy of the source and `import s2c_core.motion` works in Blender;
4. runs Blender in the background with this same file, which copies the extension into the
   "user_default" extensions repository, enables it, stores the backend Python in the add-on
   preferences and saves the preferences. `install_extension` / `uninstall_extension` are
   plain functions, so tests call them inside the `bpy` module without a Blender executable.
"""

from __future__ import annotations

import argparse
import ast
import base64
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ADDON_DIR = REPO_ROOT / "blender_addon"
CORE_DIR = REPO_ROOT / "s2c_core"
EXTENSION_ID = "s2c_hands"
REPO_MODULE = "user_default"  # the extensions repository every Blender 4.2+ user has
MODULE_NAME = f"bl_ext.{REPO_MODULE}.{EXTENSION_ID}"
BLENDER_SIDE = "--blender-side"
MIN_BLENDER = (4, 4, 0)
# What the add-on may need besides s2c_core inside Blender: numpy ships with Blender.
BLENDER_PROVIDED = frozenset({"numpy", "bpy", "mathutils", "addon_utils", "bl_ui"})


class InstallError(RuntimeError):
    """A step failed; the message says which and what to do."""


# ---------------------------------------------------------------------------------------
# Finding Blender


def blender_candidates() -> list[str]:
    """Usual install locations on this OS, newest version first where there are several."""
    home = Path.home()
    if sys.platform == "win32":
        roots = [os.environ.get("PROGRAMFILES", r"C:\Program Files")]
        patterns = [
            str(Path(root, "Blender Foundation", "Blender*", "blender.exe")) for root in roots
        ]
    elif sys.platform == "darwin":
        patterns = ["/Applications/Blender*.app/Contents/MacOS/Blender",
                    str(home / "Applications/Blender*.app/Contents/MacOS/Blender")]  # fmt: skip
    else:
        patterns = ["/usr/bin/blender", "/usr/local/bin/blender", "/snap/bin/blender",
                    "/opt/blender*/blender", str(home / "blender*/blender")]  # fmt: skip
    found = [path for pattern in patterns for path in glob.glob(pattern)]
    return sorted(found, key=_version_key, reverse=True)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path)[:3])


def find_blender(explicit: str | None = None) -> Path:
    """--blender, then $BLENDER, then PATH, then the usual install folders."""
    for candidate in (explicit, os.environ.get("BLENDER"), shutil.which("blender")):
        if candidate:
            if not Path(candidate).is_file():
                raise InstallError(f"no Blender executable at {candidate}")
            return Path(candidate)
    if candidates := blender_candidates():
        return Path(candidates[0])
    raise InstallError("Blender not found: pass --blender PATH or set BLENDER")


# ---------------------------------------------------------------------------------------
# The backend environment


def default_venv_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "s2c-hands" / "backend"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def core_version() -> str:
    text = (CORE_DIR / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def installed_core_version(python: Path) -> str | None:
    # Run outside the repo so the checkout itself is not what gets imported.
    probe = subprocess.run(
        [str(python), "-c", "import s2c_core; print(s2c_core.__version__)"],
        capture_output=True, text=True, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    return probe.stdout.strip() if probe.returncode == 0 else None


TRANSCRIBER_PACKAGES = ("basic-pitch==0.4.0", "transkun==2.0.1")
COMPILE_AHEAD = "from s2c_core.engines.midi.compile_ahead import compile_ahead; compile_ahead()"


def ensure_backend_env(venv: Path, base_python: str) -> Path:
    """Create the venv if missing and install this checkout unless already installed."""
    python = venv_python(venv)
    if not python.is_file():
        _run([base_python, "-m", "venv", str(venv)], f"create the backend env in {venv}")
        print(f"created backend env {venv}")
    if installed_core_version(python) == core_version():
        print(f"reusing backend env {venv} (s2c_core {core_version()})")
        return python
    _run([str(python), "-m", "pip", "install", "--upgrade", str(REPO_ROOT)],
         "install s2c_core and its dependencies into the backend env")  # fmt: skip
    # The transcribers' packages carry their weights but declare dependencies that pin
    # other frameworks (tensorflow, torchaudio); what their code needs comes with s2c_core.
    _run([str(python), "-m", "pip", "install", "--no-deps", *TRANSCRIBER_PACKAGES],
         "install the audio transcribers into the backend env")  # fmt: skip
    # numba compiles the MIDI engine's kernels on first use (about 20 s, then cached in the
    # env): done here, the first Generate Hands does not wait for it. Run outside the repo,
    # so the env's installed copy is the one compiled.
    _run([str(python), "-c", COMPILE_AHEAD], "compile the MIDI engine in the backend env",
         cwd=tempfile.gettempdir())  # fmt: skip
    print(f"installed s2c_core {core_version()} into {venv}")
    return python


def _run(argv: Sequence[str], what: str, cwd: str | None = None) -> None:
    if subprocess.run(list(argv), cwd=cwd).returncode != 0:
        raise InstallError(f"could not {what}: {' '.join(map(str, argv))} failed")


# ---------------------------------------------------------------------------------------
# The s2c_core subset the add-on imports, as a wheel


def _imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of the modules `path` (in `package`) imports, at any depth."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join([*base, *filter(None, [node.module])])
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return names


def _module_file(name: str) -> Path | None:
    """s2c_core.x.y -> its file in the checkout, or None (a name that is not a module)."""
    base = CORE_DIR.joinpath(*name.split(".")[1:])
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def core_modules_for_addon() -> list[Path]:
    """Files of every s2c_core module the add-on imports, directly or through each other.

    Raises InstallError if one of them needs a package Blender does not have (torch, ...):
    the add-on must stay importable in Blender's own Python.
    """
    pending = [name for path in ADDON_DIR.glob("*.py") for name in _imported_modules(path, "")]
    files: dict[str, Path] = {}
    while pending:
        name = pending.pop()
        if name.split(".")[0] != "s2c_core" or name in files:
            continue
        path = _module_file(name)
        if path is None:
            continue
        files[name] = path
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        pending += [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
        pending += sorted(_imported_modules(path, package))
        _check_blender_safe(path.relative_to(REPO_ROOT), _imported_modules(path, package))
    return sorted(set(files.values()))


def _check_blender_safe(path: Path, imports: Iterable[str]) -> None:
    allowed = set(sys.stdlib_module_names) | BLENDER_PROVIDED | {"s2c_core", "__future__"}
    foreign = sorted({name.split(".")[0] for name in imports} - allowed)
    if foreign:
        raise InstallError(
            f"{path.as_posix()} imports {', '.join(foreign)}, which Blender's "
            "Python does not have; the add-on may only use numpy-only s2c_core modules"
        )


def build_core_wheel(dest: Path) -> Path:
    """A pure-Python wheel of `core_modules_for_addon()` (PEP 427 layout, with RECORD)."""
    version = core_version()
    dist_info = f"s2c_core-{version}.dist-info"
    entries = {
        path.relative_to(REPO_ROOT).as_posix(): path.read_bytes()
        for path in core_modules_for_addon()
    }
    entries[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: s2c_core\nVersion: {version}\n"
        "Summary: numpy-only s2c_core modules for the S2C Hands Blender add-on\n"
    ).encode()
    entries[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: s2c-hands install_into_blender\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in entries.items()]
    entries[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,", ""]).encode()
    wheel = dest / f"s2c_core-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# ---------------------------------------------------------------------------------------
# The extension folder


def build_extension(stage: Path) -> Path:
    """Stage the extension in `stage/s2c_hands`: add-on modules, manifest, core wheel."""
    target = stage / EXTENSION_ID
    shutil.rmtree(target, ignore_errors=True)
    (target / "wheels").mkdir(parents=True)
    for path in ADDON_DIR.glob("*.py"):
        shutil.copy2(path, target / path.name)
    wheel = build_core_wheel(target / "wheels")
    manifest = (ADDON_DIR / "blender_manifest.toml").read_text(encoding="utf-8")
    (target / "blender_manifest.toml").write_text(
        with_wheels(manifest, [f"./wheels/{wheel.name}"]), encoding="utf-8"
    )
    return target


def with_wheels(manifest: str, wheels: list[str]) -> str:
    """`manifest` with a top-level wheels list (before the first table, where TOML needs it)."""
    line = "wheels = [" + ", ".join(json.dumps(wheel) for wheel in wheels) + "]\n"
    match = re.search(r"^\[", manifest, flags=re.MULTILINE)
    at = match.start() if match else len(manifest)
    return manifest[:at] + line + "\n" + manifest[at:]


def build_zip(out_dir: Path) -> Path:
    """The extension as a .zip for Blender's "Install from Disk"."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as stage:
        folder = build_extension(Path(stage))
        archive = shutil.make_archive(
            str(out_dir / f"{EXTENSION_ID}-{core_version()}"), "zip", folder
        )
    return Path(archive)


# ---------------------------------------------------------------------------------------
# Inside Blender (called in Blender's Python, or in the bpy module by the tests)


def user_repo_dir() -> Path:
    import bpy

    for repo in bpy.context.preferences.extensions.repos:
        if repo.module == REPO_MODULE:
            return Path(repo.directory)
    raise InstallError(f"this Blender has no '{REPO_MODULE}' extensions repository")


def install_extension(source: Path, backend_python: str | None) -> list[str]:
    """Copy the staged extension into the user repository, enable it, set and save prefs."""
    import addon_utils
    import bpy

    if bpy.app.version < MIN_BLENDER:
        raise InstallError(f"Blender {bpy.app.version_string} is too old: S2C Hands needs 4.4+")
    done = []
    target = user_repo_dir() / EXTENSION_ID
    if MODULE_NAME in bpy.context.preferences.addons:
        addon_utils.disable(MODULE_NAME, default_set=True)
        done.append("disabled the installed version")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    done.append(f"copied the extension to {target}")
    errors: list[Exception] = []
    if addon_utils.enable(MODULE_NAME, default_set=True, handle_error=errors.append) is None:
        raise InstallError(f"Blender could not enable {MODULE_NAME}: {errors or 'unknown error'}")
    done.append(f"enabled {MODULE_NAME}")
    if backend_python:
        bpy.context.preferences.addons[MODULE_NAME].preferences.backend_python = backend_python
        done.append(f"set Backend Python to {backend_python}")
    bpy.ops.wm.save_userpref()
    return [*done, "saved the preferences"]


def uninstall_extension() -> list[str]:
    """Disable and remove the extension and its wheel; save the preferences."""
    import addon_utils
    import bpy

    done = []
    if MODULE_NAME in bpy.context.preferences.addons:
        addon_utils.disable(MODULE_NAME, default_set=True)
        done.append(f"disabled {MODULE_NAME}")
    target = user_repo_dir() / EXTENSION_ID
    if target.exists():
        shutil.rmtree(target)
        done.append(f"removed {target}")
    # Drops the s2c_core wheel from Blender's extension site-packages now nothing uses it.
    addon_utils.extensions_refresh(ensure_wheels=True)
    bpy.ops.wm.save_userpref()
    return [*done, "saved the preferences"] if done else ["S2C Hands was not installed"]


def blender_side(payload: dict) -> list[str]:
    """The entry point inside Blender: do what `payload` asks and print each step."""
    if payload["action"] == "install":
        done = install_extension(Path(payload["source"]), payload.get("backend_python"))
    else:
        done = uninstall_extension()
    for line in done:
        print(f"[blender] {line}")
    return done


def run_in_blender(blender: Path, payload: dict) -> None:
    argv = [str(blender), "--background", "--python-exit-code", "1", "--python", __file__,
            "--", BLENDER_SIDE, json.dumps(payload)]  # fmt: skip
    _run(argv, f"{payload['action']} the add-on with {blender}")


# ---------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blender", help="Blender executable (default: $BLENDER, PATH, ...)")
    parser.add_argument("--python", default=sys.executable,
                        help="Python 3.11 that creates the backend venv")  # fmt: skip
    parser.add_argument("--venv", type=Path, default=default_venv_dir(),
                        help="backend venv folder (default: %(default)s)")  # fmt: skip
    parser.add_argument("--uninstall", action="store_true", help="remove the add-on")
    parser.add_argument("--build-zip", type=Path, metavar="DIR",
                        help="only write the extension .zip for Install from Disk")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.build_zip:
            print(f"wrote {build_zip(args.build_zip)}")
            return 0
        blender = find_blender(args.blender)
        print(f"using Blender {blender}")
        if args.uninstall:
            run_in_blender(blender, {"action": "uninstall"})
            print(f"the backend env in {args.venv} was left in place; delete it to free space")
            return 0
        python = ensure_backend_env(args.venv, args.python)
        with tempfile.TemporaryDirectory() as stage:
            source = build_extension(Path(stage))
            run_in_blender(blender, {"action": "install", "source": str(source),
                                     "backend_python": str(python)})  # fmt: skip
    except InstallError as exc:
        print(f"install_into_blender: error: {exc}", file=sys.stderr)
        return 1
    print("done: open Blender, press N in the 3D view and pick the 'S2C Hands' tab")
    return 0


if __name__ == "__main__":
    if BLENDER_SIDE in sys.argv:  # started by run_in_blender, inside Blender's Python
        blender_side(json.loads(sys.argv[sys.argv.index(BLENDER_SIDE) + 1]))
    else:
        sys.exit(main())
