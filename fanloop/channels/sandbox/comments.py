"""沙盒评论生成器（模拟数据）: simulated Simplified-Chinese comments for sandbox posts.

Every comment here is SIMULATED (模拟) — written from templates in this file, never
taken from a real platform or a real person. Templates and nicknames were written for
Fanloop's sandbox (an e-commerce brand selling skincare, make-up, clothing and small
home goods) and are filled with slots (product, colour, shade, size, city...).

A post's comments are a pure function of the post (see :mod:`.model`):

* how many: the post's simulated lifetime comment total, capped at
  ``CommentMix.max_comments``;
* when: comment ``i`` arrives when the post's reach curve passes ``(i + jitter) / n``,
  so the number created by a time follows the post's ``comments`` metric;
* what: a per-post negative share drawn from ``CommentMix.negative_share``; with
  probability ``CommentMix.burst_probability`` the post instead gets a burst (share from
  ``CommentMix.burst_share``, most negatives packed into one stretch of time) — the kind
  of pile-on a crisis alert should catch. The number of negative comments is
  ``round(share x n)``, so a post's realised share is its drawn share to within 1/n;
* each comment is drawn from a generator seeded with ``(seed, post, index)``.
"""

import hashlib
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from fanloop.channels.sandbox import model

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"

PRODUCTS = (
    "精华液", "防晒霜", "口红", "粉底液", "气垫", "面霜", "洗面奶", "卸妆油", "面膜",
    "眼影盘", "身体乳", "卫衣", "连衣裙", "阔腿裤", "针织开衫", "羽绒服", "小白鞋",
    "帆布包", "保温杯", "香薰蜡烛", "四件套", "睡衣",
)  # fmt: skip
COLOURS = (
    "奶白色", "雾霾蓝", "焦糖色", "燕麦色", "橄榄绿", "酒红色", "藏青色", "浅杏色",
    "樱花粉", "经典黑", "奶咖色", "薄荷绿",
)  # fmt: skip
SHADES = (
    "01象牙白", "02自然色", "03小麦色", "豆沙色", "枫叶红", "番茄红", "奶茶色", "冷白皮色号",
    "黄黑皮色号", "正红色",
)  # fmt: skip
SIZES = ("S码", "M码", "L码", "XL码", "均码", "36码", "37码", "38码", "39码", "大号", "小号")
CITIES = (
    "北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "长沙", "重庆", "哈尔滨",
    "乌鲁木齐", "拉萨", "昆明", "南宁", "沈阳", "厦门", "苏州", "兰州", "海口",
)  # fmt: skip
HAPPY = ("😍", "👍", "❤️", "🥰", "✨", "🔥", "[赞]", "[比心]", "[哇]", "[笑哭]", "!", "！！", "~")
WONDER = ("🤔", "[思考]", "？", "??", "[捂脸]", "🙏", "~")
CROSS = ("😡", "😤", "🙄", "👎", "[怒]", "[微笑]", "[白眼]", "！！！", "。")

PRAISE = (
    "好看{e}",
    "绝了{e}",
    "{product}真的好用{e}",
    "回购第{n}次了，{product}一直在用{e}",
    "姐妹们冲，{product}闭眼入不踩雷",
    "{colour}也太温柔了吧{e}",
    "{shade}涂上显白一个度，黄皮亲妈{e}",
    "已经安利给闺蜜了{e}",
    "包装好精致，拆快递的时候心情都变好了",
    "用了{days}天，皮肤状态稳定了很多{e}",
    "性价比很高，这个价位真的找不到更好的了",
    "{product}质感超出预期，一点都不廉价",
    "{city}的姐妹表示{product}昨天就到了，好快{e}",
    "客服小姐姐超耐心，问了好多问题都回了{e}",
    "这个视频拍得太有氛围感了",
    "你们家的东西就没让我失望过{e}",
    "宝藏店铺，已关注{e}",
    "终于等到上新了！！",
    "{colour}的{product}上身好显气质",
    "{size}刚刚好，版型很正{e}",
    "面料软软的，穿着很舒服",
    "味道很淡很好闻，不刺鼻",
    "敏感肌用着也没有泛红，开心{e}",
    "持妆一整天都没斑驳，夸爆",
    "被种草了{e}",
    "博主的皮肤好好，羡慕",
    "这一期的干货好多，收藏了慢慢看",
    "第一次买就爱上了，{product}yyds{e}",
    "冬天穿{product}真的很暖和",
    "颜值和实用性都在线{e}",
    "给我妈也买了一个，她很喜欢",
    "比实体店便宜好多，划算{e}",
    "细节做得很用心，线头都没有",
    "{shade}是我今年最爱的色号{e}",
    "拍照超出片，朋友都问我链接",
    "支持国货{e}",
    "看完立刻下单了，期待收货{e}",
    "已经是第{n}件了，每个颜色都想要",
    "打折的时候囤了好几瓶，用到现在都很满意",
    "清爽不油腻，夏天也能用{e}",
    "终于找到适合我的{product}了，感动",
    "这个配色我可以{e}",
    "主播讲得好清楚，小白也听得懂",
    "收到了，和图片一模一样{e}",
    "物流很快，{city}隔天就到",
)
QUESTION_PRICE = (
    "多少钱{e}",
    "这个{product}什么价位呀",
    "现在下单有优惠吗{e}",
    "直播间和旗舰店价格一样吗",
    "有没有满减活动{e}",
    "学生党能冲吗，价格友好吗",
    "两件有折扣吗",
    "618会降价吗{e}",
    "新人有券吗",
    "{product}是单买还是套装划算{e}",
    "会员价是多少",
    "双十一还有赠品吗",
    "现在{price}元是到手价吗",
    "请问这个价格包邮吗{e}",
)
QUESTION_SHIPPING = (
    "发什么快递{e}",
    "{city}几天能到呀",
    "今天下单什么时候发货",
    "{city}包邮吗{e}",
    "可以发顺丰吗",
    "预售要等多久啊{e}",
    "偏远地区发货吗，我在{city}",
    "可以指定日期送达吗，{n}号不在家",
    "海外能寄吗{e}",
    "现货还是要等{days}天",
    "下单了能改地址吗",
    "能开发票吗",
)
QUESTION_SIZE = (
    "{height}cm{weight}斤穿什么码{e}",
    "偏大还是偏小呀",
    "平时穿{size}，这款要拍大一码吗",
    "有没有尺码表{e}",
    "胯宽的姐妹穿着怎么样",
    "{size}还有货吗",
    "微胖能穿吗{e}",
    "袖子长吗，我手臂比较长",
    "鞋子是标准码吗，脚背高怎么选",
    "男生能穿吗{e}",
    "洗了会缩水吗",
    "腰围多少呀",
)
QUESTION_SHADE = (
    "黄黑皮适合哪个色号{e}",
    "{shade}和{shade2}哪个更显白",
    "冷白皮选哪个色号呀",
    "{shade}会不会很挑皮{e}",
    "有没有试色图",
    "{colour}实物偏黄吗",
    "{colour}和图片色差大吗{e}",
    "混油皮用会不会暗沉",
    "素颜涂{shade}好看吗",
    "干皮能用吗，会卡粉吗{e}",
    "有小样可以先试色吗",
    "{colour}会不会显脏",
)
QUESTION_USE = (
    "孕妇能用吗{e}",
    "{product}怎么清洗呀",
    "一瓶大概能用多久",
    "保质期多长时间",
    "这个要配合什么一起用{e}",
    "敏感肌能用吗，有没有酒精",
    "开封后要放冰箱吗",
    "可以机洗吗{e}",
)
INTENT = (
    "怎么买{e}",
    "链接呢",
    "求链接{e}",
    "在哪里买呀",
    "想要同款{e}",
    "蹲一个链接",
    "已下单{e}",
    "马上去下单",
    "橱窗里是哪一个呀",
    "{colour}还有吗，想买{e}",
    "求上架{e}",
    "什么时候补货啊，等好久了",
    "购物车已加",
    "{product}给我来两个{e}",
    "这个必须拥有",
    "种草了，发工资就买{e}",
    "可以私信发我链接吗",
    "旗舰店搜什么名字",
    "有直播吗，想在直播间买{e}",
    "想送女朋友，{colour}好看还是{colour2}好看",
    "冲冲冲{e}",
    "拼单吗姐妹们",
)
CHAT = (
    "哈哈哈哈哈{e}",
    "来了来了",
    "第一{e}",
    "坐等下一期",
    "背景音乐叫什么呀",
    "博主在{city}吗{e}",
    "沙发",
    "打卡{e}",
    "这期好快",
    "小狗好可爱{e}",
    "看饿了",
    "已三连{e}",
)
REPLIES = (
    "同问{e}",
    "+1",
    "蹲一个回复",
    "我也想知道{e}",
    "我买了{colour}，挺好看的",
    "我{size}刚好，可以参考",
    "顶一下让客服看到",
    "同款，真的好用{e}",
)
COMPLAINT_SHIPPING = (
    "下单{days}天了还没发货{e}",
    "物流一直不更新，什么情况",
    "{city}的快递到现在还没到{e}",
    "说好48小时发货呢",
    "快递盒压扁了，里面的{product}也漏了{e}",
    "发错颜色了，我买的是{colour}",
    "少发了一件，联系客服也没人管",
    "预售等了快一个月{e}",
    "快递放驿站也不通知，差点被退回",
    "包装太简陋了，就一个塑料袋{e}",
    "物流显示签收了但我根本没收到",
    "催了{n}次发货了{e}",
    "{city}现在不发货了吗，一直显示待发货",
    "运费比东西还贵{e}",
)
COMPLAINT_QUALITY = (
    "{product}用了{days}天就坏了{e}",
    "和宣传的不一样，有点失望",
    "色差太大了，{colour}收到像另一个颜色{e}",
    "用完脸上起痘了，不知道是不是过敏",
    "洗了一次就起球{e}",
    "味道好冲，头都晕了",
    "线头好多，做工一般{e}",
    "{size}偏小很多，完全穿不上",
    "拉链用两次就卡住了",
    "搓泥严重，上妆全废{e}",
    "这个价格这个质量，不值",
    "收到是临期的，还剩{n}个月过期{e}",
    "掉色很厉害，把我白衬衫染了",
    "和我在专柜买的质地不一样，怀疑不是正品{e}",
)
COMPLAINT_SERVICE = (
    "客服一直不回消息{e}",
    "申请退货{days}天了还没处理",
    "客服只会复制粘贴回复",
    "退款到现在都没到账{e}",
    "售后态度好差，一直推卸责任",
    "说好的赠品没有给{e}",
    "价保不给保，刚买就降价了",
    "换货要我自己出运费？",
    "打客服电话一直占线{e}",
    "问了{n}遍了，能不能给个准话",
    "退货地址都不给，什么意思",
    "差评也不让，一直打电话骚扰{e}",
)
ANGRY = (
    "再也不买了{e}",
    "垃圾质量{e}",
    "避雷！！大家别买",
    "骗子店铺，已经投诉到平台了{e}",
    "气死我了，{product}烂脸了还不给退{e}",
    "什么破客服，三天不回消息{e}",
    "割韭菜也要有个限度吧",
    "真的无语，第{n}次踩雷了{e}",
    "虚假宣传，已举报{e}",
    "东西差就算了，态度还这么差",
    "退钱！{e}",
    "广告吹得天花乱坠，实物一塌糊涂{e}",
    "说是正品结果闻着就不对，等着12315吧",
    "越来越拉胯，粉转黑{e}",
)
NEGATIVE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("complaint_shipping", COMPLAINT_SHIPPING),
    ("complaint_quality", COMPLAINT_QUALITY),
    ("complaint_service", COMPLAINT_SERVICE),
)
# Kinds of the non-negative comments with their weights.
OTHER_GROUPS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("praise", POSITIVE, PRAISE, 0.38),
    ("intent", POSITIVE, INTENT, 0.18),
    ("question_price", NEUTRAL, QUESTION_PRICE, 0.08),
    ("question_shipping", NEUTRAL, QUESTION_SHIPPING, 0.07),
    ("question_size", NEUTRAL, QUESTION_SIZE, 0.07),
    ("question_shade", NEUTRAL, QUESTION_SHADE, 0.07),
    ("question_use", NEUTRAL, QUESTION_USE, 0.05),
    ("chat", NEUTRAL, CHAT, 0.10),
)
ALL_TEMPLATES: tuple[str, ...] = (
    PRAISE
    + QUESTION_PRICE
    + QUESTION_SHIPPING
    + QUESTION_SIZE
    + QUESTION_SHADE
    + QUESTION_USE
    + INTENT
    + CHAT
    + REPLIES
    + COMPLAINT_SHIPPING
    + COMPLAINT_QUALITY
    + COMPLAINT_SERVICE
    + ANGRY
)

# Nickname parts (simulated users; any likeness to a real handle is chance).
NICK_ADJ = (
    "爱吃草莓的", "不吃香菜的", "熬夜的", "快乐的", "努力搬砖的", "想暴富的", "会发光的",
    "睡不醒的", "爱喝奶茶的", "减肥中的", "佛系的", "元气满满的", "迷路的", "今天也要加油的",
)  # fmt: skip
NICK_NOUN = (
    "小熊", "橘子", "猫猫", "兔叽", "小鱼干", "布丁", "芋圆", "团子", "柠檬", "星星", "小鹿",
    "麻薯", "企鹅", "桃子", "云朵", "栗子", "豆包", "蘑菇", "西瓜", "汤圆",
)  # fmt: skip
NICK_SUFFIX = ("", "", "酱", "呀", "子", "本人", "吖", "同学", "_", "小姐")
NICK_LATIN = ("Cindy", "Momo", "Lulu", "Kiki", "Aria", "Nana", "Jojo", "Yuki", "Coco", "Mia")
AUTHOR_POOL = 4000  # distinct simulated fans per account; some comment on several posts


@dataclass(frozen=True)
class CommentMix:
    """How negative a post's simulated comments are (bounds inclusive)."""

    negative_share: tuple[float, float] = (0.03, 0.15)
    burst_share: tuple[float, float] = (0.35, 0.65)
    burst_probability: float = 0.12
    angry_of_negative: float = 0.25  # of the negatives, the share that are angry
    burst_packed: float = 0.7  # of a burst's negatives, the share packed in its window
    reply_share: float = 0.08  # comments that answer an earlier comment
    max_comments: int = 400


DEFAULT_MIX = CommentMix()


@dataclass(frozen=True)
class SimComment:
    """One simulated (模拟) comment with the labels the generator used."""

    remote_id: str
    post_remote_id: str
    index: int
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    kind: str  # praise, intent, question_*, chat, reply, complaint_*, angry
    sentiment: str  # positive | neutral | negative
    likes: int = 0
    parent_remote_id: str = ""


@dataclass(frozen=True)
class PostComments:
    share: float  # the drawn negative share
    burst: bool
    comments: tuple[SimComment, ...]  # in time order

    @property
    def negative_share(self) -> float:
        if not self.comments:
            return 0.0
        negatives = sum(1 for c in self.comments if c.sentiment == NEGATIVE)
        return negatives / len(self.comments)


def _hex(*parts: object, size: int = 12) -> str:
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:size]


@lru_cache(maxsize=16384)
def nickname(seed: int, author: int) -> str:
    """A generated Chinese nickname for simulated fan ``author`` of account ``seed``."""
    rng = model.rng_for("nick", seed, author)
    style = rng.random()
    if style < 0.22:
        return f"用户{rng.randrange(10**9, 10**10)}"
    if style < 0.55:
        return rng.choice(NICK_ADJ) + rng.choice(NICK_NOUN)
    if style < 0.85:
        digits = str(rng.randrange(1, 9999)) if rng.random() < 0.4 else ""
        return rng.choice(NICK_NOUN) + rng.choice(NICK_SUFFIX) + digits
    return f"{rng.choice(NICK_LATIN)}{rng.choice(NICK_NOUN)}"


def slots_used(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def fill(template: str, values: Mapping[str, object]) -> str:
    return template.format_map(values)


def _slots(rng: random.Random, emoji: tuple[str, ...]) -> dict[str, object]:
    colour, colour2 = rng.sample(COLOURS, 2)
    shade, shade2 = rng.sample(SHADES, 2)
    return {
        "product": rng.choice(PRODUCTS),
        "colour": colour,
        "colour2": colour2,
        "shade": shade,
        "shade2": shade2,
        "size": rng.choice(SIZES),
        "city": rng.choice(CITIES),
        "days": rng.choice((2, 3, 5, 7, 10, 15)),
        "n": rng.randint(2, 6),
        "price": rng.choice((59, 79, 99, 129, 159, 199, 299)),
        "height": rng.randrange(150, 181),
        "weight": rng.randrange(85, 151),
        "e": rng.choice(emoji) if rng.random() < 0.6 else "",
    }


@lru_cache(maxsize=4096)
def post_comments(post: model.SandboxPost, mix: CommentMix = DEFAULT_MIX) -> PostComments:
    """All simulated comments the post will ever get, in time order."""
    shape = model.profile(post)
    n = min(shape.totals.comments, mix.max_comments)
    rng = model.rng_for("mix", post.seed, post.post_id)
    burst = rng.random() < mix.burst_probability
    share = rng.uniform(*(mix.burst_share if burst else mix.negative_share))
    negatives = round(share * n)
    negative: set[int] = set()
    if burst and negatives:
        packed = round(negatives * mix.burst_packed)
        first = rng.randrange(0, n - packed + 1)
        negative.update(range(first, first + packed))
    rest = [i for i in range(n) if i not in negative]
    negative.update(rng.sample(rest, negatives - len(negative)))
    angry_of = min(1.0, mix.angry_of_negative * (1.6 if burst else 1.0))

    comments: list[SimComment] = []
    for index in range(n):
        draw = model.rng_for("comment", post.seed, post.post_id, index)
        hours = model.hours_for_reach(shape, (index + draw.random()) / n)
        created = post.published_at + timedelta(seconds=max(1, round(hours * 3600)))
        author = draw.randrange(AUTHOR_POOL)
        parent = ""
        templates: tuple[str, ...]
        emoji: tuple[str, ...]
        if index in negative:
            sentiment = NEGATIVE
            if draw.random() < angry_of:
                kind, templates, emoji = "angry", ANGRY, CROSS
            else:
                kind, templates = draw.choice(NEGATIVE_GROUPS)
                emoji = CROSS + WONDER
        elif comments and draw.random() < mix.reply_share:
            kind, sentiment, templates, emoji = "reply", NEUTRAL, REPLIES, WONDER + HAPPY
            parent = draw.choice(comments).remote_id
        else:
            kind, sentiment, templates, _weight = draw.choices(
                OTHER_GROUPS, weights=[group[3] for group in OTHER_GROUPS]
            )[0]
            emoji = HAPPY if sentiment == POSITIVE else WONDER
        text = fill(draw.choice(templates), _slots(draw, emoji))
        early = 1.0 - index / n
        likes = int(draw.paretovariate(2.5) * 3 * early) if draw.random() < 0.5 else 0
        comments.append(
            SimComment(
                remote_id=f"sbxc-{_hex(post.seed, post.post_id, index)}",
                post_remote_id=post.post_id,
                index=index,
                author_id=f"sbxu-{_hex('author', post.seed, author, size=10)}",
                author_name=nickname(post.seed, author),
                text=text,
                created_at=created,
                kind=kind,
                sentiment=sentiment,
                likes=likes,
                parent_remote_id=parent,
            )
        )
    return PostComments(share=share, burst=burst, comments=tuple(comments))


def comments_between(
    post: model.SandboxPost,
    until: datetime,
    since: datetime | None = None,
    mix: CommentMix = DEFAULT_MIX,
) -> list[SimComment]:
    """The simulated comments created after ``since`` (exclusive) and up to ``until``."""
    return [
        comment
        for comment in post_comments(post, mix).comments
        if comment.created_at <= until and (since is None or comment.created_at > since)
    ]


def reply_id(comment_remote_id: str, text: str) -> str:
    """The stable id of a (simulated) reply to a comment."""
    return f"sbxr-{_hex(comment_remote_id, text, size=16)}"
