"""``manage.py migrate`` as the schema owner, then the application role's grants (core.db_roles).

With ``DATABASE_OWNER_URL`` set, the migration connects as that role, and afterwards every table
gets the privileges of the application role (``DATABASE_URL``'s user). Without it, this is
Django's ``migrate`` unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from core.db_roles import app_role_grant, app_role_name, owner_connection


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        if alias != "default":
            super().handle(*args, **options)
            return
        app_role = app_role_name()
        with owner_connection(alias):
            super().handle(*args, **options)
            if app_role:
                tables = app_role_grant(app_role, alias)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Granted role {app_role} its privileges on {tables} tables.")
