"""An agency administrator's pages for its own users (/admin/users) and API keys
(/admin/api-keys). Passwords and keys made here are shown once, on the page answering the
form (never stored, never in a URL); other changes redirect (POST, then GET)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from safeguard.access.models import ROLES, User
from safeguard.access.service import Principal
from safeguard.accounts.service import (
    add_user,
    check_email,
    disable_user,
    enable_user,
    issue_api_key,
    list_api_keys,
    list_users,
    reset_password,
    revoke_api_key,
    rotate_api_key,
    set_email,
    set_roles,
    user_by_id,
)
from safeguard.accounts.teams import (
    add_member,
    create_team,
    list_teams,
    members,
    remove_member,
    team_by_id,
)
from safeguard.errors import Conflict, Invalid
from safeguard.web.deps import CsrfDep, NowDep, SessionDep, UserDep
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)

ROLE_WORDS = {"practitioner": "Practitioner", "supervisor": "Supervisor",
              "senior_manager": "Senior manager", "admin": "Administrator",
              "mash_researcher": "MASH researcher",
              "information_governance": "Information governance",
              "public_protection": "Public protection unit"}
DONE = {"disabled": "The user is disabled: their access has ended.",
        "enabled": "The user is enabled: they may sign in again.",
        "roles": "The user's roles are changed: they sign in again to use them.",
        "revoked": "The API key is revoked: it is refused from now on.",
        "added": "The user is in the team: they see its work in My team's work.",
        "removed": "The user has left the team; duties they hold stay theirs.",
        "email": "The email address is saved: the user's emails go there.",
        "no-email": "The email address is removed: the user receives no emails."}
Text = Annotated[str, Form()]
# Ids are 32-bit integers: a larger one names nothing, and is refused before the database.
UserId = Annotated[int, Form(ge=1, le=2**31 - 1)]
Roles = Annotated[list[str], Form()]


def _role_items(checked: list[str]) -> list[dict[str, Any]]:
    return [{"value": role, "text": ROLE_WORDS.get(role, role), "checked": role in checked}
            for role in ROLES]


def _page(request: Request, principal: Principal, template: str, listed: dict[str, Any], *,
          status_code: int = 200, values: dict[str, Any] | None = None, **ctx: Any
          ) -> HTMLResponse:
    values = values or {}
    context = {**listed, "values": values, "errors": ctx.pop("errors", None),
               "field_errors": ctx.pop("field_errors", {}),
               "role_items": _role_items(values.get("roles", ["practitioner"])),
               "role_words": ROLE_WORDS, **ctx}
    return render(request, template, {"nav": "admin", **context}, principal=principal,
                  status_code=status_code)


def _users_page(request: Request, session: Session, principal: Principal, **ctx: Any
                ) -> HTMLResponse:
    # list_users refuses anyone but an administrator, so every page here checks the role.
    users = list_users(session, principal=principal)
    return _page(request, principal, "admin/users.html", {"users": users}, **ctx)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, principal: UserDep,
               done: str = "") -> HTMLResponse:
    return _users_page(request, session, principal, notice=DONE.get(done))


def _field(error: Exception) -> str:
    """Which field of the add-user form a refusal is about, for its error link."""
    text = str(error)
    return ("email" if "email" in text else "display_name" if "name (" in text
            else "roles" if "role" in text else "username")


@router.post("/admin/users", dependencies=[CsrfDep], response_class=HTMLResponse)
def add_user_page(request: Request, session: SessionDep, principal: UserDep,
                  username: Text = "", display_name: Text = "", email: Text = "",
                  roles: Roles = []) -> HTMLResponse:  # noqa: B006 - FastAPI form default
    values = {"username": username, "display_name": display_name, "email": email,
              "roles": roles}
    try:
        address = check_email(email)  # before the user is made: a refusal makes nothing
        user, password = add_user(session, principal=principal, username=username,
                                  display_name=display_name, agency_id=principal.agency_id,
                                  roles=roles)
        if address is not None:
            set_email(session, principal=principal, username=user.username, email=address)
    except (Invalid, Conflict) as error:
        field, text = _field(error), str(error)[:1].upper() + str(error)[1:]
        return _users_page(request, session, principal, status_code=422, values=values,
                           errors=[{"text": text, "href": f"#{field}"}],
                           field_errors={field: text})
    return _users_page(request, session, principal, shown_once=(user.username, password),
                       notice=f"{user.display_name} can now sign in as {user.username}.")


def _email_page(request: Request, principal: Principal, user: User, email: str, **ctx: Any
                ) -> HTMLResponse:
    return _page(request, principal, "admin/user_email.html", {"user": user},
                 values={"email": email}, **ctx)


@router.get("/admin/users/{user_id}/email", response_class=HTMLResponse)
def email_page(request: Request, user_id: int, session: SessionDep, principal: UserDep
               ) -> HTMLResponse:
    user = user_by_id(session, principal=principal, user_id=user_id)
    return _email_page(request, principal, user, user.email or "")


@router.post("/admin/users/{user_id}/email", dependencies=[CsrfDep],
             response_class=HTMLResponse, response_model=None)
def change_email_page(request: Request, user_id: int, session: SessionDep,
                      principal: UserDep, email: Text = "") -> HTMLResponse | RedirectResponse:
    user = user_by_id(session, principal=principal, user_id=user_id)
    try:
        set_email(session, principal=principal, username=user.username, email=email)
    except Invalid as error:
        text = str(error)[:1].upper() + str(error)[1:]
        return _email_page(request, principal, user, email, status_code=422,
                           errors=[{"text": text, "href": "#email"}],
                           field_errors={"email": text})
    return RedirectResponse(f"/admin/users?done={'email' if user.email else 'no-email'}",
                            status_code=303)


def _switch(session: Session, principal: Principal, user_id: int,
            change: Literal["disable", "enable"]) -> RedirectResponse:
    user = user_by_id(session, principal=principal, user_id=user_id)
    switch = disable_user if change == "disable" else enable_user
    switch(session, principal=principal, username=user.username)
    return RedirectResponse(f"/admin/users?done={change}d", status_code=303)


@router.post("/admin/users/{user_id}/disable", dependencies=[CsrfDep])
def disable_user_page(user_id: int, session: SessionDep, principal: UserDep
                      ) -> RedirectResponse:
    return _switch(session, principal, user_id, "disable")


@router.post("/admin/users/{user_id}/enable", dependencies=[CsrfDep])
def enable_user_page(user_id: int, session: SessionDep, principal: UserDep
                     ) -> RedirectResponse:
    return _switch(session, principal, user_id, "enable")




def _roles_page(request: Request, principal: Principal, user: User, roles: list[str], **ctx: Any
                ) -> HTMLResponse:
    return _page(request, principal, "admin/user_roles.html", {"user": user},
                 values={"roles": roles}, **ctx)


@router.get("/admin/users/{user_id}/roles", response_class=HTMLResponse)
def roles_page(request: Request, user_id: int, session: SessionDep, principal: UserDep
               ) -> HTMLResponse:
    user = user_by_id(session, principal=principal, user_id=user_id)
    return _roles_page(request, principal, user, user.roles.split())


@router.post("/admin/users/{user_id}/roles", dependencies=[CsrfDep],
             response_class=HTMLResponse, response_model=None)
def change_roles_page(request: Request, user_id: int, session: SessionDep,
                      principal: UserDep, now: NowDep,
                      roles: Roles = []) -> HTMLResponse | RedirectResponse:  # noqa: B006
    user = user_by_id(session, principal=principal, user_id=user_id)
    try:
        set_roles(session, principal=principal, username=user.username, roles=roles, now=now)
    except Invalid as error:
        return _roles_page(request, principal, user, roles, status_code=422,
                           errors=[{"text": str(error).capitalize(), "href": "#roles"}])
    return RedirectResponse("/admin/users?done=roles", status_code=303)


@router.post("/admin/users/{user_id}/reset", dependencies=[CsrfDep],
             response_class=HTMLResponse)
def reset_password_page(request: Request, user_id: int, session: SessionDep,
                        principal: UserDep) -> HTMLResponse:
    user = user_by_id(session, principal=principal, user_id=user_id)
    _, password = reset_password(session, principal=principal, username=user.username)
    return _users_page(request, session, principal, shown_once=(user.username, password),
                       notice=f"The password of {user.username} is reset.")


def _keys_page(request: Request, session: Session, principal: Principal, **ctx: Any
               ) -> HTMLResponse:
    keys = list_api_keys(session, principal=principal, include_revoked=True)
    return _page(request, principal, "admin/api_keys.html", {"keys": keys}, **ctx)


@router.get("/admin/api-keys", response_class=HTMLResponse)
def keys_page(request: Request, session: SessionDep, principal: UserDep,
              done: str = "") -> HTMLResponse:
    return _keys_page(request, session, principal, notice=DONE.get(done))


@router.post("/admin/api-keys", dependencies=[CsrfDep], response_class=HTMLResponse)
def issue_key_page(request: Request, session: SessionDep, principal: UserDep,
                   name: Text = "", roles: Roles = []) -> HTMLResponse:  # noqa: B006
    try:
        key, plaintext = issue_api_key(session, principal=principal,
                                       agency_id=principal.agency_id, name=name, roles=roles)
    except Invalid as error:
        return _keys_page(request, session, principal, status_code=422,
                          values={"name": name, "roles": roles},
                          errors=[{"text": str(error).capitalize(), "href": "#name"}])
    return _keys_page(request, session, principal, shown_once=(key.name, plaintext),
                      notice=f"API key {key.id} issued for {key.name}.")


@router.post("/admin/api-keys/{key_id}/revoke", dependencies=[CsrfDep])
def revoke_key_page(key_id: int, session: SessionDep, principal: UserDep, now: NowDep
                    ) -> RedirectResponse:
    revoke_api_key(session, principal=principal, key_id=key_id, now=now)
    return RedirectResponse("/admin/api-keys?done=revoked", status_code=303)


@router.post("/admin/api-keys/{key_id}/rotate", dependencies=[CsrfDep],
             response_class=HTMLResponse)
def rotate_key_page(request: Request, key_id: int, session: SessionDep, principal: UserDep,
                    now: NowDep) -> HTMLResponse:
    key, plaintext = rotate_api_key(session, principal=principal, key_id=key_id, now=now)
    return _keys_page(request, session, principal, shown_once=(key.name, plaintext),
                      notice=f"API key {key_id} is revoked; key {key.id} replaces it.")


def _teams_page(request: Request, session: Session, principal: Principal, **ctx: Any
                ) -> HTMLResponse:
    teams = list_teams(session, principal=principal)  # refuses all but an administrator
    sizes = {team.id: len(members(session, team_id=team.id)) for team in teams}
    return _page(request, principal, "admin/teams.html", {"teams": teams, "sizes": sizes},
                 **ctx)


@router.get("/admin/teams", response_class=HTMLResponse)
def teams_page(request: Request, session: SessionDep, principal: UserDep) -> HTMLResponse:
    return _teams_page(request, session, principal)


@router.post("/admin/teams", dependencies=[CsrfDep], response_class=HTMLResponse,
             response_model=None)
def create_team_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                     name: Text = "") -> HTMLResponse | RedirectResponse:
    try:
        team = create_team(session, principal=principal, agency_id=principal.agency_id,
                           name=name, now=now)
    except (Invalid, Conflict) as error:
        return _teams_page(request, session, principal, status_code=422,
                           values={"name": name},
                           errors=[{"text": str(error).capitalize(), "href": "#name"}])
    return RedirectResponse(f"/admin/teams/{team.id}", status_code=303)


@router.get("/admin/teams/{team_id}", response_class=HTMLResponse)
def team_page(request: Request, team_id: int, session: SessionDep, principal: UserDep,
              done: str = "") -> HTMLResponse:
    team = team_by_id(session, principal=principal, team_id=team_id)
    in_team = members(session, team_id=team.id)
    ids = {user.id for user in in_team}
    others = [user for user in list_users(session, principal=principal)
              if user.active and user.id not in ids]
    return _page(request, principal, "admin/team.html",
                 {"team": team, "members": in_team, "others": others},
                 notice=DONE.get(done))


@router.post("/admin/teams/{team_id}/members", dependencies=[CsrfDep])
def add_member_page(team_id: int, session: SessionDep, principal: UserDep, now: NowDep,
                    user_id: UserId) -> RedirectResponse:
    add_member(session, principal=principal, team_id=team_id, user_id=user_id, now=now)
    return RedirectResponse(f"/admin/teams/{team_id}?done=added", status_code=303)


@router.post("/admin/teams/{team_id}/remove", dependencies=[CsrfDep])
def remove_member_page(team_id: int, session: SessionDep, principal: UserDep,
                       user_id: UserId) -> RedirectResponse:
    remove_member(session, principal=principal, team_id=team_id, user_id=user_id)
    return RedirectResponse(f"/admin/teams/{team_id}?done=removed", status_code=303)
