"""``{% load compliance_tags %}`` then ``{{ text|highlight_findings:findings }}``."""

from fanloop.compliance.highlight import register

__all__ = ["register"]
