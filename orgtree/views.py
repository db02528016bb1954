"""Organisation pages: the tree, detail, and admin actions inside one's own subtree."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_errors, message_service_errors
from core.views import service_form

from . import selectors, services
from .forms import (
    DepartmentForm,
    MembershipForm,
    OrganisationCreateForm,
    OrganisationDissolveForm,
    OrganisationMergeForm,
    OrganisationMoveForm,
    OrganisationUpdateForm,
)
from .models import Membership, Organisation


def _page(request, queryset, size=None):
    return Paginator(queryset, size or settings.PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def tree(request):
    query = request.GET.get("q", "").strip()[:60]
    context = {"query": query}
    if query:
        context["page_obj"] = _page(request, selectors.search_organisations(request.user, query))
    else:
        context["tops"] = selectors.top_organisations(request.user)
    return render(request, "orgtree/tree.html", context)


@require_GET
def children(request, pk):
    org = selectors.get_organisation(request.user, pk)
    page = _page(request, selectors.children_of(org))
    return render(request, "orgtree/_children.html", {"org": org, "page_obj": page})


@require_GET
def detail(request, pk):
    user = request.user
    org = selectors.get_organisation(user, pk)
    context = {
        "org": org,
        "ancestors": selectors.visible_ancestors(user, org),
        "page_obj": _page(request, selectors.children_of(org)),
        "type_counts": selectors.subtree_type_counts(org),
        "departments": selectors.departments_of(user, org),
        "members": selectors.members_of(user, org),
        "changes": selectors.recent_changes(user, org),
        "can_manage": selectors.may(user, "manage", org),
        "can_rename": selectors.may(user, "rename", org),
        "department_form": DepartmentForm(),
    }
    return render(request, "orgtree/detail.html", context)


@require_GET
def pick(request):
    """Search box results for choosing an organisation within one's management scope."""
    query = request.GET.get("q", "").strip()[:60]
    results = selectors.search_organisations(request.user, query, action="manage")[:20] if query else []
    return render(request, "orgtree/_pick.html", {"results": results, "query": query})


def _form_page(request, org, form, *, title, perform, **extra):
    """A form page about `org`: `perform(cleaned_data)` calls a service and returns (success message,
    organisation to show next)."""

    def done(data):
        message, next_pk = perform(data)
        messages.success(request, message)
        return redirect("orgtree:detail", pk=next_pk)

    context = {"org": org, "title": title, **extra}
    return service_form(request, form, perform=done, template="orgtree/form.html", context=context)


@require_http_methods(["GET", "POST"])
def create_child(request, pk):
    parent = selectors.get_organisation(request.user, pk, "manage")

    def perform(data):
        org = services.organisation_create(parent=parent, actor=request.user, **data)
        return f"已新增“{org.name}”", org.pk

    form = OrganisationCreateForm(request.POST or None)
    return _form_page(request, parent, form, title=f"在“{parent.name}”下新增组织", perform=perform)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    org = selectors.get_organisation(request.user, pk, "rename")

    def perform(data):
        services.organisation_update(org=org, actor=request.user, **data)
        return "已保存", org.pk

    form = OrganisationUpdateForm(
        request.POST or None, initial={"name": org.name, "short_name": org.short_name}
    )
    return _form_page(request, org, form, title=f"修改“{org.name}”", perform=perform)


@require_http_methods(["GET", "POST"])
def move(request, pk):
    org = selectors.get_organisation(request.user, pk, "manage")

    def perform(data):
        services.organisation_move(org=org, new_parent=data["new_parent"], actor=request.user)
        return f"已将“{org.name}”调整到“{data['new_parent'].name}”之下", org.pk

    form = OrganisationMoveForm(
        request.POST or None, scope=Organisation.objects.for_user(request.user, "manage")
    )
    return _form_page(
        request, org, form, title=f"调整“{org.name}”的隶属关系", perform=perform, picker="new_parent"
    )


@require_http_methods(["GET", "POST"])
def merge(request, pk):
    org = selectors.get_organisation(request.user, pk, "manage")

    def perform(data):
        services.organisation_merge(source=org, target=data["target"], actor=request.user)
        return f"已将“{org.name}”并入“{data['target'].name}”", data["target"].pk

    form = OrganisationMergeForm(
        request.POST or None, scope=Organisation.objects.for_user(request.user, "manage")
    )
    return _form_page(request, org, form, title=f"合并“{org.name}”", perform=perform, picker="target")


@require_http_methods(["GET", "POST"])
def dissolve(request, pk):
    org = selectors.get_organisation(request.user, pk, "manage")

    def perform(data):
        services.organisation_dissolve(org=org, actor=request.user, reason=data["reason"])
        return f"已撤销“{org.name}”", org.pk

    form = OrganisationDissolveForm(request.POST or None)
    return _form_page(request, org, form, title=f"撤销“{org.name}”", perform=perform, danger=True)


@require_POST
def department_add(request, pk):
    org = selectors.get_organisation(request.user, pk, "manage")
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            department = services.department_create(organisation=org, name=form.cleaned_data["name"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已新增部门“{department.name}”")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("orgtree:detail", pk=org.pk)


@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    org = selectors.get_organisation(request.user, pk, "manage")

    def perform(data):
        membership = services.membership_add(organisation=org, actor=request.user, **data)
        return f"已添加 {membership.user.username}（{membership.get_role_display()}）", org.pk

    form = MembershipForm(request.POST or None, departments=selectors.departments_of(request.user, org))
    return _form_page(request, org, form, title=f"为“{org.name}”添加成员", perform=perform)


@require_POST
def member_remove(request, pk):
    membership = selectors.get_object_for_user(
        Membership.objects.select_related("user"), request.user, "manage", pk=pk
    )
    try:
        services.membership_remove(membership=membership, user=request.user)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, f"已移除 {membership.user.username} 的{membership.get_role_display()}身份")
    return redirect("orgtree:detail", pk=membership.organisation_id)
