"""Demo: the union tree down to towns for all 90 counties, enterprises with grassroots unions, and members."""

from datetime import date, timedelta

from gonghui.core import bulk, identities
from gonghui.core.pii import encrypt, lookup_hash
from gonghui.orgs.models import Enterprise, Member, Occupation, Organisation, OrgLevel, SkillGrade
from gonghui.regions.models import Region, RegionLevel

OCCUPATION_MIX = [
    (Occupation.FRONTLINE, 40),
    (Occupation.TECHNICIAN, 12),
    (Occupation.OFFICE, 10),
    (Occupation.DELIVERY_RIDER, 8),
    (Occupation.COURIER, 7),
    (Occupation.RIDE_HAILING, 4),
    (Occupation.TRUCK_DRIVER, 4),
    (Occupation.DOMESTIC, 2),
    (Occupation.SANITATION, 4),
    (Occupation.CONSTRUCTION, 5),
    (Occupation.TEACHER, 2),
    (Occupation.MEDICAL, 2),
]
GRADE_MIX = [
    (SkillGrade.NONE, 45),
    (SkillGrade.GRADE5, 18),
    (SkillGrade.GRADE4, 16),
    (SkillGrade.GRADE3, 12),
    (SkillGrade.GRADE2, 6),
    (SkillGrade.GRADE1, 3),
]
NEW_FORM = {
    Occupation.DELIVERY_RIDER,
    Occupation.COURIER,
    Occupation.RIDE_HAILING,
    Occupation.TRUCK_DRIVER,
    Occupation.DOMESTIC,
}


def _weighted(rng, mix):
    return rng.choices([m for m, _ in mix], weights=[w for _, w in mix])[0]


def build(ctx):
    rng = ctx.rng("orgs")
    regions = list(Region.objects.all())
    cities = [r for r in regions if r.level == RegionLevel.CITY]
    counties = [r for r in regions if r.level == RegionLevel.COUNTY]
    towns_by_county: dict[str, list[Region]] = {}
    for r in regions:
        if r.level == RegionLevel.TOWN:
            towns_by_county.setdefault(r.parent_id, []).append(r)
    city_name = {c.code: c.name for c in cities}

    province = Organisation.objects.create(
        code="330000", name="浙江省总工会", level=OrgLevel.PROVINCE, region_id="330000"
    )
    orgs = [
        Organisation(
            code=c.code, name=f"{c.name}总工会", level=OrgLevel.CITY, region_id=c.code, parent=province
        )
        for c in cities
    ]
    Organisation.objects.bulk_create(orgs)
    city_org = {o.region_id: o for o in Organisation.objects.filter(level=OrgLevel.CITY)}
    Organisation.objects.bulk_create(
        [
            Organisation(
                code=c.code,
                name=f"{c.name}总工会",
                level=OrgLevel.COUNTY,
                region_id=c.code,
                parent=city_org[c.parent_id],
            )
            for c in counties
        ]
    )
    county_org = {o.region_id: o for o in Organisation.objects.filter(level=OrgLevel.COUNTY)}
    holding = [
        Organisation(
            code=f"{c.code}-XJY",
            name=f"{c.name}新就业形态劳动者工会联合会",
            level=OrgLevel.INDUSTRY,
            region_id=c.code,
            parent=county_org[c.code],
            is_holding_union=True,
        )
        for c in counties
    ]
    towns = [
        Organisation(
            code=t.code,
            name=f"{t.name}总工会",
            level=OrgLevel.TOWN,
            region_id=t.code,
            parent=county_org[c.code],
        )
        for c in counties
        for t in towns_by_county.get(c.code, [])
    ]
    Organisation.objects.bulk_create(holding + towns, batch_size=1000)
    town_org = {o.region_id: o for o in Organisation.objects.filter(level=OrgLevel.TOWN)}
    holding_org = {o.region_id: o for o in Organisation.objects.filter(is_holding_union=True)}

    # Enterprises, spread over counties with more in the big manufacturing cities.
    n_enterprises = ctx.pick(1500, 20000)
    weights = [
        3 if c.parent_id in ("330100", "330200", "330700", "331000", "330600") else 1 for c in counties
    ]
    seen_codes: set[str] = set()
    enterprises = []
    for _ in range(n_enterprises):
        county = rng.choices(counties, weights=weights)[0]
        town = rng.choice(towns_by_county.get(county.code) or [county])
        code = identities.credit_code(rng, county.code)
        while code in seen_codes:
            code = identities.credit_code(rng, county.code)
        seen_codes.add(code)
        name, section, division = identities.company(rng, city_name[county.parent_id])
        employees = int(rng.lognormvariate(4.0, 1.1)) + 5
        above = employees >= 150 or (employees >= 60 and rng.random() < 0.4)
        enterprises.append(
            Enterprise(
                credit_code=code,
                name=name,
                industry=section,
                industry_division=division,
                region_id=town.code,
                address=f"{county.name}{town.name}{rng.randint(1, 999)}号",
                employees=employees,
                above_designated_size=above,
                non_public=rng.random() < 0.93,
                unionised=rng.random() < (0.9 if above else 0.55),
                reform_pilot=above and rng.random() < 0.08,
                platform=section in ("G", "I") and rng.random() < 0.1,
            )
        )
    enterprises = bulk.insert_instances(Enterprise, enterprises)
    grassroots = [
        Organisation(
            code=f"G{e.credit_code}",
            name=f"{e.name}工会委员会",
            level=OrgLevel.GRASSROOTS,
            region_id=e.region_id,
            parent=town_org.get(e.region_id) or county_org[e.region_id[:6]],
            enterprise=e,
        )
        for e in enterprises
        if e.unionised
    ]
    union_of = {o.enterprise_id: o for o in bulk.insert_instances(Organisation, grassroots)}
    unionised = [e for e in enterprises if e.unionised]

    # Members: employees of unionised enterprises, plus new-employment-form workers in the holding unions.
    n_members = ctx.pick(6000, 50000)
    members = []
    seen_ids: set[str] = set()
    today = date(2025, 12, 31)
    for i in range(n_members):
        occupation = _weighted(rng, OCCUPATION_MIX)
        if occupation in NEW_FORM and rng.random() < 0.6:
            county = rng.choice(counties)
            union, enterprise, region_id = holding_org[county.code], None, county.code
        else:
            enterprise = rng.choice(unionised)
            union, region_id = union_of[enterprise.pk], enterprise.region_id
        id_no = identities.id_number(rng, region_id[:6])
        while id_no in seen_ids:
            id_no = identities.id_number(rng, region_id[:6])
        seen_ids.add(id_no)
        phone = identities.mobile(rng)
        members.append(
            Member(
                name=identities.person_name(rng),
                id_number_cipher=encrypt(id_no),
                id_number_hash=lookup_hash(id_no),
                phone_cipher=encrypt(phone),
                phone_hash=lookup_hash(phone),
                gender="M" if int(id_no[16]) % 2 else "F",
                birth_date=date(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14])),
                union=union,
                enterprise=enterprise,
                region_id=region_id,
                occupation=occupation,
                skill_grade=_weighted(rng, GRADE_MIX),
                join_date=today - timedelta(days=rng.randint(0, 15 * 365)),
                model_worker=i % 400 == 0,
            )
        )
    bulk.insert_instances(Member, members)
    ctx.shared.update(
        province_org=province,
        city_org=city_org,
        county_org=county_org,
        holding_org=holding_org,
        town_org=town_org,
        counties=counties,
        cities=cities,
        towns_by_county=towns_by_county,
    )
