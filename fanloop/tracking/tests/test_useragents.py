"""User-Agent classes: the in-app browsers of Chinese social apps, bots, mobile, desktop."""

import pytest

from fanloop.tracking.useragents import classify, is_bot

WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI "
    "Language/zh_CN"
)
WEIBO = (
    "Mozilla/5.0 (Linux; Android 13; V2217A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/101.0.4951.74 Mobile Safari/537.36 Weibo (vivo-V2217A__weibo__"
    "13.12.1__android__android13)"
)
DOUYIN = (
    "Mozilla/5.0 (Linux; Android 12; PFJM10) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/99.0.4844.88 Mobile Safari/537.36 aweme_280500 JsSdk/1.0 "
    "NetType/WIFI Channel/oppo_1128_64 AppName/aweme app_version/28.5.0 ByteLocale/zh-CN "
    "BytedanceWebview/d8a21c6"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
HUAWEI = (
    "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.0.322 Mobile Safari/537.36"
)
DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        (WECHAT, "wechat"),
        (WEIBO, "weibo"),
        ("Mozilla/5.0 (iPhone) Mobile __weibo__13.1.0__iphone__os17", "weibo"),
        (DOUYIN, "douyin"),
        ("Mozilla/5.0 (iPhone) Mobile/15E148 BytedanceWebview/d8a21c6", "douyin"),
        (IPHONE_SAFARI, "mobile"),
        (HUAWEI, "mobile"),
        (DESKTOP_CHROME, "desktop"),
        (MAC_SAFARI, "desktop"),
    ],
)
def test_people_are_classified_by_app_and_device(ua: str, expected: str) -> None:
    assert classify(ua) == expected
    assert not is_bot(classify(ua))


@pytest.mark.parametrize(
    "ua",
    [
        "",
        "   ",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0); 360Spider",
        "YisouSpider",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile "
        "Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "Wget/1.21.3",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/124.0.0.0 Safari/537.36",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "TelegramBot (like TwitterBot)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
    ],
)
def test_crawlers_tools_and_link_preview_fetchers_are_bots(ua: str) -> None:
    assert classify(ua) == "bot"
    assert is_bot(classify(ua))


def test_a_crawler_dressed_as_wechat_is_still_a_bot() -> None:
    assert classify(WECHAT + " Bytespider") == "bot"
