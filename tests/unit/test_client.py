"""Client settings without a server: the key is required and never shown, the default burst.

Everything the client does over HTTP (auth headers, retries, Retry-After, pacing) is tested against
the sandbox in tests/integration/test_client_http.py.
"""

from __future__ import annotations

import pytest

from pipelines.healthie.client import ClientSettings
from pipelines.healthie.errors import MissingApiKeyError

API_KEY = "test-key"


@pytest.mark.parametrize("key", ["", "   "])
def test_missing_key_names_the_variable(key: str) -> None:
    with pytest.raises(MissingApiKeyError, match="HEALTHIE_API_KEY"):
        ClientSettings(api_key=key)


def test_key_stays_out_of_repr() -> None:
    assert API_KEY not in repr(ClientSettings(api_key=API_KEY))


def test_default_burst_is_a_tenth_of_a_second() -> None:
    assert ClientSettings(api_key=API_KEY, rate_limit_rps=40).burst == 4
    assert ClientSettings(api_key=API_KEY, rate_limit_rps=5).burst == 1
