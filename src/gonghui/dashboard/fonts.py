"""Finding a CJK font for PDF reports at run time.

Order: ``settings.DASHBOARD_CJK_FONT`` / env ``GONGHUI_CJK_FONT`` (a .ttf/.otf/.ttc path), then the Debian
packages' files: fonts-noto-cjk (OFL; a .ttc collection, whose Simplified Chinese face is picked by name),
fonts-wqy-microhei, fonts-droid-fallback, fonts-arphic-uming. fpdf2 embeds only the glyphs a report uses.
"""

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class CjkFont:
    path: str
    index: int  # face number inside a .ttc collection


def _sc_index(path: str) -> int:
    """The Simplified Chinese face of a collection (Noto CJK ships JP, KR, SC, TC, HK), else the first."""
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for number, font in enumerate(collection.fonts):
        family = font["name"].getDebugName(1) or ""
        if family.endswith(" SC") or "SC" in family.split():
            return number
    return 0


@functools.cache
def cjk_font() -> CjkFont:
    configured = getattr(settings, "DASHBOARD_CJK_FONT", None) or os.environ.get("GONGHUI_CJK_FONT")
    for path in ([configured] if configured else []) + list(CANDIDATES):
        if path and Path(path).is_file():
            return CjkFont(path, _sc_index(path))
    raise FontMissing(
        "no CJK font found: install the Debian package fonts-noto-cjk or set GONGHUI_CJK_FONT to a .ttf/.otf/.ttc"
    )
