"""SQLAlchemy models of the offer catalogue, aligned with OOAPI v5 and schema.org.

Mapping in short (details in docs/catalogue.md):
provider = OOAPI Organization / schema.org Organization,
offer = OOAPI Course / schema.org Course,
offering = OOAPI CourseOffering / schema.org CourseInstance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    cast,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, declarative_base, relationship

Base = declarative_base()

# Offer kinds; "scheme" is a funding or support scheme (SLIM, STAP), not a course.
OFFER_KINDS = (
    "course",
    "training",
    "informal_learning",
    "walk_in_advice",
    "event",
    "test_or_tool",
    "scheme",
)
# How an offering is delivered; "hybrid" counts as both online and on site in search.
DELIVERY_MODES = ("online", "on_site", "hybrid")

offer_themes = Table(
    "offer_themes",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    # How sure the tagger is (offer_catalogue.theme_tagging): 1.0 = given in the data,
    # NULL = a label from the data that is no taxonomy theme.
    Column("score", Float, nullable=True),
)
offer_skills = Table(
    "offer_skills",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)
offer_target_groups = Table(
    "offer_target_groups",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("target_group_id", ForeignKey("target_groups.id", ondelete="CASCADE"), primary_key=True),
)


class Provider(Base):
    """An organisation that offers learning (OOAPI Organization)."""

    __tablename__ = "providers"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_providers_source"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    source: Mapped[str] = Column(String(40), nullable=False)
    source_id: Mapped[str] = Column(String(200), nullable=False)
    name: Mapped[str] = Column(String(300), nullable=False)
    short_name: Mapped[str | None] = Column(String(100))
    organization_type: Mapped[str | None] = Column(String(40))
    description: Mapped[str | None] = Column(Text)
    url: Mapped[str | None] = Column(String(500))
    municipality: Mapped[str | None] = Column(String(60))
    fictional: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    checked_on: Mapped[dt.date | None] = Column(Date)
    ext: Mapped[dict[str, Any] | None] = Column(JSON)

    offers: Mapped[list[Offer]] = relationship("Offer", back_populates="provider")


class Location(Base):
    """A place where an offering happens (OOAPI Address / schema.org Place)."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_locations_source"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    source: Mapped[str] = Column(String(40), nullable=False)
    source_id: Mapped[str] = Column(String(200), nullable=False)
    name: Mapped[str | None] = Column(String(300))
    street: Mapped[str | None] = Column(String(200))
    street_number: Mapped[str | None] = Column(String(20))
    postal_code: Mapped[str | None] = Column(String(10))
    city: Mapped[str | None] = Column(String(100))
    municipality: Mapped[str | None] = Column(String(60), index=True)
    latitude: Mapped[float | None] = Column(Float)
    longitude: Mapped[float | None] = Column(Float)


class Theme(Base):
    """A subject area such as digital skills or care."""

    __tablename__ = "themes"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(60), nullable=False, unique=True)
    name_nl: Mapped[str] = Column(String(200), nullable=False)
    name_en: Mapped[str | None] = Column(String(200))


class Skill(Base):
    """A skill an offer teaches (free label, optionally an ESCO/CompetentNL URI)."""

    __tablename__ = "skills"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(120), nullable=False, unique=True)
    name_nl: Mapped[str] = Column(String(200), nullable=False)
    name_en: Mapped[str | None] = Column(String(200))
    uri: Mapped[str | None] = Column(String(500))


class TargetGroup(Base):
    """A group an offer is meant for, such as seniors or family carers."""

    __tablename__ = "target_groups"

    id: Mapped[int] = Column(Integer, primary_key=True)
    code: Mapped[str] = Column(String(60), nullable=False, unique=True)
    name_nl: Mapped[str] = Column(String(200), nullable=False)
    name_en: Mapped[str | None] = Column(String(200))


class Offer(Base):
    """Something a person can learn from or use (OOAPI Course / schema.org Course)."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_offers_source"),
        Index("ix_offers_kind", "kind"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    source: Mapped[str] = Column(String(40), nullable=False)
    source_id: Mapped[str] = Column(String(200), nullable=False)
    provider_id: Mapped[int] = Column(
        ForeignKey("providers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = Column(
        Enum(*OFFER_KINDS, name="offer_kind", native_enum=False, create_constraint=True),
        nullable=False,
    )
    title_nl: Mapped[str] = Column(String(300), nullable=False)
    title_en: Mapped[str | None] = Column(String(300))
    description_nl: Mapped[str | None] = Column(Text)
    description_en: Mapped[str | None] = Column(Text)
    url: Mapped[str | None] = Column(String(500))
    level: Mapped[str | None] = Column(String(60))
    study_load_hours: Mapped[float | None] = Column(Float)
    keywords: Mapped[str | None] = Column(Text)
    # Validity of a scheme (SLIM until 2030-01-01, STAP ended 2024-01-01); NULL = open-ended.
    valid_from: Mapped[dt.date | None] = Column(Date)
    valid_until: Mapped[dt.date | None] = Column(Date)
    fictional: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    checked_on: Mapped[dt.date | None] = Column(Date)
    # Normalised, stemmed search terms computed at import time (see offer_catalogue.text).
    search_text: Mapped[str | None] = Column(Text)
    ext: Mapped[dict[str, Any] | None] = Column(JSON)
    updated_at: Mapped[dt.datetime | None] = Column(DateTime, server_default=func.now(), onupdate=func.now())

    provider: Mapped[Provider] = relationship("Provider", back_populates="offers")
    offerings: Mapped[list[Offering]] = relationship(
        "Offering", back_populates="offer", cascade="all, delete-orphan"
    )
    themes: Mapped[list[Theme]] = relationship("Theme", secondary=offer_themes)
    skills: Mapped[list[Skill]] = relationship("Skill", secondary=offer_skills)
    target_groups: Mapped[list[TargetGroup]] = relationship("TargetGroup", secondary=offer_target_groups)


class Offering(Base):
    """One run of an offer at a time and place (OOAPI CourseOffering / CourseInstance)."""

    __tablename__ = "offerings"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_offerings_source"),
        Index("ix_offerings_municipality_mode", "municipality", "mode"),
        Index("ix_offerings_offer_end", "offer_id", "end_date"),
        Index("ix_offerings_start", "start_date"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    source: Mapped[str] = Column(String(40), nullable=False)
    source_id: Mapped[str] = Column(String(200), nullable=False)
    offer_id: Mapped[int] = Column(ForeignKey("offers.id", ondelete="CASCADE"), nullable=False)
    location_id: Mapped[int | None] = Column(ForeignKey("locations.id", ondelete="SET NULL"))
    start_date: Mapped[dt.date | None] = Column(Date)
    end_date: Mapped[dt.date | None] = Column(Date)
    enroll_start_date: Mapped[dt.date | None] = Column(Date)
    enroll_end_date: Mapped[dt.date | None] = Column(Date)
    # Price in euro cents (exact on SQLite and PostgreSQL); NULL = unknown, 0 = free.
    price_cents: Mapped[int | None] = Column(Integer)
    seats: Mapped[int | None] = Column(Integer)
    mode: Mapped[str] = Column(
        Enum(*DELIVERY_MODES, name="delivery_mode", native_enum=False, create_constraint=True),
        nullable=False,
    )
    teaching_language: Mapped[str | None] = Column(String(10))
    level: Mapped[str | None] = Column(String(60))
    # Copied from the location so search filters without a join; NULL for online only.
    municipality: Mapped[str | None] = Column(String(60))
    place_text: Mapped[str | None] = Column(String(100))
    schedule_text: Mapped[str | None] = Column(String(300))
    # When it runs, as bit masks of offer_catalogue.schedule; NULL = the data does not say.
    # days_mask: bit 0 = Monday ... bit 6 = Sunday.
    days_mask: Mapped[int | None] = Column(Integer)
    # day_parts: bit 0 = morning (< 12:00), bit 1 = afternoon (12-18), bit 2 = evening (>= 18:00).
    day_parts: Mapped[int | None] = Column(Integer)
    # Copied from the location (like `municipality`) so a distance filter needs no join.
    latitude: Mapped[float | None] = Column(Float)
    longitude: Mapped[float | None] = Column(Float)
    url: Mapped[str | None] = Column(String(500))
    checked_on: Mapped[dt.date | None] = Column(Date)
    ext: Mapped[dict[str, Any] | None] = Column(JSON)

    offer: Mapped[Offer] = relationship("Offer", back_populates="offerings")
    location: Mapped[Location | None] = relationship("Location")

    @hybrid_property
    def price_eur(self) -> Decimal | None:
        """Price in EUR as a Decimal; None = unknown, 0 = free."""
        if self.price_cents is None:
            return None
        return (Decimal(self.price_cents) / 100).quantize(Decimal("0.01"))

    @price_eur.expression  # type: ignore[no-redef]
    def price_eur(cls) -> Any:  # noqa: N805
        """SQL expression for the price in EUR (for filters and ordering)."""
        return cast(cls.price_cents, Numeric(12, 2)) / 100

    @price_eur.setter  # type: ignore[no-redef]
    def price_eur(self, value: Decimal | None) -> None:
        """Store a EUR amount as whole cents."""
        self.price_cents = None if value is None else int((Decimal(value) * 100).to_integral_value())


class OfferSearchTerm(Base):
    """One normalised search term of an offer with its weight (inverted index row)."""

    __tablename__ = "offer_search_terms"
    __table_args__ = (
        # Covering index for scoring a chunk of offers (offer id -> its terms and weights).
        Index("ix_offer_search_terms_offer_term", "offer_id", "term", "weight"),
        # Search walks one term's postings per weight level, in offer id order (top-k).
        Index("ix_offer_search_terms_term_weight", "term", "weight", "offer_id"),
        {"sqlite_with_rowid": False},
    )

    term: Mapped[str] = Column(String(64), primary_key=True)
    offer_id: Mapped[int] = Column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = Column(Integer, nullable=False)


class SearchVocabulary(Base):
    """Every indexed term with its offer count; used for typo correction of queries."""

    __tablename__ = "search_vocabulary"

    term: Mapped[str] = Column(String(64), primary_key=True)
    offer_count: Mapped[int] = Column(Integer, nullable=False)


class SearchTermWeight(Base):
    """How many offers hold a term at a given weight; search derives its score levels from it."""

    __tablename__ = "search_term_weights"

    term: Mapped[str] = Column(String(64), primary_key=True)
    weight: Mapped[int] = Column(Integer, primary_key=True)
    offer_count: Mapped[int] = Column(Integer, nullable=False)


class CatalogueMeta(Base):
    """Small key/value table, e.g. the vocabulary version that invalidates caches."""

    __tablename__ = "catalogue_meta"

    key: Mapped[str] = Column(String(60), primary_key=True)
    value: Mapped[str] = Column(String(200), nullable=False)
