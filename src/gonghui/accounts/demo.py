"""Demo: one account per role (password gonghui.core.demodata.DEMO_PASSWORD). Programme demos add their own roles."""

from datetime import date

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.demodata import DEMO_PASSWORD
from gonghui.core.identities import id_number
from gonghui.orgs.models import Enterprise, Member, Occupation, Organisation, OrgLevel

# Fixed numbers so that the README can list them.
DEMO_USERS = [
    ("13800000001", "系统管理员", Role.SYSADMIN, None),
    ("13800000002", "安全管理员", Role.SECADMIN, None),
    ("13800000003", "审计管理员", Role.AUDITADMIN, None),
    ("13800000010", "省总工作人员", Role.STAFF, "330000"),
    ("13800000011", "杭州市总工作人员", Role.STAFF, "330100"),
    ("13800000012", "淳安县总工作人员", Role.STAFF, "330127"),
    ("13800000013", "乐清市总工作人员", Role.STAFF, "330382"),
]


def build(ctx):
    rng = ctx.rng("accounts")
    for phone, name, role, org_code in DEMO_USERS:
        user = User.objects.create_user(phone, DEMO_PASSWORD, name=name)
        if role == Role.SYSADMIN:
            user.is_staff = True
            user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        org = Organisation.objects.get(code=org_code) if org_code else None
        RoleAssignment.objects.create(user=user, role=role, organisation=org)
        ctx.account(role, phone, name, org.name if org else "")

    town = (
        Organisation.objects.filter(level=OrgLevel.TOWN, region__code__startswith="330127")
        .order_by("code")
        .first()
    )
    user = User.objects.create_user("13800000014", DEMO_PASSWORD, name="千岛湖镇工会工作人员")
    RoleAssignment.objects.create(user=user, role=Role.STAFF, organisation=town)
    ctx.account(Role.STAFF, "13800000014", user.name, town.name)

    enterprise = (
        Enterprise.objects.filter(region__code__startswith="330127", unionised=True).order_by("id").first()
    )
    user = User.objects.create_user("13800000020", DEMO_PASSWORD, name="企业联系人")
    RoleAssignment.objects.create(user=user, role=Role.ENTERPRISE, enterprise=enterprise)
    ctx.account(Role.ENTERPRISE, "13800000020", user.name, enterprise.name)

    user = User.objects.create_user("13800000040", DEMO_PASSWORD, name="陈晓东")
    holding = Organisation.objects.get(code="330127-XJY")
    id_no = id_number(rng, "330127")
    member = Member(
        user=user,
        name=user.name,
        union=holding,
        region_id="330127",
        occupation=Occupation.COURIER,
        join_date=date(2024, 5, 1),
    )
    member.id_number = id_no
    member.phone = "13800000040"
    member.save()
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    ctx.account(Role.MEMBER, "13800000040", user.name, "快递员 · " + holding.name)
    ctx.shared["demo_enterprise"] = enterprise
    ctx.shared["demo_member"] = member

    # A courier who has applied online and waits for 淳安 county staff (13800000012) to decide.
    from gonghui.orgs.models import JoinApplication

    applicant = User.objects.create_user("13800000041", DEMO_PASSWORD, name="")
    application = JoinApplication(
        applicant=applicant,
        union=holding,
        region_id="330127",
        name="李骑手",
        occupation=Occupation.DELIVERY_RIDER,
        employer_name="美团外卖 千岛湖站",
    )
    application.id_number = id_number(rng, "330127")
    application.phone = "13800000041"
    application.save()
    ctx.account("applicant", "13800000041", "李骑手", "待审核的入会申请 · " + holding.name)
