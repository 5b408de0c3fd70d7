"""The one write path for workspaces, members, invitations, users and API tokens.

Every function checks permissions, validates, writes inside a transaction and records
an audit entry. Views, the API, the CLI and jobs all call these.
"""

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fanloop.core import audit
from fanloop.core.models import ApiToken, Invitation, Membership, User, Workspace
from fanloop.core.permissions import Action, Role, require

WORKSPACE_FIELDS = ("name", "slug", "description", "timezone", "currency")
MEMBERSHIP_FIELDS = ("user", "role")
TOKEN_PREFIX = "fl_"
log = logging.getLogger(__name__)


def role_of(user: Any, workspace: Workspace) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.filter(workspace=workspace, user=user)
        .values_list("role", flat=True)
        .first()
    )


def require_action(user: Any, workspace: Workspace, action: Action) -> str:
    role = role_of(user, workspace)
    require(role, action)
    assert role is not None
    return role


def _hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _validate_role(role: str, field: str = "role") -> Role:
    if role not in Role.values:
        raise ValidationError(
            {
                field: _("Unknown role %(role)s. Choose one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    return Role(role)


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:40] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# Workspaces ------------------------------------------------------------------------------


@transaction.atomic
def create_workspace(
    *, actor: User, name: str, slug: str = "", description: str = "", timezone_name: str = ""
) -> Workspace:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in to create a workspace."))
    if settings.WORKSPACE_CREATION_STAFF_ONLY and not actor.is_staff:
        raise PermissionDenied(_("Only staff may create workspaces on this server."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the workspace a name.")})
    if slug:
        slug = slugify(slug)
        if Workspace.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("This slug is already taken.")})
    workspace = Workspace(
        name=name,
        slug=slug or _unique_slug(name),
        description=description,
        timezone=timezone_name or settings.TIME_ZONE,
    )
    workspace.full_clean()
    workspace.save()
    audit.record(
        actor=actor,
        workspace=workspace,
        action="workspace.create",
        obj=workspace,
        changes=audit.created(workspace, WORKSPACE_FIELDS),
    )
    membership = Membership.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    audit.record(
        actor=actor,
        workspace=workspace,
        action="member.add",
        obj=membership,
        changes=audit.created(membership, MEMBERSHIP_FIELDS),
    )
    return workspace


@transaction.atomic
def update_workspace(*, actor: User, workspace: Workspace, **fields: Any) -> Workspace:
    require_action(actor, workspace, Action.WORKSPACE_UPDATE)
    editable = {"name", "description", "timezone"}
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in unknown})
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    before = audit.snapshot(workspace, WORKSPACE_FIELDS)
    for field, value in fields.items():
        setattr(workspace, field, value.strip() if isinstance(value, str) else value)
    if not workspace.name:
        raise ValidationError({"name": _("Give the workspace a name.")})
    workspace.full_clean()
    workspace.save()
    changes = audit.diff(before, audit.snapshot(workspace, WORKSPACE_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            workspace=workspace,
            action="workspace.update",
            obj=workspace,
            changes=changes,
        )
    return workspace


# Members ---------------------------------------------------------------------------------


def _admins_left_after(membership: Membership, new_role: str | None) -> int:
    others = (
        Membership.objects.filter(workspace=membership.workspace, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )
    return others + (1 if new_role == Role.ADMIN else 0)


@transaction.atomic
def add_member(*, actor: User, workspace: Workspace, user: User, role: str) -> Membership:
    require_action(actor, workspace, Action.MEMBER_MANAGE)
    _validate_role(role)
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationError({"user": _("%(user)s is already a member.") % {"user": user}})
    membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    audit.record(
        actor=actor,
        workspace=workspace,
        action="member.add",
        obj=membership,
        changes=audit.created(membership, MEMBERSHIP_FIELDS),
    )
    return membership


def find_user(identifier: str) -> User:
    """A user by username or email, for 'add member' forms and the API."""
    identifier = identifier.strip()
    user = (
        User.objects.filter(username=identifier).first()
        or User.objects.filter(email__iexact=identifier).order_by("id").first()
        if identifier
        else None
    )
    if user is None:
        raise ValidationError(
            {
                "user": _("No user with username or email %(id)s. Invite them by email instead.")
                % {"id": identifier}
            }
        )
    return user


@transaction.atomic
def change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require_action(actor, membership.workspace, Action.MEMBER_MANAGE)
    _validate_role(role)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and _admins_left_after(membership, role) == 0:
        raise ValidationError({"role": _("A workspace needs at least one admin.")})
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    membership.role = role
    membership.save(update_fields=["role"])
    changes = audit.diff(before, audit.snapshot(membership, MEMBERSHIP_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            workspace=membership.workspace,
            action="member.change_role",
            obj=membership,
            changes=changes,
        )
    return membership


@transaction.atomic
def remove_member(*, actor: User, membership: Membership) -> None:
    # Act on the row as it is now, not as the caller last read it.
    membership = (
        Membership.objects.select_for_update()
        .select_related("workspace", "user")
        .get(pk=membership.pk)
    )
    leaving_self = membership.user_id == actor.pk
    if not leaving_self:
        require_action(actor, membership.workspace, Action.MEMBER_MANAGE)
    if membership.role == Role.ADMIN and _admins_left_after(membership, None) == 0:
        raise ValidationError({"user": _("A workspace needs at least one admin.")})
    audit.record(
        actor=actor,
        workspace=membership.workspace,
        action="member.leave" if leaving_self else "member.remove",
        obj=membership,
        changes=audit.deleted(membership, MEMBERSHIP_FIELDS),
    )
    membership.delete()


# Invitations -----------------------------------------------------------------------------


@transaction.atomic
def invite_member(
    *, actor: User, workspace: Workspace, email: str, role: str
) -> tuple[Invitation, str]:
    require_action(actor, workspace, Action.MEMBER_MANAGE)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid email address.")}) from exc
    _validate_role(role)
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": _("Someone with this email is already a member.")})
    open_invites = Invitation.objects.filter(
        workspace=workspace,
        email=email,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    )
    if open_invites.exists():
        raise ValidationError({"email": _("This address already has an open invitation.")})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=_hash_secret(raw),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit.record(
        actor=actor,
        workspace=workspace,
        action="invitation.create",
        obj=invitation,
        changes=audit.created(invitation, ("email", "role", "expires_at")),
    )
    link = f"{settings.SITE_URL.rstrip('/')}/invitations/{raw}/"
    subject = _("You are invited to %(workspace)s on Fanloop") % {"workspace": workspace.name}
    body = _("%(inviter)s invited you to join %(workspace)s as %(role)s.\nOpen: %(link)s") % {
        "inviter": actor,
        "workspace": workspace.name,
        "role": Role(role).label,
        "link": link,
    }
    transaction.on_commit(lambda: _send_invitation_mail(subject, body, email))
    return invitation, raw


def _send_invitation_mail(subject: str, body: str, email: str) -> None:
    # The link is also shown to the inviter, so a mail outage must not fail the invite.
    try:
        EmailMessage(subject, body, to=[email]).send()
    except Exception:
        log.exception("could not send the invitation mail to %s", email)


def open_invitation(raw_token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("workspace")
        .filter(token_hash=_hash_secret(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_open:
        raise ValidationError(_("This invitation link is invalid, used, revoked or expired."))
    return invitation


@transaction.atomic
def accept_invitation(*, user: User, raw_token: str) -> Membership:
    invitation = open_invitation(raw_token)
    if user.email.lower() != invitation.email:
        raise ValidationError(
            _("This invitation was sent to %(email)s; sign in with that account.")
            % {"email": invitation.email}
        )
    if Membership.objects.filter(workspace=invitation.workspace, user=user).exists():
        raise ValidationError(_("You are already a member of this workspace."))
    membership = Membership.objects.create(
        workspace=invitation.workspace, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user,
        workspace=invitation.workspace,
        action="invitation.accept",
        obj=membership,
        changes=audit.created(membership, MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def register_from_invitation(*, raw_token: str, username: str, password: str) -> User:
    invitation = open_invitation(raw_token)
    user = create_user(actor=None, username=username, password=password, email=invitation.email)
    accept_invitation(user=user, raw_token=raw_token)
    return user


@transaction.atomic
def revoke_invitation(*, actor: User, invitation: Invitation) -> None:
    require_action(actor, invitation.workspace, Action.MEMBER_MANAGE)
    if not invitation.is_open:
        raise ValidationError(_("Only open invitations can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        workspace=invitation.workspace,
        action="invitation.revoke",
        obj=invitation,
        changes={"revoked_at": (None, str(invitation.revoked_at))},
    )


# Users -----------------------------------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user. ``actor`` None means the server operator (CLI, invitation sign-up)."""
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Choose a username.")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("This username is taken.")]
    user = User(
        username=username, email=email.strip().lower(), display_name=display_name, is_staff=is_staff
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        workspace=None,
        action="user.create",
        obj=user,
        changes=audit.created(user, ("username", "email", "is_staff")),
    )
    return user


# API tokens ------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token after the script or tool that uses it.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name under 80 characters.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=raw[:8], key_hash=_hash_secret(raw)
    )
    audit.record(
        actor=actor,
        workspace=None,
        action="token.create",
        obj=token,
        changes=audit.created(token, ("name", "prefix")),
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        raise ValidationError(_("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        workspace=None,
        action="token.revoke",
        obj=token,
        changes={"revoked_at": (None, str(token.revoked_at))},
    )


def authenticate_api_token(raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_secret(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        # Touch at most once a minute so busy scripts don't write on every request.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# Server operator (CLI) -------------------------------------------------------------------
# The person at the server's shell stands above workspace roles; these are audited as
# "system".


@transaction.atomic
def grant_membership_as_operator(*, workspace: Workspace, user: User, role: str) -> Membership:
    _validate_role(role)
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    before = None if created else audit.snapshot(membership, MEMBERSHIP_FIELDS)
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    after = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    changes = (
        audit.created(membership, MEMBERSHIP_FIELDS) if created else audit.diff(before or {}, after)
    )
    if changes:
        audit.record(
            actor=None,
            workspace=workspace,
            action="member.add" if created else "member.change_role",
            obj=membership,
            changes=changes,
        )
    return membership


@transaction.atomic
def delete_workspace_as_operator(*, workspace: Workspace) -> None:
    audit.record(
        actor=None,
        workspace=None,
        action="workspace.delete",
        obj=workspace,
        changes=audit.deleted(workspace, WORKSPACE_FIELDS),
    )
    workspace.delete()


@transaction.atomic
def delete_user_as_operator(*, user: User) -> None:
    audit.record(
        actor=None,
        workspace=None,
        action="user.delete",
        obj=user,
        changes=audit.deleted(user, ("username", "email")),
    )
    user.delete()
