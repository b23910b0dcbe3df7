"""Whatever arrives where a token belongs, the answer is a page, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.links import QUESTIONNAIRE, UNSUBSCRIBE
from leads.tokens import make_token

token_text = st.one_of(
    st.text(min_size=1, max_size=200),
    st.from_regex(r"[A-Za-z0-9_\-\.]{1,120}", fullmatch=True),
    # Shaped like the real thing: payload.timestamp.signature.
    st.builds(
        lambda a, b, c: f"{a}.{b}.{c}",
        st.from_regex(r"[A-Za-z0-9_\-]{1,20}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9_\-]{1,8}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9_\-]{0,40}", fullmatch=True),
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    token=token_text,
    method=st.sampled_from(["GET", "POST"]),
    prefix=st.sampled_from(["/q/", "/unsubscribe/"]),
)
def test_garbage_tokens_never_give_a_server_error(client, token, method, prefix):
    response = client.open(prefix + quote(token, safe=""), method=method, data={"x": "y"})
    assert response.status_code < 500


@pytest.mark.parametrize("huge_id", [2**31, 2**63, 10**30, -(10**30), 0])
def test_a_signed_token_with_an_id_past_the_columns_range_is_an_invalid_link(client, huge_id):
    # Correctly signed, so only the id can refuse it: past INTEGER it once overflowed the driver.
    links = [f"/q/{make_token(QUESTIONNAIRE, huge_id)}", f"/unsubscribe/{make_token(UNSUBSCRIBE, huge_id)}"]
    for link in links:
        for response in (
            client.get(link),
            client.post(link, data={"x": "y"}),
            client.post(link, data={"List-Unsubscribe": "One-Click"}),  # RFC 8058, as providers send it
        ):
            assert response.status_code == 404, (link, response.status_code)
            assert "This link is not valid" in response.text
