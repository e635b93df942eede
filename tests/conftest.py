"""Shared fixtures. Tests run on real PostgreSQL and Redis (see the README's `make test`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters and lockouts live in Redis: each test starts clean."""
    cache.clear()
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
