"""Publishing pages: choose the levels, see who would receive how much, publish."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_service_errors
from orgtree.selectors import get_object_for_user
from plans.models import Plan

from . import publishing
from .forms import PublishForm


def _plan(request, pk) -> Plan:
    return get_object_for_user(Plan.objects.select_related("organisation"), request.user, "edit", pk=pk)


@require_http_methods(["GET", "POST"])
def plan_publish(request, pk):
    plan = _plan(request, pk)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = publishing.plan_publish(plan=plan, levels=form.cleaned_data["levels"], user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            created, dated = result["assignments_created"], result["assignment_milestones_created"]
            messages.success(request, f"已下发：新建交办 {created:,} 项，节点 {dated:,} 个")
            return redirect("plans:detail", pk=plan.pk)
    levels = form.cleaned_data["levels"] if form.is_bound and form.is_valid() else None
    if not form.is_bound:
        levels = form.fields["levels"].initial
    preview = publishing.plan_publish_preview(plan=plan, levels=levels) if levels else None
    return render(request, "assignments/publish.html", {"plan": plan, "form": form, "preview": preview})


@require_GET
def plan_publish_preview(request, pk):
    plan = _plan(request, pk)
    form = PublishForm(request.GET)
    levels = form.cleaned_data["levels"] if form.is_valid() else None
    preview = publishing.plan_publish_preview(plan=plan, levels=levels) if levels else None
    return render(request, "assignments/_publish_preview.html", {"preview": preview, "form": form})
