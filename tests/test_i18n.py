"""Chinese is the first language: every message of the interface has a translation."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_interface_message_has_a_chinese_translation():
    script = ROOT / "scripts" / "i18n.py"
    result = subprocess.run([sys.executable, str(script), "check"], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "", "untranslated:\n" + result.stdout


def test_compiled_catalog_is_used(client):
    page = client.get("/login").get_data(as_text=True)
    assert "网格化社区卫生服务" in page
