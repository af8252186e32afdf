"""GS1 identifiers in one form."""

from __future__ import annotations

import pytest

from stockade.inventory.epcis.identifiers import check_digit, normalise_epc, to_digital_link


@pytest.mark.parametrize(("given", "canonical"), [
    ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
    ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
    ("urn:epc:id:sgln:0614141.00777.0", "https://id.gs1.org/414/0614141007776"),
    ("urn:epc:id:sgln:0614141.00777.12", "https://id.gs1.org/414/0614141007776/254/12"),
    ("urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"),
    ("https://example.com/gtin/10614141073464/ser/2017?linkType=all", "https://id.gs1.org/01/10614141073464/21/2017"),
    ("https://id.gs1.org/01/614141073467/21/7", "https://id.gs1.org/01/00614141073467/21/7"),
])
def test_to_digital_link(given: str, canonical: str) -> None:
    assert to_digital_link(given) == canonical


@pytest.mark.parametrize("junk", ["", "urn:epc:id:sgtin:12.3.4", "https://example.com/nothing", "hello.world",
                                  "urn:epc:id:sscc:0614141.12"])
def test_not_gs1_ids(junk: str) -> None:
    assert to_digital_link(junk) is None


def test_check_digit() -> None:
    assert check_digit("061414100777") == "6"
    assert check_digit("1061414107346") == "4"


def test_one_form_is_the_urn() -> None:
    urn = "urn:epc:id:sgtin:0614141.107346.2017"
    dl = "https://id.gs1.org/01/10614141073464/21/2017"
    assert normalise_epc(urn) == urn
    assert normalise_epc(dl, frozenset({"0614141"})) == urn
    assert normalise_epc(dl) == dl  # the company prefix length is unknown: the canonical Digital Link
    assert normalise_epc("https://example.com/gtin/10614141073464/ser/2017", frozenset({"0614141"})) == urn
