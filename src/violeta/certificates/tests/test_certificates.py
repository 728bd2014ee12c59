"""Certificates of prior attention: issued from her file, signed, verifiable, audited."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.certificates import signing
from violeta.certificates.models import Certificate
from violeta.certificates.views import FAILURES_PER_HOUR
from violeta.linkage.tests.test_services import _register
from violeta.people.models import Person

pytestmark = pytest.mark.django_db
NARRATIVE = "refiere golpes de su pareja"  # in every factory record's narrative


@pytest.fixture
def woman(catalogs: None) -> Person:
    """Guadalupe Hernández López: a women's-centre session and a 911 call, one file."""
    a = _register("S-1")
    b = _register("C5-1", agency="C5")
    assert a.victim.pk == b.victim.pk
    return a.victim


def _issue(client: Client, woman: Person, **data: str) -> Certificate:
    response = client.post(
        reverse("certificates:issue", args=[woman.pk]), {"purpose": "woman", **data}
    )
    assert response.status_code == 302, response.content.decode()[-600:]
    return Certificate.objects.latest("pk")


def _pdf_text(client: Client, certificate: Certificate) -> str:
    response = client.get(reverse("certificates:download", args=[certificate.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_a_caseworker_issues_it_at_her_request_and_it_lists_every_agency_without_narratives(
    make_user: Callable[..., User], woman: Person
) -> None:
    client = login_verified(Client(), make_user("caseworker"))
    page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert reverse("certificates:issue", args=[woman.pk]) in page

    certificate = _issue(client, woman)
    text = _pdf_text(client, certificate)

    assert certificate.attentions == 2
    assert "Constancia de atención previa" in text
    assert "Guadalupe Hernández López" in text
    assert "Secretaría de las Mujeres" in text and "911" in text
    assert certificate.code in text and certificate.digest in text.replace("\n", "")
    assert NARRATIVE not in text and "Ramírez" not in text  # no narrative, no aggressor
    content = json.loads(certificate.content)
    assert [a["date"] for a in content["attentions"]] == sorted(
        a["date"] for a in content["attentions"]
    )
    assert "narrative" not in json.dumps(content)
    actions = set(
        AuditEntry.objects.filter(subject_type="certificate").values_list("action", flat=True)
    )
    assert actions == {"create", "export"}


def test_the_signature_verifies_and_any_change_to_the_content_breaks_it(
    make_user: Callable[..., User], woman: Person
) -> None:
    certificate = _issue(login_verified(Client(), make_user("caseworker")), woman)
    content = json.loads(certificate.content)
    assert signing.verify(content, certificate.signature)
    assert signing.content_digest(content) == certificate.digest

    content["attentions"].pop()
    assert not signing.verify(content, certificate.signature)


def test_anyone_verifies_a_code_without_learning_whose_it_is(
    make_user: Callable[..., User], woman: Person
) -> None:
    certificate = _issue(login_verified(Client(), make_user("caseworker")), woman)
    public = Client()  # nobody logged in
    url = reverse("certificates:verify")

    typed = certificate.code.lower().replace("-", " ")  # as someone types it
    page = public.post(url, {"code": typed}).content.decode()

    assert "Auténtica" in page and "Secretaría de las Mujeres" in page
    assert "2 atenciones" in page
    assert "Guadalupe" not in page and "Hernández" not in page
    assert AuditEntry.objects.filter(subject_type="certificate", action="view").exists()
    unknown = public.post(url, {"code": "AAAA-BBBB-CCCC-DDDD"}).content.decode()
    assert "Código desconocido" in unknown


def test_a_revoked_certificate_says_so_and_a_tampered_one_is_not_valid(
    make_user: Callable[..., User], woman: Person
) -> None:
    supervisor = login_verified(Client(), make_user("supervisor"))
    certificate = _issue(supervisor, woman)
    url = reverse("certificates:verify")

    supervisor.post(reverse("certificates:revoke", args=[certificate.code]), {"reason": "error"})

    assert "Revocada" in Client().post(url, {"code": certificate.code}).content.decode()
    revoked = AuditEntry.objects.get(subject_type="certificate", action="update")
    assert revoked.reason == "error"

    other = _issue(supervisor, woman)
    content = json.loads(other.content)
    content["attentions"] = content["attentions"][:1]
    Certificate.objects.filter(pk=other.pk).update(content=json.dumps(content))
    assert "No es válida" in Client().post(url, {"code": other.code}).content.decode()


def test_a_prosecutor_issues_one_for_an_investigation_only_with_its_number(
    make_user: Callable[..., User], woman: Person
) -> None:
    prosecutor = login_verified(Client(), make_user("caseworker", agency="FGJ"))
    url = reverse("certificates:issue", args=[woman.pk])

    missing = prosecutor.post(url, {"purpose": "investigation", "investigation": " "})
    assert missing.status_code == 200
    assert "número de la carpeta" in missing.content.decode()
    assert not Certificate.objects.exists()

    certificate = _issue(
        prosecutor, woman, purpose="investigation", investigation="CI-FIDCAV/123/2026"
    )
    assert "CI-FIDCAV/123/2026" in _pdf_text(prosecutor, certificate)

    centre = login_verified(Client(), make_user("caseworker"))
    refused = centre.post(url, {"purpose": "investigation", "investigation": "X-1"})
    assert refused.status_code == 200 and "Solo la fiscalía" in refused.content.decode()


@pytest.mark.parametrize("role", ["operator", "analyst", "auditor", "administrator"])
def test_other_roles_cannot_issue(make_user: Callable[..., User], woman: Person, role: str) -> None:
    client = login_verified(Client(), make_user(role))
    response = client.post(reverse("certificates:issue", args=[woman.pk]), {"purpose": "woman"})
    assert response.status_code == 403
    assert not Certificate.objects.exists()


def test_another_agency_cannot_download_or_revoke_it(
    make_user: Callable[..., User], woman: Person
) -> None:
    certificate = _issue(login_verified(Client(), make_user("supervisor")), woman)
    police = login_verified(Client(), make_user("supervisor", agency="SSC"))
    assert police.get(reverse("certificates:download", args=[certificate.code])).status_code == 403
    response = police.post(reverse("certificates:revoke", args=[certificate.code]), {"reason": "x"})
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_bad_input_is_a_message_not_an_error(make_user: Callable[..., User], woman: Person) -> None:
    client = login_verified(Client(), make_user("caseworker"))
    response = client.post(reverse("certificates:issue", args=[woman.pk]), {"purpose": "other"})
    assert response.status_code == 200 and not Certificate.objects.exists()
    assert client.get(reverse("certificates:issue", args=[999999])).status_code == 404
    assert client.get(reverse("certificates:detail", args=["NOPE"])).status_code == 404


def test_guessing_codes_is_stopped(catalogs: None) -> None:
    cache.clear()
    public = Client()
    url = reverse("certificates:verify")
    for n in range(FAILURES_PER_HOUR):
        assert public.post(url, {"code": f"AAAA-BBBB-CCCC-{n:04d}"}).status_code == 200
    blocked = public.post(url, {"code": "AAAA-BBBB-CCCC-ZZZZ"})
    assert blocked.status_code == 429
    assert "Demasiados códigos" in blocked.content.decode()
    cache.clear()


def test_codes_are_long_random_and_unambiguous() -> None:
    from violeta.certificates.services import CODE_ALPHABET, new_code, normalize_code

    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 19 and normalize_code(code.lower()) == code
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    assert not set("01ILOU") & set(CODE_ALPHABET)


def test_keys_signing_prints_a_usable_key() -> None:
    import base64
    from io import StringIO

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.core.management import call_command

    out = StringIO()
    call_command("keys", "signing", stdout=out)
    raw = base64.b64decode(out.getvalue().strip())
    key = Ed25519PrivateKey.from_private_bytes(raw)
    key.public_key().verify(key.sign(b"x"), b"x")
