"""`deckgen serve`: click options for the web page and HTTP API server."""
from __future__ import annotations

import click

from deckgen.cli import main
from deckgen.config import project_config
from deckgen.errors import ConfigError
from deckgen.serve.settings import DEFAULT_HOST, DEFAULT_PORT, ServeSettings, project_tokens

SERVE_EXTRA_HINT = "install it with: pip install 'deckgen[serve]'"


@main.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on; anything but loopback requires API tokens.")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True, help="Build processes.")
@click.option("--queue", type=click.IntRange(1), default=32, show_default=True,
              help="Builds that may wait for a worker; more get 503 with Retry-After.")
@click.option("--build-timeout", type=click.FloatRange(1), default=120, show_default=True,
              help="Seconds a request waits for its build or PDF.")
@click.option("--max-upload", type=click.IntRange(1), default=5, show_default=True, help="Largest logo upload, MiB.")
@click.option("--no-reload", is_flag=True, help="Do not watch the library and recipes for changes.")
@click.option("--no-thumbnails", is_flag=True, help="Do not render slide thumbnails (no LibreOffice needed).")
@click.option("--library", type=click.Path(file_okay=False), help="Slide library folder (default: from deckgen.yaml).")
@click.option("--recipes", type=click.Path(file_okay=False), help="Recipes folder (default: from deckgen.yaml).")
def serve(host, port, workers, queue, build_timeout, max_upload, no_reload, no_thumbnails, library, recipes):
    """Serve the project's decks to a web page and an HTTP API (OpenAPI at /openapi.json).

    Builds run warm in a pool of worker processes; decks and their manifest go to OUTPUT/serve.
    Tokens come from 'serve: tokens:' in deckgen.yaml and DECKGEN_SERVE_TOKENS (NAME=TOKEN,...).
    """
    try:
        from deckgen.serve.app import run
    except ImportError as exc:
        raise ConfigError(f"deckgen serve needs FastAPI and uvicorn ({exc.name} is missing)",
                          hint=SERVE_EXTRA_HINT) from None
    config = project_config(library=library, recipes=recipes)
    settings = ServeSettings(config=config, host=host, port=port, workers=workers, queue=queue,
                             build_timeout=build_timeout, max_upload=max_upload * 1024 * 1024,
                             reload=not no_reload, thumbnails=not no_thumbnails, tokens=project_tokens(config))
    settings.check()
    click.echo(f"deckgen serve: http://{host if ':' not in host else f'[{host}]'}:{port}/ "
               f"({'API tokens required' if settings.requires_login else 'loopback, no login'}; "
               f"decks go to {settings.output})", err=True)
    run(settings)
