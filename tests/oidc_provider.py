"""A real OpenID provider for tests: devtools/oidc-provider/server.mjs (panva's oidc-provider) playing
ID-porten and Ansattporten, run as a node process on a free port.

Use the session fixture `oidc_provider` in a test module by importing it:

    from tests.oidc_provider import oidc_provider_fixture  # noqa: F401

    def test_login(oidc_provider):
        oidc_provider.idporten_issuer  # http://127.0.0.1:<port>/idporten

The provider accepts any redirect URI on 127.0.0.1/localhost for its two clients, so a relying party on a
port only known at run time (pytest-django's live_server) can use it as it is. For a provider that
accepts only given redirect URIs, use `run_oidc_provider(redirect_uris=[...], strict_redirect_uris=True)`.
"""

import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SERVER = REPO / "devtools" / "oidc-provider" / "server.mjs"
READY_TIMEOUT = 30  # seconds for node to start and print "ready <base-url>"
DEFAULT_REDIRECT_URIS = (
    "http://127.0.0.1:8000/accounts/oidc/idporten/callback/",
    "http://127.0.0.1:8000/accounts/oidc/ansattporten/callback/",
)
IDPORTEN_CLIENT_ID = "delbar-idporten"
ANSATTPORTEN_CLIENT_ID = "delbar-ansattporten"
IDPORTEN_CLIENT_SECRET = "test-secret-idporten"
ANSATTPORTEN_CLIENT_SECRET = "test-secret-ansattporten"


@dataclass(frozen=True)
class OidcProvider:
    base_url: str
    redirect_uris: tuple[str, ...]
    idporten_client_id: str = IDPORTEN_CLIENT_ID
    idporten_client_secret: str = IDPORTEN_CLIENT_SECRET
    ansattporten_client_id: str = ANSATTPORTEN_CLIENT_ID
    ansattporten_client_secret: str = ANSATTPORTEN_CLIENT_SECRET

    @property
    def idporten_issuer(self) -> str:
        return f"{self.base_url}/idporten"

    @property
    def ansattporten_issuer(self) -> str:
        return f"{self.base_url}/ansattporten"

    def issuer(self, kind: str) -> str:
        return {"idporten": self.idporten_issuer, "ansattporten": self.ansattporten_issuer}[kind]

    def client(self, kind: str) -> tuple[str, str]:
        """(client_id, client_secret) of Delbar's client at "idporten" or "ansattporten"."""
        return {
            "idporten": (self.idporten_client_id, self.idporten_client_secret),
            "ansattporten": (self.ansattporten_client_id, self.ansattporten_client_secret),
        }[kind]


def _stderr_of(log) -> str:
    log.seek(0)
    return log.read().decode("utf-8", "replace").strip() or "(nothing on stderr)"


@contextmanager
def run_oidc_provider(
    redirect_uris: Sequence[str] = DEFAULT_REDIRECT_URIS, strict_redirect_uris: bool = False
) -> Iterator[OidcProvider]:
    """Starts the provider on a free port, waits for its ready line and stops it afterwards."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("The OpenID provider needs Node.js (node) on PATH.")
    if not (REPO / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node_modules/oidc-provider is missing: run ./dev setup (npm ci) first.")
    env = {
        **os.environ,
        "OIDC_HOST": "127.0.0.1",
        "OIDC_PORT": "0",  # the provider picks a free port and reports it in its ready line
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_STRICT_REDIRECT_URIS": "1" if strict_redirect_uris else "0",
        "OIDC_IDPORTEN_CLIENT_SECRET": IDPORTEN_CLIENT_SECRET,
        "OIDC_ANSATTPORTEN_CLIENT_SECRET": ANSATTPORTEN_CLIENT_SECRET,
    }
    env.pop("OIDC_BASE_URL", None)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [node, str(SERVER)], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=log,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def read_stdout():
            # Reads stdout to its end, so the provider can never block on a full pipe.
            for raw in process.stdout:
                lines.put(raw.decode("utf-8", "replace").strip())
            lines.put(None)

        threading.Thread(target=read_stdout, daemon=True).start()
        try:
            base_url = None
            while base_url is None:
                try:
                    line = lines.get(timeout=READY_TIMEOUT)
                except queue.Empty:
                    pytest.fail(f"The OpenID provider printed no ready line in {READY_TIMEOUT} s:\n{_stderr_of(log)}")
                if line is None:
                    code = process.wait()
                    pytest.fail(f"The OpenID provider exited ({code}) before it was ready:\n{_stderr_of(log)}")
                if line.startswith("ready "):
                    base_url = line.removeprefix("ready ").rstrip("/")
            yield OidcProvider(base_url=base_url, redirect_uris=tuple(redirect_uris))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture() -> Iterator[OidcProvider]:
    """One provider for the test session (each xdist worker has its own)."""
    with run_oidc_provider() as provider:
        yield provider
