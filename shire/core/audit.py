"""One function to write the audit log, so every app records decisions the same way."""
from .models import AuditEvent


def record(actor, action, obj, **detail):
    """Record that `actor` did `action` to `obj`. `detail` must hold no personal data."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail,
    )
