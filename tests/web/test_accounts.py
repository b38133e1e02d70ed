"""Users in the database: added, found, listed, disabled; the migration matches the models."""

from __future__ import annotations

import pytest
from sqlalchemy import URL, select
from sqlalchemy.orm import Session

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import PasswordProblem, Passwords
from switchboard.accounts.records import WebUser
from switchboard.accounts.store import (
    AccountError,
    add_user,
    find_user,
    list_users,
    set_disabled,
)
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine
from tests.web.stack import CHEAP, Stack


def test_a_user_round_trips_with_role_seat_language_and_queues(stack: Stack) -> None:
    def work(session: Session) -> None:
        added = add_user(
            session,
            "li",
            "hash",
            role=Role.SUPERVISOR,
            display_name="李娜",
            agent_id="2001",
            language="en",
            queues=("sales", "support"),
        )
        found = find_user(session, "li")
        assert found is not None and found[0] == added and found[1] == "hash"
        assert added.has_seat and added.queues == ("sales", "support")
        assert added.role is Role.SUPERVISOR and added.display_name == "李娜"
        assert [u.username for u in list_users(session)] == ["li"]

    stack.database.run(work)


def test_bad_users_are_refused_with_the_fix(stack: Stack) -> None:
    def work(session: Session) -> None:
        add_user(session, "li", "h", role=Role.AGENT, agent_id="1")
        with pytest.raises(AccountError, match="exists already: `switchboard users passwd li`"):
            add_user(session, "li", "h", role=Role.AGENT, agent_id="1")
        with pytest.raises(AccountError, match="without spaces"):
            add_user(session, "two words", "h", role=Role.AGENT)
        with pytest.raises(AccountError, match="one of zh-CN, en, not 'fr'"):
            add_user(session, "x", "h", role=Role.AGENT, language="fr")
        with pytest.raises(AccountError, match="no user 'nobody': `switchboard users list`"):
            set_disabled(session, "nobody")

    stack.database.run(work)


def test_passwords_are_stored_as_argon2id_hashes_and_checked() -> None:
    passwords = Passwords(CHEAP)
    hashed = passwords.hash("long enough secret")
    assert hashed.startswith("$argon2id$") and "long enough secret" not in hashed
    assert passwords.check(hashed, "long enough secret")
    assert not passwords.check(hashed, "long enough secreT")
    assert not passwords.check(None, "no such user: a decoy password")  # the decoy never lets in
    assert not passwords.check("not a hash", "whatever")


def test_a_short_or_padded_password_is_refused_with_why() -> None:
    with pytest.raises(PasswordProblem, match="at least 8 characters"):
        Passwords(CHEAP).hash("short")
    with pytest.raises(PasswordProblem, match="start or end with spaces"):
        Passwords(CHEAP).hash(" padded password ")


def test_the_default_hasher_is_argon2id() -> None:
    assert Passwords().hash("long enough secret").startswith("$argon2id$")


def test_the_web_accounts_migration_matches_the_models(database_url: URL) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from switchboard.store.models import Base

    upgrade_database(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert connection.execute(select(WebUser)).all() == []
    engine.dispose()
    assert [d for d in diff if "web_" in repr(d)] == []
