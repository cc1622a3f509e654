"""The database session dependency the pattern's tasks.py imports: one
SQLAlchemy engine on DATABASE_URL (an SQLite file by default)."""

import os
from typing import Iterator

from sqlmodel import Session, SQLModel, create_engine

from ..models.task import Task  # noqa: F401  (registers the table)

DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///tasks.db")

connect_args = {"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {}
engine = create_engine(DATABASE_URL, connect_args=connect_args)


def create_db_and_tables() -> None:
    SQLModel.metadata.create_all(engine)


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session
