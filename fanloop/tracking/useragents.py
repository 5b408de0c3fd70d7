"""Classify a click's User-Agent into the few classes the reports break clicks down by.

In-app browsers come first because they are what Chinese social traffic mostly is (and
they also look "mobile"); bots before anything else because crawlers often dress up as a
mobile browser with a token appended. The result is cached: a link shared in one post
sees the same handful of User-Agent strings over and over.
"""

import re
from functools import lru_cache

from fanloop.tracking.models.clicks import UserAgentClass

# Crawler, fetcher and tool tokens seen in Chinese and international traffic. Link
# preview fetchers (chat apps unfurling a pasted link) are bots too: nobody clicked.
_BOT = re.compile(
    r"bot\b|bot/|spider|crawl|slurp|baiduspider|sogou|360spider|haosouspider|yisouspider"
    r"|bytespider|petalbot|googlebot|bingbot|yandex|duckduckbot|applebot|semrush|ahrefs"
    r"|mj12bot|dotbot|facebookexternalhit|facebot|twitterbot|linkedinbot|slackbot"
    r"|discordbot|telegrambot|whatsapp|skypeuripreview|embedly|quora link preview"
    r"|pinterestbot|redditbot|vkshare|iframely|preview|headless|phantomjs|puppeteer"
    r"|playwright|selenium|lighthouse|pagespeed|^curl/|^wget/|python-requests|python-urllib"
    r"|python-httpx|aiohttp|go-http-client|java/|okhttp|apache-httpclient|libwww-perl"
    r"|node-fetch|axios/|scrapy|httpclient|uptimerobot|pingdom|check_http",
    re.IGNORECASE,
)
_WECHAT = re.compile(r"micromessenger", re.IGNORECASE)
_WEIBO = re.compile(r"weibo|__weibo__", re.IGNORECASE)
_DOUYIN = re.compile(r"aweme|bytedancewebview|douyin|bytelocale", re.IGNORECASE)
_MOBILE = re.compile(
    r"mobile|android|iphone|ipod|ipad|harmonyos|openharmony|windows phone|blackberry"
    r"|opera mini|miuibrowser|ucbrowser|mqqbrowser",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def classify(user_agent: str) -> str:
    """The UserAgentClass value for this User-Agent header (empty means a bot)."""
    ua = user_agent.strip()
    if not ua:
        return UserAgentClass.BOT.value
    if _BOT.search(ua):
        return UserAgentClass.BOT.value
    if _WECHAT.search(ua):
        return UserAgentClass.WECHAT.value
    if _WEIBO.search(ua):
        return UserAgentClass.WEIBO.value
    if _DOUYIN.search(ua):
        return UserAgentClass.DOUYIN.value
    if _MOBILE.search(ua):
        return UserAgentClass.MOBILE.value
    return UserAgentClass.DESKTOP.value


def is_bot(ua_class: str) -> bool:
    return ua_class == UserAgentClass.BOT.value
