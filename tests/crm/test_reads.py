"""The log of people reading customer records: its table (migration 0014_crm_reads, on
SQLite and PostgreSQL), what is written and listed, and who writes it besides the REST
API (tests/web/api/test_crm_customers.py): the seat's customer view and search, not its
pop, and the command line."""

from __future__ import annotations

import getpass
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, delete, make_url
from twisted.internet.defer import ensureDeferred

from switchboard.cli import parser_for
from switchboard.config import Settings
from switchboard.config.model import DatabaseSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.models import Customer
from switchboard.crm.reads import reads_of, record_reads
from switchboard.store import upgrade_database
from switchboard.store.db import Database, create_database_engine
from tests.crm.helpers import in_session, migrated_engine
from tests.seat.helpers import HeldWork, Seat, make_seat, migrated, user, write
from tests.seat.test_feed import offer

T0 = 1795521600.0


def test_migration_0014_matches_the_reads_model(database_url: URL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from switchboard.store.models import Base

    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert [d for d in diff if "crm_customer_read" in repr(d)] == []


def test_reads_are_listed_newest_first_and_outlive_the_customer(database_url: URL) -> None:
    with migrated_engine(database_url) as engine:
        customer = in_session(
            engine, lambda s: add_customer(s, "张伟", {"phone": "13800138000"}).id
        )

        def read(username: str, via: str, at: float) -> None:
            in_session(
                engine,
                lambda s: record_reads(
                    s, [customer, customer], username=username, via=via, address="10.0.0.7", now=at
                ),
            )

        read("wang", "seat", T0)
        read("boss", "rest:history", T0 + 60)
        in_session(engine, lambda s: s.execute(delete(Customer).where(Customer.id == customer)))
        listed = in_session(engine, lambda s: reads_of(s, customer))
        assert listed == {
            "total": 2,  # one row a read, however often the id was passed
            "reads": [
                {"username": "boss", "at": T0 + 60, "via": "rest:history", "address": "10.0.0.7"},
                {"username": "wang", "at": T0, "via": "seat", "address": "10.0.0.7"},
            ],
        }
        assert in_session(engine, lambda s: reads_of(s, customer, limit=1, offset=1))["reads"][0][
            "username"
        ] == ("wang")
        with pytest.raises(ValueError, match="unknown read channel 'email'"):
            in_session(
                engine,
                lambda s: record_reads(
                    s, [customer], username="x", via="email", address="", now=T0
                ),
            )


# -- the seat -------------------------------------------------------------------------------


@pytest.fixture
def seat(database_url: URL) -> Iterator[Seat]:
    runner = HeldWork()
    for database in migrated(database_url, runner):
        yield make_seat(database, runner)


def _run(work: Coroutine[Any, Any, Any]) -> Any:
    results: list[Any] = []
    ensureDeferred(work).addBoth(results.append)
    return results[0]


def _reads(database: Database, customer_id: int) -> list[tuple[str, str, str]]:
    found = write(database, lambda s: reads_of(s, customer_id))["reads"]
    return [(r["username"], r["via"], r["address"]) for r in found]


def test_the_seat_logs_its_customer_view_and_search_not_the_pop(seat: Seat) -> None:
    zhang = write(seat.database, lambda s: add_customer(s, "张伟", {"phone": "13800138000"}).id)
    offer(seat, "c1", "1001", number="13800138000", ivr_ref="")
    assert _reads(seat.database, zhang) == []  # the pop is the system's doing
    wang = user("1001", "wang")
    assert _run(seat.actions.customer(wang, zhang, "192.0.2.4"))["name"] == "张伟"
    assert _reads(seat.database, zhang) == [("wang", "seat", "192.0.2.4")]
    li = user("1002", "li")
    assert [c["id"] for c in _run(seat.actions.search_customers(li, "zw", "192.0.2.5"))] == [zhang]
    assert _reads(seat.database, zhang)[0] == ("li", "seat:search", "192.0.2.5")


# -- the command line -----------------------------------------------------------------------


def _cli(settings: Settings, *argv: str) -> int:
    args = parser_for(argv[0]).parse_args(list(argv))
    return int(args.run(args, settings))


def test_the_command_line_logs_show_history_and_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    settings = Settings(database=DatabaseSettings(url=url))
    source = tmp_path / "c.csv"
    source.write_text("姓名,手机\n张伟,13800138000\n", encoding="utf-8")
    assert _cli(settings, "customers", "import", str(source)) == 0
    for argv in (("show", "1"), ("history", "1"), ("search", "zw", "--json")):
        assert _cli(settings, "customers", *argv) == 0
    assert '"name": "张伟"' in capsys.readouterr().out
    with migrated_engine(make_url(url)) as engine:
        listed = in_session(engine, lambda s: reads_of(s, 1))
    me = getpass.getuser()
    assert [(r["username"], r["via"], r["address"]) for r in listed["reads"]] == [
        (me, "cli:search", "local"),
        (me, "cli:history", "local"),
        (me, "cli", "local"),
    ]
