"""Merge a {msgid: Chinese} dict from a Python file into the zh_CN catalog.

    .venv/bin/python scripts/fill_translations.py /path/to/dict.py   (defines ZH = {...})
"""
import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "healthgrid/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    table = runpy.run_path(path)["ZH"]
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans_CN")
    for message in catalog:
        if message.id and message.id in table:
            message.string = table[message.id]
            message.flags.discard("fuzzy")
    catalog.project, catalog.version = "HealthGrid", "1"
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False)


if __name__ == "__main__":
    main(sys.argv[1])
