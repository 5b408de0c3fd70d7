"""Hand-written cue phrases for each intent, scanned in one pass with Aho-Corasick.

A hit does not decide the intent by itself: it becomes a feature (``@after_sales``)
of the intent model, which learns from the seed examples how much each cue counts
next to the message's sentiment and wording, and which operators' corrections can
overrule.
"""

from functools import cache

import ahocorasick

from fanloop.inbox.labels import Intent

CUES: dict[str, tuple[str, ...]] = {
    Intent.AFTER_SALES: (
        "退货", "退款", "退钱", "换货", "退换", "补发", "重发", "少发", "漏发", "发错",
        "寄错", "破损", "坏了", "损坏", "碎了", "漏液", "漏了", "保修", "维修", "返修",
        "售后", "质保", "三包", "物流", "快递", "包裹", "单号", "运单", "签收", "没收到",
        "还没到", "还没收到", "没到货", "不发货", "还不发货", "一直没发", "到货", "派送",
        "配送", "丢件", "退回", "七天无理由", "7天无理由", "运费险", "换一个", "换个新的",
        "发票", "安装", "上门", "客服不回", "不能用", "用不了", "开不了机", "坏掉",
        "有问题", "瑕疵", "缺件", "少了", "不是我买的", "申请", "处理一下", "怎么处理",
        "卡住了", "开线", "掉色", "起球", "过期", "召回", "退", "换",
    ),
    Intent.COMPLAINT: (
        "投诉", "举报", "曝光", "骗子", "骗人", "欺骗", "欺诈", "虚假宣传", "假货", "山寨",
        "差评", "12315", "消协", "工商", "315", "黑心", "坑人", "坑爹", "被坑", "垃圾",
        "太差", "很差", "极差", "非常差", "真差", "最差", "恶心", "无语", "气死", "忽悠",
        "再也不买", "再也不会", "不会再买", "拉黑", "态度差", "态度恶劣", "态度太差",
        "不负责", "没人管", "给个说法", "要个说法", "讨个说法", "赔偿", "必须赔",
        "智商税", "割韭菜", "失望", "后悔", "上当", "糊弄", "敷衍", "踩雷", "翻车", "避雷",
        "难用", "难吃", "难闻", "烂", "差劲", "太坑", "什么玩意", "耍人", "不要脸",
    ),
    Intent.PURCHASE_INTENT: (
        "链接", "求链", "怎么买", "哪里买", "在哪买", "哪儿买", "哪买", "去哪买", "购买",
        "想买", "想要", "我要", "要一个", "来一个", "来一份", "来两", "下单", "拍下",
        "补货", "上架", "有货", "没货", "断货", "缺货", "预售", "开售", "开抢", "抢购",
        "多少钱", "价格", "什么价", "几块", "团购", "拼单", "优惠券", "优惠", "折扣",
        "满减", "活动价", "券", "蹲", "求购", "种草", "被种草", "冲了", "冲冲冲",
        "买买买", "加购", "购物车", "橱窗", "小黄车", "私信我价格", "怎么卖", "还有吗",
        "还有货", "包邮吗", "能便宜", "便宜点", "批发", "代购", "直播间", "秒杀", "上车",
    ),
    Intent.INQUIRY: (
        "请问", "问一下", "问下", "想问", "咨询", "怎么用", "如何使用", "怎么使用", "用法",
        "适合", "适用", "尺码", "尺寸", "多大", "多重", "规格", "型号", "成分", "保质期",
        "多久", "几天", "几号", "什么时候", "哪天", "能不能", "可不可以", "可以吗", "是不是",
        "有没有", "区别", "哪个好", "推荐哪", "什么颜色", "颜色", "色号", "发货", "发什么快递",
        "孕妇", "敏感肌", "婴儿", "宝宝能", "容量", "材质", "面料", "产地", "正品吗",
        "在吗", "客服", "怎么", "为什么", "吗", "呢", "么",
    ),
    Intent.PRAISE: (
        "好评", "五星", "满意", "喜欢", "爱了", "爱死", "推荐", "好用", "好吃", "好看",
        "好闻", "超好", "很好", "不错", "棒", "赞", "绝了", "yyds", "宝藏", "回购",
        "无限回购", "惊喜", "值得", "物超所值", "性价比高", "感谢", "谢谢", "辛苦了",
        "给力", "完美", "优秀", "舒服", "贴心", "专业", "支持", "太好了", "真香", "nice",
        "点赞", "比心", "种草了", "实惠", "划算", "超值", "良心", "漂亮", "好棒",
    ),
}  # fmt: skip


@cache
def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for intent, phrases in CUES.items():
        for phrase in phrases:
            found = automaton.get(phrase, ())
            automaton.add_word(phrase, (*found, str(intent)))
    automaton.make_automaton()
    return automaton


def cue_features(text: str) -> list[str]:
    """``@<intent>`` once per intent with a cue phrase in ``text``."""
    if not text:
        return []
    hits: set[str] = set()
    for _end, intents in _automaton().iter(text):
        hits.update(intents)
    return ["@" + intent for intent in sorted(hits)]
