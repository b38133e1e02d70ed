# -*- test-case-name: tests.crm.test_search,tests.ivr.test_store -*-
"""CRM tables: customers, their identifiers and tags, merges (0002_ivr_crm, 0013_crm_tickets).

The name's pinyin forms and an identifier's last digits are derived columns, kept right by
the ``validates`` hooks below whenever the ORM sets a name or a value; bulk writers
(:mod:`.importer`) fill them with the same functions. A tag row's copies of its customer's
last contact and merge are kept by :mod:`.tag_copies`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from switchboard.crm.names import pinyin_forms
from switchboard.store.models import Base

__all__ = ["Customer", "CustomerIdentifier", "CustomerMerge", "CustomerTag", "digits_tail"]

TAIL = 4


def digits_tail(value: str) -> str:
    """The last digits of a number-like stored value (``""`` for anything else)."""
    digits = value.removeprefix("+")
    return digits[-TAIL:] if digits.isdigit() and len(digits) >= TAIL else ""


class Customer(Base):
    """A person or company that calls; ``attributes`` holds free fields (balance ...)."""

    __tablename__ = "crm_customer"
    # Pattern operators: on PostgreSQL a prefix LIKE ('zhang%') uses these btrees whatever
    # the collation (equality too); SQLite gets plain indexes. With what a search takes of
    # each match (0022), PostgreSQL answers from the index alone.
    __table_args__ = (
        *(
            Index(
                f"ix_crm_customer_{c}",
                c,
                postgresql_ops={c: "varchar_pattern_ops"},
                postgresql_include=["id", "last_contact_at", "merged_into_id"],
            )
            for c in ("name", "name_pinyin", "name_initials")
        ),
        # PostgreSQL only (0017_search_indexes): the name's pieces, for a part of a name.
        Index(
            "ix_crm_customer_name_grams",
            func.crm_name_grams(text("name")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        # PostgreSQL only (0017): a search by date alone, most recent contact first; with
        # the name (0022), a one-character part of a name walks it without the table.
        Index(
            "ix_crm_customer_contact_order",
            text("last_contact_at DESC NULLS LAST"),
            "id",
            postgresql_where=text("merged_into_id IS NULL"),
            postgresql_include=["name"],
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    vip_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    name_pinyin: Mapped[str] = mapped_column(String(400), default="")
    name_initials: Mapped[str] = mapped_column(String(200), default="")
    last_contact_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    # Set while this record is merged into another (it is then hidden from search).
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    identifiers: Mapped[list[CustomerIdentifier]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", lazy="selectin"
    )
    tags: Mapped[list[CustomerTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CustomerTag.tag"
    )

    @validates("name")
    def _derive_pinyin(self, _key: str, name: str) -> str:
        self.name_pinyin, self.name_initials = pinyin_forms(name)
        return name

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]


class CustomerIdentifier(Base):
    """One key a customer can be found by; ``value`` is stored normalised (see identifiers)."""

    __tablename__ = "crm_customer_identifier"
    __table_args__ = (
        UniqueConstraint("kind", "value", name="uq_crm_customer_identifier_kind_value"),
        Index("ix_crm_customer_identifier_value", "value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("crm_customer.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(128))
    tail: Mapped[str] = mapped_column(String(8), default="", index=True)
    customer: Mapped[Customer] = relationship(back_populates="identifiers")

    @validates("value")
    def _derive_tail(self, _key: str, value: str) -> str:
        self.tail = digits_tail(value)
        return value


class CustomerTag(Base):
    """One tag of a customer, with copies of the customer's last contact and merge
    (0022_tag_contact_order) so a tag's page in contact order is read from one index.
    The copies are kept true by :mod:`.tag_copies`; nothing else should write them."""

    __tablename__ = "crm_customer_tag"
    __table_args__ = (
        UniqueConstraint("customer_id", "tag"),
        Index("ix_crm_customer_tag_tag_customer_id", "tag", "customer_id"),  # 0015
        Index(
            "ix_crm_customer_tag_contact_order",
            "tag",
            text("last_contact_at DESC NULLS LAST"),
            "customer_id",
            postgresql_where=text("merged_into_id IS NULL"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("crm_customer.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64))
    last_contact_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CustomerMerge(Base):
    """One merge of ``merged_id`` into ``survivor_id``; ``moved`` lists what moved, so an
    admin can undo it."""

    __tablename__ = "crm_customer_merge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survivor_id: Mapped[int] = mapped_column(Integer)
    merged_id: Mapped[int] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    moved: Mapped[dict[str, Any]] = mapped_column(JSON)
    undone_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# The flush hook that keeps CustomerTag's copies true, registered wherever the tables are.
from switchboard.crm import tag_copies as _tag_copies  # noqa: E402, F401
