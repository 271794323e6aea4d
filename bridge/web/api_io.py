"""Reading admin API requests and writing its answers.

Every refusal is JSON ``{"error": ..., "details": [{"field", "message"}]}``: 400 for a
body that is not JSON, 413 past 1 MB, 415 for another content type, 422 for JSON that
does not fit the model (with the field's path). Text may not hold NUL characters or
unpaired surrogates: PostgreSQL cannot store the first, UTF-8 cannot encode the second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from flask import Response, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.routing import BaseConverter

from bridge.admin import items
from bridge.admin.errors import AdminError, NotFound, Problem

M = TypeVar("M", bound=BaseModel)
DB_ID = re.compile(r"[1-9][0-9]{0,9}")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_DB_ID = 2**31 - 1  # INTEGER columns: larger ids cannot exist (and must not reach SQL)


class RequestError(AdminError):
    def __init__(self, status: int, message: str, details: Sequence[Problem] = ()) -> None:
        super().__init__(message, details)
        self.status = status


def error_response(status: int, message: str, details: Sequence[Problem] = ()) -> Response:
    response = jsonify(error=message,
                       details=[{"field": field, "message": text} for field, text in details])
    response.status_code = status
    return response


def model_response(model: BaseModel, status: int = 200) -> Response:
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


class ItemIdConverter(BaseConverter):
    """``<item:id>``: only what can be an id routes to an item, so ``/rules/order`` is
    never taken for rule "order" (a PUT there is a 405, not a 404)."""

    regex = r"[1-9][0-9]{0,9}|toml-[1-9][0-9]{0,8}"


def item_id(raw: str, entity: str) -> int | str:
    """A path's id: a database id, or ``toml-<n>``; anything else cannot exist (404)."""
    if DB_ID.fullmatch(raw) and int(raw) <= MAX_DB_ID:
        return int(raw)
    if items.toml_index(raw) is not None:
        return raw
    raise NotFound(f"no {entity} {raw}")


def put_version(key: int | str) -> int:
    """The ``version`` a PUT started from: required for database items. A TOML item
    refuses every change (409) before any version is compared, so it needs none."""
    if isinstance(key, str):
        return 0
    version = int_arg("version", low=1, required=True)
    assert version is not None
    return version


def json_body() -> Any:
    if request.mimetype != "application/json":
        raise RequestError(415, "send the body as application/json",
                           [("", f"Content-Type was {request.mimetype or 'absent'}")])
    raw = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse, parse_float=_number)
    except UnicodeDecodeError:
        raise RequestError(400, "the body is not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise RequestError(400, "the body is not JSON", [("", str(exc))]) from None
    _check_text(data)
    return data


def parse(model: type[M], data: Any) -> M:
    """Strict validation, as JSON Schema reads the model: "5" is no integer, 1 no bool."""
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        raise RequestError(422, f"the {model.__name__.lower()} is not valid", [
            (path(error["loc"]), error["msg"]) for error in exc.errors()
        ]) from None


def path(loc: Sequence[int | str]) -> str:
    """``("then", "tags", 0)`` → ``then.tags[0]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def int_arg(name: str, *, low: int, high: int = MAX_DB_ID, required: bool = False
            ) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        if required:
            raise RequestError(422, f"query parameter {name} is required",
                               [(name, "missing")])
        return None
    if not re.fullmatch(r"-?[0-9]{1,12}", raw) or not low <= int(raw) <= high:
        raise RequestError(422, f"query parameter {name} must be an integer from {low} to "
                                f"{high}", [(name, f"got {raw[:40]!r}")])
    return int(raw)


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _number(text: str) -> float | int:
    """A JSON number with a fraction or exponent. JSON Schema counts 5.0 as an integer,
    so it becomes one (the models validate strictly); past float range is refused."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:40]} is out of range")
    return int(value) if value.is_integer() else value


def _check_text(data: Any) -> None:
    """Walk the document (iteratively: it may be deep) for text no database keeps."""
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                _check_string(key, loc)
                stack.append((inner, (*loc, key)))
        elif isinstance(value, list):
            stack.extend((inner, (*loc, n)) for n, inner in enumerate(value))
        elif isinstance(value, str):
            _check_string(value, loc)


def _check_string(text: str, loc: tuple[int | str, ...]) -> None:
    if UNSTORABLE.search(text):
        raise RequestError(422, "text may not contain NUL characters or unpaired surrogates",
                           [(path(loc), "contains NUL or an unpaired surrogate")])
