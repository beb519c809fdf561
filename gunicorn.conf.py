"""Production settings for `gunicorn -c gunicorn.conf.py wsgi:app`; logs that cannot leak a message."""

import os

import gunicorn.arbiter
import gunicorn.http.wsgi

# Where to listen. BIND wins (e.g. 0.0.0.0:8000 or unix:/run/bot.sock); PORT alone keeps the
# loopback interface, since a TLS-terminating proxy in front is expected.
bind = [os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"]

workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
# Threads let a worker keep answering while one client is slow to send or read.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# Twilio gives up on a webhook after 15 s; a reply takes milliseconds, so 30 s is only for stuck workers.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Each worker loads the app itself, so its database connections and reload thread are its own.
preload_app = False
# No control socket: one less way in, and several instances on one host cannot collide on it.
control_socket_disable = True

# Request size limits far above what Twilio sends, below what could exhaust memory.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# Access log: time, method, path (PATH_INFO: never the query string), status, duration.
# No %(r)s (request line with query), %(q)s, %(h)s (the peer is Twilio or the proxy), %(f)s,
# %(a)s or any header: none of them is needed to run the bot, and some could carry a number.
accesslog = os.environ.get("ACCESS_LOG") or "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(L)s'
errorlog = "-"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()
capture_output = False

# Gunicorn 27 sends "Server: gunicorn" (no version) but puts "gunicorn/<version>" in each request's
# SERVER_SOFTWARE and in the environment; the version helps nobody but an attacker.
gunicorn.http.wsgi.SERVER_SOFTWARE = gunicorn.http.wsgi.SERVER
gunicorn.arbiter.SERVER_SOFTWARE = gunicorn.http.wsgi.SERVER


def on_starting(server):
    """Refuse to start, in one line, with settings no server may run with (e.g. a token without
    SECRET_KEY); each worker would otherwise fail to load the app with a traceback."""
    from bot.settings import Settings

    try:
        refusal = Settings.from_env().refusal_to_serve()
    except Exception:  # an unusable setting: the workers report it when they load the app
        return
    if refusal:
        raise SystemExit(f"Error: {refusal}")


def when_ready(server):
    """Say once, in the master, what a server must say at start (each worker loads the app)."""
    from bot.settings import Settings

    try:
        warnings = Settings.from_env().start_warnings()
    except Exception:  # an unusable setting: the workers report it when they load the app
        return
    for warning in warnings:
        server.log.warning(warning)


def post_worker_init(worker):
    """Load the live library and start the reload thread before this worker takes a request."""
    import threading

    from bot import runtime

    # Loading trains the library's reader (seconds, more on a loaded machine); the arbiter kills a
    # worker silent for `timeout` seconds, booting or not, so the worker says it is alive meanwhile.
    loaded = threading.Event()

    def heartbeat() -> None:
        while not loaded.wait(1.0):
            worker.notify()

    beating = threading.Thread(target=heartbeat, name="boot-heartbeat", daemon=True)
    beating.start()
    try:
        runtime(worker.wsgi).start_worker()  # the reload thread, and the purge's sweeper if on
    except Exception as exc:  # the worker still answers, with the fallback reply
        worker.log.error("library not loaded at worker start (%s)", type(exc).__name__)
    finally:
        loaded.set()
        beating.join()


def worker_exit(server, worker):
    """Write the worker's pending daily counts before it goes."""
    from bot import runtime

    try:
        runtime(worker.wsgi).live.stop()
    except Exception as exc:
        server.log.warning("daily counts not flushed at worker exit (%s)", type(exc).__name__)
