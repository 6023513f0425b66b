"""Template and campaign console pages: parse input, call one service, render."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.permissions import ConsolePermissionMixin
from connectors.routing import user_may_manage_routing
from messaging.campaigns import rendering
from messaging.campaigns.compliance import campaign_compliance, campaign_spend
from messaging.campaigns.forms import CampaignForm, ScheduleForm, TemplateForm
from messaging.campaigns.models import (
    Campaign,
    CampaignStatus,
    ImportStatus,
    RejectionReason,
    Template,
)
from messaging.campaigns.selectors import (
    campaign_connector_breakdown,
    campaign_failure_breakdown,
    campaign_is_live,
    campaign_list,
    campaign_progress,
    campaign_rejected_rows,
    campaign_skipped_recipients,
    campaigns_progress,
    template_list,
)
from messaging.campaigns.services import (
    UploadTooLarge,
    campaign_cancel,
    campaign_create,
    campaign_override_quiet_hours,
    campaign_pause,
    campaign_resume,
    campaign_set_max_spend,
    campaign_start,
    template_create,
    template_delete,
    template_update,
)

SAMPLE_PREFIX = "sample_"


def _samples(data) -> dict[str, str]:
    return {
        key[len(SAMPLE_PREFIX) :]: value
        for key, value in data.items()
        if key.startswith(SAMPLE_PREFIX)
    }


def _preview_context(text: str, samples: dict[str, str]) -> dict:
    result = rendering.preview(text, samples)
    return {
        "preview": result,
        "sample_fields": [
            {"name": name, "value": samples.get(name, "")} for name in result["placeholders"]
        ],
    }


class TemplateListView(ConsolePermissionMixin, View):
    permission_required = "campaigns.view_template"

    def get(self, request):
        return render(
            request,
            "campaigns/template_list.html",
            {"page_title": _("Templates"), "templates": template_list()},
        )


class TemplateFormView(ConsolePermissionMixin, View):
    """Create (no pk) or edit a template, with a live preview beside the form."""

    permission_required = ("campaigns.add_template", "campaigns.change_template")

    def get(self, request, pk: int | None = None):
        template = get_object_or_404(Template, pk=pk) if pk else None
        initial = (
            {
                f: getattr(template, f)
                for f in ("key", "name", "text", "kind", "sender", "iys_recipient_type")
            }
            if template
            else {}
        )
        return self._render(request, TemplateForm(initial=initial), template)

    def post(self, request, pk: int | None = None):
        template = get_object_or_404(Template, pk=pk) if pk else None
        form = TemplateForm(request.POST)
        save = partial(template_update, template=template) if template else template_create
        if form.is_valid() and (saved := form.call_service(save, **form.cleaned_data)):
            messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
            return redirect("campaigns:template-list")
        return self._render(request, form, template, status=400)

    def _render(self, request, form, template, status=200):
        text = form.data.get("text", "") if form.is_bound else form.initial.get("text", "")
        context = {
            "page_title": _("Edit %(name)s") % {"name": template.name}
            if template
            else _("New template"),
            "form": form,
            "template": template,
            **_preview_context(text, _samples(request.POST)),
        }
        return render(request, "campaigns/template_form.html", context, status=status)


class TemplatePreviewView(ConsolePermissionMixin, View):
    permission_required = "campaigns.change_template"

    def post(self, request):
        return render(
            request,
            "campaigns/_preview.html",
            _preview_context(request.POST.get("text", ""), _samples(request.POST)),
        )


class TemplateDeleteView(ConsolePermissionMixin, View):
    permission_required = "campaigns.delete_template"

    def post(self, request, pk: int):
        template = get_object_or_404(Template, pk=pk)
        name = template.name
        template_delete(template=template)
        messages.success(
            request,
            _("Template “%(name)s” deleted. Campaigns made from it keep their text.")
            % {"name": name},
        )
        return redirect("campaigns:template-list")


class CampaignListView(ConsolePermissionMixin, View):
    permission_required = "campaigns.view_campaign"

    def get(self, request):
        status = request.GET.get("status", "")
        status = status if status in CampaignStatus.values else ""
        campaigns = list(campaign_list(status=status)[:200])
        progress = campaigns_progress(campaigns=campaigns)
        rows = [{"campaign": c, "progress": progress[c.pk]} for c in campaigns]
        return render(
            request,
            "campaigns/campaign_list.html",
            {
                "page_title": _("Campaigns"),
                "rows": rows,
                "status": status,
                "statuses": CampaignStatus.choices,
            },
        )


class CampaignCreateView(ConsolePermissionMixin, View):
    permission_required = "campaigns.add_campaign"

    def get(self, request):
        initial = {"template": request.GET.get("template")} if request.GET.get("template") else {}
        return self._render(request, CampaignForm(initial=initial))

    def post(self, request):
        form = CampaignForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                campaign = campaign_create(**form.service_fields(), created_by=request.user)
            except ValidationError as error:
                form.add_service_errors(error)
                return self._render(
                    request, form, status=413 if isinstance(error, UploadTooLarge) else 400
                )
            if campaign.import_status == ImportStatus.IMPORTING:
                messages.info(
                    request, _("The recipients are being imported; see the progress below.")
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s recipient imported. Check it, then send.",
                        "%(count)s recipients imported. Check them, then send.",
                        campaign.recipient_count,
                    )
                    % {"count": number_format(campaign.recipient_count, force_grouping=True)},
                )
            return redirect("campaigns:campaign-detail", pk=campaign.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(
            request,
            "campaigns/campaign_form.html",
            {"page_title": _("New campaign"), "form": form},
            status=status,
        )


def _campaign_context(campaign: Campaign) -> dict:
    progress = campaign_progress(campaign=campaign)
    return {
        "campaign": campaign,
        "progress": progress,
        "live": campaign_is_live(campaign=campaign, progress=progress),
        "by_connector": campaign_connector_breakdown(campaign=campaign),
        "by_category": campaign_failure_breakdown(campaign=campaign),
        "skipped_recipients": campaign_skipped_recipients(campaign=campaign),
        "spend": campaign_spend(campaign=campaign),
    }


class CampaignDetailView(ConsolePermissionMixin, View):
    permission_required = "campaigns.view_campaign"

    def get(self, request, pk: int):
        campaign = get_object_or_404(
            Campaign.objects.select_related("template", "created_by"), pk=pk
        )
        reason = request.GET.get("rejected", "")
        reason = reason if reason in RejectionReason.values else ""
        context = {
            "page_title": campaign.name,
            **_campaign_context(campaign),
            "schedule_form": ScheduleForm(),
            "rejected_rows": campaign_rejected_rows(campaign=campaign, reason=reason),
            "rejected_reason": reason,
            "rejection_reasons": RejectionReason.choices,
            "compliance": campaign_compliance(campaign=campaign),
            "may_override": user_may_manage_routing(request.user),
        }
        return render(request, "campaigns/campaign_detail.html", context)


class CampaignProgressView(ConsolePermissionMixin, View):
    """The live part of the campaign page, polled by htmx while something may still change."""

    permission_required = "campaigns.view_campaign"

    def get(self, request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        return render(request, "campaigns/_progress.html", _campaign_context(campaign))


class CampaignActionView(ConsolePermissionMixin, View):
    permission_required = "accounts.send_campaign"

    def post(self, request, pk: int, action: str):
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            if action == "start":
                campaign_start(campaign=campaign)
                done = _("Campaign “%(name)s” is sending.")
            elif action == "schedule":
                form = ScheduleForm(request.POST)
                if not form.is_valid():
                    raise ValidationError({"scheduled_at": form.errors["scheduled_at"]})
                campaign = campaign_start(
                    campaign=campaign, scheduled_at=form.cleaned_data["scheduled_at"]
                )
                done = _("Campaign “%(name)s” is scheduled.")
            elif action == "pause":
                campaign_pause(campaign=campaign)
                done = _("Campaign “%(name)s” is paused; messages already made still go out.")
            elif action == "resume":
                campaign_resume(campaign=campaign)
                done = _("Campaign “%(name)s” is sending again.")
            elif action == "spend-cap":
                campaign = campaign_set_max_spend(
                    campaign=campaign, max_spend=request.POST.get("max_spend", "")
                )
                done = (
                    _("Campaign “%(name)s” has a new spend cap.")
                    if campaign.max_spend
                    else _("Campaign “%(name)s” has no spend cap.")
                )
            elif action in ("override-quiet-hours", "keep-quiet-hours"):
                campaign = campaign_override_quiet_hours(
                    campaign=campaign,
                    override=action == "override-quiet-hours",
                    user=request.user,
                )
                done = (
                    _("Campaign “%(name)s” sends in quiet hours too.")
                    if campaign.quiet_hours_override
                    else _("Campaign “%(name)s” keeps to quiet hours.")
                )
            elif action == "cancel":
                campaign_cancel(campaign=campaign)
                done = _(
                    "Campaign “%(name)s” is cancelled; recipients still waiting get no message."
                )
            else:
                raise Http404(_("No campaign action '%(action)s'.") % {"action": action})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done % {"name": campaign.name})
        return redirect("campaigns:campaign-detail", pk=pk)
