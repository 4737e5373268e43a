"""Reference data of the simulated province: cities, plans, terminals, channels, SPs."""
from __future__ import annotations

REGIONS = [  # (code, name, weight)
    ("571", "杭州", 20), ("574", "宁波", 16), ("577", "温州", 15), ("573", "嘉兴", 9), ("572", "湖州", 6),
    ("575", "绍兴", 10), ("579", "金华", 11), ("570", "衢州", 4), ("580", "舟山", 2), ("576", "台州", 11),
    ("578", "丽水", 4),
]

BRANDS = [("GOTONE", 25), ("EASYOWN", 50), ("MZONE", 25)]

# plan_id, name, brand, monthly_fee, incl min/sms/data, local/min, ld/6s, roam/min, sms, data/MB, gen, scope
# How a bill rates a month's usage under the plan held at month end (CDRs carry list fees):
#   LOCAL_CALL  minutes of outgoing local calls (each rounded up) beyond the included minutes × local/min
#   LD_CALL     6-second units of outgoing long-distance calls × ld/6s; a NATIONAL plan's included
#               minutes left after local calls cover them first (10 units a minute)
#   ROAM        minutes of roaming calls, both directions × roam/min
#   SMS         outgoing SMS beyond the included SMS × sms, plus outgoing MMS × MMS_PRICE
#   DATA        MB (up + down) beyond the included MB × data/MB
#   VAS         the SP's fees
# Voice charges then get the brand's discount (ACTUAL_FEE_RATE); no item is charged more than the
# list fee of its records.
PLANS = [
    ("GT58", "全球通58元套餐", "GOTONE", 58.0, 150, 50, 500, 0.19, 0.07, 0.39, 0.10, 0.029, "4G", "NATIONAL"),
    ("GT88", "全球通88元套餐", "GOTONE", 88.0, 300, 100, 1024, 0.15, 0.06, 0.29, 0.10, 0.029, "4G", "NATIONAL"),
    ("GT188", "全球通188元套餐", "GOTONE", 188.0, 800, 300, 3072, 0.12, 0.05, 0.19, 0.10, 0.019, "4G", "NATIONAL"),
    ("EO8", "神州行8元卡", "EASYOWN", 8.0, 0, 0, 0, 0.15, 0.07, 0.49, 0.10, 0.05, "2G", "LOCAL"),
    ("EO18", "神州行18元畅听卡", "EASYOWN", 18.0, 100, 30, 100, 0.12, 0.07, 0.49, 0.10, 0.029, "3G", "LOCAL"),
    ("EO38", "神州行38元4G卡", "EASYOWN", 38.0, 200, 50, 1024, 0.12, 0.06, 0.39, 0.10, 0.029, "4G", "LOCAL"),
    ("MZ18", "动感地带18元音乐套餐", "MZONE", 18.0, 50, 200, 300, 0.20, 0.07, 0.49, 0.10, 0.029, "3G", "LOCAL"),
    ("MZ28", "动感地带28元上网套餐", "MZONE", 28.0, 80, 300, 1024, 0.20, 0.07, 0.49, 0.10, 0.02, "4G", "LOCAL"),
    ("MZ48", "动感地带48元4G套餐", "MZONE", 48.0, 150, 300, 3072, 0.15, 0.06, 0.39, 0.10, 0.01, "4G", "NATIONAL"),
]
PLANS_BY_BRAND = {b: [p[0] for p in PLANS if p[2] == b] for b, _ in BRANDS}
MMS_PRICE = 0.30
ACTUAL_FEE_RATE = {"GOTONE": 0.9, "EASYOWN": 1.0, "MZONE": 0.95}   # discount on usage fees

TERMINALS = [  # tac, maker, model, 4G capable
    ("86012301", "华为", "Mate 60", 1), ("86012302", "华为", "Nova 5", 1), ("35209811", "Apple", "iPhone 13", 1),
    ("35209812", "Apple", "iPhone 8", 1), ("86754401", "小米", "Redmi Note 8", 1), ("86754402", "OPPO", "A5", 1),
    ("86754403", "vivo", "Y3", 1), ("35448801", "Nokia", "105", 0), ("35448802", "三星", "Galaxy J2", 0),
    ("86112201", "中兴", "U880", 0), ("86112202", "联想", "A520", 0), ("86112203", "酷派", "8720L", 1),
]

CHANNEL_TYPES = [("HALL", "营业厅", 0.0), ("AGENT", "代理商", 0.05), ("BANK", "银行", 0.01), ("E_CHANNEL", "电子渠道", 0.0)]
CHANNELS_PER_REGION = 8     # CH<city><i>: i = 0 the hall, 1-4 agents, 5 a bank, 6-7 electronic


def channel_type(i: int) -> int:
    """Index into CHANNEL_TYPES of a city's i-th channel."""
    return 0 if i == 0 else 1 if i < 5 else 2 if i == 5 else 3

SPS = [  # sp_code, sp name, service code, service name, price
    ("SP001", "咪咕音乐", "S0011", "彩铃包月", 5.0), ("SP002", "腾讯", "S0021", "手机QQ会员", 10.0),
    ("SP003", "新浪", "S0031", "新闻早晚报", 3.0), ("SP004", "掌阅", "S0041", "手机阅读", 5.0),
    ("SP005", "网易", "S0051", "手机游戏", 8.0), ("SP006", "移动梦网", "S0061", "天气预报", 2.0),
]

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛")
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建华", "晓东", "海燕", "志强", "丹", "鹏", "浩"]
WORK_UNITS = ["阿里巴巴", "浙江大学", "宁波港集团", "吉利汽车", "娃哈哈集团", "杭州市人民医院", "温州医科大学",
              "海康威视", "个体经营", "浙江移动", "中国银行浙江分行", "绍兴黄酒集团"]
JOB_TITLES = ["职员", "经理", "工程师", "教师", "医生", "销售", "技术员", "总监", "学生", "自由职业"]
INDUSTRIES = ["制造业", "银行", "证券", "保险", "教育", "医疗", "党政机关", "零售", "物流", "信息技术", "电力", "新闻媒体"]
COMPLAINT_TEXT = {"BILLING": "话费扣费有疑问", "NETWORK": "信号差经常掉话", "SERVICE": "营业厅服务态度差",
                  "VAS": "莫名开通增值业务", "OTHER": "其他问题咨询"}
