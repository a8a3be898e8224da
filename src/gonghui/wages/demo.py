"""Demo: skill-level wage agreements whose figures come out of the records.

At province scale the seed's 2025 figures follow from the rows built here (30,000+ skill-level wage contracts,
40,000+ enterprises and 4.81M+ workers covered, every reform-pilot enterprise covered, over 60% of unionised
enterprises above designated size covered). The orgs demo builds 20,000 enterprises; the enterprises that hold the
remaining agreements are added here. Most agreements are historical (imported); in 淳安 a demo instructor
(13800000090) has a checklist and live cases at every stage, created through the services.
"""

from datetime import date, timedelta

from django.utils import timezone

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core import bulk, identities
from gonghui.core.actor import actor_for_user
from gonghui.core.demodata import DEMO_PASSWORD
from gonghui.orgs.models import Enterprise
from gonghui.regions.models import Region, RegionLevel
from gonghui.wages import services
from gonghui.wages.models import (
    GRADE_RANK,
    LADDER_GRADES,
    Agreement,
    AgreementEnterprise,
    AgreementItem,
    AgreementKind,
    AgreementScope,
    BargainingCase,
    CaseStatus,
    ChecklistEntry,
    ContactKind,
    ContactLog,
    ItemKind,
    LadderStep,
)

INSTRUCTOR_PHONE = "13800000090"
DEMO_COUNTY = "330127"
# Province: single-enterprise agreements in all, and regional/industry agreements with their member counts.
SINGLE_AGREEMENTS = 29_700
REGIONAL_AGREEMENTS = 360
REGIONAL_MEMBERS = (30, 40)
BATCH = 5000


def _instructors(ctx, counties) -> dict[str, User]:
    """One bargaining instructor per county (the 淳安 one can log in; the others hold cases)."""
    county_org = ctx.shared["county_org"]
    others = [c for c in counties if c.code != DEMO_COUNTY]
    users = []
    for i, county in enumerate(others):
        user = User(name=f"{county.name}协商指导员")
        user.phone = f"1370090{i:04d}"
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=BATCH)
    demo = User.objects.create_user(INSTRUCTOR_PHONE, DEMO_PASSWORD, name="淳安县集体协商指导员")
    by_county = {c.code: u for c, u in zip(others, users, strict=True)}
    by_county[DEMO_COUNTY] = demo
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.STAFF, organisation=county_org[code])
            for code, u in by_county.items()
        ]
    )
    ctx.account(Role.STAFF, INSTRUCTOR_PHONE, demo.name, f"{county_org[DEMO_COUNTY].name} · 集体协商指导员")
    return by_county


def _new_enterprises(ctx, rng, counties, towns_by_county, count, *, small: bool) -> list[Enterprise]:
    city_name = dict(Region.objects.filter(level=RegionLevel.CITY).values_list("code", "name"))
    seen = set(Enterprise.objects.values_list("credit_code", flat=True))
    rows = []
    for _ in range(count):
        county = rng.choice(counties)
        town = rng.choice(towns_by_county.get(county.code) or [county])
        code = identities.credit_code(rng, county.code)
        while code in seen:
            code = identities.credit_code(rng, county.code)
        seen.add(code)
        name, section, division = identities.company(rng, city_name[county.parent_id])
        if small:
            employees, above = rng.randint(8, 60), False
        else:
            employees = int(rng.lognormvariate(4.75, 0.8)) + 20
            above = employees >= 150 or rng.random() < 0.2
        rows.append(
            Enterprise(
                credit_code=code,
                name=name,
                industry=section,
                industry_division=division,
                region_id=town.code,
                address=f"{county.name}{town.name}{rng.randint(1, 999)}号",
                employees=employees,
                above_designated_size=above,
                unionised=rng.random() < (0.9 if above else 0.6),
                reform_pilot=above and rng.random() < 0.05,
                platform=section in ("G", "I") and rng.random() < 0.1,
            )
        )
    return bulk.insert_instances(Enterprise, rows)


def _ladder(rng, agreement_id, industry) -> list:
    base = rng.randint(3800, 4600) + (400 if industry in ("C", "I") else 0)
    allowance = rng.choice((100, 150, 200))
    grades = LADDER_GRADES if rng.random() < 0.1 else LADDER_GRADES[:5]
    rows = []
    for grade in grades:
        rows.append((agreement_id, grade.value, GRADE_RANK[grade.value], base, allowance))
        base = int(base * rng.uniform(1.08, 1.16))
        allowance += rng.choice((100, 200, 300))
    return rows


def build(ctx):
    rng = ctx.rng("wages")
    today = timezone.localdate()
    anchor = min(today, date(2025, 12, 31))
    counties = ctx.shared["counties"]
    towns_by_county = ctx.shared["towns_by_county"]
    instructors = _instructors(ctx, counties)

    # Enterprises in 淳安 kept open for the demo instructor's live cases and checklist (unionised, above size).
    chunan = [c for c in counties if c.code == DEMO_COUNTY]
    reserved_rows = _new_enterprises(ctx, rng, chunan, towns_by_county, ctx.pick(10, 40), small=False)
    for e in reserved_rows:
        e.unionised, e.above_designated_size, e.reform_pilot = True, True, False
    Enterprise.objects.bulk_update(reserved_rows, ["unionised", "above_designated_size", "reform_pilot"])
    reserved = {e.pk for e in reserved_rows}
    existing = list(Enterprise.objects.exclude(pk__in=reserved).order_by("id"))
    singles = []
    for e in existing:
        if e.pk in reserved:
            continue
        if e.reform_pilot:
            p = 1.0
        elif e.unionised and e.above_designated_size:
            p = 0.72
        elif e.platform:
            p = 0.85
        else:
            p = ctx.pick(0.02, 0.3)
        if rng.random() < p:
            singles.append(e)
    if ctx.province and len(singles) < SINGLE_AGREEMENTS:
        singles += _new_enterprises(
            ctx, rng, counties, towns_by_county, SINGLE_AGREEMENTS - len(singles), small=False
        )

    # Regional / industry agreements: many small enterprises under one agreement.
    regional_groups = []
    if ctx.province:
        low, high = REGIONAL_MEMBERS
        sizes = [rng.randint(low, high) for _ in range(REGIONAL_AGREEMENTS)]
        members = _new_enterprises(ctx, rng, counties, towns_by_county, sum(sizes), small=True)
        by_county: dict[str, list] = {}
        for e in members:
            by_county.setdefault(e.region_id[:6], []).append(e)
        pool = sorted(by_county.items())
        for size in sizes:
            county, group = max(pool, key=lambda item: len(item[1]))
            if not group:
                break
            regional_groups.append((county, group[:size]))
            del group[:size]
    else:
        uncovered = [
            e for e in existing if e not in singles and e.pk not in reserved and not e.above_designated_size
        ]
        for i in range(3):
            group = uncovered[i * 5 : i * 5 + 5]
            regional_groups.append((group[0].region_id[:6], group))

    # Cases and agreements (historical ones, imported from the counties' spreadsheets).
    cases, terms = [], []

    def term():
        if rng.random() < 0.03:  # expiring within 60 days of today
            ends = today + timedelta(days=rng.randint(5, 58))
            signed = ends - timedelta(days=3 * 365 - 1)
        else:
            signed = anchor - timedelta(days=rng.randint(10, 700))
            ends = signed + timedelta(days=3 * 365 - 1)
        return signed, ends

    for e in singles:
        county = e.region_id[:6]
        signed, ends = term()
        cases.append(
            BargainingCase(
                scope=AgreementScope.ENTERPRISE,
                enterprise=e,
                region_id=e.region_id,
                industry=e.industry,
                title=f"{e.name}能级工资集体协商",
                instructor=instructors[county],
                offered_on=signed - timedelta(days=60),
                status=services.time_status(signed, ends, today),
            )
        )
        terms.append((signed, ends, e.employees, [e]))
    for county, group in regional_groups:
        industry = group[0].industry
        scope = AgreementScope.INDUSTRY if rng.random() < 0.5 else AgreementScope.REGIONAL
        name = next(c.name for c in counties if c.code == county)
        signed, ends = term()
        cases.append(
            BargainingCase(
                scope=scope,
                region_id=county,
                industry=industry,
                title=f"{name}小微企业区域性能级工资集体合同"
                if scope == AgreementScope.REGIONAL
                else f"{name}行业性能级工资集体合同",
                instructor=instructors[county],
                offered_on=signed - timedelta(days=60),
                status=services.time_status(signed, ends, today),
            )
        )
        terms.append((signed, ends, sum(e.employees for e in group), group))
    cases = bulk.insert_instances(BargainingCase, cases)

    agreements = bulk.insert_instances(
        Agreement,
        [
            Agreement(
                case=case,
                kind=AgreementKind.SKILL_WAGE,
                scope=case.scope,
                region_id=case.region_id,
                industry=case.industry,
                signed_on=signed,
                starts_on=signed,
                ends_on=ends,
                workers_covered=max(workers, 1),
                average_raise=f"{rng.uniform(3.5, 9.5):.2f}",
                minimum_pay=rng.choice((2290, 2490, 2600, 2800)),
                filed_on=signed + timedelta(days=5),
                filing_number=f"{case.region_id[:6]}-{signed.year}-{i:05d}",
                published_on=signed + timedelta(days=7),
                imported=True,
            )
            for i, (case, (signed, ends, workers, _members)) in enumerate(zip(cases, terms, strict=True))
        ],
    )
    bulk.insert_rows(
        AgreementEnterprise,
        ["agreement_id", "enterprise_id"],
        ((a.pk, e.pk) for a, (_s, _e, _w, members) in zip(agreements, terms, strict=True) for e in members),
    )
    bulk.insert_rows(
        LadderStep,
        ["agreement_id", "grade", "rank", "base_pay", "allowance"],
        (row for a in agreements for row in _ladder(rng, a.pk, a.industry)),
    )
    x_kinds = [ItemKind.INNOVATION, ItemKind.HONOUR, ItemKind.EDUCATION, ItemKind.MENTORING]
    items = []
    for a in agreements[::3]:
        items.append((a.pk, ItemKind.SKILL_ALLOWANCE, "按技能等级按月发放", rng.choice((200, 300, 500))))
        for kind in rng.sample(x_kinds, rng.randint(1, 3)):
            items.append((a.pk, kind.value, "", rng.choice((500, 1000, 2000, 5000))))
    bulk.insert_rows(AgreementItem, ["agreement_id", "kind", "description", "amount"], items)

    # 排查销号: every enterprise that should be covered goes on its county instructor's list.
    covering = {
        e.pk: case.pk
        for case, (_s, _e, _w, members) in zip(cases, terms, strict=True)
        if case.status != CaseStatus.LAPSED
        for e in members
    }
    added_on = anchor - timedelta(days=720)
    bulk.insert_rows(
        ChecklistEntry,
        ["instructor_id", "enterprise_id", "added_on", "ticked_off_on", "ticked_off_by_id"],
        (
            (instructors[region[:6]].pk, pk, added_on, anchor if pk in covering else None, covering.get(pk))
            for pk, region in Enterprise.objects.filter(services.should_be_covered_q()).values_list(
                "pk", "region_id"
            )
            if region[:6] in instructors
        ),
    )

    # Contact log: the touchpoints used to reach reluctant enterprises.
    kinds = list(ContactKind.values)
    targets = [e for e in existing if e.unionised]
    now = timezone.now()
    contacts = []
    for _ in range(ctx.pick(120, 8000)):
        e = rng.choice(targets)
        contacts.append(
            (
                e.pk,
                rng.choice(kinds),
                today - timedelta(days=rng.randint(1, 400)),
                "向企业负责人宣讲能级工资集体协商政策",
                rng.random() < 0.4,
                instructors[e.region_id[:6]].pk,
                now,
            )
        )
    bulk.insert_rows(
        ContactLog,
        ["enterprise_id", "kind", "happened_on", "notes", "willing", "recorded_by_id", "created_at"],
        contacts,
    )

    _live_cases(ctx, rng, instructors[DEMO_COUNTY], sorted(reserved), today)
    services.agreements_refresh(on=today)


def _live_cases(ctx, rng, instructor, reserved_ids, today):
    """The demo instructor's cases at every stage, made through the services (with audit entries)."""
    actor = actor_for_user(instructor, role=Role.STAFF)
    stages = ["offered", "preparing", "bargaining", "reviewed", "signed", "filed"]
    start = today - timedelta(days=90)
    for stage, enterprise_id in zip(stages, reserved_ids, strict=False):
        case = services.case_offer(
            actor=actor, enterprise_id=enterprise_id, instructor_id=instructor.pk, offered_on=start
        )
        services.contact_record(
            actor=actor,
            enterprise_id=enterprise_id,
            kind=ContactKind.HEAT_RELIEF,
            happened_on=start - timedelta(days=20),
            notes="送清凉时与企业负责人座谈",
            willing=True,
        )
        if stage == "offered":
            continue
        services.case_prepare(
            actor=actor,
            case_id=case.pk,
            local_average_wage=6100,
            guideline_raise="5.50",
            enterprise_average_wage=rng.randint(5200, 6800),
            worker_proposals="建立初级工至高级技师五级能级工资；技能津贴按月发放；师带徒奖励",
        )
        if stage == "preparing":
            continue
        for n in (1, 2):
            services.case_record_round(
                actor=actor,
                case_id=case.pk,
                held_on=start + timedelta(days=14 * n),
                minutes=f"第{n}轮协商：双方就技能津贴标准交换意见",
            )
        if stage == "bargaining":
            continue
        services.case_record_vote(
            actor=actor,
            case_id=case.pk,
            held_on=start + timedelta(days=40),
            representatives=35,
            votes_for=31,
            votes_against=2,
            votes_abstain=2,
        )
        if stage == "reviewed":
            continue
        signed = start + timedelta(days=50)
        services.case_sign(
            actor=actor,
            case_id=case.pk,
            kind=AgreementKind.SKILL_WAGE,
            signed_on=signed,
            starts_on=signed,
            ends_on=signed + timedelta(days=3 * 365 - 1),
            workers_covered=case.enterprise.employees,
            average_raise="6.80",
            minimum_pay=2600,
            ladder=[
                {"grade": r[1], "base_pay": r[3], "allowance": r[4]} for r in _ladder(rng, 0, case.industry)
            ],
            items=[
                {"kind": ItemKind.SKILL_ALLOWANCE, "amount": 300},
                {"kind": ItemKind.MENTORING, "amount": 1000},
            ],
        )
        if stage == "filed":
            services.case_file(
                actor=actor,
                case_id=case.pk,
                filed_on=signed + timedelta(days=3),
                filing_number="淳人社协备2026-018",
            )
