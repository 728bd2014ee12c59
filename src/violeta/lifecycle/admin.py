from django.contrib import admin

from violeta.lifecycle.models import NonWorkingDay, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "years", "updated_at")
    fields = ("kind", "years", "basis")


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ("day", "note")
