from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def private_dir(settings: Any, tmp_path: Any) -> Any:
    """Screenshots of each test go to its own private directory."""
    settings.FEEDBACK_PRIVATE_DIR = tmp_path / "private"
    return settings.FEEDBACK_PRIVATE_DIR
