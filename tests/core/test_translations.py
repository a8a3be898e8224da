"""English must be complete: every extracted string has a translation, and the compiled catalogue matches."""

from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "gonghui"
CATALOGUES = sorted(SRC.glob("**/locale/en/LC_MESSAGES/django.po"))


def test_catalogues_exist():
    assert len(CATALOGUES) >= 5


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_english_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in mo}
    expected = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in po if not e.obsolete}
    stale = [k[1] for k, v in expected.items() if compiled.get(k) != v and str(compiled.get(k)) != str(v)]
    assert stale == [], "run scripts/messages.sh (or compile the .po) — the .mo is out of date"
