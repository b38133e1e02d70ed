# -*- test-case-name: tests.crm.test_search -*-
"""Search customers by any key: an identifier, a phone's last digits, a Chinese name or
part of it, its pinyin or initials; filtered by tags and last-contact dates; ranked, paged.

Every match kind is an indexed query (see 0013_crm_tickets, 0017_search_indexes); their
candidates come with their last contact and are ranked here in Python, so SQLite and
PostgreSQL give the same answers in the same order: best match first, then the most recent
contact, then the oldest record. Query text is bound, never spliced into SQL, and LIKE
wildcards in it are escaped.

All kinds' candidates are asked for in one statement (a ``UNION ALL``: one round trip).

A part of a Chinese name (``%伟%``) cannot use a btree. On PostgreSQL the name's one- and
two-character pieces are in a GIN index (``crm_name_grams``, 0017): the LIKE is then only
checked on the rows holding every piece of the query; SQLite scans, as before. A common
single character is found faster by walking the contact order (:func:`_one_character_part`).
A search by tag alone reads the tag rows, which carry copies of their customer's last
contact and merge (0022, kept by :mod:`.tag_copies`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy import text as text_clause
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from switchboard.crm.identifiers import DEFAULT_RULES, IdentifierRules
from switchboard.crm.models import TAIL, Customer, CustomerIdentifier, CustomerTag
from switchboard.crm.names import fold

__all__ = [
    "MAX_COUNTED",
    "MAX_QUERY",
    "CustomerQuery",
    "SearchError",
    "SearchPage",
    "customer_json",
    "search_customers",
]

_AnySelect = TypeVar("_AnySelect", bound=Select[*tuple[Any, ...]])

MAX_QUERY: Final = 100
MAX_PER_PAGE: Final = 100
MAX_TAGS: Final = 10
CANDIDATES: Final = 500  # per match kind: a query matching more is too vague to page through
# How deep a one-character name part walks the contact order (PostgreSQL), see
# _one_character_part: 20,000 entries serve a character in 2.5 % of names, 100,000 in 0.5 %.
WALK_DEPTHS: Final = (20_000, 100_000)
# The order without text, and of a name part's candidates: most recent contact first.
_CONTACT_ORDER: Final = (Customer.last_contact_at.desc().nulls_last(), Customer.id)
# A tag or a date range alone may match most of the file: it is counted up to this many
# (counting 300,000 tagged customers costs a second; the first thousand, milliseconds).
MAX_COUNTED: Final = 1000
# Rank of each way a customer can match (higher first).
SCORES: Final = {
    "identifier": 100,
    "name": 90,
    "pinyin": 85,
    "phone_tail": 80,
    "initials": 75,
    "name_prefix": 70,
    "pinyin_prefix": 60,
    "name_part": 50,
    "initials_prefix": 40,
}


class SearchError(ValueError):
    """A search that cannot run as asked; the message says what to change."""


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    text: str = ""
    tags: tuple[str, ...] = ()
    contacted_from: datetime | None = None  # inclusive
    contacted_to: datetime | None = None  # exclusive
    page: int = 1
    per_page: int = 20

    def checked(self) -> CustomerQuery:
        text = self.text.strip()
        if len(text) > MAX_QUERY:
            raise SearchError(f"search text is limited to {MAX_QUERY} characters")
        if any(ord(ch) < 32 for value in (text, *self.tags) for ch in value):
            raise SearchError("search text or a tag has control characters; type plain text")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchError(f"per page: 1 to {MAX_PER_PAGE}")
        if not 1 <= self.page <= 10_000:
            raise SearchError("page: 1 to 10000")
        if len(self.tags) > MAX_TAGS or any(not 0 < len(t) <= 64 for t in self.tags):
            raise SearchError(f"at most {MAX_TAGS} tags of 1 to 64 characters")
        if self.contacted_from and self.contacted_to and self.contacted_to <= self.contacted_from:
            raise SearchError("the last-contact range ends before it starts")
        if not (text or self.tags or self.contacted_from or self.contacted_to):
            raise SearchError("give search text, a tag or a last-contact date range")
        return CustomerQuery(
            text, self.tags, self.contacted_from, self.contacted_to, self.page, self.per_page
        )


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int  # at most MAX_COUNTED for a search without text (then ``more`` is true)
    page: int
    per_page: int
    customers: list[dict[str, Any]] = field(default_factory=list)
    # More than ``total`` may match (a vague text: CANDIDATES per kind of match; no text:
    # MAX_COUNTED): narrow the search. Pages past ``total`` can still be asked for.
    more: bool = False


def search_customers(
    session: Session, query: CustomerQuery, rules: IdentifierRules = DEFAULT_RULES
) -> SearchPage:
    """One page of the customers matching ``query`` (:class:`SearchError` when unusable)."""
    query = query.checked()
    if not query.text:
        return _filtered_only(session, query)
    found: dict[int, str] = {}  # customer id -> how it matched best
    contacts: dict[int, datetime | None] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    matches = [
        (how, _filtered(statement, query).limit(CANDIDATES))
        for how, statement in _match_queries(query.text, rules, postgres)
    ]
    if postgres and len(query.text) == 1 and not query.tags and matches[-1][0] == "name_part":
        rows = _one_character_part(session, query, matches.pop()[1])
    else:
        rows = []
    rows += _candidates(session, matches)
    more = max(Counter(how for how, _id, _contact in rows).values(), default=0) == CANDIDATES
    for how, customer_id, contact in rows:
        contacts[customer_id] = contact
        if customer_id not in found or SCORES[how] > SCORES[found[customer_id]]:
            found[customer_id] = how
    if not postgres and any(h in ("name", "name_prefix", "name_part") for h in found.values()):
        _drop_case_insensitive_name_matches(session, found, query.text)
    ranked = sorted(
        found,
        key=lambda cid: (-SCORES[found[cid]], -_epoch(contacts.get(cid)), cid),
    )
    start = (query.page - 1) * query.per_page
    page_ids = ranked[start : start + query.per_page]
    customers = _load(session, page_ids)
    return SearchPage(
        len(ranked),
        query.page,
        query.per_page,
        [customer_json(customers[cid], match=found[cid]) for cid in page_ids],
        more=more,
    )


def _match_queries(
    text: str, rules: IdentifierRules, postgres: bool
) -> Iterable[tuple[str, Select[int, datetime | None]]]:
    """Per way of matching, a query of ``(customer id, last contact)``."""
    by_identifier = select(CustomerIdentifier.customer_id, Customer.last_contact_at).join(
        Customer, Customer.id == CustomerIdentifier.customer_id
    )
    pairs = {(k, v) for k in rules.kinds if (v := rules.normalize(k, text))}
    if pairs:
        yield (
            "identifier",
            by_identifier.where(
                or_(
                    *(
                        and_(CustomerIdentifier.kind == k, CustomerIdentifier.value == v)
                        for k, v in pairs
                    )
                )
            ),
        )
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= TAIL and all(ch.isdigit() or ch in " -+" for ch in text):
        phone_kinds = [k for k, rule in rules.kinds.items() if rule == "phone"]
        yield (
            "phone_tail",
            by_identifier.where(
                CustomerIdentifier.tail == digits[-TAIL:],
                CustomerIdentifier.kind.in_(phone_kinds),
                CustomerIdentifier.value.like("%" + digits),
            ),
        )
    name = select(Customer.id, Customer.last_contact_at)
    if not text.isascii():
        yield "name", name.where(Customer.name == text)
        yield "name_prefix", name.where(Customer.name.like(_escaped(text) + "%", escape="\\"))
        # The most recently contacted first: a common character matches 36,000 names of a
        # million, and the candidates taken are then the first the ranking would show.
        part = name.where(_contains(Customer.name, text)).order_by(*_CONTACT_ORDER)
        if postgres:  # narrowed by the GIN index first (0017_search_indexes)
            wanted = cast(bindparam("grams", name_grams(text), type_=ARRAY(Text)), ARRAY(Text))
            part = part.where(func.crm_name_grams(Customer.name).op("@>")(wanted))
        yield "name_part", part
        return
    folded = fold(text)
    if folded and folded.isalpha() and text.replace(" ", "").isalpha():
        pattern = folded + "%"  # letters only: nothing to escape
        yield "pinyin", name.where(Customer.name_pinyin == folded)
        yield "initials", name.where(Customer.name_initials == folded)
        yield "pinyin_prefix", name.where(Customer.name_pinyin.like(pattern))
        if len(folded) >= 2:
            yield "initials_prefix", name.where(Customer.name_initials.like(pattern))


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    return column.like("%" + _escaped(text) + "%", escape="\\")  # type: ignore[no-any-return]


def _candidates(
    session: Session, matches: list[tuple[str, Select[int, datetime | None]]]
) -> list[tuple[str, int, datetime | None]]:
    """Every kind's candidates in one statement (one round trip instead of up to six)."""
    if not matches:
        return []
    parts = []
    for number, (_how, statement) in enumerate(matches):
        limited = statement.subquery(f"match_{number}")
        parts.append(select(literal(number, Integer), *limited.c))
    rows = session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
    return [(matches[number][0], customer_id, contact) for number, customer_id, contact in rows]


def _one_character_part(
    session: Session, query: CustomerQuery, indexed: Select[int, datetime | None]
) -> list[tuple[str, int, datetime | None]]:
    """A one-character part of a name on PostgreSQL: its CANDIDATES most recently
    contacted names, as ``indexed`` (the GIN query) would give them, found cheaper.

    A common character (伟: 36,000 names of a million) is in the GIN index as one long
    list, read whole (5 ms) before the names are read from the table to be sorted by
    contact (80 ms). Walking the contact order in ``ix_crm_customer_contact_order``,
    which holds the name too, finds its first 500 within 15,000 entries (3 ms), without
    the table. The walk is bounded: found short of CANDIDATES within ``depth`` entries,
    the character is either worth a deeper walk or rare enough for the GIN index.
    """
    for depth in WALK_DEPTHS:
        recent = (
            _filtered(select(Customer.id, Customer.last_contact_at, Customer.name), query)
            .order_by(*_CONTACT_ORDER)
            .limit(depth)
            .subquery("recent")
        )
        rows = session.execute(
            select(recent.c.id, recent.c.last_contact_at)
            .where(_contains(recent.c.name, query.text))
            .order_by(recent.c.last_contact_at.desc().nulls_last(), recent.c.id)
            .limit(CANDIDATES)
        ).all()
        if len(rows) == CANDIDATES:
            return [("name_part", customer_id, contact) for customer_id, contact in rows]
        if len(rows) * WALK_DEPTHS[-1] < depth * CANDIDATES * 3 // 2:
            break  # the deepest walk would likely fall short too
    # The character's list is short enough to sort; parallel workers cost more to start.
    session.execute(text_clause("SET LOCAL max_parallel_workers_per_gather = 0"))
    return [
        ("name_part", customer_id, contact) for customer_id, contact in session.execute(indexed)
    ]


def name_grams(text: str) -> list[str]:
    """The pieces of ``text`` every name containing it has among its own: its two-character
    pieces (its one character if that is all), as ``crm_name_grams`` cuts a name."""
    if len(text) == 1:
        return [text]
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(statement: _AnySelect, query: CustomerQuery) -> _AnySelect:
    """Only live (not merged away) customers with every tag, contacted in the range."""
    statement = statement.where(Customer.merged_into_id.is_(None))
    for tag in query.tags:
        statement = statement.where(
            Customer.id.in_(select(CustomerTag.customer_id).where(CustomerTag.tag == tag))
        )
    return _contacted_in_range(statement, Customer.last_contact_at, query)


def _filtered_only(session: Session, query: CustomerQuery) -> SearchPage:
    """Tags and dates alone, the most recent contact first, never contacted last.

    Counted up to MAX_COUNTED + 1 first. The page is then read in contact order: on
    PostgreSQL an index range, of the customers (dates alone) or of the first tag's rows,
    which carry their customer's last contact and merge (0022_tag_contact_order). With
    several tags and few matches, the matches are fetched whole and paged here instead:
    walking the first tag's order to find the rare customers with the others could
    visit all of it.
    """
    if query.tags:
        customer_id, contact = CustomerTag.customer_id, CustomerTag.last_contact_at
        base = _tagged(query)
    else:
        customer_id, contact = Customer.id, Customer.last_contact_at
        base = _filtered(select(customer_id, contact), query)
    counted = base.with_only_columns(customer_id).limit(MAX_COUNTED + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    start = (query.page - 1) * query.per_page
    if total <= MAX_COUNTED and len(query.tags) > 1:
        matches = session.execute(base).all()
        ranked = sorted(matches, key=lambda m: (m[1] is None, -_epoch(m[1]), m[0]))
        ids = [m[0] for m in ranked[start : start + query.per_page]]
    else:
        ids = list(
            session.scalars(
                base.with_only_columns(customer_id)
                .order_by(contact.desc().nulls_last(), customer_id)
                .offset(start)
                .limit(query.per_page)
            )
        )
    customers = _load(session, ids)
    return SearchPage(
        min(total, MAX_COUNTED),
        query.page,
        query.per_page,
        [customer_json(customers[i], match="filter") for i in ids],
        more=total > MAX_COUNTED,
    )


def _tagged(query: CustomerQuery) -> Select[int, datetime | None]:
    """``(customer id, last contact)`` of the live customers with every tag, contacted in
    the range, read from the first tag's rows and their copies of the customer's fields."""
    first, *others = query.tags
    statement = select(CustomerTag.customer_id, CustomerTag.last_contact_at).where(
        CustomerTag.tag == first, CustomerTag.merged_into_id.is_(None)
    )
    for tag in others:
        also = aliased(CustomerTag)
        statement = statement.where(
            CustomerTag.customer_id.in_(select(also.customer_id).where(also.tag == tag))
        )
    return _contacted_in_range(statement, CustomerTag.last_contact_at, query)


def _contacted_in_range(
    statement: _AnySelect, contact: InstrumentedAttribute[datetime | None], query: CustomerQuery
) -> _AnySelect:
    if query.contacted_from is not None:
        statement = statement.where(contact >= query.contacted_from)
    if query.contacted_to is not None:
        statement = statement.where(contact < query.contacted_to)
    return statement


def _drop_case_insensitive_name_matches(session: Session, found: dict[int, str], text: str) -> None:
    """SQLite's LIKE ignores ASCII case, PostgreSQL's does not: keep what both would find."""
    names = dict(
        session.execute(
            select(Customer.id, Customer.name).where(
                Customer.id.in_([c for c, h in found.items() if h.startswith("name")])
            )
        ).all()
    )
    for customer_id, name in names.items():
        how = found[customer_id]
        exact = {"name": name == text, "name_prefix": name.startswith(text)}.get(how, text in name)
        if not exact:
            del found[customer_id]


def _load(session: Session, ids: list[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}


def _epoch(value: datetime | None) -> float:
    if value is None:
        return float("-inf")
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def customer_json(customer: Customer, *, match: str | None = None) -> dict[str, Any]:
    """A customer as plain JSON-ready data (identifiers as ``[{kind, value}]``)."""
    contact = customer.last_contact_at
    found: dict[str, Any] = {
        "id": customer.id,
        "name": customer.name,
        "vip_level": customer.vip_level,
        "language": customer.language,
        "identifiers": [{"kind": i.kind, "value": i.value} for i in customer.identifiers],
        "tags": customer.tag_names,
        "notes": customer.notes,
        "attributes": dict(customer.attributes or {}),
        "last_contact_at": None if contact is None else _epoch(contact),
    }
    if match is not None:
        found["match"] = match
    return found
