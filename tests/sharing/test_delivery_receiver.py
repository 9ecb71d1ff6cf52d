"""A partner's system on loopback, as the delivery tests (and the crash test) use it: it checks
every signature, drops repeats by Idempotency-Key, and records when each share arrived.
Also the incidents those tests record: each with a child at one school, so each makes two
shares (children's social care, and the school's Operation Encompass notice)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.db import transaction, utcnow
from safeguard.duties.models import Duty
from safeguard.duties.service import create_duties
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.rules.drafts import DutyDraft
from safeguard.sharing.service import create_shares
from safeguard.sharing.webhooks import (
    ID_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    canonical_json,
    signed_headers,
    verify,
)

from ..factories import incident_lines

ENCOMPASS_NOTICE = "encompass_notice"
SHARE_WITH_CSC = "share_with_csc"

SCHOOL_AGENCY = "school-121234"
CSC = "childrens_social_care"


def make_shares(factory: sessionmaker[Session], ctx: IntakeContext, count: int) -> None:
    """`count` shares, half to social care and half to the school, through the same services as
    an incident's (create_duties, then create_shares, which queues the deliveries) but without
    an incident each: the crash test needs thousands, quickly. One real incident provides the
    child and the event; a rule name per share keeps the duties distinct."""
    record_incidents(factory, ctx, 1, start=900_000)
    with transaction(factory) as session:
        event_id, person_id = session.execute(
            select(Duty.event_id, Duty.subject_person_id).limit(1)).one()
    now = utcnow()
    for first in range(0, count, 250):
        drafts = [DutyDraft(
            kind=SHARE_WITH_CSC if n % 2 == 0 else ENCOMPASS_NOTICE, owner_agency_id="police",
            partner_agency_id=CSC if n % 2 == 0 else SCHOOL_AGENCY,
            subject_person_id=person_id, due_at=now + timedelta(days=1),
            reason="crash test share", rule_name=f"crash-test-{n}", rule_version="1",
            share_content={"child_name": "Amy Smith", "n": n})
            for n in range(first, min(first + 250, count))]
        with transaction(factory) as session:
            created = create_duties(session, drafts=drafts, event_id=event_id, now=now,
                                    actor="system:test")
            create_shares(session, created=created, now=now, ctx=ctx, actor="system:test")


def record_incidents(factory: sessionmaker[Session], ctx: IntakeContext, count: int,
                     *, start: int = 0) -> None:
    summary = import_lines(factory, incident_lines(count, start=start), principal=SYSTEM,
                           ctx=ctx)
    assert summary.rejects == [], summary.rejects[:3]


@dataclass
class Receiver:
    """Endpoints are /hooks/<agency>; each agency's secret goes in `secrets` once set."""

    secrets: dict[str, str] = field(default_factory=dict)
    status: int = 200  # what to answer to valid requests (500 plays a broken partner)
    delay: float = 0.0  # seconds each request takes, as a real partner system's would
    requests: list[tuple[str, int]] = field(default_factory=list)  # (key, status answered)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # first copy per key
    processed: Counter[str] = field(default_factory=Counter)  # acted on, after dedupe
    arrived: dict[str, float] = field(default_factory=dict)  # time.time() of first arrival
    bad_signatures: int = 0
    truncated: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, agency: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{agency}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                agency = self.path.rsplit("/", 1)[-1]
                if len(body) < length:  # the sender died mid-request
                    receiver.truncated += 1
                    return
                status = receiver.receive(agency, body, dict(self.headers.items()))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a sender killed mid-request resets its connection: expected here

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def receive(self, agency: str, body: bytes, headers: dict[str, str]) -> int:
        if self.delay:
            time.sleep(self.delay)
        headers = {name.lower(): value for name, value in headers.items()}
        key = headers.get(IDEMPOTENCY_HEADER.lower(), "")
        secret = self.secrets.get(agency, "")
        with self.lock:
            # Standard Webhooks: the message id (the share's idempotency key) is signed too.
            if key != headers.get(ID_HEADER) or not verify(
                    secret, body, msg_id=headers.get(ID_HEADER),
                    timestamp=headers.get(TIMESTAMP_HEADER),
                    signature=headers.get(SIGNATURE_HEADER), now=time.time()):
                self.bad_signatures += 1
                self.requests.append((key, 401))
                return 401
            self.requests.append((key, self.status))
            if self.status >= 300:
                return self.status
            if key not in self.documents:  # a repeat is acknowledged but not acted on again
                self.documents[key] = json.loads(body)
                self.processed[key] += 1
                self.arrived[key] = time.time()
            return 200


def test_the_receiver_acts_on_a_repeated_share_once() -> None:
    receiver = Receiver(secrets={"csc": "s3cret"}).start()
    try:
        body = canonical_json({"share_id": 1, "idempotency_key": "share-1-1"})
        for _ in range(3):
            headers = signed_headers("s3cret", body, timestamp=int(time.time()),
                                     msg_id="share-1-1")
            assert httpx.post(receiver.url("csc"), content=body, headers=headers
                              ).status_code == 200
        forged = signed_headers("wrong", body, timestamp=int(time.time()),
                                msg_id="share-1-1")
        assert httpx.post(receiver.url("csc"), content=body, headers=forged).status_code == 401
    finally:
        receiver.stop()
    assert receiver.processed == Counter({"share-1-1": 1})
    assert len(receiver.requests) == 4 and receiver.bad_signatures == 1
