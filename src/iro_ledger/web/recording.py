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

from iro_ledger.application import Principal
from iro_ledger.application.commands import parse_command
from iro_ledger.domain.errors import (
    DomainError,
    InvalidValue,
    InvariantViolation,
    NotPermitted,
    NotRecorded,
)
from iro_ledger.identity.drafts import Drafts
from iro_ledger.identity.sessions import same
from iro_ledger.reads import NotServed
from iro_ledger.trust.keys import NoSigningKey
from iro_ledger.trust.service import LogDamaged
from iro_ledger.web.auth import Viewer, check_origin
from iro_ledger.web.forms import BY_SLUG, Field, Form, asked, command_data, fresh_values, offered
from iro_ledger.web.journey import (
    CHECK,
    field_named,
    first_step,
    inputs,
    next_step,
    previous_step,
    problems,
    questions,
    read_back,
)
from iro_ledger.web.pages import COOKIE, PageRoute, render
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


def _offered(form: Form, principal: Principal) -> None:
    if form not in offered(principal):
        raise NotPermitted(f"a {principal.role.value} does not record this")


def _fresh(request: Request, form: Form) -> dict[str, str]:
    """A new form's answers (a new `command_id`: sent twice, it records once)."""
    values = fresh_values(form, _services(request).reads.today(), dict(request.query_params))
    values["command_id"] = uuid.uuid4().hex
    return values


@router.get("/ui/record/{slug}")
def record_form(request: Request, slug: str, principal: Viewer) -> Response:
    """A form: on one page, or a journey begun afresh (a new draft), at its first question's
    own address, so that the browser's Back returns to it with its answer."""
    form = _form(slug)
    _offered(form, principal)
    values = _fresh(request, form)
    if not form.journey:
        return _draw(request, form, values, {})
    _drafts(request).keep(_session(request), form.slug, values)
    return RedirectResponse(_step_url(form, first_step(form, principal, values)),
                            status_code=303)


async def _posted(request: Request) -> dict[str, str]:
    """A form's answers as posted, once its origin and the session's CSRF token are checked."""
    check_origin(request)
    answers = {k: v[0] for k, v in
               parse_qs((await request.body()).decode("utf-8", errors="replace"),
                        keep_blank_values=True).items()}
    if not same(request.state.csrf, answers.pop("csrf", "")):
        raise NotPermitted("this form came from elsewhere or has expired: open it again")
    return answers


@router.post("/ui/record/{slug}")
async def record_submit(request: Request, slug: str, principal: Viewer) -> Response:
    """A one-page form's answers, recorded (a journey's are sent page by page)."""
    form = _form(slug)
    answers = await _posted(request)
    if form.journey:
        raise InvalidValue("step", "this form is asked one question a page: open it again")
    return _record(request, form, answers)


@router.get("/ui/record/{slug}/{step}")
def journey_page(request: Request, slug: str, step: str, principal: Viewer) -> Response:
    """One question of a journey, or the page to check every answer on (`check`), drawn
    from the session's draft (begun afresh when there is none)."""
    form = _journey_form(slug, principal)
    values = _drafts(request).get(_session(request), form.slug)
    if values is None:
        values = _fresh(request, form)
        _drafts(request).keep(_session(request), form.slug, values)
    if step == CHECK:
        return _draw_check(request, form, values)
    return _draw_step(request, form, step, values, returning=_returning(request))


@router.post("/ui/record/{slug}/{step}")
async def journey_answer(request: Request, slug: str, step: str,
                         principal: Viewer) -> Response:
    """A question answered (kept in the draft; then the next page), or the checked answers
    recorded (`check`)."""
    form = _journey_form(slug, principal)
    posted = await _posted(request)
    session, drafts = _session(request), _drafts(request)
    values = drafts.get(session, form.slug)
    if values is None:
        return RedirectResponse(f"/ui/record/{quote(form.slug, safe='')}", status_code=303)
    if step == CHECK:
        done = values.get(RECORDED)
        if done:  # sent twice: the same confirmation, recorded once
            return RedirectResponse(done, status_code=303)
        answered = _record(request, form, values)
        if isinstance(answered, RedirectResponse):
            drafts.keep(session, form.slug, {RECORDED: answered.headers["location"]})
        return answered
    one = field_named(form, principal, step)
    if one is None:
        raise NotRecorded(f"{step!r} is not a question of this form")
    values = {**values, **{name: posted.get(name, "") for name in inputs(one)}}
    drafts.keep(session, form.slug, values)
    returning = _returning(request)
    errors = problems(form, principal, values, one) or _unknown_case(request, one, values)
    if errors:
        return _draw_step(request, form, step, values, errors, 422, returning)
    after = next_step(form, principal, step, returning)
    return RedirectResponse(_step_url(form, after), status_code=303)


RECORDED = "__recorded"
"""What a draft holds once recorded: the confirmation's address, nothing of the answers."""


def _journey_form(slug: str, principal: Principal) -> Form:
    form = _form(slug)
    if not form.journey:
        raise NotRecorded(f"the form {slug!r} is on one page")
    _offered(form, principal)
    return form


def _session(request: Request) -> str:
    return request.cookies.get(COOKIE, "")


def _drafts(request: Request) -> Drafts:
    return _services(request).identity.sign_ins.drafts


def _returning(request: Request) -> bool:
    """Opened from the check page to change an answer (`?change=1`): back to it after."""
    return request.query_params.get("change") == "1"


def _step_url(form: Form, step: str, returning: bool = False) -> str:
    return (f"/ui/record/{quote(form.slug, safe='')}/{quote(step, safe='')}"
            + ("?change=1" if returning else ""))


def _record(request: Request, form: Form, answers: dict[str, str]) -> Response:
    """Record the form's answers as its command, or draw again what is wrong with them."""
    principal = request.state.principal

    def again(errors: dict[str, str], status: int = 422, refusal: str | None = None
              ) -> Response:
        if not form.journey:
            return _draw(request, form, answers, errors, status, refusal)
        named = next(iter(errors), None)
        if named is not None:  # back to the question, then straight back to the check page
            return _draw_step(request, form, named, answers, errors, 422, returning=True)
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
               errors: dict[str, str] | None = None, http_status: int = 200,
               returning: bool = False) -> Response:
    """One question on a page of its own; Back to the page before (the check page when
    changing an answer)."""
    principal = request.state.principal
    one = field_named(form, principal, step)
    if one is None:
        raise NotRecorded(f"{step!r} is not a question of this form")
    errors = errors or {}
    choices = {"about": options} if (options := _challengeable(request, form, values)) else {}
    summary = [(f"#{one.name if one.name in choices else one.anchor}", errors[one.name])
               ] if one.name in errors else []
    before = CHECK if returning else previous_step(form, principal, step)
    return render(request, "record_step.html", http_status=http_status, form=form, field=one,
                  values=values, errors=errors, summary=summary, choices=choices,
                  action=_step_url(form, step, returning),
                  back="/ui/record" if before is None else _step_url(form, before))


def _draw_check(request: Request, form: Form, answers: dict[str, str],
                http_status: int = 200, refusal: str | None = None) -> Response:
    """Every answer, each with its Change link, and the button that records them."""
    principal = request.state.principal
    if answers.get(RECORDED):
        return RedirectResponse(answers[RECORDED], status_code=303)
    choices = {"about": options} if (options := _challengeable(request, form, answers)) else {}
    rows = read_back(form, principal, answers, choices)
    summary = [(f"#change-{rows[0].field.name}", refusal)] if refusal else []
    last = questions(form, principal)[-1].name
    return render(request, "record_check.html", http_status=http_status, form=form,
                  rows=rows, summary=summary, action=_step_url(form, CHECK),
                  back=_step_url(form, last),
                  change={r.field.name: _step_url(form, r.field.name, True) for r in rows})


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
