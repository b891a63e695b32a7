"""Segment rules: validate a rules document and turn it into one database condition.

A rules document is ``{"match": "all"|"any", "groups": [{"match": "all"|"any",
"conditions": [{"field": ..., "op": ..., "value": ...}]}]}``. No groups matches every member.
Behavioural conditions (``engaged_days``, ``engaged_events``) only ever match members who gave
analytics consent, and read the rollups (``MemberDay``), never the raw events.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.accounts.models import Interest, User
from cerchia.communities.models import Affiliation, Membership, Role, TrustLevel
from cerchia.insights.models import (
    FieldKind,
    MemberDay,
    MemberField,
    MemberFieldValue,
    Segment,
    SegmentMember,
)

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from cerchia.communities.models import Community

MAX_GROUPS = 10
MAX_CONDITIONS = 30
MAX_LIST = 50
MAX_DAYS = 3650
MAX_TEXT = 200

MATCHES = ("all", "any")

#: The operators each field accepts (custom fields: per kind, below).
OPERATORS: dict[str, tuple[str, ...]] = {
    "interest": ("any_of",),
    "trust_level": ("is", "at_least", "at_most"),
    "role": ("is", "is_not", "any_of"),
    "affiliation": ("is", "is_not", "any_of"),
    "joined": ("before", "after", "between", "within_days"),
    "engaged_days": ("within", "not_within"),
    "engaged_events": ("at_least", "at_most"),
    "analytics_consent": ("is",),
    "marketing_consent": ("is",),
}

FIELD_OPERATORS: dict[str, tuple[str, ...]] = {
    FieldKind.TEXT: ("contains", "equals", "empty"),
    FieldKind.NUMBER: ("eq", "lt", "gt", "between"),
    FieldKind.DATE: ("eq", "lt", "gt", "between"),
    FieldKind.CHOICE: ("is", "is_not", "any_of"),
    FieldKind.MULTIPLE: ("has_any", "has_all"),
    FieldKind.YES_NO: ("is",),
}

ACTIVITY_FIELDS = ("engaged_days", "engaged_events")


class RuleError(ValueError):
    """A rules document that cannot be used; ``where`` names the group and condition."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Context:
    """What evaluating rules needs besides the rules: the community's fields and its today."""

    community: Community
    fields: dict[int, MemberField]
    today: dt.date
    tz: dt.tzinfo


def community_today(community: Community) -> tuple[dt.date, dt.tzinfo]:
    """Today's date in the community's timezone, and that timezone."""
    try:
        tz: dt.tzinfo = zoneinfo.ZoneInfo(community.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    return timezone.now().astimezone(tz).date(), tz


def make_context(community: Community, fields: list[MemberField] | None = None) -> Context:
    """Load the community's active fields (one query unless given) and its today."""
    if fields is None:
        fields = list(MemberField.objects.filter(community=community, archived_at__isnull=True))
    today, tz = community_today(community)
    return Context(community, {f.pk: f for f in fields if f.archived_at is None}, today, tz)


# --- Validation ---------------------------------------------------------------------------


def _has_nul(value: Any, depth: int = 0) -> bool:
    """Whether any text in ``value`` holds a NUL; RuleError if it is nested past any rule."""
    if depth > 8:
        raise RuleError(_("The rules are nested too deeply."))
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item, depth + 1) for item in value)
    return False


def validate_rules(rules: Any, context: Context) -> dict[str, Any]:
    """The rules, normalised; RuleError naming the group and condition when they do not fit."""
    if _has_nul(rules):
        raise RuleError(_("Text cannot contain NUL characters."))
    if rules in (None, {}):
        return {"match": "all", "groups": []}
    if not isinstance(rules, dict):
        raise RuleError(_("Rules must be an object with “match” and “groups”."))
    unknown = set(rules) - {"match", "groups"}
    if unknown:
        raise RuleError(_("Unknown key “%(key)s”.") % {"key": sorted(unknown)[0]})
    match = rules.get("match", "all")
    if match not in MATCHES:
        raise RuleError(_("“match” must be “all” or “any”."))
    groups = rules.get("groups", [])
    if not isinstance(groups, list):
        raise RuleError(_("“groups” must be a list."))
    if len(groups) > MAX_GROUPS:
        raise RuleError(_("At most %(n)d groups.") % {"n": MAX_GROUPS})
    total = 0
    clean_groups = []
    for g_index, group in enumerate(groups, start=1):
        where = _("group %(g)d") % {"g": g_index}
        if not isinstance(group, dict) or set(group) - {"match", "conditions"}:
            raise RuleError(_("A group is an object with “match” and “conditions”."), where)
        g_match = group.get("match", "all")
        if g_match not in MATCHES:
            raise RuleError(_("“match” must be “all” or “any”."), where)
        conditions = group.get("conditions")
        if not isinstance(conditions, list) or not conditions:
            raise RuleError(_("A group needs at least one condition."), where)
        total += len(conditions)
        if total > MAX_CONDITIONS:
            raise RuleError(_("At most %(n)d conditions in all.") % {"n": MAX_CONDITIONS})
        clean = []
        for c_index, condition in enumerate(conditions, start=1):
            c_where = _("group %(g)d, condition %(c)d") % {"g": g_index, "c": c_index}
            clean.append(validate_condition(condition, context, c_where))
        clean_groups.append({"match": g_match, "conditions": clean})
    return {"match": match, "groups": clean_groups}


def validate_condition(condition: Any, context: Context, where: str) -> dict[str, Any]:
    if not isinstance(condition, dict) or set(condition) - {"field", "op", "value"}:
        raise RuleError(_("A condition is an object with “field”, “op” and “value”."), where)
    if _has_nul(condition):
        raise RuleError(_("Text cannot contain NUL characters."), where)
    name = condition.get("field")
    op = condition.get("op")
    value = condition.get("value")
    if not isinstance(name, str) or not isinstance(op, str):
        raise RuleError(_("A condition needs a field and an operator."), where)
    if name.startswith("field:"):
        field = _custom_field(name, context, where)
        allowed = FIELD_OPERATORS[field.kind]
        if op not in allowed:
            raise RuleError(_("Unknown operator “%(op)s” for this field.") % {"op": op}, where)
        value = _field_value(field, op, value, where)
        return {"field": f"field:{field.pk}", "op": op, "value": value}
    if name not in OPERATORS:
        raise RuleError(_("Unknown field “%(field)s”.") % {"field": name}, where)
    if op not in OPERATORS[name]:
        raise RuleError(_("Unknown operator “%(op)s” for this field.") % {"op": op}, where)
    return {"field": name, "op": op, "value": _builtin_value(name, op, value, where)}


def _custom_field(name: str, context: Context, where: str) -> MemberField:
    try:
        pk = int(name.removeprefix("field:"))
    except ValueError:
        raise RuleError(_("Unknown field “%(field)s”.") % {"field": name}, where) from None
    field = context.fields.get(pk)
    if field is None:
        raise RuleError(
            _("The field “%(field)s” does not exist or is archived.") % {"field": name}, where
        )
    return field


def _int(value: Any, where: str, low: int = 0, high: int = MAX_DAYS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(
            _("Expected a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
            where,
        )
    return value


def _number(value: Any, where: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise RuleError(_("Expected a number."), where)
    if abs(value) > 1e15:
        raise RuleError(_("Expected a number."), where)
    return value


def _date(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise RuleError(_("Expected a date (YYYY-MM-DD)."), where)
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise RuleError(_("Expected a date (YYYY-MM-DD)."), where) from None


def _pair[V](value: Any, where: str, convert: Any) -> list[V]:
    if not isinstance(value, list) or len(value) != 2:
        raise RuleError(_("Expected two values: from and to."), where)
    low, high = convert(value[0], where), convert(value[1], where)
    if low > high:
        raise RuleError(_("“From” is after “to”."), where)
    return [low, high]


def _strings(value: Any, where: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or len(value) > MAX_LIST:
        raise RuleError(_("Expected a list of 1 to %(n)d values.") % {"n": MAX_LIST}, where)
    for item in value:
        if not isinstance(item, str) or len(item) > MAX_TEXT:
            raise RuleError(_("Expected a list of 1 to %(n)d values.") % {"n": MAX_LIST}, where)
        if allowed is not None and item not in allowed:
            raise RuleError(_("“%(value)s” is not one of the options.") % {"value": item}, where)
    return list(dict.fromkeys(value))


def _choice(value: Any, where: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise RuleError(_("“%(value)s” is not one of the options.") % {"value": value}, where)
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(_("Expected true or false."), where)
    return value


def _builtin_value(name: str, op: str, value: Any, where: str) -> Any:
    roles = tuple(Role.values)
    affiliations = tuple(Affiliation.values)
    match name:
        case "interest":
            return _strings(value, where)
        case "trust_level":
            return _int(value, where, min(TrustLevel.values), max(TrustLevel.values))
        case "role":
            return _strings(value, where, roles) if op == "any_of" else _choice(value, where, roles)
        case "affiliation":
            if op == "any_of":
                return _strings(value, where, affiliations)
            return _choice(value, where, affiliations)
        case "joined":
            if op == "within_days":
                return _int(value, where, 1)
            if op == "between":
                return _pair(value, where, _date)
            return _date(value, where)
        case "engaged_days":
            return _int(value, where, 1)
        case "engaged_events":
            if not isinstance(value, dict) or set(value) != {"count", "days"}:
                raise RuleError(_("Expected {“count”: X, “days”: N}."), where)
            return {
                "count": _int(value["count"], where, 0, 1_000_000),
                "days": _int(value["days"], where, 1),
            }
        case _:  # the consents
            return _bool(value, where)


def _field_value(field: MemberField, op: str, value: Any, where: str) -> Any:
    options = tuple(str(option) for option in (field.choices or []))
    match field.kind:
        case FieldKind.TEXT:
            if op == "empty":
                return None
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
                raise RuleError(_("Expected some text."), where)
            return value.strip()
        case FieldKind.NUMBER:
            return _pair(value, where, _number) if op == "between" else _number(value, where)
        case FieldKind.DATE:
            return _pair(value, where, _date) if op == "between" else _date(value, where)
        case FieldKind.CHOICE:
            if op == "any_of":
                return _strings(value, where, options)
            return _choice(value, where, options)
        case FieldKind.MULTIPLE:
            return _strings(value, where, options)
        case _:
            return _bool(value, where)


# --- Evaluation ---------------------------------------------------------------------------


class _JsonFunc(Func):
    """A JSON column read one way on PostgreSQL and another on SQLite (the SQL is fixed
    text; only the column's own SQL and parameters are spliced in)."""

    postgresql = ""
    sqlite = ""

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        compiled = [compiler.compile(source) for source in self.source_expressions]
        column, params = compiled[0]
        extra = [(sql, tuple(p)) for sql, p in compiled[1:]]
        pattern = self.postgresql if connection.vendor == "postgresql" else self.sqlite
        sql = pattern.replace("{c}", column)
        all_params: tuple[Any, ...] = tuple(params) * pattern.count("{c}")
        for sql_part, part_params in extra:
            sql = sql.replace("{x}", sql_part)
            all_params += part_params
        return sql, all_params


class JsonText(_JsonFunc):
    """A JSON scalar string as text (NULL for any other JSON type)."""

    output_field = TextField()
    arity = 1
    postgresql = "(CASE WHEN jsonb_typeof({c}) = 'string' THEN ({c} #>> '{}') END)"
    sqlite = "(CASE WHEN json_type({c}) = 'text' THEN json_extract({c}, '$') END)"


class JsonNumber(_JsonFunc):
    """A JSON scalar number as a float (NULL for any other JSON type)."""

    output_field = FloatField()
    arity = 1
    postgresql = (
        "(CASE WHEN jsonb_typeof({c}) = 'number' THEN ({c} #>> '{}')::double precision END)"
    )
    sqlite = (
        "(CASE WHEN json_type({c}) IN ('integer', 'real') "
        "THEN CAST(json_extract({c}, '$') AS REAL) END)"
    )


class JsonBool(_JsonFunc):
    """A JSON scalar true/false as 1/0 (NULL for any other JSON type)."""

    output_field = IntegerField()
    arity = 1
    postgresql = "(CASE WHEN {c} = 'true'::jsonb THEN 1 WHEN {c} = 'false'::jsonb THEN 0 END)"
    sqlite = "(CASE json_type({c}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"


class JsonArrayHas(_JsonFunc):
    """True when a JSON array holds the given string."""

    output_field = BooleanField()
    arity = 2
    postgresql = "(jsonb_typeof({c}) = 'array' AND {c} @> jsonb_build_array(({x})::text))"
    sqlite = (
        "(json_type({c}) = 'array' AND EXISTS "
        "(SELECT 1 FROM json_each({c}) AS je WHERE je.value = {x}))"
    )


def rules_q(rules: dict[str, Any], context: Context) -> Q:
    """The validated rules as one condition on ``Membership``."""
    groups = rules.get("groups") or []
    if not groups:
        return Q()
    parts = []
    for group in groups:
        conditions = [_condition_q(c, context) for c in group["conditions"]]
        parts.append(_combine(conditions, group["match"]))
    return _combine(parts, rules["match"])


def _combine(parts: list[Q], match: str) -> Q:
    result = parts[0]
    for part in parts[1:]:
        result = (result & part) if match == "all" else (result | part)
    return result


def _days_window(context: Context, days: int) -> dt.date:
    """The first local day of "the last ``days`` days", today included."""
    return context.today - dt.timedelta(days=days - 1)


def _local_midnight(context: Context, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=context.tz)


def engaged_sum(context: Context, days: int) -> Coalesce:
    since = _days_window(context, days)
    total = (
        MemberDay.objects.filter(
            community_id=context.community.pk, user_id=OuterRef("user_id"), day__gte=since
        )
        .order_by()
        .values("user_id")
        .annotate(total=Sum("engaged"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def _condition_q(condition: dict[str, Any], context: Context) -> Q:
    name, op, value = condition["field"], condition["op"], condition["value"]
    if name.startswith("field:"):
        return _custom_q(context.fields[int(name.removeprefix("field:"))], op, value)
    consenting = Q(user__analytics_consent=True)
    match name, op:
        case "interest", _:
            through = User.interests.through
            return Q(
                Exists(
                    through.objects.filter(user_id=OuterRef("user_id"), interest__slug__in=value)
                )
            )
        case "trust_level", "is":
            return Q(trust_level=value)
        case "trust_level", "at_least":
            return Q(trust_level__gte=value)
        case "trust_level", "at_most":
            return Q(trust_level__lte=value)
        case (("role" | "affiliation"), "is"):
            return Q(**{name: value})
        case (("role" | "affiliation"), "is_not"):
            return ~Q(**{name: value})
        case (("role" | "affiliation"), "any_of"):
            return Q(**{f"{name}__in": value})
        case "joined", "before":
            return Q(joined_at__lt=_local_midnight(context, dt.date.fromisoformat(value)))
        case "joined", "after":
            day = dt.date.fromisoformat(value) + dt.timedelta(days=1)
            return Q(joined_at__gte=_local_midnight(context, day))
        case "joined", "between":
            low = dt.date.fromisoformat(value[0])
            high = dt.date.fromisoformat(value[1]) + dt.timedelta(days=1)
            return Q(
                joined_at__gte=_local_midnight(context, low),
                joined_at__lt=_local_midnight(context, high),
            )
        case "joined", "within_days":
            return Q(joined_at__gte=_local_midnight(context, _days_window(context, value)))
        case "engaged_days", _:
            engaged = Exists(
                MemberDay.objects.filter(
                    community_id=context.community.pk,
                    user_id=OuterRef("user_id"),
                    day__gte=_days_window(context, value),
                    engaged__gt=0,
                )
            )
            return consenting & (Q(engaged) if op == "within" else ~Q(engaged))
        case "engaged_events", "at_least":
            total = engaged_sum(context, value["days"])
            return consenting & Q(GreaterThanOrEqual(total, value["count"]))
        case "engaged_events", "at_most":
            total = engaged_sum(context, value["days"])
            return consenting & Q(LessThanOrEqual(total, value["count"]))
        case "analytics_consent", _:
            return Q(user__analytics_consent=value)
        case "marketing_consent", _:
            return Q(user__marketing_consent=value)
    raise RuleError(_("Unknown operator “%(op)s” for this field.") % {"op": op})


def _answers(field: MemberField) -> QuerySet[MemberFieldValue]:
    return MemberFieldValue.objects.filter(field_id=field.pk, membership_id=OuterRef("pk"))


def _custom_q(field: MemberField, op: str, value: Any) -> Q:
    answers = _answers(field)
    match field.kind, op:
        case FieldKind.TEXT, "contains":
            answers = answers.annotate(text=JsonText("value")).filter(text__icontains=value)
        case FieldKind.TEXT, "equals":
            answers = answers.annotate(text=JsonText("value")).filter(text__iexact=value)
        case FieldKind.TEXT, "empty":
            filled = (
                answers.annotate(text=JsonText("value")).exclude(text="").filter(text__isnull=False)
            )
            return ~Q(Exists(filled))
        case FieldKind.NUMBER, _:
            answers = answers.annotate(number=JsonNumber("value"))
            answers = answers.filter(**_compare("number", op, value))
        case FieldKind.DATE, _:
            answers = answers.annotate(text=JsonText("value"))
            answers = answers.filter(**_compare("text", op, value))
        case FieldKind.CHOICE, "is":
            answers = answers.annotate(text=JsonText("value")).filter(text=value)
        case FieldKind.CHOICE, "is_not":
            chosen = answers.annotate(text=JsonText("value")).filter(text=value)
            return ~Q(Exists(chosen))
        case FieldKind.CHOICE, "any_of":
            answers = answers.annotate(text=JsonText("value")).filter(text__in=value)
        case FieldKind.MULTIPLE, _:
            has = [Q(JsonArrayHas(F("value"), Value(option))) for option in value]
            answers = answers.filter(_combine(has, "all" if op == "has_all" else "any"))
        case FieldKind.YES_NO, _:
            answers = answers.annotate(flag=JsonBool("value")).filter(flag=int(value))
    return Q(Exists(answers))


def _compare(name: str, op: str, value: Any) -> dict[str, Any]:
    if op == "between":
        return {f"{name}__gte": value[0], f"{name}__lte": value[1]}
    return {{"eq": name, "lt": f"{name}__lt", "gt": f"{name}__gt"}[op]: value}


# --- Public entry points ------------------------------------------------------------------


def community_memberships(community: Community) -> QuerySet[Membership]:
    """The community's current members whose accounts still exist."""
    return Membership.objects.filter(community=community, user__deleted_at__isnull=True)


def matching_memberships(
    community: Community, rules: Any, context: Context | None = None
) -> QuerySet[Membership]:
    """Memberships of ``community`` matching ``rules`` now (RuleError if the rules are bad).

    Validating custom-field conditions reads the community's fields (one query) unless a
    ``context`` is given; the result is a lazy queryset, so a count is one query.
    """
    if context is None:
        context = make_context(community)
    clean = validate_rules(rules, context)
    return community_memberships(community).filter(rules_q(clean, context))


def segment_memberships(segment: Segment, context: Context | None = None) -> QuerySet[Membership]:
    """The memberships a segment stands for now: dynamic ones re-evaluate their rules, static
    ones read the frozen list (still members only)."""
    community = segment.community
    if segment.kind == Segment.Kind.STATIC:
        frozen = SegmentMember.objects.filter(segment_id=segment.pk, user_id=OuterRef("user_id"))
        return community_memberships(community).filter(Exists(frozen))
    return matching_memberships(community, segment.rules, context)


def members_of(segment: Segment, context: Context | None = None) -> QuerySet[User]:
    """The users a segment stands for now (current members only; see ``segment_memberships``).

    A dynamic segment whose saved rules no longer validate (e.g. a field was archived since)
    raises RuleError.
    """
    memberships = segment_memberships(segment, context)
    return User.objects.filter(Exists(memberships.filter(user_id=OuterRef("pk"))))


def interest_choices() -> list[tuple[str, str]]:
    """(slug, name) of every interest, for the filter forms."""
    return list(Interest.objects.values_list("slug", "name"))
