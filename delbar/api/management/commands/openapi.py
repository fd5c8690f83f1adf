import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from delbar.api.urls import api

COMMITTED = Path(settings.REPO_DIR) / "docs" / "openapi.json"


def openapi_text() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the API's OpenAPI document to docs/openapi.json (a test fails when the two drift apart)."

    def handle(self, *args, **options):
        COMMITTED.write_text(openapi_text(), encoding="utf-8")
        self.stdout.write(f"wrote {COMMITTED}")
