"""The audit log: `record()` is called by every action that changes something worth tracing."""


def record(*, actor, action: str, obj, **data) -> None:
    from delbar.audit.models import AuditEvent

    AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        data=data,
    )
