"""Build the relevance development set (src/gonghui/matching/data/relevance_devset.json).

    .venv/bin/python bench/matching_devset.py        # rewrites the JSON (deterministic)

How it is made (also in docs/matching.md):
* Craftsmen: 400 profiles from the seeded generator (seed 77): specialties, tags, occupation, experience and
  the texts of problems they solved, as staff would enter them.
* Queries, two kinds:
  - 36 hand-written problem descriptions, phrased the way an enterprise would write them (colloquial, without
    the catalogue's wording where possible), each labelled by hand with the one skill tag it needs;
  - 160 generated problems (seed 78) from the catalogue's symptom phrases, labelled with their primary tag.
* Graded labels, derived from the craftsman's declared tags (not from the text being scored): 2 when the
  craftsman's first (main) tag is the query's tag, 1 when it is one of the other tags, 0 otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

from gonghui.matching.synthetic import generate_instance

OUT = Path(__file__).resolve().parents[1] / "src" / "gonghui" / "matching" / "data" / "relevance_devset.json"

HANDWRITTEN = [
    (
        "注塑模具",
        "我们做汽车内饰件，打出来的塑料件边上老是有一圈薄薄的披锋，还有凹陷，想找懂模具的老师傅看看",
    ),
    ("注塑模具", "新开的一套模具产品粘在型腔里拿不出来，顶针位置有白印"),
    ("冲压模具", "汽车支架拉伸的时候角上容易裂，调了压边力也不行"),
    ("冲压模具", "连续模送料总卡住，一天要停好几次"),
    ("数控加工", "铝合金薄壁壳体铣完变形，尺寸老超差，想优化刀路和夹具"),
    ("焊接机器人", "机器人焊出来的焊道有气眼，工件换一批轨迹就偏"),
    ("精密检测", "同一个零件不同人量出来数不一样，客户要我们做测量系统分析"),
    ("动力电池", "电池模组里电芯电压差太大，充放电几次就报警"),
    ("电机电控", "驱动电机跑高速时嗡嗡响，控制器温度也高"),
    ("充电设施", "厂区装的几台快充桩老是充一半就断"),
    ("阀门密封", "球阀出厂打压测试漏，密封面研了几遍还是不行"),
    ("泵体铸造", "泵壳毛坯铸出来有很多小孔，加工后才发现，报废太多"),
    ("水泵装配", "离心泵装好一开就抖，轴承很快就烫手"),
    ("液压系统", "压机的油缸动作一顿一顿的，油温也上得很快"),
    ("纺纱工艺", "细纱车间断头太多，挡车工忙不过来，纱线粗细也不匀"),
    ("织造设备", "喷气织机老停车，布面一道一道的横档"),
    ("印染工艺", "同一批布染出来颜色深浅不一样，客户退货"),
    ("染整节能", "定型机和染缸用汽太多，蒸汽费用占成本大头"),
    ("表面处理", "五金件镀完过一段时间镀层起皮，喷粉也有橘皮"),
    ("热处理", "齿轮淬完火硬度有高有低，还有变形"),
    ("电镀废水", "环保局抽查我们电镀线出水镍超标，要限期整改"),
    ("SMT贴片", "贴片线上板子过炉后好多焊点虚焊、连锡"),
    ("PCB设计", "产品做EMC测试辐射超标，板子要改布线"),
    ("静电防护", "芯片在产线上被静电打坏，良率掉得厉害"),
    ("反应釜控制", "反应釜升温控制不稳，每批收率差别很大"),
    ("危化品管理", "危险化学品仓库堆放乱，隐患排查台账也不全，马上要迎检"),
    ("废气治理", "车间有机废气排放超标，RTO运行费用太高"),
    ("茶叶加工", "今年龙井炒出来颜色发暗，有焦边，香气也不够"),
    ("制茶机械", "理条机温度控制不准，茶条不直"),
    ("竹材加工", "竹地板压出来以后开裂翘曲，胶合不牢"),
    ("木工机械", "封边机封完的板边开胶，砂光后有明显砂痕"),
    ("家具涂装", "家具喷水性漆后漆面发白起泡，干得也慢"),
    ("PLC编程", "老生产线想改成自动控制，变频器还老报过流"),
    ("设备维修", "老设备三天两头坏，维修全靠老师傅经验，没有点检制度"),
    ("精益生产", "车间半成品堆得到处都是，交货总是拖"),
    ("安全生产", "一线工人防护用品不到位，特种作业证过期的也不少"),
]


def labels_for(tag: str, craftsmen) -> dict[str, int]:
    graded = {}
    for craftsman in craftsmen:
        if craftsman.tags and craftsman.tags[0] == tag:
            graded[craftsman.id] = 2
        elif tag in craftsman.tags:
            graded[craftsman.id] = 1
    return graded


def build() -> dict:
    pool = generate_instance(0, 400, seed=77).craftsmen
    generated = generate_instance(160, 0, seed=78).problems
    queries = [
        {
            "id": f"H{k:02d}",
            "source": "handwritten",
            "tag": tag,
            "text": text,
            "relevant": labels_for(tag, pool),
        }
        for k, (tag, text) in enumerate(HANDWRITTEN)
    ]
    queries += [
        {
            "id": p.id,
            "source": "generated",
            "tag": p.tags[0],
            "text": p.text,
            "relevant": labels_for(p.tags[0], pool),
        }
        for p in generated
    ]
    queries = [q for q in queries if q["relevant"]]
    craftsmen = [{"id": c.id, "tags": list(c.tags), "text": c.text} for c in pool]
    return {
        "how_made": __doc__.split("How it is made (also in docs/matching.md):")[1].strip(),
        "craftsmen": craftsmen,
        "queries": queries,
    }


if __name__ == "__main__":
    data = build()
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {OUT} ({len(data['craftsmen'])} craftsmen, {len(data['queries'])} queries)")
