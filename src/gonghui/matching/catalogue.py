"""Skill catalogue of Zhejiang's main industries: tags, industry codes, need categories and the words that
craftsmen and enterprises use for them.

Used by the seeded instance generator and the relevance development set; the engine itself takes tags and
texts from the database and does not depend on this list. The industrial terms here are also the source of
the shipped jieba dictionary (`data/industrial_terms.txt`, rebuilt by `write_jieba_dictionary`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("process_quality", "energy_cost", "equipment", "management", "skills_career", "safety_health")

# GB/T 4754-2017 classes used by the generator (code → name).
INDUSTRIES = {
    "C367": "汽车零部件及配件制造",
    "C361": "新能源汽车整车制造",
    "C344": "泵、阀门、压缩机及类似机械制造",
    "C171": "棉纺织及印染精加工",
    "C338": "金属日用品制造（五金）",
    "C397": "电子器件制造",
    "C261": "基础化学原料制造",
    "C153": "精制茶加工",
    "C203": "竹、藤、棕、草等制品制造",
}


@dataclass(frozen=True)
class Skill:
    tag: str
    industry: str  # GB/T 4754 class code; "" for cross-industry skills
    category: str
    terms: tuple[str, ...]  # words a craftsman's profile uses
    symptoms: tuple[str, ...]  # how an enterprise describes the problem


SKILLS: tuple[Skill, ...] = (
    # 汽车零部件
    Skill(
        "注塑模具",
        "C367",
        "process_quality",
        ("注塑模具", "模具设计", "修模", "浇口", "顶出机构", "模流分析"),
        (
            "注塑件出现飞边和缩痕",
            "产品尺寸不稳定，模具温度控制不好",
            "浇口位置不合理导致熔接痕",
            "脱模困难，顶白严重",
        ),
    ),
    Skill(
        "冲压模具",
        "C367",
        "process_quality",
        ("冲压模具", "级进模", "拉伸模", "冲裁间隙", "回弹补偿"),
        ("冲压件开裂起皱", "钣金件回弹大，装配不上", "级进模送料不顺经常卡料", "冲裁毛刺超标"),
    ),
    Skill(
        "数控加工",
        "C367",
        "process_quality",
        ("数控车床", "加工中心", "数控编程", "刀具选型", "五轴加工"),
        ("零件加工精度达不到图纸要求", "刀具磨损快，加工效率低", "五轴程序撞刀", "薄壁件加工变形"),
    ),
    Skill(
        "焊接机器人",
        "C367",
        "equipment",
        ("焊接机器人", "弧焊", "点焊", "焊缝跟踪", "机器人示教"),
        ("焊缝有气孔和咬边", "机器人焊接轨迹偏移", "点焊强度不够，虚焊多", "焊接变形大"),
    ),
    Skill(
        "精密检测",
        "C367",
        "process_quality",
        ("三坐标测量", "量具校准", "统计过程控制", "测量系统分析", "检具"),
        ("检测数据波动大，测量结果不一致", "三坐标测量效率低", "量具校准没有规范", "过程能力指数偏低"),
    ),
    # 新能源汽车
    Skill(
        "动力电池",
        "C361",
        "process_quality",
        ("动力电池", "电芯", "电池包", "电池管理系统", "模组装配"),
        ("电池包一致性差", "电芯焊接不良率高", "电池管理系统报警频繁", "模组装配效率低"),
    ),
    Skill(
        "电机电控",
        "C361",
        "equipment",
        ("驱动电机", "电机控制器", "绕线", "永磁同步", "逆变器"),
        ("电机噪声和振动超标", "控制器过热保护", "定子绕线不良", "电机效率测试不合格"),
    ),
    Skill(
        "充电设施",
        "C361",
        "equipment",
        ("充电桩", "直流快充", "充电模块", "配电柜"),
        ("充电桩频繁掉线", "快充模块故障率高", "配电容量不足"),
    ),
    # 泵阀
    Skill(
        "阀门密封",
        "C344",
        "process_quality",
        ("阀门", "密封面", "研磨", "球阀", "闸阀", "试压"),
        ("阀门试压时内漏", "球阀密封面磨损泄漏", "闸阀开关卡涩", "密封件寿命短"),
    ),
    Skill(
        "泵体铸造",
        "C344",
        "process_quality",
        ("铸造", "砂型", "熔炼", "铸件", "消失模"),
        ("泵体铸件有砂眼气孔", "铸件废品率高", "熔炼成分不稳定", "铸件清理打磨工作量大"),
    ),
    Skill(
        "水泵装配",
        "C344",
        "equipment",
        ("水泵", "离心泵", "叶轮", "动平衡", "机械密封"),
        ("水泵振动大，轴承发热", "离心泵扬程达不到设计值", "叶轮动平衡不合格", "机械密封漏水"),
    ),
    Skill(
        "液压系统",
        "C344",
        "equipment",
        ("液压系统", "液压站", "油缸", "比例阀", "液压油"),
        ("液压系统压力不稳", "油缸爬行", "液压油温度过高", "液压站噪声大"),
    ),
    # 纺织
    Skill(
        "纺纱工艺",
        "C171",
        "process_quality",
        ("纺纱", "细纱", "粗纱", "络筒", "条干"),
        ("纱线条干不匀，断头多", "细纱机断头率高", "成纱强力偏低", "络筒毛羽多"),
    ),
    Skill(
        "织造设备",
        "C171",
        "equipment",
        ("织机", "喷气织机", "剑杆织机", "经纱", "综框"),
        ("喷气织机停台率高", "布面出现横档疵点", "经纱断头频繁", "织机耗气量大"),
    ),
    Skill(
        "印染工艺",
        "C171",
        "process_quality",
        ("印染", "染色", "色差", "定型", "助剂"),
        ("布匹染色色差大", "染色牢度不达标", "定型后布面起皱", "印花对花不准"),
    ),
    Skill(
        "染整节能",
        "C171",
        "energy_cost",
        ("染整", "余热回收", "蒸汽", "节水", "中水回用"),
        ("染整车间蒸汽消耗高", "印染废水处理成本高", "定型机能耗大", "用水量超指标"),
    ),
    # 五金
    Skill(
        "五金冲压",
        "C338",
        "process_quality",
        ("五金冲压", "冲床", "连续模", "拉伸件"),
        ("五金件冲压尺寸超差", "冲床噪声大效率低", "拉伸件破裂"),
    ),
    Skill(
        "表面处理",
        "C338",
        "process_quality",
        ("表面处理", "电镀", "喷涂", "抛光", "钝化"),
        ("电镀层起泡脱落", "喷涂流挂橘皮", "抛光效率低粉尘大", "镀层结合力差"),
    ),
    Skill(
        "热处理",
        "C338",
        "process_quality",
        ("热处理", "淬火", "回火", "渗碳", "硬度"),
        ("淬火后硬度不均", "热处理变形开裂", "渗碳层深度不稳定"),
    ),
    Skill(
        "电镀废水",
        "C338",
        "safety_health",
        ("电镀废水", "重金属", "废水处理", "环保验收"),
        ("电镀废水重金属超标", "环保检查不合格", "污泥处置成本高"),
    ),
    # 电子
    Skill(
        "SMT贴片",
        "C397",
        "process_quality",
        ("SMT", "贴片机", "回流焊", "锡膏印刷", "AOI检测"),
        ("贴片虚焊连锡", "回流焊炉温曲线不稳定", "锡膏印刷偏位", "AOI误判多"),
    ),
    Skill(
        "PCB设计",
        "C397",
        "process_quality",
        ("PCB", "电路板", "布线", "电磁兼容", "信号完整性"),
        ("电路板电磁干扰测试不过", "布线密度高，信号串扰", "电路板发热严重"),
    ),
    Skill(
        "电子装联",
        "C397",
        "skills_career",
        ("电子装联", "手工焊接", "线束", "压接"),
        ("线束压接不良", "手工焊接质量参差不齐", "新员工焊接技能不过关"),
    ),
    Skill(
        "静电防护",
        "C397",
        "safety_health",
        ("静电防护", "防静电", "接地", "洁净车间"),
        ("静电击穿元器件", "洁净车间尘埃粒子超标", "防静电措施不落实"),
    ),
    # 化工
    Skill(
        "化工安全",
        "C261",
        "safety_health",
        ("化工安全", "危险与可操作性分析", "安全联锁", "泄漏检测"),
        ("反应装置安全联锁经常误动作", "装置泄漏隐患多", "安全评价整改项多"),
    ),
    Skill(
        "反应釜控制",
        "C261",
        "equipment",
        ("反应釜", "温度控制", "DCS", "搅拌", "换热"),
        ("反应釜温度波动大", "批次之间收率不稳定", "DCS控制回路振荡", "换热效率下降"),
    ),
    Skill(
        "危化品管理",
        "C261",
        "safety_health",
        ("危化品", "仓储", "双重预防机制", "应急预案"),
        ("危化品仓库管理混乱", "应急演练流于形式", "隐患排查台账不全"),
    ),
    Skill(
        "废气治理",
        "C261",
        "energy_cost",
        ("废气治理", "VOCs", "RTO", "活性炭吸附", "除臭"),
        ("VOCs排放超标", "RTO运行成本高", "车间异味投诉多"),
    ),
    # 茶
    Skill(
        "茶叶加工",
        "C153",
        "process_quality",
        ("制茶", "杀青", "揉捻", "烘干", "龙井", "炒茶"),
        ("茶叶杀青不匀，有焦边", "龙井茶炒制色泽发暗", "揉捻后条索不紧", "烘干后香气不足"),
    ),
    Skill(
        "制茶机械",
        "C153",
        "equipment",
        ("制茶机械", "理条机", "扁茶机", "茶叶生产线"),
        ("理条机温控不准", "扁茶机压板磨损", "茶叶生产线连续化程度低"),
    ),
    Skill(
        "茶叶品控",
        "C153",
        "management",
        ("茶叶品控", "审评", "农残检测", "茶叶标准"),
        ("茶叶农残检测不合格", "产品等级标准不统一", "审评人员不足"),
    ),
    # 竹木
    Skill(
        "竹材加工",
        "C203",
        "process_quality",
        ("竹材", "竹板", "重组竹", "碳化", "竹集成材"),
        ("竹板开裂变形", "重组竹密度不均", "竹材碳化颜色不一", "竹集成材胶合强度不够"),
    ),
    Skill(
        "木工机械",
        "C203",
        "equipment",
        ("木工机械", "数控雕刻", "封边机", "砂光机"),
        ("封边机开胶", "砂光机砂痕明显", "数控雕刻精度差"),
    ),
    Skill(
        "家具涂装",
        "C203",
        "safety_health",
        ("家具涂装", "水性漆", "喷漆房", "漆膜"),
        ("漆膜起泡发白", "喷漆房粉尘大通风差", "水性漆干燥慢"),
    ),
    # 跨行业
    Skill(
        "PLC编程",
        "",
        "equipment",
        ("PLC", "可编程控制器", "触摸屏", "变频器", "自动化改造"),
        ("生产线自动化程度低，想做自动化改造", "PLC程序经常死机", "变频器报过流故障"),
    ),
    Skill(
        "工业机器人",
        "",
        "equipment",
        ("工业机器人", "机械臂", "上下料", "视觉定位"),
        ("人工上下料效率低，想用机器人替代", "机械臂定位不准", "视觉定位识别率低"),
    ),
    Skill(
        "设备维修",
        "",
        "equipment",
        ("设备维修", "维修电工", "故障诊断", "预防性维护", "设备点检"),
        ("设备故障停机频繁", "维修靠经验，没有点检制度", "老旧设备电气线路老化"),
    ),
    Skill(
        "精益生产",
        "",
        "management",
        ("精益生产", "现场管理", "5S", "价值流", "生产计划"),
        ("车间在制品堆积，交期拖延", "现场管理混乱", "生产计划排程不合理"),
    ),
    Skill(
        "质量管理",
        "",
        "management",
        ("质量管理", "质量体系", "不良分析", "品质改善"),
        ("客户投诉多，不良率居高不下", "质量体系认证准备不足", "不良原因找不到"),
    ),
    Skill(
        "能耗管理",
        "",
        "energy_cost",
        ("能耗管理", "节能改造", "空压机", "电能监测", "余热利用"),
        ("空压机用电量大", "电费高，想做节能改造", "能耗监测数据不全"),
    ),
    Skill(
        "技能培训",
        "",
        "skills_career",
        ("技能培训", "带徒", "技能等级认定", "岗位练兵"),
        ("一线员工技能不足，缺少带徒传帮带", "想开展技能等级认定", "新员工上岗培训没有教材"),
    ),
    Skill(
        "安全生产",
        "",
        "safety_health",
        ("安全生产", "隐患排查", "职业健康", "安全培训", "特种作业"),
        ("安全隐患整改不到位", "员工职业健康防护不足", "特种作业人员培训跟不上"),
    ),
)

SKILL_BY_TAG = {skill.tag: skill for skill in SKILLS}

HONOURS = (
    "全国劳动模范",
    "全国五一劳动奖章",
    "浙江省劳动模范",
    "浙江工匠",
    "省级技能大师工作室领办人",
    "市级劳动模范",
    "市级工匠",
    "创新工作室带头人",
)

OCCUPATIONS = (
    "模具工",
    "数控车工",
    "焊工",
    "钳工",
    "电工",
    "装配钳工",
    "化工总控工",
    "纺纱工",
    "织布工",
    "染色工",
    "制茶师",
    "木工",
    "电子装联工",
    "设备点检员",
    "质量工程师",
    "安全工程师",
)

GRADES = ("高级技师", "技师", "高级工")


def industrial_terms() -> list[str]:
    terms = set()
    for skill in SKILLS:
        terms.add(skill.tag)
        terms.update(skill.terms)
    return sorted(terms)


def write_jieba_dictionary(path: Path) -> None:
    """Write the jieba user dictionary (word, frequency, part of speech) from the catalogue's terms."""
    extra = [line.strip() for line in EXTRA_TERMS.split() if line.strip()]
    words = sorted(set(industrial_terms()) | set(extra))
    path.write_text("".join(f"{word} 2000 n\n" for word in words), encoding="utf-8")


# Symptom words that are single industrial terms but not skill names (kept for the jieba dictionary).
EXTRA_TERMS = """
飞边 缩痕 熔接痕 顶白 脱模 回弹 卡料 毛刺 撞刀 薄壁件 气孔 咬边 虚焊 焊缝 电芯 模组 绕线 定子 内漏
密封件 砂眼 铸件 扬程 轴承 爬行 条干 断头 毛羽 横档 疵点 色差 色牢度 染色牢度 定型机 蒸汽 印花 镀层
结合力 流挂 橘皮 淬火 渗碳 重金属 连锡 锡膏 炉温曲线 串扰 线束 压接 元器件 尘埃粒子 收率 联锁
台账 杀青 揉捻 条索 理条机 扁茶机 农残 重组竹 胶合强度 封边机 砂光机 砂痕 漆膜 过流 上下料 点检
在制品 不良率 空压机 传帮带 隐患 整改 停机 开裂 变形 泄漏 卡涩 振动 噪声 能耗 节能 自动化 机器人
"""
