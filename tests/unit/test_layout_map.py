"""The layout map in docs/design-notes.md says what the import contracts enforce: every folder of
the package in it, the layers in the contract's order, every contract it quotes a real one."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "iro_ledger"


def map_rows() -> list[tuple[str, str]]:
    """(folder, who may import it) of each row of the layout table, top to bottom."""
    notes = (ROOT / "docs" / "design-notes.md").read_text(encoding="utf-8")
    section = notes.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`").removesuffix("/").removesuffix(".py"), cells[2]))
    return rows


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def test_every_folder_and_top_module_of_the_package_is_on_the_map() -> None:
    on_disk = {p.stem for p in PACKAGE.iterdir()
               if (p.is_dir() and (p / "__init__.py").exists())
               or (p.suffix == ".py" and p.stem != "__init__")}
    assert sorted(folder for folder, _ in map_rows()) == sorted(on_disk)


def test_the_map_lists_the_layers_in_the_contracts_order() -> None:
    [layers] = [c["layers"] for c in contracts() if c["type"] == "layers"]
    assert isinstance(layers, list)
    layered = [name.strip().removeprefix("iro_ledger.")
               for rank in layers for name in str(rank).split("|")]
    assert [folder for folder, _ in map_rows() if folder in layered] == layered


def test_every_contract_the_map_quotes_is_kept_by_the_linter() -> None:
    names = [str(c["name"]) for c in contracts()]
    quoted = [q for _, who in map_rows() for q in re.findall(r'"([^"]+)"', who)]
    assert quoted
    for phrase in quoted:
        assert any(phrase in name for name in names), phrase
