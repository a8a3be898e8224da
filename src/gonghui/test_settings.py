"""Settings for the test suite: the normal settings with tasks inline, fast hashing and a local cache."""

import os

os.environ["GONGHUI_TESTING"] = "1"

from gonghui.settings import *  # noqa: E402,F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns when it is missing)
