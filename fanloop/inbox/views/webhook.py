"""The receiving end of the signed inbox webhook. No session and no CSRF token: the
HMAC signature over timestamp, delivery id and body is what authenticates a sender."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fanloop.inbox.services.webhook import WebhookRefused, receive


@csrf_exempt
@require_POST
def inbox_webhook(request: HttpRequest, token: str) -> JsonResponse:
    try:
        result = receive(token=token, body=request.body, headers=dict(request.headers))
    except WebhookRefused as refused:
        return JsonResponse({"error": refused.message}, status=refused.status)
    status = 400 if result.errors and not result.created and not result.duplicates else 200
    return JsonResponse(
        {
            "created": len(result.created),
            "duplicates": result.duplicates,
            "errors": [{"index": e.index, "message": e.message} for e in result.errors],
        },
        status=status,
    )
