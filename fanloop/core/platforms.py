"""The platforms Fanloop knows, shared by every domain app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    WECHAT_OA = "wechat_oa", _("WeChat Official Account")
    WECOM = "wecom", _("WeCom groups")
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    BILIBILI = "bilibili", _("Bilibili")
    ZHIHU = "zhihu", _("Zhihu")
    KUAISHOU = "kuaishou", _("Kuaishou")
    TAOBAO = "taobao", _("Taobao / Tmall")
    JD = "jd", _("JD")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    YOUZAN = "youzan", _("Youzan")
    OFFLINE = "offline", _("Offline")
