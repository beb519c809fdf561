"""GET /healthz for load balancers: ok or degraded with a one-word reason, and the revision served."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify

from bot.runtime import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Status for load balancers: ok, or degraded with a one-word reason; the revision served."""
    live = runtime(current_app).live
    try:
        snapshot = live.snapshot
    except Exception:
        return jsonify(status="down", reason="no_library", revision=None, digest=None), 503
    health = live.current_health()
    body = {"status": health.status, "revision": snapshot.revision_id, "digest": snapshot.digest}
    if health.reason:
        body["reason"] = health.reason
    purge = runtime(current_app).purge
    if purge is not None:  # bot.purge: the last sweep of Twilio's message records
        body["purge"] = purge.status()
    return jsonify(body), 200


def init_app(app: Flask) -> None:
    """Register /healthz."""
    app.register_blueprint(bp)
