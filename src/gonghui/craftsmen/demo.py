"""Demo: the talent pool, problems in every state, solutions and special sessions.

At province scale the 2025 records are generated so that gonghui.craftsmen.figures computes the seed's figures:
5,056 craftsman participations (4,160 problems taken on + 32 sessions × 28 craftsmen), 3,100 problems solved,
32 special sessions — one in each of the 26 mountain and 6 island counties, so every one of them is served.
The records are made with bulk_create; the matching engine is run for the handful of open 2026 problems that
staff dispatch, not for the thousands of historical ones.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from gonghui import matching
from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core import identities
from gonghui.core.demodata import DEMO_PASSWORD
from gonghui.core.pii import encrypt, lookup_hash
from gonghui.craftsmen import engine
from gonghui.craftsmen.models import (
    DEFAULT_HONOUR_LEVEL,
    Craftsman,
    CraftsmanHonour,
    Honour,
    HonourLevel,
    Offer,
    OfferKind,
    OfferStatus,
    Outcome,
    Problem,
    ProblemStatus,
    ServiceTeam,
    Solution,
    SolutionStatus,
    SpecialSession,
    StatusLog,
    TeamKind,
    Visit,
)
from gonghui.craftsmen.workdays import deadline_after
from gonghui.matching.catalogue import GRADES, OCCUPATIONS, SKILLS
from gonghui.matching.synthetic import CITY_PROFILES
from gonghui.orgs.models import Enterprise
from gonghui.regions.models import Region, RegionLevel

SOLVED_2025 = 3100
UNSOLVED_2025 = 560  # taken on and closed in 2025 without solving the problem
CARRIED_INTO_2026 = 500  # taken on in late 2025, closed in early 2026
SESSION_CRAFTSMEN = 28  # craftsmen at each 2025 special session
GRADE_CODE = {"高级技师": "1", "技师": "2", "高级工": "3"}
HONOUR_MIX = [
    (Honour.CITY_MODEL, 30),
    (Honour.ZHEJIANG_CRAFTSMAN, 18),
    (Honour.PROVINCIAL_MODEL, 14),
    (Honour.SKILL_MASTER, 14),
    (Honour.PROVINCIAL_MAYDAY, 10),
    (Honour.NATIONAL_MAYDAY, 6),
    (Honour.NATIONAL_MODEL, 5),
    (Honour.GREAT_CRAFTSMAN, 1),
]
THEMES = [
    "装备制造",
    "轻纺化工",
    "现代农业",
    "电子信息",
    "汽车零部件",
    "五金机电",
    "安全生产",
    "绿色低碳",
    "茶产业",
]


def _aware(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _skills_by_industry():
    by_industry: dict[str, list] = {}
    for skill in SKILLS:
        by_industry.setdefault(skill.industry, []).append(skill)
    return by_industry


class _Builder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng("craftsmen")
        self.counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
        self.priority = [c for c in self.counties if c.mountain or c.island]
        self.by_industry = _skills_by_industry()
        self.general = self.by_industry.get("", [])
        self.logs: list[StatusLog] = []
        self.staff_name = "工会工作人员"
        self._due: dict[date, datetime] = {}

    # ------------------------------------------------------------------ pool
    def skill_for_city(self, city_prefix: str):
        profile = CITY_PROFILES.get(city_prefix, {"C367": 1})
        industry = self.rng.choices(list(profile), weights=list(profile.values()))[0]
        pool = self.by_industry.get(industry) or self.general
        return self.rng.choice(pool if self.rng.random() < 0.8 else self.general)

    def teams(self):
        teams = [
            ServiceTeam(name=f"{c.name}劳模工匠服务团", kind=TeamKind.SERVICE, theme="", region_id=c.code)
            for c in Region.objects.filter(level=RegionLevel.CITY).order_by("code")
        ]
        mountain = [c for c in self.priority if c.mountain] or self.counties
        teams += [
            ServiceTeam(
                name=f"山区26县{theme}劳模工匠志愿服务队",
                kind=TeamKind.VOLUNTEER,
                theme=theme,
                region_id=mountain[i % len(mountain)].code,
            )
            for i, theme in enumerate(THEMES)
        ]
        ServiceTeam.objects.bulk_create(teams)
        self.teams_all = list(ServiceTeam.objects.order_by("id"))
        self.city_team = {t.region_id[:4]: t for t in self.teams_all if t.kind == TeamKind.SERVICE}
        self.volunteer_teams = [t for t in self.teams_all if t.kind == TeamKind.VOLUNTEER]

    def craftsmen(self, n: int):
        rng = self.rng
        weights = [0.7 if c.mountain or c.island else 1.0 for c in self.counties]
        rows, honours, seen = [], [], set()
        for i in range(n):
            county = (
                rng.choices(self.counties, weights=weights)[0]
                if i >= len(self.counties)
                else self.counties[i]
            )
            skills = {self.skill_for_city(county.code[:4]) for _ in range(rng.choice((1, 2, 2, 3)))}
            skills = sorted(skills, key=lambda s: s.tag)
            phone = identities.mobile(rng)
            while phone in seen:
                phone = identities.mobile(rng)
            seen.add(phone)
            terms = sorted({t for s in skills for t in rng.sample(s.terms, min(3, len(s.terms)))})
            grade = rng.choice(GRADES)
            name = identities.person_name(rng)
            rows.append(
                Craftsman(
                    name=name,
                    phone_cipher=encrypt(phone),
                    phone_hash=lookup_hash(phone),
                    occupation=rng.choice(OCCUPATIONS),
                    skill_grade=GRADE_CODE[grade],
                    tags=[s.tag for s in skills],
                    specialties="，".join(terms),
                    industries=sorted({s.industry for s in skills if s.industry}),
                    categories=sorted({s.category for s in skills}),
                    region_id=county.code,
                    employer_name=f"{county.name}{rng.choice(('机械', '模具', '纺织', '电子', '化工', '茶业'))}有限公司",
                    service_radius_km=rng.choice((50, 80, 100, 150)),
                    cross_region=rng.random() < 0.4,
                    monthly_capacity=rng.choice((2, 3, 3, 4, 5)),
                    available=rng.random() < 0.92,
                    innovation_studio=f"{name}技能大师工作室" if rng.random() < 0.25 else "",
                )
            )
        Craftsman.objects.bulk_create(rows, batch_size=1000)
        self.pool = list(Craftsman.objects.order_by("id"))
        through = Craftsman.teams.through
        links = []
        for c in self.pool:
            honour = rng.choices([h for h, _w in HONOUR_MIX], weights=[w for _h, w in HONOUR_MIX])[0]
            honours.append(
                CraftsmanHonour(
                    craftsman=c,
                    honour=honour,
                    level=DEFAULT_HONOUR_LEVEL.get(honour, HonourLevel.PROVINCIAL),
                    year=rng.randint(2008, 2025),
                )
            )
            if rng.random() < 0.2:
                honours.append(
                    CraftsmanHonour(
                        craftsman=c,
                        honour=Honour.CITY_MODEL,
                        level=HonourLevel.CITY,
                        year=rng.randint(2000, 2015),
                    )
                )
            links.append(through(craftsman_id=c.pk, serviceteam_id=self.city_team[c.region_id[:4]].pk))
            if (c.region_id in {p.code for p in self.priority}) and rng.random() < 0.5:
                links.append(through(craftsman_id=c.pk, serviceteam_id=rng.choice(self.volunteer_teams).pk))
        CraftsmanHonour.objects.bulk_create(honours, batch_size=2000)
        through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
        self.by_tag: dict[str, list[Craftsman]] = {}
        for c in self.pool:
            for tag in c.tags:
                self.by_tag.setdefault(tag, []).append(c)

    def craftsman_for(self, tag: str, county_code: str) -> Craftsman:
        people = self.by_tag.get(tag) or self.pool
        near = [c for c in people if c.region_id[:4] == county_code[:4]]
        return self.rng.choice(near if near and self.rng.random() < 0.8 else people)

    # ------------------------------------------------------------------ problems
    def review_due(self, submitted: datetime) -> datetime:
        """deadline_after(submitted, 2), memoised per day (the demo files thousands of problems)."""
        day = timezone.localtime(submitted).date()
        if day not in self._due:
            self._due[day] = deadline_after(submitted, 2)
        return self._due[day]

    def enterprises(self):
        self.firms = list(Enterprise.objects.order_by("id").only("id", "region_id", "name"))
        self.firms_by_county: dict[str, list[Enterprise]] = {}
        for e in self.firms:
            self.firms_by_county.setdefault(e.region_id[:6], []).append(e)

    def firm(self, county_code: str | None = None) -> Enterprise:
        if county_code and self.firms_by_county.get(county_code):
            return self.rng.choice(self.firms_by_county[county_code])
        return self.rng.choice(self.firms)

    def new_problem(self, firm: Enterprise, submitted: datetime, status: str, **extra) -> Problem:
        skill = self.skill_for_city(firm.region_id[:4])
        symptom = self.rng.choice(skill.symptoms)
        terms = "、".join(self.rng.sample(skill.terms, min(2, len(skill.terms))))
        return Problem(
            enterprise_id=firm.pk,
            region_id=firm.region_id[:6],
            category=skill.category,
            industry=skill.industry,
            title=symptom[:60],
            description=f"{symptom}。涉及{terms}，希望劳模工匠上门指导。",
            tags=[skill.tag],
            urgency=self.rng.choice((1, 1, 1, 2, 2, 3)),
            online=self.rng.random() < 0.15,
            status=status,
            submitted_at=submitted,
            review_due=self.review_due(submitted),
            filed_on_behalf=self.rng.random() < 0.3,
            **extra,
        )

    def log(self, problem: Problem, steps: list[tuple[str, str, datetime, str]]):
        old = ""
        for new, who, at, comment in steps:
            self.logs.append(
                StatusLog(
                    problem=problem,
                    old_status=old,
                    new_status=new,
                    actor_name=who,
                    comment=comment,
                    created_at=at,
                )
            )
            old = new

    def taken_history(
        self,
        year_start: date,
        year_end: date,
        count: int,
        *,
        solved: bool,
        close_in: tuple | None,
        county_cycle: list | None = None,
    ):
        """Problems taken on in [year_start, year_end), closed in close_in (a date range) or left open."""
        rng = self.rng
        problems, meta = [], []
        span = (year_end - year_start).days
        for i in range(count):
            county = (
                county_cycle[i % len(county_cycle)].code if county_cycle and i < len(county_cycle) else None
            )
            firm = self.firm(county)
            accepted_day = year_start + timedelta(days=rng.randrange(span))
            submitted = _aware(accepted_day - timedelta(days=rng.randint(2, 12)), rng.randint(8, 17))
            accepted = _aware(accepted_day, rng.randint(8, 18), rng.randint(0, 59))
            closed = None
            if close_in:
                lo, hi = close_in
                closed_day = max(lo, accepted_day + timedelta(days=rng.randint(5, 40)))
                closed = _aware(min(closed_day, hi - timedelta(days=1)), rng.randint(9, 17))
            problem = self.new_problem(
                firm,
                submitted,
                ProblemStatus.CLOSED,
                accepted_at=accepted,
                confirmed_at=closed,
                closed_at=closed,
                rating=rng.choices((5, 4, 3, 2), weights=(60, 30, 8, 2))[0] if closed else None,
            )
            problem.craftsman = self.craftsman_for(problem.tags[0], problem.region_id)
            problems.append(problem)
            meta.append(solved)
        return problems, meta

    def save_taken(self, problems: list[Problem], solved_flags: list[bool]):
        Problem.objects.bulk_create(problems, batch_size=1000)
        rng = self.rng
        offers, visits, outcomes = [], [], []
        for problem, solved in zip(problems, solved_flags, strict=True):
            if rng.random() < 0.1:  # someone declined first; the engine offered the next candidate
                other = rng.choice(self.pool)
                if other.pk != problem.craftsman_id:
                    offers.append(
                        Offer(
                            problem=problem,
                            craftsman=other,
                            kind=OfferKind.DISPATCHED,
                            status=OfferStatus.DECLINED,
                            offered_at=problem.submitted_at + timedelta(days=1),
                            responded_at=problem.submitted_at + timedelta(days=2),
                            decline_reason="本月服务已满",
                        )
                    )
            claimed = rng.random() < 0.2
            offers.append(
                Offer(
                    problem=problem,
                    craftsman_id=problem.craftsman_id,
                    kind=OfferKind.CLAIMED if claimed else OfferKind.DISPATCHED,
                    status=OfferStatus.ACCEPTED,
                    offered_at=problem.accepted_at - timedelta(hours=5),
                    responded_at=problem.accepted_at,
                    explanation="揭榜" if claimed else "平台派单",
                )
            )
            visit_day = timezone.localtime(problem.accepted_at).date() + timedelta(days=rng.randint(1, 4))
            visits.append(
                Visit(
                    problem=problem,
                    craftsman_id=problem.craftsman_id,
                    date=visit_day,
                    hours=Decimal(rng.choice((2, 3, 4, 6, 8))),
                    online=problem.online,
                )
            )
            steps = [
                (ProblemStatus.SUBMITTED, "企业联系人", problem.submitted_at, ""),
                (ProblemStatus.REVIEWED, self.staff_name, problem.submitted_at + timedelta(hours=20), ""),
                (
                    ProblemStatus.LISTED if claimed else ProblemStatus.DISPATCHED,
                    self.staff_name,
                    problem.accepted_at - timedelta(hours=5),
                    "",
                ),
                (ProblemStatus.ACCEPTED, problem.craftsman.name, problem.accepted_at, ""),
                (ProblemStatus.IN_SERVICE, problem.craftsman.name, _aware(visit_day, 10), ""),
            ]
            if problem.closed_at:
                trained = rng.randint(3, 40) if solved else rng.randint(0, 8)
                outcomes.append(
                    Outcome(
                        problem=problem,
                        solved=solved,
                        workers_trained=trained,
                        skill_upgrades=rng.randint(0, trained),
                        efficiency_gain_pct=Decimal(rng.randint(5, 30)) if solved else None,
                        yield_before_pct=Decimal(rng.randint(75, 92))
                        if solved and rng.random() < 0.4
                        else None,
                        benefit_yuan=rng.choice((0, 20_000, 50_000, 80_000, 150_000, 300_000))
                        if solved
                        else 0,
                        recorded_at=problem.closed_at - timedelta(days=1),
                    )
                )
                if outcomes[-1].yield_before_pct is not None:
                    outcomes[-1].yield_after_pct = min(
                        Decimal("99.5"), outcomes[-1].yield_before_pct + rng.randint(3, 15)
                    )
                steps += [
                    (
                        ProblemStatus.AWAITING_CONFIRMATION,
                        problem.craftsman.name,
                        problem.closed_at - timedelta(days=1),
                        "",
                    ),
                    (ProblemStatus.CONFIRMED, "企业联系人", problem.closed_at - timedelta(hours=2), ""),
                    (ProblemStatus.CLOSED, "企业联系人", problem.closed_at, f"评价 {problem.rating} 分"),
                ]
            self.log(problem, steps)
        Offer.objects.bulk_create(offers, batch_size=2000)
        Visit.objects.bulk_create(visits, batch_size=2000)
        Outcome.objects.bulk_create(outcomes, batch_size=2000)

    def archive_solutions(self, problems: list[Problem], share: float):
        rng = self.rng
        chosen = [p for p in problems if p.closed_at and rng.random() < share]
        skills = {s.tag: s for s in SKILLS}
        rows = []
        for p in chosen:
            skill = skills.get(p.tags[0])
            rows.append(
                Solution(
                    problem=p,
                    craftsman_id=p.craftsman_id,
                    region_id=p.region_id,
                    category=p.category,
                    title=p.title,
                    symptom=p.description,
                    root_cause=f"{'、'.join(skill.terms[:2]) if skill else ''}方面存在不足",
                    fix=f"由{p.craftsman.name}现场诊断，围绕{'、'.join(skill.terms[:3]) if skill else p.tags[0]}制定整改方案并培训骨干",
                    results="问题解决，效率提升",
                    industries=[p.industry] if p.industry else [],
                    tags=list(p.tags),
                    status=SolutionStatus.PUBLISHED,
                    published_at=p.closed_at + timedelta(days=3),
                )
            )
            p.status = ProblemStatus.ARCHIVED
            self.logs.append(
                StatusLog(
                    problem=p,
                    old_status=ProblemStatus.CLOSED,
                    new_status=ProblemStatus.ARCHIVED,
                    actor_name=self.staff_name,
                    created_at=p.closed_at + timedelta(days=3),
                )
            )
        Solution.objects.bulk_create(rows, batch_size=1000)
        Problem.objects.filter(pk__in=[p.pk for p in chosen]).update(status=ProblemStatus.ARCHIVED)

    def sessions(self, year: int, per_session: int, counties: list[Region]):
        rng = self.rng
        sessions = []
        for i, county in enumerate(counties):
            day = date(year, 3, 1) + timedelta(days=int(i * 270 / max(1, len(counties))))
            team = (
                rng.choice(self.volunteer_teams) if county.mountain else self.city_team.get(county.code[:4])
            )
            sessions.append(
                SpecialSession(
                    region=county,
                    team=team,
                    title=f"{county.name}劳模工匠专场助企服务",
                    date=day,
                    enterprises_served=rng.randint(3, 8),
                    problems_taken=rng.randint(4, 12),
                    workers_trained=rng.randint(80, 120),
                )
            )
        SpecialSession.objects.bulk_create(sessions)
        through = SpecialSession.craftsmen.through
        links = []
        for session in sessions:
            near = [c for c in self.pool if c.region_id[:4] == session.region_id[:4]]
            people = (
                rng.sample(self.pool, per_session)
                if len(near) < per_session
                else rng.sample(near, per_session)
            )
            links += [through(specialsession_id=session.pk, craftsman_id=c.pk) for c in people]
        through.objects.bulk_create(links, batch_size=2000)

    # ------------------------------------------------------------------ open work in the current year
    def open_problems(self, n_each: int, demo_enterprise: Enterprise | None, demo_craftsman: Craftsman):
        """2026: problems in every state, the demo enterprise's among them; the engine dispatches a few."""
        rng = self.rng
        now = timezone.now()
        made = []
        states = [
            ProblemStatus.SUBMITTED,
            ProblemStatus.RETURNED,
            ProblemStatus.REVIEWED,
            ProblemStatus.LISTED,
            ProblemStatus.ACCEPTED,
            ProblemStatus.IN_SERVICE,
            ProblemStatus.AWAITING_CONFIRMATION,
            ProblemStatus.CONFIRMED,
        ]
        for state in states:
            for i in range(n_each):
                firm = demo_enterprise if (demo_enterprise and i == 0) else self.firm()
                submitted = now - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
                problem = self.new_problem(firm, submitted, state)
                problem.overdue = state == ProblemStatus.SUBMITTED and submitted < now - timedelta(days=5)
                if state == ProblemStatus.LISTED:
                    problem.claim_due = deadline_after(now, 10)
                if state in (
                    ProblemStatus.ACCEPTED,
                    ProblemStatus.IN_SERVICE,
                    ProblemStatus.AWAITING_CONFIRMATION,
                    ProblemStatus.CONFIRMED,
                ):
                    problem.craftsman = (
                        demo_craftsman
                        if firm == demo_enterprise
                        else self.craftsman_for(problem.tags[0], problem.region_id)
                    )
                    problem.accepted_at = submitted + timedelta(days=1)
                    if state == ProblemStatus.CONFIRMED:
                        problem.confirmed_at = now - timedelta(hours=3)
                if firm == demo_enterprise and state == ProblemStatus.SUBMITTED:
                    problem.overdue = False
                made.append(problem)
        Problem.objects.bulk_create(made)
        offers, visits, outcomes = [], [], []
        for p in made:
            steps = [(ProblemStatus.SUBMITTED, "企业联系人", p.submitted_at, "")]
            if p.status == ProblemStatus.RETURNED:
                steps.append(
                    (
                        ProblemStatus.RETURNED,
                        self.staff_name,
                        p.submitted_at + timedelta(hours=6),
                        "请补充故障照片和设备型号",
                    )
                )
            if p.status not in (ProblemStatus.SUBMITTED, ProblemStatus.RETURNED):
                steps.append(
                    (ProblemStatus.REVIEWED, self.staff_name, p.submitted_at + timedelta(hours=6), "")
                )
            if p.status == ProblemStatus.LISTED:
                steps.append((ProblemStatus.LISTED, self.staff_name, p.submitted_at + timedelta(hours=8), ""))
            if p.craftsman_id:
                offers.append(
                    Offer(
                        problem=p,
                        craftsman_id=p.craftsman_id,
                        status=OfferStatus.ACCEPTED,
                        offered_at=p.accepted_at - timedelta(hours=4),
                        responded_at=p.accepted_at,
                        explanation="平台派单",
                    )
                )
                steps += [
                    (ProblemStatus.DISPATCHED, self.staff_name, p.accepted_at - timedelta(hours=4), ""),
                    (ProblemStatus.ACCEPTED, p.craftsman.name, p.accepted_at, ""),
                ]
                if p.status != ProblemStatus.ACCEPTED:
                    day = timezone.localtime(p.accepted_at).date() + timedelta(days=1)
                    day = min(day, timezone.localdate())
                    visits.append(Visit(problem=p, craftsman_id=p.craftsman_id, date=day, hours=Decimal(3)))
                    steps.append((ProblemStatus.IN_SERVICE, p.craftsman.name, _aware(day, 10), ""))
                if p.status in (ProblemStatus.AWAITING_CONFIRMATION, ProblemStatus.CONFIRMED):
                    outcomes.append(
                        Outcome(
                            problem=p,
                            solved=True,
                            workers_trained=rng.randint(5, 20),
                            skill_upgrades=rng.randint(1, 5),
                            benefit_yuan=50_000,
                            efficiency_gain_pct=Decimal(15),
                            recorded_at=now - timedelta(hours=5),
                        )
                    )
                    steps.append(
                        (ProblemStatus.AWAITING_CONFIRMATION, p.craftsman.name, now - timedelta(hours=5), "")
                    )
                if p.status == ProblemStatus.CONFIRMED:
                    steps.append((ProblemStatus.CONFIRMED, "企业联系人", p.confirmed_at, ""))
            self.log(p, steps)
        Offer.objects.bulk_create(offers)
        Visit.objects.bulk_create(visits)
        Outcome.objects.bulk_create(outcomes)
        return made

    def engine_dispatch(self, count: int):
        """A few reviewed problems dispatched by the engine, as staff would confirm them: pending offers."""
        now = timezone.now()
        problems = list(
            Problem.objects.filter(status=ProblemStatus.REVIEWED)
            .select_related("region")
            .order_by("id")[:count]
        )
        if not problems:
            return
        pool = engine.build_pool()
        result = matching.dispatch(pool, [engine.engine_problem(p) for p in problems])
        by_problem = {pair.problem: pair for pair in result.pairs}
        offers = []
        for p in problems:
            pair = by_problem.get(p.pk)
            if pair is None:
                continue
            offers.append(
                Offer(
                    problem=p,
                    craftsman_id=pair.craftsman,
                    score=pair.score,
                    explanation=pair.explain("zh"),
                    offered_at=now,
                    due_at=deadline_after(now, 2),
                )
            )
            self.logs.append(
                StatusLog(
                    problem=p,
                    old_status=ProblemStatus.REVIEWED,
                    new_status=ProblemStatus.DISPATCHED,
                    actor_name=self.staff_name,
                    comment="平台派单",
                    created_at=now,
                )
            )
        Offer.objects.bulk_create(offers)
        Problem.objects.filter(pk__in=[o.problem_id for o in offers]).update(status=ProblemStatus.DISPATCHED)


def _offer_to_demo_craftsman(self, enterprise, craftsman: Craftsman) -> None:
    """The demo craftsman finds one offer waiting (an injection-moulding problem of the demo enterprise)."""
    if enterprise is None:
        return
    now = timezone.now()
    problem = Problem.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id[:6],
        category="process_quality",
        industry="C367",
        title="注塑件飞边和缩痕反复出现",
        description="注塑件出现飞边和缩痕，模具温度控制不好，产品尺寸不稳定，希望师傅上门指导。",
        tags=["注塑模具"],
        status=ProblemStatus.DISPATCHED,
        submitted_at=now - timedelta(days=1),
        review_due=deadline_after(now - timedelta(days=1), 2),
        craftsman=None,
    )
    Offer.objects.create(
        problem=problem,
        craftsman=craftsman,
        offered_at=now,
        due_at=deadline_after(now, 2),
        explanation="技能标签吻合：注塑模具；同县服务；荣誉：浙江工匠",
    )
    StatusLog.objects.bulk_create(
        [
            StatusLog(
                problem=problem,
                old_status="",
                new_status=ProblemStatus.SUBMITTED,
                actor_name="企业联系人",
                created_at=now - timedelta(days=1),
            ),
            StatusLog(
                problem=problem,
                old_status=ProblemStatus.SUBMITTED,
                new_status=ProblemStatus.REVIEWED,
                actor_name=self.staff_name,
                created_at=now - timedelta(hours=3),
            ),
            StatusLog(
                problem=problem,
                old_status=ProblemStatus.REVIEWED,
                new_status=ProblemStatus.DISPATCHED,
                actor_name=self.staff_name,
                comment="派单给 王建华",
                created_at=now,
            ),
        ]
    )


_Builder.offer_to_demo_craftsman = _offer_to_demo_craftsman


def _demo_craftsman_account(ctx, builder: _Builder) -> Craftsman:
    user = User.objects.create_user("13800000030", DEMO_PASSWORD, name="王建华")
    RoleAssignment.objects.create(user=user, role=Role.CRAFTSMAN)
    enterprise = ctx.shared.get("demo_enterprise")
    county = enterprise.region_id[:6] if enterprise else "330127"
    craftsman = Craftsman(
        user=user,
        name=user.name,
        occupation="模具工",
        skill_grade="1",
        tags=["注塑模具", "精密检测"],
        specialties="注塑模具设计与修模，模流分析，三坐标测量，统计过程控制",
        industries=["C367"],
        categories=["process_quality", "equipment"],
        region_id=county,
        employer_name="杭州精工模具有限公司",
        service_radius_km=150,
        cross_region=True,
        monthly_capacity=4,
        innovation_studio="王建华技能大师工作室",
    )
    craftsman.phone = "13800000030"
    craftsman.save()
    CraftsmanHonour.objects.bulk_create(
        [
            CraftsmanHonour(
                craftsman=craftsman, honour=Honour.ZHEJIANG_CRAFTSMAN, level=HonourLevel.PROVINCIAL, year=2022
            ),
            CraftsmanHonour(
                craftsman=craftsman, honour=Honour.PROVINCIAL_MODEL, level=HonourLevel.PROVINCIAL, year=2020
            ),
        ]
    )
    volunteer = builder.volunteer_teams[0] if builder.volunteer_teams else None
    if volunteer:
        craftsman.teams.add(volunteer)
    ctx.account(Role.CRAFTSMAN, "13800000030", user.name, "浙江工匠 · 注塑模具")
    return craftsman


def build(ctx):
    builder = _Builder(ctx)
    builder.teams()
    builder.enterprises()
    builder.craftsmen(ctx.pick(160, 1600))
    demo_craftsman = _demo_craftsman_account(ctx, builder)
    builder.pool.append(demo_craftsman)

    scale = ctx.pick(20, 1)  # small scale: a twentieth of the province's history
    solved = SOLVED_2025 // scale
    unsolved = UNSOLVED_2025 // scale
    carried = CARRIED_INTO_2026 // scale
    y25, y26 = date(2025, 1, 1), date(2026, 1, 1)
    # Every mountain/island county gets at least one problem taken on in 2025 (and a session, below).
    solved_rows, flags = builder.taken_history(
        y25, date(2025, 12, 1), solved, solved=True, close_in=(y25, y26), county_cycle=builder.priority
    )
    rows, more = builder.taken_history(y25, date(2025, 12, 1), unsolved, solved=False, close_in=(y25, y26))
    solved_rows += rows
    flags += more
    rows, more = builder.taken_history(
        date(2025, 11, 1),
        date(2025, 12, 20),
        carried,
        solved=True,
        close_in=(date(2026, 1, 5), date(2026, 3, 1)),
    )
    solved_rows += rows
    flags += more
    for p in solved_rows:  # keep closes in the year they were generated for
        if p.closed_at and p.closed_at < p.accepted_at:
            p.closed_at = p.accepted_at + timedelta(days=3)
            p.confirmed_at = p.closed_at
    builder.save_taken(solved_rows, flags)
    # 2026 so far: closed work and open work in every state.
    today = timezone.localdate()
    if today > date(2026, 2, 1):
        rows, more = builder.taken_history(
            y26,
            today - timedelta(days=20),
            ctx.pick(60, 900),
            solved=True,
            close_in=(date(2026, 1, 15), today),
        )
        builder.save_taken(rows, more)
        solved_rows += rows
    builder.archive_solutions(solved_rows, share=0.15)
    builder.sessions(2025, SESSION_CRAFTSMEN if ctx.province else 5, builder.priority)
    builder.sessions(today.year, 6, builder.priority[: ctx.pick(4, 12)])
    builder.open_problems(ctx.pick(3, 12), ctx.shared.get("demo_enterprise"), demo_craftsman)
    StatusLog.objects.bulk_create(builder.logs, batch_size=5000)
    builder.logs = []
    builder.engine_dispatch(ctx.pick(2, 8))  # leaves some reviewed problems for staff
    builder.offer_to_demo_craftsman(ctx.shared.get("demo_enterprise"), demo_craftsman)
    StatusLog.objects.bulk_create(builder.logs, batch_size=5000)
    ctx.shared["demo_craftsman"] = demo_craftsman
