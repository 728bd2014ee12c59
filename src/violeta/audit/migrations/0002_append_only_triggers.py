"""Database triggers that refuse UPDATE and DELETE of audit entries, even in raw SQL.

PostgreSQL: a row trigger raises on every UPDATE or DELETE. TRUNCATE is not blocked, because
Django's test flush uses it; the hash chain and ``violeta audit verify`` catch an emptied or
shortened trail at its start (the first entry must be seq 1), and production database roles
should not hold TRUNCATE on this table.

SQLite: UPDATE always aborts; DELETE aborts unless the row is the oldest one left. That
exception exists only so that Django's flush between transactional tests (``DELETE FROM``,
which SQLite runs in rowid order, oldest first) can empty the table; removing entries from the
start of the chain shows in ``violeta audit verify`` as missing entries from seq 1.

Whoever can drop a trigger can get past it: the keyed hash chain is what detects that.
"""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
    WHEN OLD.seq <> (SELECT MIN(seq) FROM audit_auditentry)
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP;
    END
    $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    # A plain cursor without parameters, so that "%" in PL/pgSQL is not a placeholder.
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _statements(vendor: str, forward: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_FORWARD if forward else POSTGRES_BACKWARD
    if vendor == "sqlite":
        return SQLITE_FORWARD if forward else SQLITE_BACKWARD
    return []  # other databases: the ORM guard and the hash chain only


def create_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, _statements(schema_editor.connection.vendor, True))


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, _statements(schema_editor.connection.vendor, False))


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
