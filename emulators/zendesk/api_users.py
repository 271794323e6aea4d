"""``/api/v2/users``: me, show, show_many, search, create, create_or_update, update."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, request

from .app import body, get_state, ids_arg, listing, reply
from .errors import invalid, not_found
from .state import JSON, EmulatorState, new_user, now_iso

bp = Blueprint("zendesk_users", __name__)
API = "/api/v2"
USER_FIELDS = (
    "name",
    "email",
    "role",
    "external_id",
    "phone",
    "tags",
    "user_fields",
    "organization_id",
    "time_zone",
    "locale",
    "notes",
    "details",
    "verified",
)


# users -----------------------------------------------------------------
@bp.get(f"{API}/users/me")
def users_me() -> Response:
    state = get_state()
    with state.lock:
        return reply({"user": copy.deepcopy(state.users[state.API_USER_ID])})


@bp.get(f"{API}/users/<int:user_id>")
def show_user(user_id: int) -> Response:
    state = get_state()
    with state.lock:
        if user_id not in state.users:
            raise not_found()
        return reply({"user": copy.deepcopy(state.users[user_id])})


@bp.get(f"{API}/users/show_many")
def show_many_users() -> Response:
    state = get_state()
    with state.lock:
        found = [
            state.users[int(i)] for i in ids_arg("ids") if i.isdigit() and int(i) in state.users
        ]
        for ext in ids_arg("external_ids"):
            user = state.find_user(external_id=ext)
            if user is not None:
                found.append(user)
        return listing("users", copy.deepcopy(found))


@bp.get(f"{API}/users/search")
def search_users() -> Response:
    state = get_state()
    query, ext = request.args.get("query", "").lower(), request.args.get("external_id")
    with state.lock:
        if ext is not None:
            hit = state.find_user(external_id=ext)
            found = [hit] if hit else []
        else:
            found = [
                u
                for u in state.users.values()
                if query and (query == (u["email"] or "").lower() or query in u["name"].lower())
            ]
        return listing("users", copy.deepcopy(found))


def _apply_user(state: EmulatorState, user: JSON, data: JSON) -> None:
    email = data.get("email")
    other = state.find_user(email=email) if email else None
    if other is not None and other["id"] != user["id"]:
        raise invalid(
            "email", f"Email: {email} is already being used by another user", "DuplicateValue"
        )
    for name in USER_FIELDS:
        if name in data:
            user[name] = data[name]
    user["updated_at"] = now_iso()


def _create_user(state: EmulatorState, data: JSON) -> JSON:
    if not data.get("name"):
        raise invalid("name", "Name: is too short (minimum one character)", "BlankValue")
    uid = state.next_user_id()
    user = new_user(uid, data["name"], None, data.get("role") or "end-user")
    _apply_user(state, user, data)
    state.users[uid] = user
    return user


@bp.post(f"{API}/users")
def create_user() -> Response:
    state = get_state()
    data = body("user")
    with state.lock:
        return reply({"user": copy.deepcopy(_create_user(state, data))}, 201)


@bp.post(f"{API}/users/create_or_update")
def create_or_update_user() -> Response:
    state = get_state()
    data = body("user")
    with state.lock:
        user = state.find_user(data.get("external_id"), data.get("email"))
        if user is None:
            return reply({"user": copy.deepcopy(_create_user(state, data))}, 201)
        _apply_user(state, user, data)
        return reply({"user": copy.deepcopy(user)}, 200)


@bp.put(f"{API}/users/<int:user_id>")
def update_user(user_id: int) -> Response:
    state = get_state()
    data = body("user")
    with state.lock:
        user = state.users.get(user_id)
        if user is None:
            raise not_found()
        _apply_user(state, user, data)
        return reply({"user": copy.deepcopy(user)})
