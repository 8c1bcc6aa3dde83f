"""One error shape for the API: field-level messages, never a 500 for bad input.

Services raise Django's ValidationError with field names; DRF raises its own. Both come
out as {"field": ["message", ...]} with status 400.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def validation_error_detail(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: [m for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, (ValueError, TypeError)) and getattr(exc, "field", None):
        exc = exceptions.ValidationError({exc.field: [str(exc)]})
    return drf_exception_handler(exc, context)
