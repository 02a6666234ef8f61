"""The tracker's environment variables (those .env.example lists), and the settings that a given
environment makes of tracker/settings.py, read in this process without touching its settings."""

import os
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

TRACKER_VARIABLES = frozenset(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))

# What the suite takes from the caller's shell: which database it runs on, and the secret key.
SUITE_VARIABLES = frozenset({"DATABASE_URL", "SECRET_KEY"})


def settings_from(environment: dict[str, str]) -> dict[str, Any]:
    """The settings tracker/settings.py gives with `environment` as the only tracker variables set."""
    with pytest.MonkeyPatch.context() as patch:
        for name in TRACKER_VARIABLES & set(os.environ):
            patch.delenv(name)
        for name, value in environment.items():
            patch.setenv(name, value)
        module = runpy.run_path(str(ROOT / "tracker" / "settings.py"))
    return {name: value for name, value in module.items() if name.isupper()}
