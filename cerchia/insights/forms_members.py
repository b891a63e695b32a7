"""Forms for the member table's filters and the segment builder; both become a rules document
(see ``cerchia.insights.segments``) so the page, the count and the API share one engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import QueryDict
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cerchia.accounts.models import Interest
from cerchia.communities.models import Affiliation, Role, TrustLevel
from cerchia.insights.models import FieldKind, Segment
from cerchia.insights.segments import (
    FIELD_OPERATORS,
    MAX_CONDITIONS,
    MAX_GROUPS,
    OPERATORS,
    Context,
    RuleError,
    validate_condition,
    validate_rules,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANY = ""
YES_NO_ANY = [
    (ANY, pgettext_lazy("filter", "Any")),
    ("yes", _("Yes")),
    ("no", _("No")),
]
MAX_ROWS_PER_GROUP = 10

#: Words for each operator, as the builder's operator menu shows them.
OP_LABELS: dict[str, StrOrPromise] = {
    "is": pgettext_lazy("segment operator", "is"),
    "is_not": pgettext_lazy("segment operator", "is not"),
    "any_of": pgettext_lazy("segment operator", "is any of (comma-separated)"),
    "at_least": pgettext_lazy("segment operator", "at least"),
    "at_most": pgettext_lazy("segment operator", "at most"),
    "before": pgettext_lazy("segment operator", "before (date)"),
    "after": pgettext_lazy("segment operator", "after (date)"),
    "between": pgettext_lazy("segment operator", "between (value and second value)"),
    "within_days": pgettext_lazy("segment operator", "within the last N days"),
    "within": pgettext_lazy("segment operator", "engaged in the last N days"),
    "not_within": pgettext_lazy("segment operator", "not engaged in the last N days"),
    "contains": pgettext_lazy("segment operator", "contains"),
    "equals": pgettext_lazy("segment operator", "equals"),
    "empty": pgettext_lazy("segment operator", "is empty"),
    "eq": pgettext_lazy("segment operator", "equals (=)"),
    "lt": pgettext_lazy("segment operator", "less than (<)"),
    "gt": pgettext_lazy("segment operator", "more than (>)"),
    "has_any": pgettext_lazy("segment operator", "has any of (comma-separated)"),
    "has_all": pgettext_lazy("segment operator", "has all of (comma-separated)"),
}


def _join(separator: str, items: list[Any]) -> str:
    return separator.join(str(item) for item in items)


#: A list of lazy labels joined in the language of the moment they are shown.
lazy_join = lazy(_join, str)


FIELD_LABELS: dict[str, StrOrPromise] = {
    "interest": _("Interests (slugs)"),
    "trust_level": _("Trust level (0–3)"),
    "role": format_lazy(
        _("Role ({choices})"), choices=lazy_join(", ", [label for _code, label in Role.choices])
    ),
    "affiliation": format_lazy(
        _("Affiliation ({choices}; empty for none)"),
        choices=lazy_join(", ", [label for code, label in Affiliation.choices if code]),
    ),
    "joined": _("Joined"),
    "engaged_days": _("Activity: engaged days"),
    "engaged_events": _("Activity: engaged events (value: how many; second value: days)"),
    "analytics_consent": _("Analytics consent (yes/no)"),
    "marketing_consent": _("Marketing consent (yes/no)"),
}

MATCH_CHOICES = [
    ("all", _("all of these (AND)")),
    ("any", _("any of these (OR)")),
]


def _truth(value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in {"yes", "true", "1", "on", str(_("yes")).lower(), str(_("Yes")).lower()}:
        return True
    if lowered in {"no", "false", "0", "off", str(_("no")).lower(), str(_("No")).lower()}:
        return False
    return value


def _number(value: str) -> float | int | str:
    try:
        number = float(value.replace(",", ".")) if value.strip() else None
    except ValueError:
        return value
    if number is None:
        return value
    return int(number) if number.is_integer() else number


def _whole(value: str) -> int | str:
    try:
        return int(value.strip())
    except ValueError:
        return value


def _choice_code(value: str, choices: list[tuple[str, Any]]) -> str:
    """A role or affiliation as typed, by code ("moderator") or by its label in the host's
    language ("Moderatore"), as its code; anything else unchanged (validation refuses it)."""
    typed = value.strip().casefold()
    for code, label in choices:
        if typed in {code.casefold(), str(label).casefold()}:
            return code
    return value.strip()


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def condition_from_row(
    name: str, op: str, value: str, value2: str, context: Context
) -> dict[str, Any]:
    """A builder row's text inputs as a condition, typed by field and operator (the types are
    checked again by the rules' validation)."""
    kind = ""
    if name.startswith("field:"):
        try:
            field_obj = context.fields.get(int(name.removeprefix("field:")))
        except ValueError:
            field_obj = None
        kind = field_obj.kind if field_obj is not None else ""
    typed: Any = value.strip()
    if op in {"any_of", "has_any", "has_all"} or (name == "interest"):
        typed = _list(value)
    elif name in {"trust_level", "engaged_days"} or op == "within_days":
        typed = _whole(value)
    elif name == "engaged_events":
        typed = {"count": _whole(value), "days": _whole(value2) if value2.strip() else 30}
    elif name in {"analytics_consent", "marketing_consent"} or kind == FieldKind.YES_NO:
        typed = _truth(value)
    elif op == "empty":
        typed = None
    elif kind == FieldKind.NUMBER:
        typed = [_number(value), _number(value2)] if op == "between" else _number(value)
    elif op == "between":
        typed = [value.strip(), value2.strip()]
    elif name == "role":
        typed = _choice_code(value, Role.choices)
    elif name == "affiliation":
        typed = _choice_code(value, [choice for choice in Affiliation.choices if choice[0]])
    return {"field": name, "op": op, "value": typed}


# --- The member table's filters -------------------------------------------------------------


class MemberFilterForm(forms.Form):
    """The member table's GET filters; ``rules()`` turns them into one AND group."""

    q = forms.CharField(label=_("Name or handle"), required=False, max_length=100)
    interest = forms.MultipleChoiceField(label=_("Interests"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[(ANY, pgettext_lazy("filter", "Any"))]
    )
    affiliation = forms.ChoiceField(label=_("Affiliation"), required=False)
    trust_level = forms.TypedChoiceField(
        label=_("Trust level at least"), required=False, coerce=int, empty_value=None
    )
    joined_after = forms.DateField(
        label=_("Joined after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    joined_before = forms.DateField(
        label=_("Joined before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    engaged_within = forms.IntegerField(
        label=_("Engaged in the last N days"), required=False, min_value=1, max_value=3650
    )
    min_events = forms.IntegerField(
        label=_("At least N engaged events"), required=False, min_value=1, max_value=1_000_000
    )
    events_days = forms.IntegerField(
        label=_("… in the last N days"), required=False, min_value=1, max_value=3650, initial=30
    )
    analytics = forms.ChoiceField(label=_("Analytics consent"), required=False, choices=YES_NO_ANY)
    marketing = forms.ChoiceField(label=_("Marketing consent"), required=False, choices=YES_NO_ANY)
    custom_field = forms.ChoiceField(label=_("Question"), required=False)
    custom_op = forms.ChoiceField(label=_("Condition"), required=False)
    custom_value = forms.CharField(label=_("Value"), required=False, max_length=200)
    custom_value2 = forms.CharField(label=_("Second value"), required=False, max_length=200)

    def __init__(self, data: QueryDict | None, *, context: Context) -> None:
        super().__init__(data)
        self.context = context
        self._rules: dict[str, Any] | None = None
        any_choice = (ANY, pgettext_lazy("filter", "Any"))
        interests = Interest.objects.filter(members__memberships__community=context.community)
        self.fields["interest"].choices = list(  # type: ignore[attr-defined]
            interests.distinct().values_list("slug", "name")
        )
        self.fields["role"].choices = [any_choice, *Role.choices]  # type: ignore[attr-defined]
        self.fields["affiliation"].choices = [  # type: ignore[attr-defined]
            any_choice,
            ("none", pgettext_lazy("affiliation", "None")),
            *[(v, label) for v, label in Affiliation.choices if v],
        ]
        self.fields["trust_level"].choices = [  # type: ignore[attr-defined]
            any_choice,
            *TrustLevel.choices,
        ]
        self.fields["custom_field"].choices = [  # type: ignore[attr-defined]
            (ANY, "—"),
            *[(f"field:{pk}", f.label) for pk, f in context.fields.items()],
        ]
        ops = sorted({op for kind_ops in FIELD_OPERATORS.values() for op in kind_ops})
        self.fields["custom_op"].choices = [  # type: ignore[attr-defined]
            (ANY, "—"),
            *[(op, OP_LABELS[op]) for op in ops],
        ]

    @property
    def is_filtered(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.rules()["groups"])

    def rules(self) -> dict[str, Any]:
        """The filters as a rules document (call after ``is_valid``)."""
        if self._rules is not None:
            return self._rules
        data = self.cleaned_data
        conditions: list[dict[str, Any]] = []

        def add(name: str, op: str, value: Any) -> None:
            conditions.append({"field": name, "op": op, "value": value})

        if data.get("interest"):
            add("interest", "any_of", data["interest"])
        if data.get("role"):
            add("role", "is", data["role"])
        if data.get("affiliation"):
            add("affiliation", "is", "" if data["affiliation"] == "none" else data["affiliation"])
        if data.get("trust_level") is not None:
            add("trust_level", "at_least", data["trust_level"])
        if data.get("joined_after"):
            add("joined", "after", data["joined_after"].isoformat())
        if data.get("joined_before"):
            add("joined", "before", data["joined_before"].isoformat())
        if data.get("engaged_within"):
            add("engaged_days", "within", data["engaged_within"])
        if data.get("min_events"):
            add(
                "engaged_events",
                "at_least",
                {"count": data["min_events"], "days": data.get("events_days") or 30},
            )
        if data.get("analytics"):
            add("analytics_consent", "is", data["analytics"] == "yes")
        if data.get("marketing"):
            add("marketing_consent", "is", data["marketing"] == "yes")
        if data.get("custom_field") and data.get("custom_op"):
            conditions.append(
                condition_from_row(
                    data["custom_field"],
                    data["custom_op"],
                    data.get("custom_value", ""),
                    data.get("custom_value2", ""),
                    self.context,
                )
            )
        rules: dict[str, Any] = {"match": "all", "groups": []}
        if conditions:
            rules["groups"] = [{"match": "all", "conditions": conditions}]
        self._rules = rules
        return rules

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        self.cleaned_data = cleaned
        try:
            self._rules = None
            self._rules = validate_rules(self.rules(), self.context)
        except RuleError as error:
            raise forms.ValidationError(error.message) from error
        return cleaned

    def params(self) -> dict[str, Any]:
        """The bound filters as query parameters (for pagination and export links)."""
        if not self.is_bound:
            return {}
        return {
            key: self.data.getlist(key) if hasattr(self.data, "getlist") else self.data[key]
            for key in self.fields
            if key in self.data and self.data.get(key) not in ("", None)
        }


# --- The segment builder ------------------------------------------------------------------


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Segment.Kind.choices,
        initial=Segment.Kind.DYNAMIC,
        widget=forms.RadioSelect,
        required=False,
    )
    match = forms.ChoiceField(
        label=_("Members match"), choices=MATCH_CHOICES, initial="all", required=False
    )


@dataclass
class Row:
    group: int
    index: int
    field: str = ""
    op: str = ""
    value: str = ""
    value2: str = ""
    error: str = ""

    @property
    def prefix(self) -> str:
        return f"g{self.group}-c{self.index}"

    @property
    def blank(self) -> bool:
        return not self.field


@dataclass
class Group:
    index: int
    match: str = "all"
    rows: list[Row] = field(default_factory=list)


@dataclass
class Builder:
    """The builder's groups and rows as typed, their rules, and their errors."""

    groups: list[Group]
    error: str = ""
    #: "add"/"remove" was pressed: show the builder again rather than save.
    edited: bool = False
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.error and not any(row.error for g in self.groups for row in g.rows)


def _bounded(raw: str | None, low: int, high: int, default: int) -> int:
    try:
        value = int(raw or default)
    except ValueError:
        return default
    return max(low, min(high, value))


def builder_from_rules(rules: dict[str, Any]) -> Builder:
    """The builder showing saved rules (plus one blank row per group to add another)."""
    groups = []
    for g_index, group in enumerate(rules.get("groups") or [], start=1):
        rows = []
        for c_index, condition in enumerate(group.get("conditions", []), start=1):
            value = condition.get("value")
            value2 = ""
            if isinstance(value, dict):
                value, value2 = value.get("count", ""), str(value.get("days", ""))
            elif isinstance(value, list) and condition.get("op") == "between":
                value, value2 = value[0], str(value[1])
            elif isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            elif value is None:
                value = ""
            elif condition["field"] == "role" and value in Role.values:
                value = Role(value).label
            elif condition["field"] == "affiliation" and value in Affiliation.values and value:
                value = Affiliation(value).label
            rows.append(
                Row(g_index, c_index, condition["field"], condition["op"], str(value), value2)
            )
        rows.append(Row(g_index, len(rows) + 1))
        groups.append(Group(g_index, group.get("match", "all"), rows))
    if not groups:
        groups = [Group(1, "all", [Row(1, 1)])]
    return Builder(groups=groups, rules=rules)


def builder_from_post(data: QueryDict, context: Context) -> Builder:
    """Read the builder's rows from a POST, apply "add"/"remove", type and check each row."""
    group_count = _bounded(data.get("groups"), 1, MAX_GROUPS, 1)
    groups = []
    for g in range(1, group_count + 1):
        row_count = _bounded(data.get(f"g{g}-rows"), 1, MAX_ROWS_PER_GROUP, 1)
        match = data.get(f"g{g}-match", "all")
        rows = [
            Row(
                g,
                c,
                (data.get(f"g{g}-c{c}-field") or "")[:40],
                (data.get(f"g{g}-c{c}-op") or "")[:20],
                (data.get(f"g{g}-c{c}-value") or "")[:200],
                (data.get(f"g{g}-c{c}-value2") or "")[:200],
            )
            for c in range(1, row_count + 1)
        ]
        groups.append(Group(g, match if match in ("all", "any") else "all", rows))
    builder = Builder(groups=groups)
    _apply_edit(builder, data)
    _renumber(builder)
    _check(builder, data.get("match", "all"), context)
    return builder


def _apply_edit(builder: Builder, data: QueryDict) -> None:
    add_row = data.get("add_row", "")
    remove_row = data.get("remove_row", "")
    if data.get("add_group") and len(builder.groups) < MAX_GROUPS:
        builder.groups.append(Group(len(builder.groups) + 1, "all", [Row(0, 1)]))
        builder.edited = True
    for group in builder.groups:
        if add_row == f"g{group.index}" and len(group.rows) < MAX_ROWS_PER_GROUP:
            group.rows.append(Row(group.index, len(group.rows) + 1))
            builder.edited = True
        if remove_row.startswith(f"g{group.index}-c"):
            group.rows = [row for row in group.rows if row.prefix != remove_row]
            builder.edited = True
    if data.get("remove_group"):
        builder.groups = [g for g in builder.groups if f"g{g.index}" != data["remove_group"]]
        builder.edited = True
    builder.groups = [g for g in builder.groups if g.rows] or [Group(1, "all", [Row(1, 1)])]


def _renumber(builder: Builder) -> None:
    for g_index, group in enumerate(builder.groups, start=1):
        group.index = g_index
        for c_index, row in enumerate(group.rows, start=1):
            row.group, row.index = g_index, c_index


def _check(builder: Builder, match: str, context: Context) -> None:
    groups = []
    total = 0
    for group in builder.groups:
        conditions = []
        for row in group.rows:
            if row.blank:
                continue
            condition = condition_from_row(row.field, row.op, row.value, row.value2, context)
            try:
                conditions.append(validate_condition(condition, context, ""))
            except RuleError as error:
                row.error = error.message
        total += len(conditions)
        if conditions:
            groups.append({"match": group.match, "conditions": conditions})
    builder.rules = {"match": match if match in ("all", "any") else "all", "groups": groups}
    if total > MAX_CONDITIONS:
        builder.error = str(_("At most %(n)d conditions in all.") % {"n": MAX_CONDITIONS})
        return
    if builder.is_valid:
        try:
            builder.rules = validate_rules(builder.rules, context)
        except RuleError as error:
            builder.error = str(error)


def field_options(context: Context) -> list[tuple[str, StrOrPromise]]:
    """The builder's "field" menu: the built-in ones, then the community's questions."""
    return [
        *[(name, FIELD_LABELS[name]) for name in OPERATORS],
        *[(f"field:{pk}", f.label) for pk, f in context.fields.items()],
    ]


def op_options() -> list[tuple[str, StrOrPromise]]:
    return list(OP_LABELS.items())
