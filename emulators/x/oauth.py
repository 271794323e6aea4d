"""OAuth 1.0a (HMAC-SHA1) request checks, as X's API does them for user-context calls.

The signature covers the method, the URL without its query, and the query and ``oauth_*``
parameters; a JSON body is not part of it. Parameters are collected and normalised with
oauthlib's RFC 5849 helpers; the HMAC-SHA1 itself is the RFC's (key: the two secrets,
percent-encoded, joined by ``&``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from oauthlib.oauth1.rfc5849 import signature, utils  # type: ignore[import-untyped]


def problem(method: str, url: str, authorization: str, consumer_key: str,
            consumer_secret: str, token: str, token_secret: str) -> str | None:
    """Why the request's ``Authorization`` header does not sign it; ``None`` when it does."""
    if not authorization.startswith("OAuth "):
        return "no OAuth Authorization header"
    params = {key: utils.unescape(value)
              for key, value in utils.parse_authorization_header(authorization)}
    if params.get("oauth_consumer_key") != consumer_key:
        return "unknown oauth_consumer_key"
    if params.get("oauth_token") != token:
        return "unknown oauth_token"
    if params.get("oauth_signature_method") != "HMAC-SHA1":
        return "oauth_signature_method must be HMAC-SHA1"
    if not params.get("oauth_nonce") or not params.get("oauth_timestamp"):
        return "oauth_nonce and oauth_timestamp are required"
    collected = signature.collect_parameters(
        uri_query=urlsplit(url).query, headers={"Authorization": authorization},
        exclude_oauth_signature=True)
    base = signature.signature_base_string(
        method.upper(), signature.base_string_uri(url),
        signature.normalize_parameters(collected))
    key = f"{utils.escape(consumer_secret)}&{utils.escape(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode("ascii")
    if not hmac.compare_digest(expected, str(params.get("oauth_signature", ""))):
        return "oauth_signature does not match the request"
    return None


def token_of(authorization: str) -> str:
    """The ``oauth_token`` an ``Authorization: OAuth ...`` header names ("" without one)."""
    if not authorization.startswith("OAuth "):
        return ""
    params = dict(utils.parse_authorization_header(authorization))
    return str(utils.unescape(params.get("oauth_token", "")))
