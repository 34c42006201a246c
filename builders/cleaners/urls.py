"""Image and link URLs: unwrap image proxies, drop placeholders, accept only http(s) URLs with a host."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

# Images that stand for "no image": random stock photos, a literal `undefined`, Sina's default QR logo.
PLACEHOLDER_HOSTS = frozenset({"picsum.photos", "fastly.picsum.photos", "placehold.it", "via.placeholder.com"})
PLACEHOLDER_URLS = frozenset({"https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"})
PLACEHOLDER_PATH = re.compile(r"/(undefined|null|none)$", re.IGNORECASE)

# Proxies that carry the real URL in their query: `https://proxy/?https://real/...` or `?url=https://real/...`.
PROXY_QUERY_KEYS = ("url", "u", "src", "image", "img")
EMBEDDED_URL = re.compile(r"^(https?:)?//", re.IGNORECASE)


def normalise_url(raw: str | None) -> str | None:
    """The http(s) URL ``raw`` stands for, or None when it is not one (relative, javascript:, data: ...)."""
    if not raw:
        return None
    url = html.unescape(raw).strip()
    if url.startswith("//"):
        url = "https:" + url
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def unwrap_proxy(url: str) -> str:
    """Follow image proxies (possibly nested) to the URL they serve."""
    for _ in range(4):
        query = urlsplit(url).query
        inner: str | None = None
        if EMBEDDED_URL.match(unquote(query)):
            inner = unquote(query)
        else:
            values = parse_qs(query)
            for key in PROXY_QUERY_KEYS:
                candidates = [v for v in values.get(key, []) if EMBEDDED_URL.match(v)]
                if candidates:
                    inner = candidates[0]
                    break
        real = normalise_url(inner)
        if real is None:
            return url
        url = real
    return url


def is_placeholder(url: str) -> bool:
    """True for images that stand for no image at all."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return host in PLACEHOLDER_HOSTS or url in PLACEHOLDER_URLS or bool(PLACEHOLDER_PATH.search(parts.path))


def real_image(raw: str | None) -> str | None:
    """An image URL as the dataset stores it: proxies unwrapped; None for placeholders and non-http(s)."""
    url = normalise_url(raw)
    if url is None:
        return None
    url = unwrap_proxy(url)
    return None if is_placeholder(url) else url
