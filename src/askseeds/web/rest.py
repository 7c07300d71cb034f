"""Plain JSON routes beside Gradio's: ``POST /api/ask`` and ``POST /api/retrieve``.

Gradio's own HTTP API takes two requests a call (post it, then read its event stream) and a
body of positional ``data``. These take one JSON object of named fields and answer with one,
as curl or any HTTP library sends them::

    curl -s http://127.0.0.1:7860/api/ask -d '{"question": "Who is the mayor of Tacoma?"}'

The reply is what the ``/ask`` and ``/retrieve`` endpoints return. Questions run on the chat's
ask threads, as the page's do. A request that cannot be answered gets ``{"error": message}``
with 400 (an empty question, a malformed body or filter, an unknown field), 403 (a web page
of another site, below), 413 (a body over ``MAX_BODY``), 503 (``QUEUE_MAX_SIZE`` requests
already waiting) or 500 (askseeds' own failure, logged); never a traceback.

A server on this machine only (``127.0.0.1``, the default) refuses a request that a web page of
another site sends from the user's browser (its ``Origin`` is not this machine), as Gradio's
own routes keep such pages from reading their replies: the body is read whatever its
``Content-Type``, so a page could send one without asking the browser first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import gradio as gr
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import render
from .chat import QUEUE_MAX_SIZE, ChatAdapter, InternalError, filter_dict

log = logging.getLogger("askseeds.web.rest")

MAX_BODY = 1 << 20  # bytes; a question with its history and filters is far smaller
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})
FILTER_FIELDS = ("only", "since", "until", "keep_undated")
ASK_FIELDS = ("question", "history", *FILTER_FIELDS)
RETRIEVE_FIELDS = ("question", "k", *FILTER_FIELDS)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(payload: Any, status: int = 200, headers: dict | None = None) -> Response:
    # ASCII escapes: a lone surrogate (which a JSON body may carry, and ask() echoes back in
    # "question") has no UTF-8 encoding, and would fail the reply.
    body = json.dumps(payload, ensure_ascii=True).encode("ascii")
    return Response(body, status, headers, media_type="application/json")


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _Refused(413, f"The request body is over {MAX_BODY} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _Refused(413, f"The request body is over {MAX_BODY} bytes.")
    return bytes(body)


async def _fields(request: Request, allowed: tuple[str, ...]) -> dict:
    """The request's JSON object, checked to hold a string ``question`` and no unknown field."""
    example = '{"question": "Who is the mayor of Tacoma?"}'
    try:
        fields = json.loads(await _read_body(request))
    except ValueError as exc:  # malformed JSON, or bytes that are not UTF-8/16/32
        raise _Refused(400, f"The body must be a JSON object such as {example}: {exc}") from None
    if not isinstance(fields, dict):
        raise _Refused(400, f"The body must be a JSON object such as {example}.")
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise _Refused(
            400, f"Unknown field {unknown[0]!r}; this route takes {', '.join(allowed)}."
        )
    if not isinstance(fields.get("question"), str):
        raise _Refused(400, f'"question" must be a string, as in {example}.')
    return fields


def _foreign_page(request: Request) -> bool:
    """A browser's request from a page of another site to a server on this machine only."""
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-site request: curl, a program
    host = urlsplit(f"//{request.headers.get('host', '')}").hostname or ""
    return host in LOCAL_NAMES and (urlsplit(origin).hostname or "") not in LOCAL_NAMES


def _filters(fields: dict) -> dict | None:
    return filter_dict(**{k: fields[k] for k in FILTER_FIELDS if k in fields})


def routes(adapter: ChatAdapter) -> list[Route]:
    """The two routes, answering through ``adapter`` (``Blocks.launch(app_kwargs=...)``)."""
    waiting = 0  # requests taken and not yet answered; touched on the event loop only

    def route(
        path: str, allowed: tuple[str, ...], answer: Callable[[dict], Awaitable[dict]]
    ) -> Route:
        async def endpoint(request: Request) -> Response:
            nonlocal waiting
            if _foreign_page(request):
                return _json({"error": "Requests from other sites' pages are refused."}, 403)
            if waiting >= QUEUE_MAX_SIZE:
                return _json(
                    {"error": "The server is busy; try again in a moment."},
                    503,
                    {"Retry-After": "1"},
                )
            waiting += 1
            try:
                return _json(await answer(await _fields(request, allowed)))
            except _Refused as exc:
                return _json({"error": str(exc)}, exc.status)
            except InternalError as exc:  # logged where it was raised
                return _json({"error": exc.message}, 500)
            except gr.Error as exc:  # the question, history, k or filter refused, and why
                return _json({"error": exc.message}, 400)
            except Exception:
                log.exception("%s failed", path)
                return _json({"error": render.GENERIC_ERROR}, 500)
            finally:
                waiting -= 1

        return Route(path, endpoint, methods=["POST"])

    async def ask(fields: dict) -> dict:
        return await adapter.api(
            fields["question"], fields.get("history"), _filters(fields)
        )

    async def retrieve(fields: dict) -> dict:
        return await adapter.retrieve(
            fields["question"], fields.get("k", 5), _filters(fields)
        )

    return [route("/api/ask", ASK_FIELDS, ask), route("/api/retrieve", RETRIEVE_FIELDS, retrieve)]
