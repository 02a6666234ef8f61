"""What every tracker admin form adds to its model form: saves made on the version the editor
loaded, the rule messages with their ids, warnings confirmed by a check box, and the reason of a
change kept in the history.

- A form of a versioned row (projects.models.Versioned) carries the version it was loaded at in
  a hidden `loaded_version` field. A save made on a version that someone else has since replaced is
  refused with STALE_MESSAGE and nothing is written; the row's own conditional UPDATE catches
  the (rare) save that lands between this check and the save.
- The rules of projects.rules run in Model.clean(). Each message is shown with its rule id
  (“[outlier] …”). A warning blocks the save until the editor ticks “确认以上警告并保存”.
- “变更原因” (optional, required by a rule where a target changes) becomes the history's
  change reason (obj._change_reason) of every row the page saves.

A page is one main form and its inline rows: the inline rows take the page's reason and
confirmation from the main form's fields, which arrive unprefixed in the same POST.
"""

from __future__ import annotations

import functools

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import Model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import rules
from ..models import STALE_MESSAGE, Versioned
from ..rules import RULES

VERSION_FIELD = "loaded_version"  # not "version": the model field is not editable in forms
REASON_FIELD = "change_reason"
CONFIRM_FIELD = "confirm_warnings"
PAGE_FIELDS = (REASON_FIELD, CONFIRM_FIELD, VERSION_FIELD)  # in the order the form shows them

STALE_CODE = "stale"
CONFIRM_LABEL = _("确认以上警告并保存")
WARNINGS_NOTE = _("以下数据触发了警告。核对无误后,请勾选页面底部的“确认以上警告并保存”,再次保存")
REASON_HELP = _("修改年度目标、计划等数据时须填写;原因记入每条记录的变更记录")

CHECKED_MODELS = frozenset(name for rule in RULES.values() for name in rule.fields)


def is_checked(model: type[Model]) -> bool:
    """Rules of projects.rules check rows of `model` when they are saved."""
    return model.__name__ in CHECKED_MODELS


def rule_message(code: str | None, text: str) -> tuple[str, bool]:
    """The message as the form shows it, with its rule id, and whether it is a mere warning."""
    rule = RULES.get(code or "")
    if rule is None:
        return text, False
    if rule.is_error:
        return f"[{rule.id}] {text}", False
    return gettext("[{rule}] 警告:{message}").format(rule=rule.id, message=text), True


class VersionField(forms.IntegerField):
    """The version the editor loaded. Never a change of its own: an inline row left untouched is
    not saved, whatever its version."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: object) -> None:
        super().__init__(label=_("载入时的版本"), **kwargs)  # type: ignore[arg-type]

    def has_changed(self, initial: object, data: object) -> bool:
        return False


class TrackedFormMixin:
    """The page behaviour of a tracker admin form; `tracked_form` mixes it into a model form."""

    inline = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.stale = False
        self.stored_version: int | None = None
        if isinstance(self.instance, Versioned) and self.instance.pk is not None:
            self.stored_version = self.instance.version
            self.initial[VERSION_FIELD] = self.instance.version

    # -- the page's reason and confirmation ---------------------------------------------------

    @property
    def change_reason(self) -> str:
        return str(self.data.get(REASON_FIELD) or "").strip() if self.is_bound else ""

    @property
    def warnings_confirmed(self) -> bool:
        if not self.is_bound:
            return False
        return bool(forms.BooleanField().to_python(self.data.get(CONFIRM_FIELD)))

    def offer_confirmation(self) -> None:
        """Show the check box that confirms the page's warnings."""
        if CONFIRM_FIELD in self.fields and self.fields[CONFIRM_FIELD].widget.is_hidden:
            self.fields[CONFIRM_FIELD].widget = forms.CheckboxInput()
            self.add_error(None, ValidationError(WARNINGS_NOTE, code="warnings"))

    # -- validation ---------------------------------------------------------------------------

    def clean(self) -> dict:
        cleaned = super().clean()
        posted = cleaned.get(VERSION_FIELD)
        # An inline row is saved only when changed; the page's own row is saved every time.
        checked = self.stored_version is not None and (not self.inline or self.has_changed())
        if checked and posted is not None:
            if posted != self.stored_version:
                self.stale = True
                raise ValidationError(STALE_MESSAGE, code=STALE_CODE)
            self.instance.version = posted
        return cleaned

    def _post_clean(self) -> None:
        if self.stale:
            return  # the rules would judge a copy that is no longer the record
        if reason := self.change_reason:
            self.instance._change_reason = reason
        with rules.enforced(self.instance, confirmed=self.warnings_confirmed):
            super()._post_clean()

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's errors with their rule ids; an error of a field the form does not show
        goes to the top of the form, named."""
        error_dict = (
            errors.error_dict if hasattr(errors, "error_dict") else {NON_FIELD_ERRORS: errors.error_list}
        )
        shown: dict[str, list[ValidationError]] = {}
        for field, field_errors in error_dict.items():
            target = field if field == NON_FIELD_ERRORS or field in self.fields else NON_FIELD_ERRORS
            for error in field_errors:
                # A rule's message is formatted already: no %-formatting of what it quotes.
                text = error.message if error.code in RULES else " ".join(error)
                text, is_warning = rule_message(error.code, text)
                if is_warning:
                    self.warnings.append(text)
                if target != field:
                    text = f"{self._label(field)}:{text}"
                shown.setdefault(target, []).append(ValidationError(text, code=error.code))
        super()._update_errors(ValidationError(shown))
        if self.warnings:
            self.offer_confirmation()

    def _label(self, field: str) -> str:
        try:
            return str(self.instance._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            return field


@functools.cache
def tracked_form(
    form_class: type[forms.ModelForm],
    model: type[Model],
    *,
    inline: bool = False,
    page_models: tuple[type[Model], ...] = (),
) -> type[forms.ModelForm]:
    """`form_class` with the tracker's page behaviour. A main form (inline=False) also gets the
    page's reason (when a row of `model` or of `page_models`, its inlines, is versioned) and the
    warnings' check box (when the rules check any of them). One class per arguments: an inline is
    built on every request, and its form class is made once, not once a request."""
    if issubclass(form_class, TrackedFormMixin):
        return form_class
    attrs: dict[str, object] = {"inline": inline, "__module__": form_class.__module__}
    if issubclass(model, Versioned):
        attrs[VERSION_FIELD] = VersionField(required=False)
    if not inline:
        models = (model, *page_models)
        if any(issubclass(m, Versioned) for m in models):
            attrs[REASON_FIELD] = forms.CharField(
                label=_("变更原因"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                help_text=REASON_HELP,
            )
        if any(is_checked(m) for m in models):
            attrs[CONFIRM_FIELD] = forms.BooleanField(
                label=CONFIRM_LABEL, required=False, widget=forms.HiddenInput
            )
    return type(form_class)(form_class.__name__, (TrackedFormMixin, form_class), attrs)
