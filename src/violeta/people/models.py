"""People attended (women) and aggressors, with their identity encrypted at rest."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from violeta.core.fields import EncryptedDateField, EncryptedTextField


class PersonKind(models.TextChoices):
    WOMAN = "woman", _("Woman attended")
    AGGRESSOR = "aggressor", _("Aggressor")


class Sex(models.TextChoices):
    WOMAN = "M", _("Woman")
    MAN = "H", _("Man")
    NON_BINARY = "X", _("Non-binary")


class IdentityFields(models.Model):
    """The identity attributes, each encrypted; blind indexes live beside them."""

    given_names = EncryptedTextField(_("given names"), blank=True)
    first_surname = EncryptedTextField(_("first surname"), blank=True)
    second_surname = EncryptedTextField(_("second surname"), blank=True)
    birth_date = EncryptedDateField(_("date of birth"), blank=True, default="")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    curp = EncryptedTextField(_("CURP"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    colonia = EncryptedTextField(_("colonia"), blank=True)
    # Not indexed: nothing looks persons or identities up by alcaldía (the catalog's rows are
    # never deleted), and an index here is one more to write for every linked identity.
    alcaldia = models.ForeignKey(
        "catalogs.Alcaldia",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("alcaldía"),
        related_name="+",
        db_index=False,
    )
    # Blind indexes (keyed hashes of normalised values) for exact search; never plaintext.
    # Indexed where they are searched (Person.Meta), with Meta.indexes rather than db_index:
    # on PostgreSQL db_index adds a LIKE twin to each, which nothing uses and every write pays.
    curp_bidx = models.CharField(max_length=32, blank=True, editable=False)
    phone_bidx = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)


class Person(IdentityFields):
    """One woman (or one aggressor): the file every agency's records hang from."""

    kind = models.CharField(_("kind"), max_length=10, choices=PersonKind.choices)
    first_surname_bidx = models.CharField(max_length=32, blank=True, editable=False)
    second_surname_bidx = models.CharField(max_length=32, blank=True, editable=False)
    given_name_bidx = models.CharField(max_length=32, blank=True, editable=False)
    birth_date_bidx = models.CharField(max_length=32, blank=True, editable=False)
    # A person merged into another keeps her row (and id) so that links to her still resolve.
    # Indexed where set (Meta): the look-ups want the persons not merged.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The real-time look-up's keys (linkage.realtime._blocking_keys), one index each; the
        # people search (records.selectors.people_search) uses the single ones and the leading
        # columns of the pairs. A surname or a given name alone is the head of a pair's index.
        # Each but the CURP's holds the persons not merged only (every query on them says so):
        # marking a million persons merged after a bulk import then writes their rows and three
        # indexes, not eleven, and a common name's look-up no longer wades through merged
        # files. The CURP's holds every person: a CURP found on a merged file leads to the
        # file that took her records (people.services.person_find_exact).
        indexes = (
            [
                models.Index(fields=["curp_bidx"], name="person_curp"),
            ]
            + [
                models.Index(fields=fields, name=name, condition=models.Q(merged_into__isnull=True))
                for name, fields in (
                    ("person_phone", ["phone_bidx"]),
                    ("person_dob", ["birth_date_bidx"]),
                    ("person_kind_surname", ["kind", "first_surname_bidx"]),
                    ("person_surname_given", ["first_surname_bidx", "given_name_bidx"]),
                    ("person_surname_dob", ["first_surname_bidx", "birth_date_bidx"]),
                    ("person_given_dob", ["given_name_bidx", "birth_date_bidx"]),
                    ("person_surnames", ["first_surname_bidx", "second_surname_bidx"]),
                )
            ]
            + [
                models.Index(
                    fields=["merged_into"],
                    name="person_merged_into",
                    condition=models.Q(merged_into__isnull=False),
                )
            ]
        )

    def __str__(self) -> str:
        # Never a name: str() ends up in logs and error pages.
        return f"{self.kind}:{self.pk}"
