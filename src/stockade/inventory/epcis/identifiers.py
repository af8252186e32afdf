"""GS1 identifiers: EPC URNs and GS1 Digital Link URIs, normalised to one form.

The one form is the **canonical GS1 Digital Link URI** (``https://id.gs1.org/01/<GTIN-14>/21/<serial>``,
``…/414/<GLN>[/254/<ext>]``, ``…/00/<SSCC>``, …), the form the CBV 2.0 event hash uses: it is
computed deterministically from an EPC URN (``urn:epc:id:sgtin:0614141.107346.2017``) and from any
Digital Link spelling (another domain, ``/gtin/`` for ``/01/``, a GTIN-13, a query string), while the
reverse needs the GS1 company prefix length, which a Digital Link does not carry.

    >>> to_digital_link("urn:epc:id:sgtin:0614141.107346.2017")
    'https://id.gs1.org/01/10614141073464/21/2017'
    >>> to_digital_link("https://example.com/gtin/10614141073464/ser/2017?x=1")
    'https://id.gs1.org/01/10614141073464/21/2017'
    >>> to_digital_link("not an id") is None
    True
"""

from __future__ import annotations

import re

_SAFE = str.maketrans({"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"})
_PART = r"[A-Za-z0-9%!'()*+,.:;=_-]"


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit of a key without it (GenSpecs 7.9.1)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _enc(text: str) -> str:
    return text.translate(_SAFE)


def _gtin(gcp: str, ref: str) -> str:
    raw = ref[:1] + gcp + ref[1:]
    return raw + check_digit(raw)


def _key(gcp: str, ref: str, size: int) -> str:
    raw = gcp + ref
    return raw + check_digit(raw) if len(raw) == size else ""


_URN = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(\d{6,12})\.([0-9A-Za-z%!'()*+,.:;=_-]*)$")


def _from_urn(uri: str) -> str | None:  # one branch per GS1 scheme
    m = _URN.match(uri)
    if m is None:
        return None
    form, scheme, gcp, rest = m.groups()
    parts = rest.split(".")
    base = "https://id.gs1.org/"
    if form == "idpat":
        if parts[-1] != "*":
            return None
        parts = parts[:-1]
        if scheme in ("sgtin", "upui") and len(parts) == 1 and len(gcp) + len(parts[0]) == 13:
            return base + "01/" + _gtin(gcp, parts[0])
        if scheme == "grai" and len(parts) == 1 and len(gcp) + len(parts[0]) == 12:
            raw = "0" + gcp + parts[0]
            return base + "8003/" + raw + check_digit(raw)
        if scheme == "cpi" and len(parts) == 1:
            return base + "8010/" + _enc(gcp + parts[0])
        if scheme == "itip" and len(parts) == 3 and len(gcp) + len(parts[0]) == 13:
            return base + "8006/" + _gtin(gcp, parts[0]) + parts[1] + parts[2]
        if scheme in ("gdti", "sgcn") and len(parts) == 1 and (k := _key(gcp, parts[0], 12)):
            return base + ("253/" if scheme == "gdti" else "255/") + k
        return None
    if form == "class":
        if scheme == "lgtin" and len(parts) >= 2 and len(gcp) + len(parts[0]) == 13:
            return base + "01/" + _gtin(gcp, parts[0]) + "/10/" + _enc(".".join(parts[1:]))
        return None
    if scheme in ("sgtin", "upui") and len(parts) >= 2 and len(gcp) + len(parts[0]) == 13:
        ai = "/21/" if scheme == "sgtin" else "/235/"
        return base + "01/" + _gtin(gcp, parts[0]) + ai + _enc(".".join(parts[1:]))
    if scheme == "sscc" and len(parts) == 1 and len(gcp) + len(parts[0]) == 17:
        raw = parts[0][:1] + gcp + parts[0][1:]
        return base + "00/" + raw + check_digit(raw)
    if scheme == "sgln" and len(parts) >= 2 and (k := _key(gcp, parts[0], 12)):
        ext = ".".join(parts[1:])
        return base + "414/" + k + ("" if ext == "0" else "/254/" + _enc(ext))
    if scheme == "pgln" and len(parts) == 1 and (k := _key(gcp, parts[0], 12)):
        return base + "417/" + k
    if scheme == "grai" and len(parts) >= 2 and len(gcp) + len(parts[0]) == 12:
        raw = "0" + gcp + parts[0]
        return base + "8003/" + raw + check_digit(raw) + _enc(".".join(parts[1:]))
    if scheme == "giai":
        return base + "8004/" + gcp + _enc(rest)
    if scheme in ("gsrn", "gsrnp") and len(parts) == 1 and (k := _key(gcp, parts[0], 17)):
        return base + ("8018/" if scheme == "gsrn" else "8017/") + k
    if scheme == "gdti" and len(parts) >= 2 and (k := _key(gcp, parts[0], 12)):
        return base + "253/" + k + _enc(".".join(parts[1:]))
    if scheme == "sgcn" and len(parts) == 2 and (k := _key(gcp, parts[0], 12)):
        return base + "255/" + k + parts[1]
    if scheme == "ginc":
        return base + "401/" + gcp + _enc(rest)
    if scheme == "gsin" and len(parts) == 1 and (k := _key(gcp, parts[0], 16)):
        return base + "402/" + k
    if scheme == "cpi" and len(parts) >= 2:
        return base + "8010/" + _enc(gcp + ".".join(parts[:-1])) + "/8011/" + parts[-1]
    if scheme == "itip" and len(parts) == 4 and len(gcp) + len(parts[0]) == 13:
        return base + "8006/" + _gtin(gcp, parts[0]) + parts[1] + parts[2] + "/21/" + _enc(parts[3])
    return None


_ALIASES = {"gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017",
            "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402",
            "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21"}
_PRIMARY = ("00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8017", "8018")
_DL = re.compile(r"^https?://[^/?#]+(?:/[^?#]*)?/(" + "|".join(_PRIMARY + tuple(
    k for k, v in _ALIASES.items() if v in _PRIMARY)) + r")/([^/?#]+)((?:/[^/?#]+/[^/?#]+)*)/?(?:[?#].*)?$")
_VALID = re.compile(
    r"^(00/\d{18}|01/\d{14}(/(10|21|235)/" + _PART + r"{1,28})?|253/\d{13}" + _PART + r"{0,17}|255/\d{13}\d{0,12}"
    r"|401/" + _PART + r"{1,30}|402/\d{17}|414/\d{13}(/254/" + _PART + r"{1,20})?|417/\d{13}"
    r"|8003/\d{14}" + _PART + r"{0,16}|8004/" + _PART + r"{1,30}|8006/\d{18}(/(10|21)/" + _PART + r"{1,20})?"
    r"|8010/[#/0-9A-Z-]{1,30}(/8011/\d{1,12})?|8017/\d{18}|8018/\d{18})$")


def _from_digital_link(uri: str) -> str | None:
    m = _DL.match(uri)
    if m is None:
        return None
    primary = _ALIASES.get(m.group(1), m.group(1))
    value = m.group(2)
    rest = [p for p in m.group(3).split("/") if p]
    qualifiers = {_ALIASES.get(rest[i], rest[i]): rest[i + 1] for i in range(0, len(rest) - 1, 2)}
    if primary == "01" and value.isdigit() and len(value) in (8, 12, 13):
        value = value.rjust(14, "0")
    path = f"{primary}/{value}"
    # the finest level of identification only: a serial beats a lot; a CPV is dropped
    for ai in ("21", "235", "10", "254", "8011"):
        if ai in qualifiers:
            path += f"/{ai}/{qualifiers[ai]}"
            break
    return "https://id.gs1.org/" + path if _VALID.match(path) else None


def to_digital_link(uri: str) -> str | None:
    """The canonical GS1 Digital Link URI of a GS1 identifier, or None when ``uri`` is not one."""
    if uri.startswith("urn:epc:"):
        return _from_urn(uri)
    if uri.startswith(("http://", "https://")):
        return _from_digital_link(uri)
    return None


_DL_SGTIN = re.compile(r"^https://id\.gs1\.org/01/(\d)(\d{12})\d/21/(.+)$")


def normalise_epc(uri: str, company_prefixes: frozenset[str] = frozenset()) -> str:
    """The one form Stockade's events use for an item: its EPC pure-identity URN.

    RFID readers and the rest of Stockade (SKUs ``<company prefix>.<item reference>``) speak URNs,
    so a URN stays as it is (after a round trip through the canonical Digital Link, which drops
    nothing). A Digital Link SGTIN becomes the URN when the site's SKUs declare its company
    prefix (a Digital Link does not say where the prefix ends); any other identifier is kept as its
    canonical Digital Link.
    """
    if uri.startswith("urn:epc:id:"):
        return uri
    dl = to_digital_link(uri)
    if dl is None:
        return uri
    m = _DL_SGTIN.match(dl)
    if m is not None:
        indicator, body, serial = m.groups()
        for gcp_len in range(6, 13):
            gcp = body[:gcp_len]
            if gcp in company_prefixes:
                ref = indicator + body[gcp_len:]
                return f"urn:epc:id:sgtin:{gcp}.{ref}.{serial}"
    return dl
