"""The app as the benchmark serves it, plus a trivial route that measures the ceiling."""

from helpdesk import create_app

app = create_app()


@app.route("/_bench/trivial")
def trivial():
    return "ok"
