from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def asset_storage(settings: Any, tmp_path: Path) -> Path:
    """Every test stores uploaded files in a directory of its own (the live server's thread
    reads the same settings)."""
    root = tmp_path / "assets"
    settings.STORAGES = {
        **settings.STORAGES,
        "assets": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root
