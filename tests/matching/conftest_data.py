"""A small hand-made world shared by the dispatch tests."""

from gonghui.matching import Craftsman, Geography, Problem

COUNTIES = [
    {"code": "330102", "name": "上城区", "lat": 30.245, "lng": 120.165, "mountain": False, "island": False},
    {"code": "330681", "name": "诸暨市", "lat": 29.709, "lng": 120.236, "mountain": False, "island": False},
    {"code": "330902", "name": "定海区", "lat": 30.020, "lng": 122.107, "mountain": False, "island": True},
    {
        "code": "331127",
        "name": "景宁畲族自治县",
        "lat": 27.973,
        "lng": 119.636,
        "mountain": True,
        "island": False,
    },
]


def geography() -> Geography:
    return Geography(COUNTIES)


def craftsmen() -> list[Craftsman]:
    return [
        Craftsman(
            id="C1",
            name="张工",
            specialties=("注塑模具",),
            tags=("注塑模具",),
            categories=("process_quality",),
            industries=("C367",),
            experience="从事注塑模具设计与修模二十年，擅长浇口优化、解决飞边缩痕。",
            county="330102",
            radius_km=50,
            max_load=2,
            honours=("浙江工匠",),
            rating=4.8,
        ),
        Craftsman(
            id="C2",
            name="李工",
            specialties=("冲压模具",),
            tags=("冲压模具",),
            categories=("process_quality",),
            industries=("C367",),
            experience="级进模调试，解决冲压件开裂起皱和回弹。",
            county="330681",
            radius_km=150,
            max_load=1,
        ),
        Craftsman(
            id="C3",
            name="王工",
            specialties=("注塑模具", "数控加工"),
            tags=("注塑模具", "数控加工"),
            categories=("process_quality",),
            industries=("C367",),
            experience="注塑件尺寸不稳定和数控编程。",
            county="330681",
            radius_km=50,
            cross_region=True,
            max_load=1,
        ),
        Craftsman(
            id="C4",
            name="赵工",
            specialties=("茶叶加工",),
            tags=("茶叶加工",),
            categories=("process_quality",),
            industries=("C153",),
            experience="龙井炒制，杀青揉捻。",
            county="330902",
            radius_km=50,
            max_load=1,
        ),
    ]


def problems() -> list[Problem]:
    return [
        Problem(
            id="P1",
            title="注塑件飞边",
            description="注塑件出现飞边和缩痕，模具温度控制不好。",
            category="process_quality",
            industry="C367",
            tags=("注塑模具",),
            county="330102",
            cross_region=True,
        ),
        Problem(
            id="P2",
            title="炒茶色泽发暗",
            description="龙井茶炒制色泽发暗，杀青不匀。",
            category="process_quality",
            industry="C153",
            tags=("茶叶加工",),
            county="331127",
        ),
        Problem(
            id="P3",
            title="冲压件开裂",
            description="冲压件开裂起皱。",
            category="process_quality",
            industry="C367",
            tags=("冲压模具",),
            county="330681",
        ),
        Problem(
            id="P4",
            title="焊缝气孔",
            description="焊缝有气孔和咬边。",
            category="equipment",
            industry="C367",
            tags=("焊接机器人",),
            county="330102",
        ),
    ]
