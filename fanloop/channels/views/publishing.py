"""Placeholder: the publishing pages are being written (helper)."""

from django.http import Http404, HttpRequest, HttpResponse


def queue(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def assisted(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404


def job_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    raise Http404


def variant_job(request: HttpRequest, slug: str, variant_pk: int) -> HttpResponse:
    raise Http404
