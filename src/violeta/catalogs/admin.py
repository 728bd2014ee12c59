from django.contrib import admin

from violeta.catalogs.models import Alcaldia, Modality, RecordKind, ViolenceType


@admin.register(ViolenceType)
class ViolenceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_es", "name_en", "gbvims", "in_force_from", "active")


@admin.register(Modality, RecordKind)
class CatalogAdmin(admin.ModelAdmin):
    list_display = ("code", "name_es", "name_en", "in_force_from", "active")


@admin.register(Alcaldia)
class AlcaldiaAdmin(admin.ModelAdmin):
    list_display = ("inegi_code", "name")
