"""What throttles do when their Redis store is unreachable."""

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.request import Request
from rest_framework.views import APIView

from core.errors import RateLimitUnavailable
from core.throttling import FailOpenAnonRateThrottle, GuardedScopedRateThrottle

# A cache on a port where nothing listens: every throttle read fails like a Redis outage.
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


class Guessable(APIView):
    throttle_scope = "login"


@pytest.fixture
def request_() -> Request:
    return Request(RequestFactory().post("/api/v1/auth/login", REMOTE_ADDR="198.51.100.7"))


def test_load_shedding_throttle_lets_requests_through_when_redis_is_down(request_: Request) -> None:
    with override_settings(CACHES=DEAD_REDIS):
        from django.core.cache import caches

        throttle = FailOpenAnonRateThrottle()
        throttle.cache = caches["default"]

        assert throttle.allow_request(request_, APIView()) is True


def test_guessable_endpoint_refuses_cleanly_when_redis_is_down(request_: Request) -> None:
    with override_settings(CACHES=DEAD_REDIS):
        from django.core.cache import caches

        throttle = GuardedScopedRateThrottle()
        throttle.cache = caches["default"]

        with pytest.raises(RateLimitUnavailable) as caught:
            throttle.allow_request(request_, Guessable())

    assert caught.value.status_code == 503
    assert caught.value.code == "rate_limit_unavailable"
