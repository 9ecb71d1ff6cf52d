"""JSON API: the children missing now, and one missing episode with its timeline, for the
police's and social care's own systems (events go in by `POST /api/v1/events`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.children.service import may_see_person
from safeguard.duties.schemas import DutyOut, duties_out
from safeguard.duties.service import may_see
from safeguard.errors import NotFound
from safeguard.missing.models import MissingEpisode
from safeguard.missing.views import episode_view, missing_now, require_live_list
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["missing"])


class EpisodeOut(BaseModel):
    id: int
    reference: str
    person_id: int
    child: str
    missing_from: str
    risk: str
    exploitation_indicators: list[str]
    last_seen_at: datetime
    reported_at: datetime
    returned_at: datetime | None
    hours_missing: float
    placing_authority_code: str | None
    interview_outcome: str | None
    interview_independent: bool | None


class EntryOut(BaseModel):
    kind: str
    at: datetime
    risk: str | None
    indicators: list[str] | None
    note: str | None
    by: str | None


class EpisodeDetailOut(EpisodeOut):
    timeline: list[EntryOut]
    duties: list[DutyOut]


def _episode(episode: MissingEpisode, child: str, now: datetime) -> EpisodeOut:
    return EpisodeOut(
        id=episode.id, reference=episode.reference, person_id=episode.person_id, child=child,
        missing_from=episode.missing_from, risk=episode.risk,
        exploitation_indicators=list(episode.exploitation_indicators),
        last_seen_at=episode.last_seen_at, reported_at=episode.reported_at,
        returned_at=episode.returned_at,
        hours_missing=round(((episode.returned_at or now) - episode.last_seen_at)
                            .total_seconds() / 3600, 1),
        placing_authority_code=episode.placing_authority_code,
        interview_outcome=episode.interview_outcome,
        interview_independent=episode.interview_independent)


@router.get("/missing", response_model=list[EpisodeOut])
def api_missing_now(session: SessionDep, principal: PrincipalDep, now: NowDep
                    ) -> list[EpisodeOut]:
    """The children missing now, highest risk first, then longest missing (police and
    children's social care)."""
    require_live_list(principal)
    rows = missing_now(session, now=now)
    record_many(session, principal=principal, action="read", entity="person",
                person_ids=sorted({r.episode.person_id for r in rows}),
                why="read the children missing now (API)")
    return [_episode(r.episode, r.name, now) for r in rows]


@router.get("/missing/{episode_id}", response_model=EpisodeDetailOut,
            responses={404: {"description": "no such episode, or none the agency may see"}})
def api_episode(episode_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
                ) -> EpisodeDetailOut:
    """One episode: what is known, its timeline, and the duties the agency takes part in."""
    view = episode_view(session, episode_id=episode_id)
    if not may_see_person(session, principal=principal, person_id=view.person.id, now=now):
        raise NotFound(f"missing episode {episode_id} not found")
    audit(session, principal=principal, action="read", entity="missing_episode",
          entity_id=episode_id, person_id=view.person.id, why="read the missing episode (API)")
    summary = _episode(view.episode, view.name, now)
    return EpisodeDetailOut(
        **summary.model_dump(),
        timeline=[EntryOut(kind=e.kind, at=e.at, risk=e.risk, indicators=e.indicators,
                           note=e.note, by=e.by) for e in view.entries],
        duties=duties_out(session, [d for d in view.duties if may_see(principal, d)],
                          now=now))
