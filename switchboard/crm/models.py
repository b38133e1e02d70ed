# -*- test-case-name: tests.ivr.test_store -*-
"""CRM tables: a customer, and every identifier that finds them (created by 0002_ivr_crm)."""

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
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from switchboard.store.models import Base

__all__ = ["Customer", "CustomerIdentifier"]


class Customer(Base):
    """A person or company that calls; ``attributes`` holds free fields (balance, tier ...)."""

    __tablename__ = "crm_customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    vip_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    identifiers: Mapped[list[CustomerIdentifier]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", lazy="selectin"
    )


class CustomerIdentifier(Base):
    """One key a customer can be found by; ``value`` is stored normalised (see directory)."""

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
    customer: Mapped[Customer] = relationship(back_populates="identifiers")
