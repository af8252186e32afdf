"""The cluster bus's pure rules: subjects, message ids, partitions (NATS's own partition function)."""

from __future__ import annotations

from stockade.connectors.nats.mapping import (
    consumer_name,
    fnv1a_32,
    msg_id,
    partition_of,
    site_of,
    subject_in,
    subject_out,
)


def test_fnv1a_32_matches_the_reference_vectors() -> None:
    # http://www.isthe.com/chongo/tech/comp/fnv/ test vectors (FNV-1a, 32 bit)
    assert fnv1a_32(b"") == 0x811C9DC5
    assert fnv1a_32(b"a") == 0xE40C292C
    assert fnv1a_32(b"foobar") == 0xBF9CF968


def test_a_site_is_one_subject_token_and_comes_back_from_it() -> None:
    for site in ("dc-1", "dc.paris.1", "acme:dc/7@eu"):
        assert subject_in(site).count(".") == 2
        assert site_of(subject_in(site)) == site
        assert site_of(subject_out(site)) == site


def test_message_ids_are_per_site_and_partitions_stable() -> None:
    assert msg_id("dc-1", "e1") != msg_id("dc-2", "e1")
    assert partition_of("dc-1", 8) == fnv1a_32(b"dc-1") % 8
    assert {partition_of(f"dc-{i}", 4) for i in range(40)} == {0, 1, 2, 3}, "sites spread over every partition"


def test_consumer_names_are_valid_nats_names() -> None:
    name = consumer_name("dc.paris/1")
    assert name.startswith("stk-")
    assert not set(name) & set(". */\\>")
    assert consumer_name("dc.paris/1") != consumer_name("dc.paris/2")
