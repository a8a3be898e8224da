"""Seeded generator of realistic dispatch instances for benchmarks and tests.

Counties come from the regions data (`gonghui/regions/data/zhejiang_regions.json`, read by path, no Django).
Each city has an industry profile close to Zhejiang's clusters (Ningbo auto parts and electronics, Wenzhou and
Taizhou pumps and valves, Shaoxing textiles, Yongkang hardware, Anji and Longquan bamboo, West Lake and Lishui
tea, chemicals along Hangzhou Bay, new-energy vehicles in Hangzhou, Ningbo and Jinhua). Same seed, same instance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .catalogue import GRADES, HONOURS, OCCUPATIONS, SKILLS, Skill
from .model import County, Craftsman, Geography, Problem

REGIONS_PATH = Path(__file__).resolve().parents[1] / "regions" / "data" / "zhejiang_regions.json"

# City (first four digits of the county code) → weight of each industry class.
CITY_PROFILES = {
    "3301": {"C361": 3, "C397": 3, "C171": 2, "C153": 2, "C261": 1, "C367": 1},  # 杭州
    "3302": {"C367": 4, "C397": 3, "C261": 2, "C361": 2, "C344": 1, "C338": 1},  # 宁波
    "3303": {"C344": 4, "C367": 2, "C338": 2, "C397": 1},  # 温州
    "3304": {"C171": 3, "C261": 2, "C397": 2, "C367": 1},  # 嘉兴
    "3305": {"C203": 3, "C171": 2, "C153": 1, "C367": 1},  # 湖州
    "3306": {"C171": 5, "C261": 2, "C153": 1},  # 绍兴
    "3307": {"C338": 4, "C361": 2, "C171": 1, "C153": 1},  # 金华
    "3308": {"C261": 2, "C203": 2, "C153": 1, "C338": 1},  # 衢州
    "3309": {"C344": 1, "C261": 2, "C367": 1},  # 舟山
    "3310": {"C344": 3, "C367": 3, "C261": 2, "C361": 1},  # 台州
    "3311": {"C203": 3, "C153": 3, "C344": 1, "C338": 1},  # 丽水
}
NOISE = (
    "我公司是一家小微企业，",
    "近期订单增加，",
    "影响交货期，",
    "希望有经验的师傅上门指导。",
    "客户反映较多，",
    "车间老师傅退休后，",
    "想请劳模工匠帮忙诊断。",
    "",
    "",
    "",
)


def load_counties(path: Path = REGIONS_PATH) -> list[County]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        County(
            str(c["code"]),
            c["name"],
            float(c["lat"]),
            float(c["lng"]),
            bool(c.get("mountain")),
            bool(c.get("island")),
        )
        for c in data["counties"]
    ]


@dataclass
class Instance:
    geography: Geography
    problems: list[Problem]
    craftsmen: list[Craftsman]


def generate_instance(
    n_problems: int, n_craftsmen: int, seed: int = 0, counties: list[County] | None = None
) -> Instance:
    rng = np.random.default_rng(seed)
    counties = counties if counties is not None else load_counties()
    geography = Geography(counties)
    by_industry: dict[str, list[Skill]] = {}
    for skill in SKILLS:
        by_industry.setdefault(skill.industry, []).append(skill)
    general = by_industry.pop("")

    # Heavier industrial weight in the plains; mountain counties file fewer problems but they matter more.
    county_weight = np.array([0.6 if c.mountain else (0.5 if c.island else 1.0) for c in counties])
    county_weight /= county_weight.sum()

    def industry_of(county: County) -> str:
        profile = CITY_PROFILES.get(county.code[:4], {"C367": 1})
        codes, weights = list(profile), np.array(list(profile.values()), float)
        return codes[rng.choice(len(codes), p=weights / weights.sum())]

    def skill_for(industry: str) -> Skill:
        pool = by_industry[industry] if rng.random() < 0.75 else general
        return pool[rng.integers(len(pool))]

    def pick(items, k) -> list:
        k = min(k, len(items))
        return [items[i] for i in rng.choice(len(items), k, replace=False)]

    problems = []
    for i in range(n_problems):
        county = counties[rng.choice(len(counties), p=county_weight)]
        industry = industry_of(county)
        skill = skill_for(industry)
        skills = [skill]
        if rng.random() < 0.15:
            skills.append(skill_for(industry))
        demand = 1 if rng.random() < 0.87 else (2 if rng.random() < 0.75 else 3)
        symptom = skill.symptoms[rng.integers(len(skill.symptoms))]
        extra_terms = pick(list(skill.terms), 2)
        description = "".join(
            [
                NOISE[rng.integers(len(NOISE))],
                symptom,
                "，涉及",
                "、".join(extra_terms),
                "。",
                NOISE[rng.integers(len(NOISE))],
            ]
        )
        priority = county.mountain or county.island
        problems.append(
            Problem(
                id=f"P{i:06d}",
                title=symptom,
                description=description,
                category=skill.category,
                industry=industry,
                tags=tuple(dict.fromkeys(s.tag for s in skills)),
                county=county.code,
                urgency=int(rng.integers(1, 4)),
                online=bool(rng.random() < 0.12),
                demand=demand,
                cross_region=bool(rng.random() < (0.6 if priority else 0.3)),
            )
        )

    craftsman_weight = np.array([0.5 if (c.mountain or c.island) else 1.0 for c in counties])
    craftsman_weight /= craftsman_weight.sum()
    craftsmen = []
    for j in range(n_craftsmen):
        county = counties[rng.choice(len(counties), p=craftsman_weight)]
        industry = industry_of(county)
        skills = list(dict.fromkeys([skill_for(industry) for _ in range(int(rng.integers(1, 4)))]))
        main = skills[0]
        terms = [t for s in skills for t in pick(list(s.terms), 3)]
        solved = [s.symptoms[rng.integers(len(s.symptoms))] for s in pick(skills, int(rng.integers(1, 3)))]
        max_load = int(rng.integers(2, 6))
        honours = tuple(pick(list(HONOURS), 1)) if rng.random() < 0.3 else ()
        craftsmen.append(
            Craftsman(
                id=f"C{j:06d}",
                name=f"工匠{j}",
                specialties=tuple(dict.fromkeys(s.tag for s in skills)),
                tags=tuple(dict.fromkeys(s.tag for s in skills)),
                categories=tuple(dict.fromkeys(s.category for s in skills)),
                occupation=OCCUPATIONS[rng.integers(len(OCCUPATIONS))],
                grade=GRADES[rng.integers(len(GRADES))],
                honours=honours,
                industries=tuple(dict.fromkeys(s.industry or industry for s in skills)),
                experience=f"从事{main.tag}工作{int(rng.integers(5, 30))}年，擅长{'、'.join(terms)}。",
                solved_texts=tuple(solved),
                county=county.code,
                radius_km=float(rng.choice([50, 80, 100, 150, 200])),
                cross_region=bool(rng.random() < 0.4),
                min_load=1 if rng.random() < 0.1 else 0,
                max_load=max_load,
                current_load=int(rng.integers(0, 2)),
                available=bool(rng.random() < 0.95),
                rating=None if rng.random() < 0.2 else float(np.round(rng.uniform(3.0, 5.0), 1)),
            )
        )
    return Instance(geography, problems, craftsmen)
