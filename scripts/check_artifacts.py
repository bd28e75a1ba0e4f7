#!/usr/bin/env python3
"""Checks a release artifact's contents and metadata before it goes into dist/ (scripts/release).

    scripts/check_artifacts.py crate FILE --version V
    scripts/check_artifacts.py wheel FILE --version V --arch x86_64|aarch64
    scripts/check_artifacts.py sdist FILE --version V
    scripts/check_artifacts.py npm FILE --version V
    scripts/check_artifacts.py collection FILE --version V

Each check reads the archive itself (no tool installs it) and lists every problem it finds, then
exits 1; nothing is printed but one `ok:` line when the artifact is as it should be. What is
checked: the files each artifact must ship (its code, README and licences, the metadata its
registry reads, the one version), what must not be in it (tests' output, caches, build folders,
other artifacts), and for crates that no packaged file reaches outside the package (an
`include_str!`, `#[path]` or `CARGO_MANIFEST_DIR` path into the repository, which would not
build or test from the registry). Python 3.11 or later (tomllib); standard library only.
Its own tests: scripts/tests/test_check_artifacts.py (scripts/test runs them).
"""

from __future__ import annotations

import argparse
import email.message
import email.parser
import fnmatch
import json
import posixpath
import re
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10 and older
    sys.exit("check_artifacts.py needs Python 3.11 or later (tomllib)")

# What never belongs in an artifact, wherever it sits (fnmatch on each path and on each of its
# components).
NEVER = [
    "__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox",
    ".git", ".gitignore", ".DS_Store", "node_modules", "target", "*.log", "*.swp", "*~",
    "*.orig", "*.rej", ".stamp", "*.whl", "*.crate", "*.tgz",
]
# Per kind, besides NEVER (fnmatch on the path inside the artifact's top folder).
NEVER_BY_KIND = {
    "crate": ["tests/output/*", "fuzz/*", "*.so"],
    "wheel": ["saltext/tests/*", "*/tests/*", "ansible_collections/*"],
    "sdist": ["python/tests/*", "python/bench/*", "saltext/tests/*", "*ansible_collections/*", "*.so",
              "wasm/*", "cli/*"],
    "npm": ["test/*", "bench/*", "dist/.stamp", "*.tsbuildinfo", "tsconfig.json", "package-lock.json"],
    "collection": ["tests/output/*", "tests/integration/integration_config.yml", "changelogs/.plugin-cache.yaml",
                   "*.tar.gz", ".gitignore"],
}
# A file in an artifact is at most this big (the .wasm and the native module are the big ones).
MAX_FILE_BYTES = {"crate": 1 << 20, "wheel": 16 << 20, "sdist": 1 << 20, "npm": 4 << 20, "collection": 1 << 20}
# A wheel is at most this big (python/README.md, "Size"): 2.80 MB on 2026-12-03 for x86_64, the
# emulator included (+0.32 MB); the budget leaves about 10 % for the core to grow.
WHEEL_BUDGET_BYTES = 3 << 20

ELF_MACHINE = {"x86_64": 0x3E, "aarch64": 0xB7}
CRATE_KEYS = ["name", "version", "description", "license", "repository", "readme", "keywords", "categories",
              "rust-version", "edition"]


def pep440(version: str) -> str:
    """Cargo's 0.2.0-rc.1 as Python's 0.2.0rc1 (what maturin writes)."""
    return re.sub(r"-(alpha|beta|rc)\.(\d+)$",
                  lambda m: {"alpha": "a", "beta": "b", "rc": "rc"}[m[1]] + m[2], version)


@dataclass
class Archive:
    """An artifact's regular files (path inside it -> bytes), read once."""

    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)  # links, devices: never wanted

    @classmethod
    def read(cls, path: Path) -> Archive:
        archive = cls(path.name)
        if path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    if not info.is_dir():
                        archive.files[info.filename] = z.read(info)
        else:
            with tarfile.open(path, "r:*") as t:
                for member in t.getmembers():
                    if member.isfile():
                        extracted = t.extractfile(member)
                        archive.files[member.name] = extracted.read() if extracted else b""
                    elif not member.isdir():
                        archive.others.append(member.name)
        return archive


class Problems(list[str]):
    def need(self, condition: object, message: str) -> bool:
        if not condition:
            self.append(message)
        return bool(condition)


def strip_top(archive: Archive, top: str, problems: Problems) -> dict[str, bytes]:
    """The files under the one top folder `top/` (every file must be there)."""
    inside = {}
    for name, data in archive.files.items():
        if name.startswith(top + "/"):
            inside[name[len(top) + 1:]] = data
        else:
            problems.append(f"{name} is outside the top folder {top}/")
    return inside


def check_unwanted(kind: str, files: dict[str, bytes], others: list[str], problems: Problems) -> None:
    for name in others:
        problems.append(f"{name} is not a regular file (a link?): archives ship files")
    for name, data in sorted(files.items()):
        parts = name.split("/")
        for pattern in NEVER:
            if any(fnmatch.fnmatch(part, pattern) for part in parts) and not (kind == "crate" and name == "Cargo.toml.orig"):
                problems.append(f"{name} must not ship (matches {pattern!r})")
                break
        else:
            for pattern in NEVER_BY_KIND[kind]:
                if fnmatch.fnmatch(name, pattern):
                    problems.append(f"{name} must not ship (matches {pattern!r})")
                    break
        if len(data) > MAX_FILE_BYTES[kind]:
            problems.append(f"{name} is {len(data)} bytes, over the {MAX_FILE_BYTES[kind]} a file of a {kind} may be")


def check_licences(files: dict[str, bytes], wanted: dict[str, str], problems: Problems) -> None:
    """wanted: path -> a phrase its text must contain."""
    for path, phrase in wanted.items():
        if problems.need(path in files, f"{path} is missing (the licence must ship)"):
            problems.need(phrase.encode() in files[path], f"{path} does not read like the {phrase} licence")


# -- crates ---------------------------------------------------------------------------------------

# Paths a packaged Rust file reads at build or test time: include_str!/include_bytes!("…"),
# #[path = "…"], and Path::new(env!("CARGO_MANIFEST_DIR")).join("…").
INCLUDE = re.compile(r'include_(?:str|bytes)!\(\s*"([^"]+)"\s*\)')
PATH_ATTR = re.compile(r'#\[path\s*=\s*"([^"]+)"\]')
MANIFEST_JOIN = re.compile(r'env!\("CARGO_MANIFEST_DIR"\)\s*\)?\s*\.join\(\s*"([^"]+)"\s*\)')


def outside_references(files: dict[str, bytes]) -> list[str]:
    """Each packaged file's reference to a file or folder the package does not hold."""
    found = []
    folders = {posixpath.dirname(n) for n in files} | {""}
    folders |= {"/".join(f.split("/")[:i]) for f in folders for i in range(1, f.count("/") + 1)}
    for name, data in files.items():
        if not name.endswith(".rs"):
            continue
        text = data.decode("utf-8", "replace")
        here = posixpath.dirname(name)
        refs = [(m, here) for m in INCLUDE.findall(text) + PATH_ATTR.findall(text)]
        refs += [(m, "") for m in MANIFEST_JOIN.findall(text)]
        for ref, base in refs:
            target = posixpath.normpath(posixpath.join(base, ref))
            if target.startswith("../") or target == ".." or (target not in files and target not in folders):
                found.append(f"{name} reads {ref!r}, which is not in the package ({target})")
    return found


def check_crate(path: Path, version: str) -> Problems:
    problems = Problems()
    match = re.fullmatch(r"(.+)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\.crate", path.name)
    if not match:
        problems.append(f"{path.name} is not named NAME-VERSION.crate")
        return problems
    name, file_version = match.groups()
    problems.need(file_version == version, f"{path.name}: version {file_version}, not {version}")
    archive = Archive.read(path)
    files = strip_top(archive, f"{name}-{file_version}", problems)
    check_unwanted("crate", files, archive.others, problems)
    for wanted in ["Cargo.toml", "Cargo.toml.orig", ".cargo_vcs_info.json", "README.md"]:
        problems.need(wanted in files, f"{wanted} is missing")
    problems.need("src/lib.rs" in files or "src/main.rs" in files, "neither src/lib.rs nor src/main.rs is there")
    check_licences(files, {"LICENSE-MIT": "MIT License", "LICENSE-APACHE": "Apache License"}, problems)
    problems.need(len(files.get("README.md", b"")) > 200, "README.md is (nearly) empty")
    if "Cargo.toml" in files:
        manifest = tomllib.loads(files["Cargo.toml"].decode())
        package = manifest.get("package", {})
        for key in CRATE_KEYS:
            problems.need(package.get(key), f"Cargo.toml: package.{key} is missing or empty")
        problems.need(package.get("name") == name, f"Cargo.toml: name {package.get('name')!r}, not {name!r}")
        problems.need(package.get("version") == version, f"Cargo.toml: version {package.get('version')!r}, not {version}")
        problems.need(package.get("license") == "MIT OR Apache-2.0", f"Cargo.toml: license {package.get('license')!r}")
        problems.need(package.get("readme") in files, f"Cargo.toml: readme {package.get('readme')!r} is not in the package")
        problems.need(len(package.get("keywords", [])) <= 5, "Cargo.toml: crates.io takes at most 5 keywords")
        problems.need(package.get("publish", True) is not False, "Cargo.toml: publish = false")
        for table in ("dependencies", "dev-dependencies", "build-dependencies"):
            for dep, spec in manifest.get(table, {}).items():
                if isinstance(spec, dict):
                    problems.need("path" not in spec and "git" not in spec, f"Cargo.toml: {table}.{dep} is not from the registry")
                    if dep.startswith("rackconnect") and "version" in spec:
                        wanted = spec["version"].lstrip("^=")
                        problems.need(wanted == version, f"Cargo.toml: {table}.{dep} asks for {spec['version']}, not {version}")
    problems.extend(outside_references(files))
    return problems


# -- Python ---------------------------------------------------------------------------------------

WHEEL_FILES = [
    "rackconnect/__init__.py", "rackconnect/_native.pyi", "rackconnect/aio.py", "rackconnect/exceptions.py",
    "rackconnect/types.py", "rackconnect/py.typed", "rackconnect/testing.py", "rackconnect/pytest_plugin.py",
    "rackconnect/emulator.py", "saltext/rackconnect/__init__.py", "saltext/rackconnect/README.md",
    "saltext/rackconnect/modules/rackconnect_mod.py", "saltext/rackconnect/states/rackconnect_mod.py",
    "saltext/rackconnect/beacons/rackconnect_mod.py", "saltext/rackconnect/grains/rackconnect_mod.py",
    "saltext/rackconnect/utils/rackconnect.py",
]


def metadata(text: bytes) -> email.message.Message:
    return email.parser.BytesParser().parsebytes(text)


def check_core_metadata(meta: email.message.Message, version: str, problems: Problems, where: str) -> None:
    problems.need(meta.get("Name") == "rackconnect", f"{where}: Name {meta.get('Name')!r}")
    problems.need(meta.get("Version") == pep440(version), f"{where}: Version {meta.get('Version')!r}, not {pep440(version)}")
    problems.need(meta.get("License-Expression") == "MIT OR Apache-2.0", f"{where}: License-Expression {meta.get('License-Expression')!r}")
    problems.need(meta.get("Requires-Python") == ">=3.9", f"{where}: Requires-Python {meta.get('Requires-Python')!r}")
    problems.need("aio" in (meta.get_all("Provides-Extra") or []), f"{where}: no extra aio")
    problems.need(meta.get("Summary"), f"{where}: no Summary")
    problems.need(any("Repository" in url for url in meta.get_all("Project-URL") or []), f"{where}: no Repository URL")
    problems.need(len(meta.get_payload() or "") > 500, f"{where}: no long description (the README)")


def elf_machine(data: bytes) -> tuple[int, int] | None:
    """(ELF class, e_machine) of an ELF file's header, or None."""
    if len(data) < 20 or data[:4] != b"\x7fELF":
        return None
    order = "little" if data[5] == 1 else "big"
    return data[4], int.from_bytes(data[18:20], order)


def check_wheel(path: Path, version: str, arch: str) -> Problems:
    problems = Problems()
    v = pep440(version)
    # abi3 for CPython 3.9 and later; manylinux2014 (glibc 2.17), under both its names, in either order.
    match = re.fullmatch(rf"rackconnect-{re.escape(v)}-cp39-abi3-(.+)\.whl", path.name)
    platforms = set(match.group(1).split(".")) if match else set()
    problems.need(platforms == {f"manylinux2014_{arch}", f"manylinux_2_17_{arch}"},
                  f"{path.name}: expected rackconnect-{v}-cp39-abi3-manylinux2014_{arch}.manylinux_2_17_{arch}.whl")
    size = path.stat().st_size
    problems.need(size <= WHEEL_BUDGET_BYTES, f"{path.name}: {size} bytes, over the budget of {WHEEL_BUDGET_BYTES}")
    archive = Archive.read(path)
    files = archive.files
    check_unwanted("wheel", files, archive.others, problems)
    for wanted in WHEEL_FILES:
        problems.need(wanted in files, f"{wanted} is missing")
    natives = [n for n in files if n.endswith(".so")]
    problems.need(natives == ["rackconnect/_native.abi3.so"], f"native modules {natives}, not rackconnect/_native.abi3.so alone")
    if "rackconnect/_native.abi3.so" in files:
        header = elf_machine(files["rackconnect/_native.abi3.so"])
        problems.need(header == (2, ELF_MACHINE[arch]),
                      f"rackconnect/_native.abi3.so is not a 64-bit {arch} ELF (class, machine: {header})")
    info = f"rackconnect-{v}.dist-info"
    if problems.need(f"{info}/METADATA" in files, f"{info}/METADATA is missing"):
        check_core_metadata(metadata(files[f"{info}/METADATA"]), version, problems, "METADATA")
    wheel = files.get(f"{info}/WHEEL", b"").decode()
    for tag in (f"manylinux2014_{arch}", f"manylinux_2_17_{arch}"):
        problems.need(f"Tag: cp39-abi3-{tag}\n" in wheel, f"WHEEL lacks the tag cp39-abi3-{tag}")
    problems.need("Root-Is-Purelib: false" in wheel, "WHEEL: Root-Is-Purelib must be false")
    entry_points = files.get(f"{info}/entry_points.txt", b"").decode()
    problems.need(re.search(r"(?ms)^\[salt\.loader\]\s*\n\s*saltext\.rackconnect\s*=\s*saltext\.rackconnect", entry_points),
                  "entry_points.txt lacks the salt.loader entry point saltext.rackconnect")
    problems.need(re.search(r"(?ms)^\[pytest11\]\s*\n\s*rackconnect\s*=\s*rackconnect\.pytest_plugin", entry_points),
                  "entry_points.txt lacks the pytest11 entry point rackconnect")
    problems.need(re.search(r"(?ms)^\[console_scripts\]\s*\n\s*rackconnect-emulator\s*=\s*rackconnect\.emulator:main",
                            entry_points),
                  "entry_points.txt lacks the console script rackconnect-emulator")
    check_licences(files, {f"{info}/licenses/LICENSE-MIT": "MIT License", f"{info}/licenses/LICENSE-APACHE": "Apache License"}, problems)
    problems.need(f"{info}/RECORD" in files, "RECORD is missing")
    return problems


def check_sdist(path: Path, version: str) -> Problems:
    problems = Problems()
    top = f"rackconnect-{pep440(version)}"
    problems.need(path.name == f"{top}.tar.gz", f"{path.name}: expected {top}.tar.gz")
    archive = Archive.read(path)
    files = strip_top(archive, top, problems)
    check_unwanted("sdist", files, archive.others, problems)
    # What building needs: the Python build's inputs and every crate it builds from, by path.
    for wanted in ["PKG-INFO", "pyproject.toml", "Cargo.toml", "Cargo.lock", "README.md", "python/Cargo.toml",
                   "python/src/lib.rs", "core/Cargo.toml", "core/src/lib.rs", "core/README.md", "emulator/Cargo.toml",
                   "emulator/src/lib.rs", "emulator/scenarios/default.json", *WHEEL_FILES]:
        problems.need(wanted in files, f"{wanted} is missing")
    check_licences(files, {"LICENSE-MIT": "MIT License", "LICENSE-APACHE": "Apache License"}, problems)
    if "PKG-INFO" in files:
        check_core_metadata(metadata(files["PKG-INFO"]), version, problems, "PKG-INFO")
    if "Cargo.toml" in files:
        members = tomllib.loads(files["Cargo.toml"].decode()).get("workspace", {}).get("members", [])
        for member in members:
            problems.need(f"{member}/Cargo.toml" in files, f"the workspace member {member} is not in the sdist")
    return problems


# -- npm ------------------------------------------------------------------------------------------

NPM_FILES = [
    "package.json", "README.md", "index.d.ts", "types.d.ts", "init.d.ts", "src/index.js", "src/node.js", "src/browser.js",
    "src/init.js", "src/api.js", "src/client.js", "src/driver.js", "src/errors.js", "dist/rackconnect_wasm.js",
    "dist/rackconnect_wasm_bg.wasm",
    # rackconnect/emulator: the emulator's engine, a .wasm of its own.
    "emulator.d.ts", "src/emulator/node.js", "src/emulator/browser.js", "src/emulator/emulator.js",
    "dist/rackconnect_emulator.js", "dist/rackconnect_emulator_bg.wasm",
]
NPM_WASM = ["dist/rackconnect_wasm_bg.wasm", "dist/rackconnect_emulator_bg.wasm"]


def check_npm(path: Path, version: str) -> Problems:
    problems = Problems()
    problems.need(path.name == f"rackconnect-{version}.tgz", f"{path.name}: expected rackconnect-{version}.tgz")
    archive = Archive.read(path)
    files = strip_top(archive, "package", problems)
    check_unwanted("npm", files, archive.others, problems)
    for wanted in NPM_FILES:
        problems.need(wanted in files, f"{wanted} is missing")
    check_licences(files, {"LICENSE-MIT": "MIT License", "LICENSE-APACHE": "Apache License"}, problems)
    for wasm in NPM_WASM:
        if wasm in files:
            problems.need(files[wasm][:4] == b"\0asm", f"{wasm} is not WebAssembly")
    if "package.json" in files:
        package = json.loads(files["package.json"])
        problems.need(package.get("name") == "rackconnect", f"package.json: name {package.get('name')!r}")
        problems.need(package.get("version") == version, f"package.json: version {package.get('version')!r}, not {version}")
        problems.need(package.get("license") == "MIT OR Apache-2.0", f"package.json: license {package.get('license')!r}")
        problems.need(not package.get("dependencies"), "package.json: the package has no runtime dependencies")
        problems.need(package.get("repository"), "package.json: no repository")
        targets: list[str] = []

        def collect(value: object) -> None:
            if isinstance(value, str):
                targets.append(value)
            elif isinstance(value, dict):
                for inner in value.values():
                    collect(inner)

        collect(package.get("exports", {}))
        collect(package.get("types"))
        for target in targets:
            normal = posixpath.normpath(target)
            problems.need(normal in files, f"package.json points at {target}, which is not in the tarball")
    return problems


# -- Ansible --------------------------------------------------------------------------------------

COLLECTION_FILES = [
    "MANIFEST.json", "FILES.json", "README.md", "CHANGELOG.rst", "changelogs/changelog.yaml", "changelogs/config.yaml",
    "meta/runtime.yml", "meta/execution-environment.yml", "requirements.txt",
    "plugins/modules/automation_info.py", "plugins/modules/automation_wait.py", "plugins/modules/server_wait.py",
    "plugins/modules/rcv3_info.py", "plugins/modules/rcv3_pool_member.py", "plugins/modules/rcv3_public_ip.py",
]


def check_collection(path: Path, version: str) -> Problems:
    problems = Problems()
    problems.need(path.name == f"rackconnect-rackconnect-{version}.tar.gz",
                  f"{path.name}: expected rackconnect-rackconnect-{version}.tar.gz")
    archive = Archive.read(path)
    files = {n.removeprefix("./"): d for n, d in archive.files.items()}
    check_unwanted("collection", files, archive.others, problems)
    for wanted in COLLECTION_FILES:
        problems.need(wanted in files, f"{wanted} is missing")
    check_licences(files, {"LICENSES/MIT.txt": "MIT License", "LICENSES/Apache-2.0.txt": "Apache License"}, problems)
    if "MANIFEST.json" in files:
        info = json.loads(files["MANIFEST.json"]).get("collection_info", {})
        problems.need(info.get("namespace") == "rackconnect" and info.get("name") == "rackconnect",
                      f"MANIFEST.json: {info.get('namespace')}.{info.get('name')}, not rackconnect.rackconnect")
        problems.need(info.get("version") == version, f"MANIFEST.json: version {info.get('version')!r}, not {version}")
        problems.need(info.get("license") == ["MIT", "Apache-2.0"], f"MANIFEST.json: license {info.get('license')!r}")
    if "FILES.json" in files:
        listed = {f["name"] for f in json.loads(files["FILES.json"]).get("files", []) if f.get("ftype") == "file"}
        shipped = set(files) - {"MANIFEST.json", "FILES.json"}
        problems.need(listed == shipped, f"FILES.json and the tarball differ: {sorted(listed ^ shipped)[:5]}")
    return problems


CHECKS = {"crate": check_crate, "sdist": check_sdist, "npm": check_npm, "collection": check_collection}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=[*CHECKS, "wheel"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--version", required=True)
    parser.add_argument("--arch", choices=sorted(ELF_MACHINE))
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"check {args.kind}: no file {args.file}", file=sys.stderr)
        return 1
    if args.kind == "wheel":
        if not args.arch:
            parser.error("wheel needs --arch")
        problems = check_wheel(args.file, args.version, args.arch)
    else:
        problems = CHECKS[args.kind](args.file, args.version)
    if problems:
        print(f"FAIL: {args.file.name} ({args.kind}): {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"ok: {args.file.name} ({args.kind})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
