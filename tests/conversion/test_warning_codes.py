"""The warning table of conversion/README.md is the list of codes the converter emits: no code
missing from it, and none in it that nothing emits."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "conversion"
# A code is the string literal after the first argument of warn(...), drop(...) and
# warn_message(...), or after the first two of the editor's _warn(message, index, code, ...).
EMITTED = re.compile(
    r"\.(?:warn|drop|warn_message)\(\s*[\w.\[\]]+,\s*\"([a-z_]+)\""
    r"|\._warn\(\s*[^,]+,\s*[^,]+,\s*\"([a-z_]+)\"",
)
TABLE_ROW = re.compile(r"^\| `([a-z_]+)` \|", re.MULTILINE)


def emitted_codes() -> set[str]:
    codes = set()
    for module in PACKAGE.glob("*.py"):
        for match in EMITTED.finditer(module.read_text(encoding="utf-8")):
            codes.add(match[1] or match[2])
    return codes


def test_the_readme_lists_exactly_the_codes_the_converter_emits() -> None:
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Warning codes", 1)[1].split("\n## ", 1)[0]
    listed = TABLE_ROW.findall(table)
    assert len(listed) == len(set(listed))
    assert set(listed) == emitted_codes()


def test_the_code_scan_finds_the_codes_it_should() -> None:
    # Guards the scan itself: codes emitted in each of its forms.
    assert {"orphan_tool_result", "system_moved", "message_dropped"} <= emitted_codes()
