"""/api/dialogues: the same access rules and actions as the pages."""

from ninja import Router

router = Router(tags=["dialogues"])
