"""Admin: templates are edited through the services' rules; campaigns are read-only records."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from messaging.campaigns.models import Campaign, CampaignRejectedRow, Template
from messaging.campaigns.services import (
    TEMPLATE_FIELDS,
    template_create,
    template_delete,
    template_update,
)


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "sender", "updated_at"]
    search_fields = ["name", "key", "text"]
    list_filter = ["kind"]
    fields = list(TEMPLATE_FIELDS)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in TEMPLATE_FIELDS}
        try:
            if change:
                template_update(template=Template.objects.get(pk=obj.pk), **values)
            else:
                obj.pk = template_create(**values).pk
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), level="error")

    def delete_model(self, request, obj):
        template_delete(template=obj)


class RejectedRowInline(admin.TabularInline):
    model = CampaignRejectedRow
    fields = ["line", "value", "reason", "detail"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("line")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns change state through the console or the API (pause, resume, cancel), not here."""

    list_display = ["name", "status", "kind", "recipient_count", "total_segments", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "text"]
    inlines = [RejectedRowInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
