"""PostgreSQL URLs as the launch tells them apart, before anything heavy is imported."""

from __future__ import annotations


def is_postgres_url(location: str) -> bool:
    scheme = location.strip().split("://", 1)[0].lower() if "://" in location else ""
    return scheme in {"postgresql", "postgres", "postgresql+psycopg"}


def conninfo(location: str) -> str:
    """*location* as libpq takes it: SQLAlchemy's driver suffix dropped (the URL is
    otherwise libpq's own)."""
    text = location.strip()
    scheme, rest = text.split("://", 1)
    return ("postgresql" if scheme.lower() == "postgresql+psycopg" else scheme) + "://" + rest
