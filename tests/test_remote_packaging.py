"""The three distributions: one version, and each builds.

``flopscope`` (the library, with the ``server`` extra and the
``flopscope-server`` command), ``flopscope-client`` (``client/``) and the
``flopscope-server`` metapackage (``server/``) are released in lockstep.
These tests read the three ``pyproject.toml`` files and the two
``__version__`` strings, then build all three wheels into a temporary
directory (from copies, so the repository stays clean) and look inside.
"""

from __future__ import annotations

import ast
import email
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import flopscope

tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+")

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = {
    "flopscope": ROOT,
    "flopscope-client": ROOT / "client",
    "flopscope-server": ROOT / "server",
}
_IGNORED = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", ".pytest_cache")


def _project(path: Path) -> dict:
    with open(path / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]


def _client_version() -> str:
    tree = ast.parse((ROOT / "client" / "flopscope" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "__version__" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError("client/flopscope/__init__.py defines no __version__")


def test_the_three_distributions_share_one_version():
    versions = {name: _project(path)["version"] for name, path in PROJECTS.items()}
    assert set(versions) == {"flopscope", "flopscope-client", "flopscope-server"}
    assert {_project(p)["name"] for p in PROJECTS.values()} == set(PROJECTS)
    version = versions["flopscope"]
    assert versions == dict.fromkeys(PROJECTS, version)
    assert flopscope.__version__ == version
    assert _client_version() == version
    assert _project(PROJECTS["flopscope-server"])["dependencies"] == [
        f"flopscope[server]=={version}"
    ]


def test_dependencies_are_as_promised():
    library = _project(ROOT)
    assert any(dep.startswith("pyzmq") for dep in library["optional-dependencies"]["server"])
    assert not any(
        dep.startswith("pyzmq") for dep in library["dependencies"]
    )  # the core stays light
    assert library["scripts"]["flopscope-server"] == "flopscope.server.__main__:main"
    client = _project(PROJECTS["flopscope-client"])
    assert [dep.split(">")[0].split("=")[0] for dep in client["dependencies"]] == ["pyzmq"]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three wheels, built with ``pip wheel --no-deps`` from copies of the sources."""
    base = tmp_path_factory.mktemp("build")
    out = base / "wheels"
    built = {}
    for name, path in PROJECTS.items():
        source = base / name
        if name == "flopscope":  # the library: its metadata files and its package only
            source.mkdir()
            for item in ("pyproject.toml", "README.md"):
                if (path / item).exists():
                    shutil.copy(path / item, source / item)
            shutil.copytree(path / "flopscope", source / "flopscope", ignore=_IGNORED)
        else:
            shutil.copytree(path, source, ignore=_IGNORED)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--quiet",
                "-w",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0 and "Could not find a version that satisfies" in result.stderr:
            pytest.skip(f"no build backend available offline: {result.stderr[-300:]}")
        assert result.returncode == 0, result.stderr
        (wheel,) = out.glob(f"{name.replace('-', '_')}-*.whl")
        built[name] = wheel
    return built


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_string(zf.read(name).decode())


def test_all_three_wheels_build_at_one_version(wheels: dict[str, Path]):
    version = flopscope.__version__
    for name, wheel in wheels.items():
        assert wheel.name.startswith(f"{name.replace('-', '_')}-{version}-"), wheel.name
        assert _metadata(wheel)["Version"] == version


def test_wheel_contents(wheels: dict[str, Path]):
    with zipfile.ZipFile(wheels["flopscope"]) as zf:
        names = zf.namelist()
        assert "flopscope/server/__main__.py" in names and "flopscope/server/protocol.py" in names
        entry_points = zf.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        assert "flopscope-server = flopscope.server.__main__:main" in entry_points
    with zipfile.ZipFile(wheels["flopscope-client"]) as zf:
        names = zf.namelist()
        assert "flopscope/__init__.py" in names and "flopscope/numpy/__init__.py" in names
        assert not any(n.startswith("flopscope/server/") for n in names)
        for name in names:
            if name.endswith(".py"):
                text = zf.read(name).decode()
                assert "import numpy" not in text and "from numpy " not in text, name
    assert _metadata(wheels["flopscope-client"]).get_all("Requires-Dist") == ["pyzmq>=25"]
    server = _metadata(wheels["flopscope-server"])
    assert server.get_all("Requires-Dist") == [f"flopscope[server]=={flopscope.__version__}"]
    with zipfile.ZipFile(wheels["flopscope-server"]) as zf:
        assert not [
            n for n in zf.namelist() if not n.startswith("flopscope_server-")
        ]  # no code of its own


def _client_errors():
    """The numpy-free client's ``flopscope.errors``, loaded under another name beside the library."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "flopscope_client_errors", ROOT / "client" / "flopscope" / "errors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_client_errors_construct_like_the_librarys():
    """A harness (the contest client) builds these itself, in remote mode too."""
    import flopscope as flops

    client = _client_errors()
    for errors in (flops, client):
        budget = errors.BudgetExhaustedError("subprocess_predict", flop_cost=0, flops_remaining=0)
        assert (budget.op_name, budget.flop_cost, budget.flops_remaining) == (
            "subprocess_predict", 0, 0)
        time = errors.TimeExhaustedError("subprocess_predict", elapsed_s=0.0, limit_s=0.0)
        assert (time.op_name, time.elapsed_s, time.limit_s) == ("subprocess_predict", 0.0, 0.0)
    library = flops.TimeExhaustedError("exp", elapsed_s=2.013, limit_s=2.0, when="before")
    remote = client.TimeExhaustedError("exp", elapsed_s=2.013, limit_s=2.0, when="before")
    assert str(library) == str(remote) == "wall-clock limit of 2s passed (2.013s elapsed) before exp"
    rebuilt = client.TimeExhaustedError(str(library))  # how the client rebuilds a server's error
    assert str(rebuilt) == str(library) and rebuilt.op_name is None
