"""The WSGI server bench_grants runs the site with: a fixed pool of long-lived worker threads, the way
gunicorn's threaded worker serves a Django site in production.

    .venv/bin/python -m bench.grants_server --port 8123 --threads 8     (loopback only)

Why not `shire runserver`: Django's development server starts a new thread for every request, and
with CONN_MAX_AGE > 0 (Shire's settings keep connections 60 s) each thread's database connection is
left open when the thread ends, until the garbage collector finds it. Under a surge of concurrent
requests that exhausts PostgreSQL's connection slots ("remaining connection slots are reserved")
and requests fail with 500. Worker threads that live as long as the server reuse their connection,
as Django intends, so the server holds at most --threads connections.
"""
import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    if not 1 <= args.threads <= 64:
        sys.exit("--threads must be 1 to 64")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shire.settings")
    import django

    django.setup()
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application

    class PooledWSGIServer(WSGIServer):
        request_queue_size = 256  # the listen backlog: a surge waits in the queue rather than being refused

        def __init__(self, *server_args, threads, **kwargs):
            super().__init__(*server_args, **kwargs)
            self.pool = ThreadPoolExecutor(threads, thread_name_prefix="wsgi-worker")

        def process_request(self, request, client_address):
            self.pool.submit(self.work, request, client_address)

        def work(self, request, client_address):
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 - as socketserver does: report and go on serving
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    server = PooledWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler, threads=args.threads)
    server.set_app(get_wsgi_application())
    print(f"serving on 127.0.0.1:{args.port} with {args.threads} worker threads", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.pool.shutdown(wait=False, cancel_futures=True)


if __name__ == "__main__":
    main()
