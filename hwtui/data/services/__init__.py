"""Service functions: plain functions over a Session, scoped to the acting clinician.

The caller owns the transaction (`Database.write()` or `.read()`); services flush but
never commit, so one user action is one transaction.
"""
