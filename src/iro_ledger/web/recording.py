"""Recording in the browser: the forms of `web.forms`, sent as commands through the same
`Ledger.execute` as the API, and a confirmation with the record's receipts to download.

A form is a plain POST (it works without scripts) carrying the session's CSRF token and a
`command_id` made when the form was drawn, so sending it twice records it once. Who recorded
it is the signed-in principal, as for the API's bearer (`recorded_by`; an IRO's own acts name
them); the source is `web`. A wrong or missing answer, or a refusal by the record's rules,
draws the form again with a GOV.UK error summary, and nothing is recorded. Success redirects
(POST/redirect/GET) to a confirmation page whose **Download receipt** is the record's bundle of
receipts, the document `GET /receipts` serves, checked offline by `iro-ledger verify-receipt`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from iro_ledger.application.commands import parse_command
from iro_ledger.domain.errors import (
    DomainError,
    InvalidValue,
    InvariantViolation,
    NotPermitted,
    NotRecorded,
)
from iro_ledger.identity.sessions import same
from iro_ledger.reads import NotServed
from iro_ledger.trust.keys import NoSigningKey
from iro_ledger.trust.service import LogDamaged
from iro_ledger.web.auth import Viewer, check_origin
from iro_ledger.web.forms import BY_SLUG, Field, Form, asked, command_data, fresh_values, offered
from iro_ledger.web.journey import (
    CHECK,
    carried,
    field_named,
    first_step,
    next_step,
    previous_step,
    problems,
    read_back,
)
from iro_ledger.web.pages import PageRoute, render
from iro_ledger.web.present import day
from iro_ledger.web.reads import reader
from iro_ledger.web.refusals import refusal_of
from iro_ledger.wiring import Services

router = APIRouter(route_class=PageRoute, include_in_schema=False)
NOT_ONE_RECORD = (("care_plan", "The care plan"), ("case_closure", "The closing of the case"),
                  ("other", "Something else"))
"""What a challenge may be about besides one decision or recommendation of its case."""
RECEIPT_KINDS = ("case", "challenge", "instruction", "report", "officer", "authority",
                 "concern")


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _form(slug: str) -> Form:
    form = BY_SLUG.get(slug)
    if form is None:
        raise NotRecorded(f"there is no form {slug!r} to record with")
    return form


def _challengeable(request: Request, form: Form, values: dict[str, str]
                   ) -> list[tuple[str, str]]:
    """The decisions and recommendations of the case named, and the care plan, the case's
    closing or something else, to choose what is challenged from (none when no case is
    named, or it cannot be read: the id is typed instead)."""
    principal = request.state.principal
    la_code, case_id = principal.la_code or values.get("la_code", ""), values.get("case_id", "")
    if "about" not in {f.name for f in form.fields} or not la_code or not case_id:
        return []
    try:
        with reader(request, principal) as read:
            state = read.record("case", la_code, case_id).state
    except (DomainError, NotServed):
        return []
    decided, recommended = state.get("decided_on", {}), state.get("recommended_on", {})
    return ([(ref, f"Decision {ref} of {day(decided.get(ref))}") for ref in decided]
            + [(ref, f"Recommendation {ref} of {day(on)}") for ref, on in recommended.items()]
            + list(NOT_ONE_RECORD))


def _draw(request: Request, form: Form, values: dict[str, str], errors: dict[str, str],
          http_status: int = 200, refusal: str | None = None) -> Response:
    principal = request.state.principal
    fields = asked(form, principal)
    choices = {"about": options} if (options := _challengeable(request, form, values)) else {}
    summary = [(f"#{f.name if f.name in choices else f.anchor}", errors[f.name])
               for f in fields if f.name in errors]
    if refusal:
        summary.insert(0, (f"#{fields[0].anchor}", refusal))
    return render(request, "record_form.html", http_status=http_status, form=form,
                  fields=fields, values=values, errors=errors, summary=summary,
                  choices=choices)


@router.get("/ui/record")
def record_menu(request: Request, principal: Viewer) -> Response:
    forms = offered(principal)
    if not forms:
        raise NotPermitted(f"a {principal.role.value} records nothing")
    return render(request, "record_menu.html",
                  iro_forms=[f for f in forms if f.by == "iro"],
                  manager_forms=[f for f in forms if f.by == "manager"])


@router.get("/ui/record/{slug}")
def record_form(request: Request, slug: str, principal: Viewer) -> Response:
    form = _form(slug)
    if form not in offered(principal):
        raise NotPermitted(f"a {principal.role.value} does not record this")
    given = dict(request.query_params)
    values = fresh_values(form, _services(request).reads.today(), given)
    values["command_id"] = uuid.uuid4().hex
    if form.journey:
        return _draw_step(request, form, first_step(form, principal, given), values)
    return _draw(request, form, values, {})


@router.post("/ui/record/{slug}")
async def record_submit(request: Request, slug: str, principal: Viewer) -> Response:
    check_origin(request)
    form = _form(slug)
    answers = {k: v[0] for k, v in
               parse_qs((await request.body()).decode("utf-8", errors="replace"),
                        keep_blank_values=True).items()}
    if not same(request.state.csrf, answers.get("csrf", "")):
        raise NotPermitted("this form came from elsewhere or has expired: open it again")
    if form.journey and (answers.get("step") != CHECK or answers.get("go")):
        return _journey(request, form, answers)
    return _record(request, form, answers)


def _record(request: Request, form: Form, answers: dict[str, str]) -> Response:
    """Record the form's answers as its command, or draw again what is wrong with them."""
    principal = request.state.principal

    def again(errors: dict[str, str], status: int = 422, refusal: str | None = None
              ) -> Response:
        if not form.journey:
            return _draw(request, form, answers, errors, status, refusal)
        named = next(iter(errors), None)
        if named is not None:  # back to the question, then straight back to the check page
            return _draw_step(request, form, named, {**answers, "returning": "1"},
                              errors, 422)
        return _draw_check(request, form, answers, status, refusal)

    data, errors = command_data(form, principal, answers)
    if errors:
        return again(errors)
    try:
        command = parse_command(data)
    except ValidationError as bad:
        return again(_pydantic_errors(form, request, bad))
    services = _services(request)
    try:
        services.limiter.take(principal)
        outcome = services.ledger.execute(command, principal, source="web")
    except DomainError as refused:  # a rule of the record, a permission, the rate limit
        field = getattr(refused, "field", None) if isinstance(refused, InvalidValue) else None
        named = [f.name for f in asked(form, principal) if f.command_field == field]
        if named:
            return again({named[0]: str(refused)})
        return again({}, refusal_of(refused).status, str(refused))
    query = urlencode({"events": ",".join(map(str, outcome.event_numbers))})
    return RedirectResponse(
        f"/ui/recorded/{quote(form.slug, safe='')}/{quote(outcome.la_code, safe='')}/"
        f"{quote(outcome.id, safe='')}?{query}", status_code=303)


def _journey(request: Request, form: Form, answers: dict[str, str]) -> Response:
    """A question page answered (or Back, or Change from the check page): the page that
    follows, or the same question again with what is wrong."""
    principal = request.state.principal
    go, step = answers.get("go", ""), answers.get("step", "")
    if go.startswith("change:"):
        return _draw_step(request, form, go.removeprefix("change:"),
                          {**answers, "returning": "1"})
    if go == "back":  # from a question changed from the check page, back to the check page
        returning = answers.get("returning") == "1" and step != CHECK
        before = CHECK if returning else previous_step(form, principal, step)
        return _draw_step(request, form, before or step, {**answers, "returning": ""})
    one = field_named(form, principal, step)
    if one is None:
        raise InvalidValue("step", f"{step!r} is not a question of this form: open it again")
    errors = problems(form, principal, answers, one) or _unknown_case(request, one, answers)
    if errors:
        return _draw_step(request, form, step, answers, errors, 422)
    after = next_step(form, principal, step, answers.get("returning") == "1")
    if after == CHECK:
        return _draw_check(request, form, answers)
    return _draw_step(request, form, after, answers)


def _unknown_case(request: Request, one: Field, answers: dict[str, str]) -> dict[str, str]:
    """A case named that is not recorded, said at its question rather than after every other
    answer (the ledger still judges everything else when it records)."""
    principal = request.state.principal
    la_code = principal.la_code or answers.get("la_code", "")
    case_id = answers.get(one.name, "").strip()
    if one.name != "case_id" or not case_id or not la_code:
        return {}
    try:
        with reader(request, principal) as read:
            read.record("case", la_code, case_id)
    except NotRecorded:
        return {one.name: f"No case {case_id} is recorded in {la_code}: "
                          "check its id on its timeline"}
    except (DomainError, NotServed):
        return {}
    return {}


def _draw_step(request: Request, form: Form, step: str, values: dict[str, str],
               errors: dict[str, str] | None = None, http_status: int = 200) -> Response:
    """One question on a page of its own, carrying the other answers unseen."""
    principal = request.state.principal
    if step == CHECK:
        return _draw_check(request, form, values)
    one = field_named(form, principal, step)
    if one is None:
        raise InvalidValue("go", f"{step!r} is not a question of this form: open it again")
    errors = errors or {}
    choices = {"about": options} if (options := _challengeable(request, form, values)) else {}
    summary = [(f"#{one.name if one.name in choices else one.anchor}", errors[one.name])
               ] if one.name in errors else []
    returning = values.get("returning") == "1"
    first = previous_step(form, principal, step) is None and not returning
    return render(request, "record_step.html", http_status=http_status, form=form, field=one,
                  values=values, errors=errors, summary=summary, choices=choices,
                  carried=carried(values, one), kept=carried(values, None), first=first,
                  returning=returning)


def _draw_check(request: Request, form: Form, answers: dict[str, str],
                http_status: int = 200, refusal: str | None = None) -> Response:
    """Every answer, each with its Change button, and the button that records them."""
    principal = request.state.principal
    choices = {"about": options} if (options := _challengeable(request, form, answers)) else {}
    rows = read_back(form, principal, answers, choices)
    summary = [(f"#change-{rows[0].field.name}", refusal)] if refusal else []
    return render(request, "record_check.html", http_status=http_status, form=form,
                  rows=rows, summary=summary, carried=carried(answers, None))


def _pydantic_errors(form: Form, request: Request, bad: ValidationError) -> dict[str, str]:
    by_target = {f.command_field: f for f in asked(form, request.state.principal)}
    errors: dict[str, str] = {}
    for problem in bad.errors():
        where = str(problem.get("loc", ("",))[0])
        one = by_target.get(where)
        name = one.name if one else next(iter(by_target))
        what = one.label.rstrip("?") if one else where
        errors.setdefault(name, f"{what}: {problem.get('msg', 'not valid').lower()}")
    return errors


@router.get("/ui/recorded/{slug}/{la_code}/{ref}")
def recorded(request: Request, slug: str, la_code: str, ref: str, principal: Viewer,
             events: str = "") -> Response:
    form = _form(slug)
    numbers = {int(n) for n in events.split(",") if n.isdigit()}
    with reader(request, principal) as read:
        view = read.record(form.command.KIND, la_code, ref)
        added = [e for e in view.events if e["number"] in numbers] or view.events[-1:]
        return render(request, "recorded.html", form=form, view=view, added=added,
                      la_code=la_code)


@router.get("/ui/authorities/{la_code}/records/{kind}/{ref}/receipts.json")
def receipts(request: Request, la_code: str, kind: str, ref: str,
             principal: Viewer) -> Response:
    """The record's receipts, as `GET /receipts` serves them, to download."""
    if kind not in RECEIPT_KINDS:
        raise NotRecorded(f"no receipts for a {kind!r}")
    try:
        made: dict[str, Any] = _services(request).trust.receipts(kind, la_code, ref, principal)
    except NoSigningKey as missing:
        raise NotServed(str(missing)) from None
    except LogDamaged as damaged:
        raise InvariantViolation(str(damaged)) from None
    name = f"receipts-{la_code}-{kind}-{ref}.json".replace("/", "_").replace('"', "_")
    return Response(json.dumps(made, indent=1, ensure_ascii=False) + "\n",
                    media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
