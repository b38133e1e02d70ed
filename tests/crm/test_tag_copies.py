"""Tag rows carry their customer's last contact and merge (0022_tag_contact_order): every
way those change keeps the copies true, and a search by tag follows them."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, Engine, inspect, select, text
from sqlalchemy.orm import Session

from switchboard.config import CrmSettings
from switchboard.crm.contact import touch_last_contact
from switchboard.crm.directory import add_customer
from switchboard.crm.identifiers import DEFAULT_RULES
from switchboard.crm.importer import import_customers
from switchboard.crm.merge import merge_customers, undo_merge
from switchboard.crm.models import Customer, CustomerTag
from switchboard.crm.reading import open_source
from switchboard.crm.rows import plan_columns
from switchboard.crm.search import CustomerQuery, search_customers
from switchboard.crm.tickets import TicketPolicy, open_ticket
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine
from tests.crm.helpers import in_session, migrated_engine

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC).timestamp()
POLICY = TicketPolicy.from_settings(CrmSettings())


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    with migrated_engine(database_url) as engine:
        yield engine


def stale_copies(engine: Engine) -> list[tuple[Any, ...]]:
    """Tag rows whose copies differ from their customer (none, if all is well)."""
    tag, customer = CustomerTag, Customer
    return in_session(
        engine,
        lambda s: [
            tuple(r)
            for r in s.execute(
                select(tag.customer_id, tag.tag, tag.last_contact_at, customer.last_contact_at)
                .join(customer, customer.id == tag.customer_id)
                .where(
                    tag.last_contact_at.is_distinct_from(customer.last_contact_at)
                    | tag.merged_into_id.is_distinct_from(customer.merged_into_id)
                )
            )
        ],
    )


def tagged(engine: Engine, tag: str) -> list[str]:
    page = in_session(engine, lambda s: search_customers(s, CustomerQuery(tags=(tag,))))
    return [c["name"] for c in page.customers]


def test_a_call_or_a_ticket_moving_the_last_contact_moves_the_tags_copy(engine: Engine) -> None:
    def create(session: Session) -> None:
        add_customer(session, "张伟", {"phone": "13800138000"}, tags=["vip", "投诉"])
        add_customer(session, "李雷", {"phone": "13900001111"}, tags=["vip"])

    in_session(engine, create)
    assert tagged(engine, "vip") == ["张伟", "李雷"]  # never contacted: by id
    in_session(
        engine,
        lambda s: touch_last_contact(
            s, caller_number="13900001111", ivr_ref="", at=T0, rules=DEFAULT_RULES
        ),
    )
    assert tagged(engine, "vip") == ["李雷", "张伟"]
    in_session(
        engine,
        lambda s: touch_last_contact(
            s, caller_number="13800138000", ivr_ref="", at=T0 + 60, rules=DEFAULT_RULES
        ),
    )
    assert tagged(engine, "vip") == ["张伟", "李雷"]
    assert stale_copies(engine) == []
    # A ticket opened for 李雷 is a contact too.
    in_session(
        engine,
        lambda s: open_ticket(
            s,
            POLICY,
            actor="li",
            now=T0 + 120,
            type="complaint",
            category="quality",
            priority="normal",
            subject="噪音",
            customer_id=s.scalars(select(Customer.id).where(Customer.name == "李雷")).one(),
        ),
    )
    assert tagged(engine, "vip") == ["李雷", "张伟"]
    assert stale_copies(engine) == []


def test_tags_added_later_take_the_customers_values(engine: Engine) -> None:
    def create(session: Session) -> int:
        customer = add_customer(session, "张伟", {"phone": "13800138000"})
        customer.last_contact_at = datetime.fromtimestamp(T0, UTC)
        return customer.id

    customer_id = in_session(engine, create)

    def add_tags(session: Session) -> None:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.tags.append(CustomerTag(tag="vip"))  # through the customer
        session.add(CustomerTag(customer_id=customer_id, tag="投诉"))  # on its own

    in_session(engine, add_tags)
    assert stale_copies(engine) == []
    assert tagged(engine, "投诉") == ["张伟"]
    copies = in_session(engine, lambda s: s.scalars(select(CustomerTag.last_contact_at)).all())
    assert len(copies) == 2 and all(c is not None for c in copies)


def test_merge_and_undo_keep_the_copies_and_the_tag_search_true(engine: Engine) -> None:
    def create(session: Session) -> tuple[int, int]:
        first = add_customer(session, "张伟", {"phone": "13800138000"}, tags=["vip"])
        second = add_customer(session, "张伟", {"phone": "01062345678"}, tags=["投诉", "vip"])
        first.last_contact_at = datetime.fromtimestamp(T0, UTC)
        second.last_contact_at = datetime.fromtimestamp(T0 + 60, UTC)
        return first.id, second.id

    survivor, duplicate = in_session(engine, create)
    merge = in_session(
        engine, lambda s: merge_customers(s, survivor, duplicate, actor="admin", now=T0 + 120)
    )
    assert stale_copies(engine) == []
    # The duplicate is hidden; its 投诉 moved to the survivor, with the survivor's contact.
    assert tagged(engine, "投诉") == ["张伟"]
    page = in_session(engine, lambda s: search_customers(s, CustomerQuery(tags=("投诉",))))
    assert [c["id"] for c in page.customers] == [survivor]
    assert [c["id"] for c in tagged_ids(engine, "vip")] == [survivor]
    in_session(
        engine, lambda s: undo_merge(s, merge["id"], actor="admin", now=T0 + 180, is_admin=True)
    )
    assert stale_copies(engine) == []
    assert [c["id"] for c in tagged_ids(engine, "vip")] == [duplicate, survivor]
    assert [c["id"] for c in tagged_ids(engine, "投诉")] == [duplicate]


def tagged_ids(engine: Engine, tag: str) -> list[dict[str, Any]]:
    return in_session(engine, lambda s: search_customers(s, CustomerQuery(tags=(tag,))).customers)


HEADER = ["姓名", "手机", "标签", "最近联系"]


def run_import(engine: Engine, path: Path, rows: list[list[str]]) -> tuple[int, int, int]:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    source = open_source(path)
    plan = plan_columns(source.headers, DEFAULT_RULES)
    counts = import_customers(engine, source, plan, rules=DEFAULT_RULES, vip_tiers=("normal",))
    return counts.created, counts.updated, counts.unchanged


def test_the_import_writes_true_copies_and_a_rerun_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    first = [
        ["张伟", "13800138000", "vip;投诉", "2026-10-01"],
        ["李雷", "13900001111", "vip", "2026-10-05"],
        ["韩梅梅", "13700001111", "vip", ""],
    ]
    assert run_import(engine, tmp_path / "a.csv", first) == (3, 0, 0)
    assert stale_copies(engine) == []
    assert tagged(engine, "vip") == ["李雷", "张伟", "韩梅梅"]
    before = in_session(engine, lambda s: s.execute(select(CustomerTag.__table__)).all())
    assert run_import(engine, tmp_path / "a.csv", first) == (0, 0, 3)
    assert in_session(engine, lambda s: s.execute(select(CustomerTag.__table__)).all()) == before
    # A later file moves 张伟's last contact (old tags follow) and gives 韩梅梅 a new tag.
    later = [
        ["张伟", "13800138000", "", "2026-11-02"],
        ["韩梅梅", "13700001111", "老客户", "2026-10-03"],
    ]
    assert run_import(engine, tmp_path / "b.csv", later) == (0, 2, 0)
    assert stale_copies(engine) == []
    assert tagged(engine, "vip") == ["张伟", "李雷", "韩梅梅"]
    assert tagged(engine, "老客户") == ["韩梅梅"]


def test_the_migration_back_fills_the_copies_and_goes_back_cleanly(database_url: URL) -> None:
    from alembic import command

    from switchboard.store.migrate import alembic_config

    upgrade_database(database_url, "0021_agent_report_speed")
    engine = create_database_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO crm_customer (id, name, name_pinyin, name_initials, attributes,"
                    " last_contact_at, merged_into_id) VALUES"
                    " (1, '张伟', 'zhangwei', 'zw', '{}', :at, NULL),"
                    " (2, '李雷', 'lilei', 'll', '{}', NULL, 1)"
                ),
                {"at": datetime.fromtimestamp(T0, UTC)},
            )
            conn.execute(
                text(
                    "INSERT INTO crm_customer_tag (customer_id, tag) VALUES"
                    " (1, 'vip'), (2, 'vip'), (2, '投诉')"
                )
            )
        upgrade_database(database_url)
        assert stale_copies(engine) == []
        assert tagged(engine, "vip") == ["张伟"]  # 李雷 was merged away
        command.downgrade(alembic_config(database_url), "0021_agent_report_speed")
        columns = {c["name"] for c in inspect(engine).get_columns("crm_customer_tag")}
        assert columns == {"id", "customer_id", "tag"}
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM crm_customer_tag")) == 3
        upgrade_database(database_url)
        assert stale_copies(engine) == []
    finally:
        engine.dispose()
