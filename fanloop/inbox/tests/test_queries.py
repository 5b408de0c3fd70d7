"""The inbox's reads: saved views and their counts, filters, priority order, Chinese
full-text search, a conversation's history, and workspace isolation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanloop.core.models import AuditEntry
from fanloop.inbox import queries
from fanloop.inbox.labels import Sentiment
from fanloop.inbox.models import Thread, ThreadStatus
from fanloop.inbox.services import actions, setup
from fanloop.inbox.tests import ui_support
from fanloop.inbox.tests.factories import incoming, one

pytestmark = pytest.mark.django_db

# Shared fixtures (pytest finds them by these names).
fan_message = ui_support.fan_message
operator = ui_support.operator
other_thread = ui_support.other_thread
post_id = ui_support.post_id
viewer = ui_support.viewer
weibo = ui_support.weibo


def ids(found) -> list[int]:
    return [thread.pk for thread in found]


def test_search_words_are_cut_like_the_stored_messages():
    # given a Chinese query with punctuation and a Latin word in capitals
    words = queries.search_words("退货运费？ SKU")

    # then jieba's search-mode words come back, lower case, without punctuation
    assert "运费" in words
    assert "sku" in words
    assert "？" not in words
    assert queries.search_words("  ，。 ") == []


def test_chinese_search_requires_every_word(workspace, fan_message):
    # given three fans asking different things
    both, _m = fan_message("请问退货运费谁出？", author="a")
    freight, _m = fan_message("运费多少钱", author="b")
    returns, _m = fan_message("我想退货", author="c")

    # when searching for the return's freight
    found = ids(queries.threads(workspace, queries.ThreadFilters(q="退货运费")))

    # then only the conversation with every word matches
    assert found == [both.pk]
    freight_hits = set(ids(queries.threads(workspace, queries.ThreadFilters(q="运费"))))
    assert freight_hits == {both.pk, freight.pk}
    assert returns.pk not in ids(queries.threads(workspace, queries.ThreadFilters(q="运费")))


def test_search_never_finds_another_workspaces_messages(workspace, other_thread):
    # given the other brand has a message with the word
    # when this workspace searches for it
    found = queries.threads(workspace, queries.ThreadFilters(q="评论", status="any"))

    # then nothing is found
    assert list(found) == []


def test_matching_messages_picks_the_hit_of_each_thread(workspace, fan_message):
    thread, _first = fan_message("有黑色吗", author="a", remote_id="c-1")
    _thread, reply = fan_message("还有白色吗", author="a", parent_remote_id="c-1")

    hits = queries.matching_messages(workspace, [thread.pk], ("白色",))

    assert hits[thread.pk].pk == reply.pk


def test_views_filter_and_count(workspace, fan_message, operator):
    # given a negative complaint from a VIP, a question assigned to the operator,
    # and an overdue one
    angry, _m = fan_message("质量太差了，我要投诉！", author="vip", is_vip=True)
    mine, _m = fan_message("请问有黑色吗？", author="m")
    actions.assign(actor=operator, threads=[mine], user=operator)
    late, _m = fan_message("什么时候发货？", author="late")
    Thread.objects.filter(pk=late.pk).update(reply_due_at=timezone.now() - timedelta(hours=1))
    # (the classifier's view of the calm ones is not what this test is about)
    Thread.objects.filter(pk__in=[mine.pk, late.pk]).update(sentiment=Sentiment.NEUTRAL)

    def view(name: str) -> list[int]:
        return ids(queries.threads(workspace, queries.ThreadFilters(view=name), operator))

    # then each saved view holds its conversations
    assert view("vip") == [angry.pk]
    assert view("mine") == [mine.pk]
    assert mine.pk not in view("unassigned")
    assert view("overdue") == [late.pk]
    angry.refresh_from_db()
    assert angry.sentiment == Sentiment.NEGATIVE
    assert view("negative") == [angry.pk]
    # and the sidebar counts agree with the lists
    counts = queries.view_counts(workspace, queries.ThreadFilters(), operator)
    for name in queries.VIEW_NAMES:
        assert counts[name] == len(view(name)), name


def test_priority_order_puts_the_angry_vip_first_then_the_longest_waiting(workspace, fan_message):
    now = timezone.now()
    older, _m = fan_message("请问有黑色吗？", author="a", sent_at=now - timedelta(hours=3))
    newer, _m = fan_message("请问有白色吗？", author="b", sent_at=now - timedelta(hours=1))
    angry, _m = fan_message(
        "垃圾质量，投诉！", author="v", is_vip=True, sent_at=now - timedelta(minutes=2)
    )
    Thread.objects.filter(pk__in=[older.pk, newer.pk]).update(priority=1)
    Thread.objects.filter(pk=angry.pk).update(priority=90)

    found = ids(queries.threads(workspace, queries.ThreadFilters()))
    assert found == [angry.pk, older.pk, newer.pk]
    newest = ids(queries.threads(workspace, queries.ThreadFilters(sort="newest")))
    assert newest == [angry.pk, newer.pk, older.pk]


def test_status_filter_defaults_to_open_and_pending(workspace, fan_message, operator):
    open_, _m = fan_message("在吗", author="a")
    closed, _m = fan_message("谢谢", author="b")
    actions.set_status(actor=operator, threads=[closed], status=ThreadStatus.CLOSED)

    assert ids(queries.threads(workspace)) == [open_.pk]
    closed_only = queries.ThreadFilters(status=ThreadStatus.CLOSED)
    assert ids(queries.threads(workspace, closed_only)) == [closed.pk]
    assert set(ids(queries.threads(workspace, queries.ThreadFilters(status="any")))) == {
        open_.pk,
        closed.pk,
    }
    counts = queries.status_counts(workspace)
    assert counts["active"] == 1
    assert counts["closed"] == 1
    assert counts["any"] == 2


def test_platform_tag_and_intent_filters(workspace, fan_message, operator):
    tagged, _m = fan_message("请问有黑色吗？", author="a")
    other, _m = one(workspace, incoming("抖音上的评论", platform="douyin", author="d"))
    tag = setup.save_tag(actor=operator, workspace=workspace, name="缺货")
    actions.add_tag(actor=operator, threads=[tagged], tag=tag)

    assert ids(queries.threads(workspace, queries.ThreadFilters(tag=tag.pk))) == [tagged.pk]
    assert ids(queries.threads(workspace, queries.ThreadFilters(platform="douyin"))) == [other.pk]
    Thread.objects.filter(pk=tagged.pk).update(intent="inquiry")
    Thread.objects.filter(pk=other.pk).update(intent="praise")
    assert ids(queries.threads(workspace, queries.ThreadFilters(intent="inquiry"))) == [tagged.pk]


def test_lookups_are_scoped_to_the_workspace(workspace, other_thread, fan_message):
    mine, _m = fan_message()
    with pytest.raises(Exception, match="No such conversation"):
        queries.thread(workspace, other_thread.pk)
    assert queries.threads_by_ids(workspace, [mine.pk, other_thread.pk]) == [mine]


def test_history_holds_the_threads_and_its_messages_entries_only(workspace, fan_message, operator):
    thread, message = fan_message("质量太差", author="a")
    elsewhere, _m = fan_message("别的问题", author="b")
    actions.add_note(actor=operator, thread=thread, text="客户很着急")
    actions.correct_label(actor=operator, message=message, sentiment=Sentiment.NEGATIVE)
    actions.add_note(actor=operator, thread=elsewhere, text="not this one")

    history = list(queries.thread_history(thread))

    assert {"inbox.note", "inbox.correct_label"} <= {entry.action for entry in history}
    others = AuditEntry.objects.filter(object_type="inbox.thread", object_id=str(elsewhere.pk))
    assert not set(others.values_list("pk", flat=True)) & {entry.pk for entry in history}


def test_post_of_a_thread_without_our_post_shows_its_remote_id(workspace, fan_message, post_id):
    thread, _m = fan_message()
    post = queries.post_of(thread)
    assert post is not None
    assert post.remote_id == post_id
    assert post.title == ""
    assert post.published_url == ""


def test_operators_are_the_members_who_may_answer(workspace, operator, viewer, admin_user):
    names = {user.username for user in queries.operators(workspace)}
    assert names == {operator.username, admin_user.username}
