"""The release checks fail when an artifact is wrong: each test builds a small artifact of each kind
that passes, then breaks it the way a real release could (a licence left out, tests' output or a
build folder packed, a path into the repository, a wrong architecture or version) and expects the
check to name the problem.

    python3 -m unittest discover -s scripts/tests      (scripts/test runs it)
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import check_artifacts as ca  # noqa: E402

V = "1.2.3"
MIT = b"MIT License\n\nPermission is hereby granted, free of charge, ..."
APACHE = b"                                 Apache License\n                           Version 2.0, January 2004\n"
README = b"# readme\n\n" + b"Some words about the package. " * 20


def elf(machine: int) -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(11) + machine.to_bytes(2, "little") + bytes(44)


class Case(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="check-artifacts-"))
        self.addCleanup(lambda: __import__("shutil").rmtree(self.tmp, ignore_errors=True))

    def tar(self, name: str, files: dict[str, bytes]) -> Path:
        path = self.tmp / name
        with tarfile.open(path, "w:gz") as t:
            for member, data in files.items():
                info = tarfile.TarInfo(member)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
        return path

    def zip(self, name: str, files: dict[str, bytes]) -> Path:
        path = self.tmp / name
        with zipfile.ZipFile(path, "w") as z:
            for member, data in files.items():
                z.writestr(member, data)
        return path

    def assertPasses(self, problems: list[str]) -> None:
        self.assertEqual(list(problems), [])

    def assertFails(self, problems: list[str], *fragments: str) -> None:
        self.assertTrue(problems, "the check passed a broken artifact")
        for fragment in fragments:
            self.assertTrue(any(fragment in p for p in problems), f"no problem mentions {fragment!r}: {problems}")


class CrateTest(Case):
    MANIFEST = f"""[package]
name = "demo"
version = "{V}"
edition = "2024"
rust-version = "1.89"
description = "A demo"
license = "MIT OR Apache-2.0"
repository = "https://example.invalid/demo"
readme = "README.md"
keywords = ["demo"]
categories = ["api-bindings"]

[dependencies.rackconnect]
version = "{V}"
"""

    def files(self) -> dict[str, bytes]:
        return {
            "Cargo.toml": self.MANIFEST.encode(), "Cargo.toml.orig": b"[package]\n", ".cargo_vcs_info.json": b"{}",
            "README.md": README, "LICENSE-MIT": MIT, "LICENSE-APACHE": APACHE,
            "src/lib.rs": b'#[doc = include_str!("../README.md")]\nstruct Readme;\n',
            "tests/data.rs": b'let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");\n',
        }

    def crate(self, files: dict[str, bytes]) -> list[str]:
        path = self.tar(f"demo-{V}.crate", {f"demo-{V}/{n}": d for n, d in files.items()})
        return ca.check_crate(path, V)

    def test_a_complete_crate_passes(self) -> None:
        self.assertPasses(self.crate(self.files()))

    def test_a_missing_licence_fails(self) -> None:
        files = self.files()
        del files["LICENSE-APACHE"]
        self.assertFails(self.crate(files), "LICENSE-APACHE is missing")

    def test_a_test_reading_the_repository_fails(self) -> None:
        files = self.files()
        files["tests/corpus.rs"] = b'Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")'
        files["tests/machines.rs"] = b'#[path = "../../fuzz/src/machines.rs"]\nmod machines;\n'
        self.assertFails(self.crate(files), "tests/corpus.rs reads '../tests/corpus'", "tests/machines.rs reads")

    def test_build_output_and_missing_metadata_fail(self) -> None:
        files = self.files()
        files["target/debug/demo"] = b"\x7fELF"
        files["Cargo.toml"] = self.MANIFEST.replace('categories = ["api-bindings"]\n', "").replace(
            f'[dependencies.rackconnect]\nversion = "{V}"', '[dependencies.rackconnect]\nversion = "0.0.9"').encode()
        self.assertFails(self.crate(files), "target/debug/demo must not ship", "package.categories",
                         "dependencies.rackconnect asks for 0.0.9")


class WheelTest(Case):
    INFO = f"rackconnect-{V}.dist-info"

    def files(self, machine: int = 0x3E) -> dict[str, bytes]:
        files = {name: b"# code\n" for name in ca.WHEEL_FILES}
        files["rackconnect/_native.abi3.so"] = elf(machine)
        files[f"{self.INFO}/METADATA"] = (
            f"Metadata-Version: 2.4\nName: rackconnect\nVersion: {V}\nSummary: s\nLicense-Expression: MIT OR Apache-2.0\n"
            "Requires-Python: >=3.9\nProvides-Extra: aio\nProject-URL: Repository, https://example.invalid\n\n"
        ).encode() + README * 2
        files[f"{self.INFO}/WHEEL"] = (b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp39-abi3-manylinux2014_x86_64\n"
                                        b"Tag: cp39-abi3-manylinux_2_17_x86_64\n")
        files[f"{self.INFO}/entry_points.txt"] = (
            b"[console_scripts]\nrackconnect-emulator=rackconnect.emulator:main\n\n"
            b"[pytest11]\nrackconnect=rackconnect.pytest_plugin\n\n"
            b"[salt.loader]\nsaltext.rackconnect=saltext.rackconnect\n"
        )
        files[f"{self.INFO}/licenses/LICENSE-MIT"] = MIT
        files[f"{self.INFO}/licenses/LICENSE-APACHE"] = APACHE
        files[f"{self.INFO}/RECORD"] = b""
        return files

    NAME = f"rackconnect-{V}-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"

    def test_a_complete_wheel_passes(self) -> None:
        self.assertPasses(ca.check_wheel(self.zip(self.NAME, self.files()), V, "x86_64"))

    def test_a_native_module_of_another_architecture_fails(self) -> None:
        self.assertFails(ca.check_wheel(self.zip(self.NAME, self.files(machine=0xB7)), V, "x86_64"),
                         "is not a 64-bit x86_64 ELF")

    def test_no_salt_entry_point_and_shipped_tests_fail(self) -> None:
        files = self.files()
        files[f"{self.INFO}/entry_points.txt"] = b""
        files["saltext/tests/test_loader.py"] = b""
        self.assertFails(ca.check_wheel(self.zip(self.NAME, files), V, "x86_64"), "salt.loader",
                         "saltext/tests/test_loader.py must not ship")


    def test_no_emulator_entry_points_fail(self) -> None:
        files = self.files()
        files[f"{self.INFO}/entry_points.txt"] = b"[salt.loader]\nsaltext.rackconnect=saltext.rackconnect\n"
        self.assertFails(ca.check_wheel(self.zip(self.NAME, files), V, "x86_64"), "pytest11", "rackconnect-emulator")

    def test_a_wheel_over_its_budget_fails(self) -> None:
        wheel = self.zip(self.NAME, self.files())
        budget = ca.WHEEL_BUDGET_BYTES
        ca.WHEEL_BUDGET_BYTES = wheel.stat().st_size - 1
        self.addCleanup(setattr, ca, "WHEEL_BUDGET_BYTES", budget)
        self.assertFails(ca.check_wheel(wheel, V, "x86_64"), "over the budget")


class SdistTest(Case):
    def files(self) -> dict[str, bytes]:
        files = {name: b"# code\n" for name in ca.WHEEL_FILES}
        files.update({
            "PKG-INFO": WheelTest().files()[f"{WheelTest.INFO}/METADATA"], "pyproject.toml": b"",
            "Cargo.toml": b'[workspace]\nmembers = ["core", "emulator", "python"]\n', "Cargo.lock": b"", "README.md": README,
            "python/Cargo.toml": b"", "python/src/lib.rs": b"", "core/Cargo.toml": b"", "core/src/lib.rs": b"",
            "emulator/Cargo.toml": b"", "emulator/src/lib.rs": b"", "emulator/scenarios/default.json": b"{}",
            "core/README.md": README, "LICENSE-MIT": MIT, "LICENSE-APACHE": APACHE,
        })
        return files

    def sdist(self, files: dict[str, bytes]) -> list[str]:
        return ca.check_sdist(self.tar(f"rackconnect-{V}.tar.gz", {f"rackconnect-{V}/{n}": d for n, d in files.items()}), V)

    def test_a_complete_sdist_passes(self) -> None:
        self.assertPasses(self.sdist(self.files()))

    def test_the_emulator_left_out_and_the_cli_packed_fail(self) -> None:
        files = self.files()
        del files["emulator/src/lib.rs"]
        files["cli/src/main.rs"] = b""
        self.assertFails(self.sdist(files), "emulator/src/lib.rs is missing", "cli/src/main.rs must not ship")

    def test_the_core_left_out_and_the_collection_packed_fail(self) -> None:
        files = self.files()
        del files["core/src/lib.rs"]
        files["python/ansible_collections/rackconnect/rackconnect/galaxy.yml"] = b""
        self.assertFails(self.sdist(files), "core/src/lib.rs is missing", "ansible_collections")


class NpmTest(Case):
    def files(self) -> dict[str, bytes]:
        files = {name: b"// code\n" for name in ca.NPM_FILES}
        for wasm in ca.NPM_WASM:
            files[wasm] = b"\0asm\x01\0\0\0"
        files["package.json"] = json.dumps({
            "name": "rackconnect", "version": V, "license": "MIT OR Apache-2.0", "repository": {"url": "x"},
            "types": "./index.d.ts", "exports": {".": {"types": "./index.d.ts", "node": "./src/node.js"}},
        }).encode()
        files.update({"LICENSE-MIT": MIT, "LICENSE-APACHE": APACHE})
        return files

    def npm(self, files: dict[str, bytes]) -> list[str]:
        return ca.check_npm(self.tar(f"rackconnect-{V}.tgz", {f"package/{n}": d for n, d in files.items()}), V)

    def test_a_complete_package_passes(self) -> None:
        self.assertPasses(self.npm(self.files()))

    def test_no_wasm_and_tests_packed_fail(self) -> None:
        files = self.files()
        del files["dist/rackconnect_wasm_bg.wasm"]
        files["test/corpus.test.js"] = b""
        self.assertFails(self.npm(files), "dist/rackconnect_wasm_bg.wasm is missing", "test/corpus.test.js must not ship")

    def test_an_emulator_wasm_that_is_not_webassembly_fails(self) -> None:
        files = self.files()
        files["dist/rackconnect_emulator_bg.wasm"] = b"<html>"
        self.assertFails(self.npm(files), "dist/rackconnect_emulator_bg.wasm is not WebAssembly")


class CollectionTest(Case):
    def files(self, extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
        files = {name: b"# content\n" for name in ca.COLLECTION_FILES}
        files.update({"LICENSES/MIT.txt": MIT, "LICENSES/Apache-2.0.txt": APACHE, **(extra or {})})
        listed = [{"name": n, "ftype": "file"} for n in files if n not in ("MANIFEST.json", "FILES.json")]
        files["FILES.json"] = json.dumps({"files": listed}).encode()
        files["MANIFEST.json"] = json.dumps({"collection_info": {
            "namespace": "rackconnect", "name": "rackconnect", "version": V, "license": ["MIT", "Apache-2.0"]}}).encode()
        return files

    def collection(self, files: dict[str, bytes]) -> list[str]:
        return ca.check_collection(self.tar(f"rackconnect-rackconnect-{V}.tar.gz", files), V)

    def test_a_complete_collection_passes(self) -> None:
        self.assertPasses(self.collection(self.files()))

    def test_test_logs_and_caches_fail(self) -> None:
        files = self.files({"tests/output/junit/sanity.log": b"", "plugins/modules/__pycache__/x.cpython-312.pyc": b""})
        self.assertFails(self.collection(files), "tests/output/junit/sanity.log must not ship", "__pycache__")

    def test_a_wrong_version_and_a_missing_module_fail(self) -> None:
        files = self.files()
        del files["plugins/modules/rcv3_public_ip.py"]
        self.assertFails(ca.check_collection(self.tar("rackconnect-rackconnect-9.9.9.tar.gz", files), "9.9.9"),
                         "plugins/modules/rcv3_public_ip.py is missing", "MANIFEST.json: version '1.2.3', not 9.9.9")


class CommandLineTest(Case):
    def test_exit_code_and_message(self) -> None:
        path = self.tar(f"rackconnect-{V}.tgz", {"package/package.json": b"{}"})
        err = io.StringIO()
        stdout, stderr = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = io.StringIO(), err
        try:
            code = ca.main(["npm", str(path), "--version", V])
        finally:
            sys.stdout, sys.stderr = stdout, stderr
        self.assertEqual(code, 1)
        self.assertIn(f"FAIL: rackconnect-{V}.tgz (npm)", err.getvalue())
        self.assertIn("README.md is missing", err.getvalue())


if __name__ == "__main__":
    unittest.main()
