"""沙盒平台（模拟数据）: the sandbox, a clearly labelled SIMULATED platform.

It lets the demo and the tests run the whole loop — publish, metrics, followers,
comments, replies — without any real platform account. Nothing it produces is real data:
every post, number, nickname and comment is simulated (模拟), deterministically, from a
seed. See :mod:`.connector` (remote ids, idempotency, simulated failures),
:mod:`.model` (the growth model) and :mod:`.comments` (the comment generator).
"""
