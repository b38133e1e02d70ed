"""Customer search on SQLite and PostgreSQL: same answers, same order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import URL, Engine, select
from sqlalchemy.orm import Session

from switchboard.crm.directory import add_customer
from switchboard.crm.models import Customer
from switchboard.crm.search import CustomerQuery, SearchError, search_customers
from tests.crm.helpers import in_session, migrated_engine


def day(d: int) -> datetime:
    return datetime(2026, 11, d, 12, tzinfo=UTC)


def populate(session: Session) -> None:
    people = [
        ("张伟", {"phone": ["13800138000", "010-6234 5678"]}, ["vip"], day(20)),
        ("张伟华", {"phone": "13900005678", "plate": "粤B 12345"}, ["vip", "late"], day(10)),
        ("章薇", {"account": "A-100"}, [], day(25)),
        ("王小明", {"id_card": "11010519491231002X", "order": "ord-77"}, ["late"], None),
        ("Tom Lee", {"email": "tom@example.com", "phone": "+44 20 7946 5678"}, [], day(1)),
        ("100%_张", {"member_card": "m 1"}, [], None),
    ]
    for name, identifiers, tags, contact in people:
        customer = add_customer(session, name, identifiers, tags=tags)
        customer.last_contact_at = contact


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    with migrated_engine(database_url) as engine:
        in_session(engine, populate)
        yield engine


def names(engine: Engine, **query: object) -> list[str]:
    page = in_session(engine, lambda s: search_customers(s, CustomerQuery(**query)))  # type: ignore[arg-type]
    return [c["name"] for c in page.customers]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+86 138 0013 8000", ["张伟"]),  # any typing of the number
        ("01062345678", ["张伟"]),  # a second phone
        ("粤b12345", ["张伟华"]),
        ("11010519491231002x", ["王小明"]),
        ("ORD 77", ["王小明"]),
        ("a100", ["章薇"]),
        ("TOM@example.com", ["Tom Lee"]),
        # last digits of a phone: every number ending so, latest contact first
        ("5678", ["张伟", "张伟华", "Tom Lee"]),
        ("0005678", ["张伟华"]),
        # part of a Chinese name: exact first, then prefix, then anywhere
        ("张伟", ["张伟", "张伟华"]),
        ("伟", ["张伟", "张伟华"]),
        ("伟华", ["张伟华"]),  # a part in the middle and at the end
        ("伟张", []),  # its characters, not in that order
        # pinyin and its initials; 章薇 reads zhangwei too
        ("zhangwei", ["章薇", "张伟", "张伟华"]),
        ("Zhang Wei", ["章薇", "张伟", "张伟华"]),
        ("zw", ["章薇", "张伟", "张伟华"]),  # exact initials, then prefix
        ("zwh", ["张伟华"]),
        ("zhang", ["章薇", "张伟", "张伟华"]),
        ("wangx", ["王小明"]),
        ("tom", ["Tom Lee"]),
        ("nobody", []),
    ],
)
def test_found_by_any_key(engine: Engine, text: str, expected: list[str]) -> None:
    assert names(engine, text=text) == expected


def test_filters_by_tag_and_last_contact(engine: Engine) -> None:
    assert names(engine, tags=("vip",)) == ["张伟", "张伟华"]
    assert names(engine, tags=("vip", "late")) == ["张伟华"]
    assert names(engine, text="zhang", tags=("late",)) == ["张伟华"]
    assert names(engine, contacted_from=day(10), contacted_to=day(21)) == ["张伟", "张伟华"]
    assert names(engine, text="zw", contacted_from=day(21)) == ["章薇"]


def test_results_are_paged(engine: Engine) -> None:
    pages = [
        in_session(
            engine, lambda s, p=p: search_customers(s, CustomerQuery("zhang", page=p, per_page=2))
        )
        for p in (1, 2)
    ]
    assert [p.total for p in pages] == [3, 3]
    assert [[c["name"] for c in p.customers] for p in pages] == [["章薇", "张伟"], ["张伟华"]]
    assert pages[0].customers[0]["match"] == "pinyin_prefix"


@pytest.mark.parametrize(
    "text",
    ["%", "_", "100%", "' OR 1=1 --", "张'; DROP TABLE crm_customer; --", "\\", "%张%"],
)
def test_wildcards_and_injection_are_plain_text(engine: Engine, text: str) -> None:
    assert names(engine, text=text) == []
    assert len(names(engine, tags=("vip",))) == 2  # the table is still there


def test_names_with_wildcard_characters_are_found_literally(engine: Engine) -> None:
    assert names(engine, text="0%_张") == ["100%_张"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (CustomerQuery("x" * 101), "limited to 100 characters"),
        (CustomerQuery("a\x00b"), "control characters"),
        (CustomerQuery(tags=("v\x00",)), "control characters"),
        (CustomerQuery(""), "give search text"),
        (CustomerQuery("zw", per_page=1000), "per page"),
        (CustomerQuery("zw", page=0), "page"),
        (CustomerQuery(tags=("t" * 65,)), "tags of 1 to 64"),
        (CustomerQuery(contacted_from=day(5), contacted_to=day(4)), "ends before it starts"),
    ],
)
def test_unusable_searches_are_refused(engine: Engine, query: CustomerQuery, problem: str) -> None:
    with pytest.raises(SearchError, match=problem):
        in_session(engine, lambda s: search_customers(s, query))


def test_a_search_without_text_counts_up_to_a_bound(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tag or a date range alone may match most of the file: it is counted up to
    MAX_COUNTED, ``more`` says there are more, and every page can still be read."""
    monkeypatch.setattr("switchboard.crm.search.MAX_COUNTED", 2)
    pages = [
        in_session(
            engine,
            lambda s, p=p: search_customers(
                s, CustomerQuery(contacted_from=day(1), page=p, per_page=2)
            ),
        )
        for p in (1, 2)
    ]
    assert [(p.total, p.more) for p in pages] == [(2, True), (2, True)]
    assert [[c["name"] for c in p.customers] for p in pages] == [
        ["章薇", "张伟"],
        ["张伟华", "Tom Lee"],
    ]
    vip = in_session(engine, lambda s: search_customers(s, CustomerQuery(tags=("vip",))))
    assert (vip.total, vip.more) == (2, False)


def test_customers_never_contacted_come_last(engine: Engine) -> None:
    assert names(engine, tags=("late",)) == ["张伟华", "王小明"]


@pytest.mark.parametrize(
    ("candidates", "depths"),
    [
        (1, (3, 6)),  # PostgreSQL: found by the first walk of the contact order
        (2, (2, 6)),  # found short by the first walk, then by the deeper one
        (1, (1, 2)),  # too rare for walking: from the GIN index
        (2, (1, 2)),
    ],
)
def test_a_vague_part_of_a_name_takes_the_most_recently_contacted(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, candidates: int, depths: tuple[int, ...]
) -> None:
    """Of more names holding the text than a search takes, it takes the most recently
    contacted, however PostgreSQL finds them (SQLite has one way)."""

    def contacted_later(session: Session) -> None:  # the later record, the later contact
        session.scalars(
            select(Customer).where(Customer.name == "张伟华")
        ).one().last_contact_at = day(22)

    in_session(engine, contacted_later)
    monkeypatch.setattr("switchboard.crm.search.CANDIDATES", candidates)
    monkeypatch.setattr("switchboard.crm.search.WALK_DEPTHS", depths)
    page = in_session(engine, lambda s: search_customers(s, CustomerQuery("伟")))
    assert [c["name"] for c in page.customers] == ["张伟华", "张伟"][:candidates]
    assert page.more  # as many as it takes: there may be more
    assert names(engine, text="伟", contacted_to=day(21)) == ["张伟"]
