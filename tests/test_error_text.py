"""A database error's text never carries the client data the statement held."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem

SECRET = "Marguerite was abused by her stepfather"


def _insert_for_nobody(db: Database) -> None:
    # clinician_id 999999 does not exist: a foreign-key error with the values bound
    with db.write() as session:
        session.execute(
            text(
                "INSERT INTO client (clinician_id, code, display_name, review_interval_days,"
                " created_at, updated_at) VALUES (999999, 'X1', :name, 7,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"name": SECRET},
        )


def test_a_failed_statement_does_not_echo_its_values(db: Database) -> None:
    with pytest.raises(DatabaseProblem) as caught:
        _insert_for_nobody(db)
    assert caught.value.__cause__ is not None
    for error in (caught.value, caught.value.__cause__):
        assert SECRET not in str(error)
