"""The League's organisation tree, its departments and users' memberships.

Each 团省委 is the root of its own MPTT tree (its own tree_id), so an insert renumbers one province,
not the country. Structural writes go through orgtree.services only.
"""

from django.conf import settings
from django.db import models
from mptt.models import MPTTModel, TreeForeignKey

from .querysets import DepartmentQuerySet, MembershipQuerySet, OrganisationManager, TreeChangeQuerySet
from .subtree import subtree_q


class OrgType(models.TextChoices):
    CENTRAL = "central", "团中央"
    PROVINCE = "province", "团省委"
    CITY = "city", "团市委"
    COUNTY = "county", "团县（市、区）委"
    TOWNSHIP = "township", "乡镇团委"
    STREET = "street", "街道团工委"
    SCHOOL = "school", "学校团委"
    ENTERPRISE = "enterprise", "企业团委"
    ORGAN = "organ", "机关团工委"
    GENERAL_BRANCH = "general_branch", "团总支"
    BRANCH = "branch", "团支部"
    OTHER = "other", "其他团组织"


class Organisation(MPTTModel):
    """A League organisation. Its nested-set numbers are sparse (see orgtree.numbering): use
    get_children()/get_descendants() for nodes; get_descendant_count() counts slots, not nodes."""

    name = models.CharField("名称", max_length=120)
    short_name = models.CharField("简称", max_length=60, blank=True)
    org_type = models.CharField("类型", max_length=20, choices=OrgType.choices)
    code = models.CharField(
        "区划代码",
        max_length=12,
        null=True,
        blank=True,
        help_text="GB/T 2260 行政区划代码（省市县 6 位，乡镇 9 位，村 12 位）",
    )
    parent = TreeForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField("有效", default=True)
    # Null = existed before records began (the loaded divisions). Indicator completeness expects a report
    # only from organisations that existed at the start of a period.
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_at = models.DateTimeField("撤销时间", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        db_index=False,
    )
    order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Declared here rather than by django-mptt, which would add a single-column index that
    # (tree_id, lft) already covers: every renumbering pays for each index of the table.
    tree_id = models.PositiveIntegerField(editable=False)

    objects = OrganisationManager()

    class MPTTMeta:
        order_insertion_by = []

    class Meta:
        verbose_name = "团组织"
        verbose_name_plural = "团组织"
        indexes = [
            models.Index(fields=["tree_id", "lft"], name="org_tree_lft_idx"),
            # The organisations of one level in a subtree: who is expected to report an indicator.
            models.Index(fields=["org_type", "tree_id", "lft"], name="org_type_tree_lft_idx"),
        ]
        constraints = [
            # One index serves both exact lookups and the prefix search by code (pattern ops on PostgreSQL).
            models.UniqueConstraint(
                fields=["code"], name="org_code_unique", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.name

    # django-mptt reads "no free slots" as "no children"; with free slots that guess is wrong, so the
    # reads below ask the database instead.
    def is_leaf_node(self) -> bool:
        return self.rght - self.lft == 1 or not Organisation.objects.filter(parent_id=self.pk).exists()

    def get_children(self):
        if hasattr(self, "_cached_children"):
            return super().get_children()
        return Organisation.objects.filter(parent_id=self.pk)

    def get_descendants(self, include_self=False):
        return Organisation.objects.filter(subtree_q(self, include_self=include_self, national=False))

    def get_leafnodes(self, include_self=False):
        return self.get_descendants(include_self=include_self).filter(children__isnull=True)

    @property
    def display_short(self) -> str:
        return self.short_name or self.name

    @property
    def is_national(self) -> bool:
        return self.org_type == OrgType.CENTRAL


class Department(models.Model):
    """A department of an organisation's office (组织部, 宣传部 …): the later 牵头部门 / 参与部门."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="所属组织", on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField("部门名称", max_length=60)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("有效", default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="department_unique_name_per_org")
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    EDITOR = "editor", "编辑"
    REPORTER = "reporter", "填报员"
    VIEWER = "viewer", "查看（领导）"


class Membership(models.Model):
    """A user's role in one organisation; it reaches the organisation's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "成员身份"
        verbose_name_plural = "成员身份"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class TreeChange(models.Model):
    """Audit trail of structural writes (add, move, dissolve, merge, load) and of the roles granted and
    taken away, shown in the organisation's history."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        MOVE = "move", "调整隶属"
        DISSOLVE = "dissolve", "撤销"
        MERGE = "merge", "合并"
        RENAME = "rename", "更名"
        LOAD = "load", "批量导入"
        GRANT = "grant", "授予角色"
        REVOKE = "revoke", "撤销角色"

    action = models.CharField("操作", max_length=10, choices=Action.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    detail = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = TreeChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "组织变更记录"
        verbose_name_plural = "组织变更记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"
