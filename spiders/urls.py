"""URL normalisation and identity: one article, one canonical URL, one key.

The rules come from courlan (lower-case scheme and host, default port, tracking parameters such as `utm_*`,
`fbclid`, `gclid`, `yclid`, `_ga`, `mc_cid`, `ref`) and w3lib (sorted query, percent-encoding, IDNA host,
no fragment) rather than from hand-written regexes, so they match what the rest of the ecosystem does.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url
from courlan.urlutils import get_tldinfo
from w3lib.url import canonicalize_url as w3lib_canonicalize_url

from spiders.errors import InvalidURLError

__all__ = [
    "canonicalize_url",
    "fetch_url",
    "host_of",
    "in_allowed_domains",
    "registered_domain",
    "same_site",
    "url_key",
]


def _check_crawlable(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
        crawlable = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed IPv6 bracket, a port such as :x or :99999
        crawlable = False
    if not crawlable:
        raise InvalidURLError(
            f"not an absolute http(s) URL: {url!r}; give the full address, e.g. https://example.org/news/1"
        )
    return url


def canonicalize_url(url: str) -> str:
    """Return the canonical form of an http(s) URL, used as the article's identity.

    Lower-cases scheme and host, drops the default port, the fragment and tracking parameters, sorts the
    parameters that remain, and maps mobile and AMP editions and a trailing slash to the plain page's URL. Raises `InvalidURLError` for anything that is not an absolute http(s) URL.
    """
    cleaned = normalize_url(_check_crawlable(url), strict=False, trailing_slash=True)
    canonical = _without_variants(w3lib_canonicalize_url(cleaned, keep_fragments=False))
    try:  # what is left of `http://\/` has no host: that URL was no address either
        return _check_crawlable(canonical)
    except InvalidURLError:
        raise InvalidURLError(
            f"not an absolute http(s) URL: {url!r}; give the full address, e.g. https://example.org/news/1"
        ) from None


def fetch_url(url: str) -> str:
    """Return the URL to request for a link: what `canonicalize_url` does to scheme, host, port, tracking
    parameters and fragment, but the path and the remaining query kept as the site wrote them.

    The canonical URL is an identity, not always an address the site serves (its trailing slash is gone, an AMP
    edition is mapped to the plain page), so a queued article is fetched at this URL and known by its canonical
    one. Raises `InvalidURLError` like `canonicalize_url`.
    """
    cleaned = urlsplit(normalize_url(_check_crawlable(url), strict=False, trailing_slash=True))
    return urlunsplit(cleaned._replace(fragment=""))


# Host labels of mobile and AMP editions ("m.kaktus.media", "amp.gazeta.uz"), and AMP markers in paths and
# queries ("/amp/", "…/amp", "?amp=1", "?outputType=amp"): the same article as the plain page.
_VARIANT_HOST_LABELS = ("m", "mobile", "amp")
_AMP_QUERY_KEYS = {"amp", "outputtype", "amp_js_v", "usqp"}
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _without_variants(url: str) -> str:
    """The plain edition's URL: no mobile/AMP host label, AMP path segment or parameter, trailing slash."""
    parts = urlsplit(url)
    host = parts.netloc
    # courlan drops a default port only from an ASCII host; w3lib IDNA-encodes the others after it.
    host = host.removesuffix(_DEFAULT_PORTS.get(parts.scheme, ":"))
    label, _, rest = host.partition(".")
    if label in _VARIANT_HOST_LABELS and "." in rest:
        host = rest
    segments = [s for s in parts.path.split("/") if s]
    while segments and segments[0] == "amp":
        segments = segments[1:]
    while segments and segments[-1] in {"amp", "amp.html"}:
        segments = segments[:-1]
    path = "/" + "/".join(segments)
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and pair.split("=", 1)[0].lower() not in _AMP_QUERY_KEYS
    )
    return urlunsplit((parts.scheme, host, path, query, ""))


def url_key(url: str) -> str:
    """Return `sha1(url)[:16]` in hex: the URL part of a landing file name (docs/architecture.md).

    The URL is hashed exactly as given (call `canonicalize_url` first for an identity key).
    """
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def host_of(url: str) -> str:
    """Return the lower-cased host name of `url` without port ('' when there is none, or no URL at all)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:  # an unclosed IPv6 bracket: no host
        return ""


def registered_domain(url: str) -> str:
    """Return the registrable domain of `url` (`www.gazeta.uz` → `gazeta.uz`); IPs and bare hosts as they are."""
    host = host_of(url)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    _, domain = get_tldinfo(url, fast=False)
    return (domain or host).lower()


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on the same registrable domain (`rus.azattyk.org` and `www.azattyk.org`)."""
    return bool(host_of(url)) and registered_domain(url) == registered_domain(other)


def in_allowed_domains(url: str, allowed_domains: Iterable[str]) -> bool:
    """True when the host of `url` is one of `allowed_domains` or a subdomain of one (Scrapy's rule).

    Entries may carry a port or a scheme by mistake (`127.0.0.1:8000`, `https://24.kg`); only the host counts.
    """
    host = host_of(url)
    if not host:
        return False
    for entry in allowed_domains:
        domain = host_of(entry if "//" in entry else f"//{entry}")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False
