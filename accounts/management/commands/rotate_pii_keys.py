"""Re-encrypt every encrypted personal-data value under the newest key (``PII_ENCRYPTION_KEYS[0]``).

Usage after adding a new key in front of ``PII_ENCRYPTION_KEYS``::

    manage.py rotate_pii_keys [--batch-size 500] [--dry-run]

Batched by primary key, each batch its own short transaction; idempotent (a value already under
the newest key is left alone, so a second run writes nothing); safe beside live traffic (each
update is conditional on the ciphertext it read, so a concurrent change is never overwritten).
Once it reports 0 remaining, the old keys can be removed from the environment.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core.crypto import EncryptedTextField, rotate


def encrypted_columns() -> list[tuple[str, str, str, str]]:
    """(label, table, pk column, column) for every ``EncryptedTextField`` of every installed model."""
    found: list[tuple[str, str, str, str]] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                pk_column = str(model._meta.pk.column) if model._meta.pk is not None else "id"
                found.append((f"{model._meta.label}.{field.name}", model._meta.db_table, pk_column, str(field.column)))
    return found


class Command(BaseCommand):
    help = "Re-encrypt personal data under the newest PII key (batched, idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch_size"])
        newest = Fernet(settings.PII_ENCRYPTION_KEYS[0].encode())
        quote = connection.ops.quote_name
        total = 0
        for label, table, pk, column in encrypted_columns():
            select = (
                f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608 -- names from models
                f"WHERE ({quote(pk)} > %s OR %s) AND {quote(column)} <> '' ORDER BY {quote(pk)} LIMIT %s"
            )
            update = (
                f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                f"WHERE {quote(pk)} = %s AND {quote(column)} = %s"
            )
            last: Any = None  # works for integer and UUID primary keys alike
            rotated = 0
            while True:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(select, [last, last is None, batch_size])
                    rows = cursor.fetchall()
                    for row_pk, token in rows:
                        if token is None or _under_key(newest, token):
                            continue
                        rotated += 1
                        if not options["dry_run"]:
                            cursor.execute(update, [rotate(token), row_pk, token])
                if len(rows) < batch_size:
                    break
                last = rows[-1][0]
            total += rotated
            verb = "would re-encrypt" if options["dry_run"] else "re-encrypted"
            self.stdout.write(f"{label}: {verb} {rotated}")
        self.stdout.write(self.style.SUCCESS(f"done: {total} value(s)"))


def _under_key(key: Fernet, token: str) -> bool:
    try:
        key.decrypt(token.encode())
    except InvalidToken:
        return False
    return True
