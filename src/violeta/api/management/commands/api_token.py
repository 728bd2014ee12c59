"""``violeta api_token create --agency CODE --name NAME --scopes risk:read,risk:write
[--role caseworker] [--days N]`` prints a new token once; ``violeta api_token revoke PREFIX``;
``violeta api_token list``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from violeta.agencies.models import Agency
from violeta.api.models import CLIENT_ROLES, ApiClient, ApiToken
from violeta.api.services import client_create, token_create, token_revoke


class Command(BaseCommand):
    help = "Create, list and revoke API tokens of agencies' systems."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token (and its client if new).")
        create.add_argument("--agency", required=True, help="Agency code, e.g. SSC.")
        create.add_argument("--name", required=True, help="The client's name (its system).")
        create.add_argument("--scopes", required=True, help="Comma-separated, e.g. risk:read.")
        create.add_argument(
            "--role",
            default="caseworker",
            choices=[r.value for r in CLIENT_ROLES],
            help="Role the client acts under (a new client only).",
        )
        create.add_argument("--days", type=int, default=None, help="Expires after N days.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="List tokens (prefixes, never secrets).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _create(self, options: dict[str, Any]) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with code {options['agency']!r}.")
        client = ApiClient.objects.filter(agency=agency, name=options["name"]).first()
        if client is None:
            client = client_create(agency=agency, name=options["name"], role=options["role"])
        elif not client.active:
            raise CommandError(f"Client {client.pk} is deactivated.")
        issued = token_create(
            client=client, scopes=options["scopes"].split(","), days=options["days"]
        )
        self.stdout.write(
            f"client {client.pk} ({client.agency.code}, {client.role}) "
            f"token {issued.token.prefix} scopes {','.join(issued.token.scopes)}"
        )
        self.stdout.write("Token (shown once; store it now):")
        self.stdout.write(issued.secret)

    def _revoke(self, options: dict[str, Any]) -> None:
        token = token_revoke(prefix=options["prefix"])
        self.stdout.write(f"token {token.prefix} revoked at {token.revoked_at:%Y-%m-%d %H:%M}")

    def _list(self, options: dict[str, Any]) -> None:
        for token in ApiToken.objects.select_related("client__agency"):
            state = "revoked" if token.revoked_at else ("usable" if token.usable else "expired")
            self.stdout.write(f"{token.prefix}\t{token.client}\t{','.join(token.scopes)}\t{state}")
