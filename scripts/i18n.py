"""Keep the Chinese catalog in step with the code.

    .venv/bin/python scripts/i18n.py update     # extract messages, merge into zh_Hans_CN (the locale zh_CN resolves to)
    .venv/bin/python scripts/i18n.py missing    # list messages without a Chinese translation
    .venv/bin/python scripts/i18n.py check      # the same for the code as it is, writing nothing

English needs no catalog: the message ids are English.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "healthgrid" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def extract(target: Path = POT) -> None:
    subprocess.run([PYBABEL, "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "--sort-output", "-o", str(target),
                    "."], check=True, cwd=ROOT)


def update() -> None:
    extract()
    if PO.exists():
        subprocess.run([PYBABEL, "-q", "update", "-i", str(POT), "-d", str(TRANSLATIONS),
                        "-l", "zh_Hans_CN", "--no-fuzzy-matching", "--ignore-obsolete"], check=True)
    else:
        subprocess.run([PYBABEL, "-q", "init", "-i", str(POT), "-d", str(TRANSLATIONS),
                        "-l", "zh_Hans_CN"], check=True)


def missing() -> list[str]:
    from babel.messages.pofile import read_po
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return [m.id for m in catalog if m.id and not m.string]


def unmatched() -> list[str]:
    """Messages of the code without a Chinese translation, changing no file."""
    import tempfile
    from babel.messages.pofile import read_po
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        with pot.open("rb") as handle:
            wanted = [m.id for m in read_po(handle) if m.id]
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    return [m for m in wanted if not (catalog.get(m) and catalog.get(m).string)]


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "check":
        for msgid in unmatched():
            print(msgid if isinstance(msgid, str) else msgid[0])
        sys.exit(0)
    if command == "update":
        update()
    for msgid in missing():
        print(msgid)
