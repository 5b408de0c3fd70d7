"""How messages get in besides the connectors: signed webhook endpoints (admins) and
file imports (operators). A webhook secret is shown once, when it is made or rotated."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanloop.channels.imports.reader import FileProblem
from fanloop.core.forms import apply_validation_error
from fanloop.core.htmx import render_page
from fanloop.core.permissions import Action
from fanloop.core.views import WorkspaceRequest, acting_user, workspace_local_view
from fanloop.inbox import queries
from fanloop.inbox.forms_settings import ImportForm, WebhookForm
from fanloop.inbox.models import WebhookEndpoint
from fanloop.inbox.services import imports, setup
from fanloop.inbox.views import display
from fanloop.inbox.views.settings import settings_context

MAX_ROW_ERRORS_SHOWN = 200
EXAMPLE_PAYLOAD = """{"messages": [{"platform": "weibo", "id": "c-1001", "kind": "comment",
  "text": "退货运费谁出？", "author": {"id": "u-42", "nickname": "小王", "vip": false},
  "sent_at": "2026-11-23T10:00:00+08:00", "parent_id": "", "post_id": "p-7",
  "account_id": 12, "direction": "inbound", "media": []}]}"""
EXAMPLE_SIGNING = """import hashlib, hmac, json, time, uuid, urllib.request

body = json.dumps(payload, ensure_ascii=False).encode()
timestamp, delivery = str(int(time.time())), uuid.uuid4().hex
signed = f"{timestamp}.{delivery}.".encode() + body
signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
request = urllib.request.Request(url, data=body, method="POST", headers={
    "Content-Type": "application/json", "X-Fanloop-Timestamp": timestamp,
    "X-Fanloop-Delivery": delivery, "X-Fanloop-Signature": signature})"""


def _endpoint_url(request: WorkspaceRequest, endpoint: WebhookEndpoint) -> str:
    path = display.optional_url("inbox_webhook", endpoint.token)
    return request.build_absolute_uri(path) if path else ""


def _webhooks_page(
    request: WorkspaceRequest,
    form: WebhookForm | None = None,
    secret: tuple[WebhookEndpoint, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    endpoints = [
        {"endpoint": endpoint, "url": _endpoint_url(request, endpoint)}
        for endpoint in queries.webhooks(request.workspace)
    ]
    context = settings_context(
        request,
        "webhooks",
        form=form or WebhookForm(),
        endpoints=endpoints,
        new_secret=secret[1] if secret else "",
        secret_for=secret[0] if secret else None,
        secret_url=_endpoint_url(request, secret[0]) if secret else "",
        example_payload=EXAMPLE_PAYLOAD,
        example_signing=EXAMPLE_SIGNING,
    )
    return render_page(request, "inbox/settings/webhooks.html", context, status=status)


@workspace_local_view(Action.WORKSPACE_UPDATE)
def webhooks(request: WorkspaceRequest) -> HttpResponseBase:
    if request.method != "POST":
        return _webhooks_page(request)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = setup.create_webhook(
                actor=acting_user(request),
                workspace=request.workspace,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Webhook created. Copy its secret now: it is shown once."))
            return _webhooks_page(request, secret=(endpoint, secret))
    return _webhooks_page(request, form=form, status=400)


@require_POST
@workspace_local_view(Action.WORKSPACE_UPDATE)
def webhook_action(request: WorkspaceRequest, pk: int, action: str) -> HttpResponseBase:
    endpoint = queries.webhook(request.workspace, pk)
    actor = acting_user(request)
    if action == "rotate":
        secret = setup.rotate_webhook_secret(actor=actor, endpoint=endpoint)
        messages.success(
            request, _("New secret made; the old one no longer works. It is shown once.")
        )
        return _webhooks_page(request, secret=(endpoint, secret))
    if action == "delete":
        setup.delete_webhook(actor=actor, endpoint=endpoint)
        messages.success(request, _("Webhook deleted."))
        return redirect("inbox_webhooks", request.workspace.slug)
    raise Http404("No such action")


@workspace_local_view(Action.INBOX_REPLY)
def import_file(request: WorkspaceRequest) -> HttpResponseBase:
    workspace = request.workspace
    form = ImportForm(request.POST or None, request.FILES or None, workspace=workspace)
    result: Any = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = imports.import_messages(
                    actor=acting_user(request),
                    workspace=workspace,
                    data=upload.read(),
                    file_name=upload.name or "",
                    account=form.chosen_account(),
                )
            except FileProblem as problem:
                form.add_error("file", str(problem))
            except ValidationError as exc:
                apply_validation_error(form, exc)
        if result is None:
            status = 400
    context = settings_context(
        request,
        "import",
        form=form,
        result=result,
        row_errors=result.errors[:MAX_ROW_ERRORS_SHOWN] if result else [],
        more_errors=max(0, len(result.errors) - MAX_ROW_ERRORS_SHOWN) if result else 0,
    )
    return render_page(request, "inbox/settings/import.html", context, status=status)
