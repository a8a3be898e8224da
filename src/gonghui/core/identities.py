"""Generators of valid Chinese identifiers for demo data and tests (checksums computed, not faked)."""

import random
from datetime import date

from gonghui.core.validators import CREDIT_ALPHABET, credit_check_char, id_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文辉鹏飞宇浩然晨阳欣怡婷雪梅海波志斌俊峰凯琳晓东春燕子涵雨萱佳琪思远嘉豪宏亮秋菊国庆建华永康德明"
COMPANY_WORDS = "华宏鑫盛达恒泰丰源兴隆瑞祥中天正和永安金石新光明宇通海宁远创凯博信诚联合精工"
COMPANY_KINDS = [
    ("汽车零部件", "C", "36"), ("泵阀", "C", "34"), ("纺织", "C", "17"), ("五金制品", "C", "33"),
    ("电子科技", "C", "39"), ("化工", "C", "26"), ("茶业", "A", "01"), ("竹木制品", "C", "20"),
    ("新能源汽车", "C", "36"), ("模具", "C", "35"), ("服装", "C", "18"), ("物流", "G", "59"),
    ("建设工程", "E", "47"), ("食品", "C", "14"), ("家具", "C", "21"), ("网络科技", "I", "64"),
]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def id_number(rng: random.Random, county_code: str, *, min_age: int = 20, max_age: int = 60, year: int = 2025) -> str:
    born = date(year - rng.randint(min_age, max_age), rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"{county_code}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(["13", "15", "17", "18", "19"]) + f"{rng.randint(0, 999_999_999):09d}"


def credit_code(rng: random.Random, county_code: str) -> str:
    # 9 = registered by market regulation, 1 = enterprise; then the county; then a 9-character organisation code.
    body = "91" + county_code + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return body + credit_check_char(body)


def company(rng: random.Random, city_name: str) -> tuple[str, str, str]:
    kind, section, division = rng.choice(COMPANY_KINDS)
    words = "".join(rng.sample(COMPANY_WORDS, 2))
    suffix = rng.choice(["有限公司", "股份有限公司", "集团有限公司"])
    return f"{city_name.removesuffix('市')}{words}{kind}{suffix}", section, division
