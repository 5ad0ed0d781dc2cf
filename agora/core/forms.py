from __future__ import annotations

from django import forms

from agora.core.errors import Conflict, ValidationError, error_message


def apply_service_errors(form: forms.Form, exc: ValidationError | Conflict) -> None:
    """Shows a service's refusal on the form: on its field when it names one."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_message(exc))
