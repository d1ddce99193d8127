"""Live preview: the HTML book, rebuilt and reloaded in the browser on every save.

    python -m handbook.serve [--port 8000] [--host 127.0.0.1] [--build-dir _build] [--no-downloads]

``make serve`` runs this. The preview is the build: every rebuild does what
``python -m handbook.build html`` does, and says problems the same way.

* The same checks first (``handbook/preflight.py``, the chapter list), the
  figures drawn again from ``book/_data/drugs.yaml``, then Sphinx with the
  same arguments (``sphinx_arguments``: strict, ``-n -W --keep-going``).
* Each problem is printed once as ``book/FILE.md:LINE: plain words``
  (``handbook/editor_messages.py``). After a failed rebuild the browser keeps
  the last good pages: Sphinx writes into ``<build>/.preview/html`` and only
  a good rebuild is copied into ``<build>/preview``, the folder served.
* Adding, removing or retitling a page, or editing a table of contents,
  reads and writes every page again (so every sidebar shows it), and so
  does an edit to an extension (``handbook/ext/``, the data modules, the
  pinned packages): as ``build.py`` decides it, with its stamps.
* Downloads (``/downloads/``): the book and chapter PDFs, the EPUB and the
  checklist are served from the last good ``build.py`` outputs in
  ``<build>/`` (the files ``build.py`` copies into a built site), and built
  again in the background once the sources have been left alone for
  ``--downloads-after`` seconds (niced, stopped by the next save). Until a
  file exists the link answers "503, being built", never 404.

Why it is quick: Sphinx stays warm (``handbook/warm_sphinx.py``). A worker
process imports Sphinx, the theme and the extensions once, keeps the Sphinx
application and its environment in memory, and rebuilds in place; its
garbage collector is set as ``handbook/run_sphinx.py`` sets it, and collects
between rebuilds, not during them. Sphinx writes the edited pages first,
and the browsers show them as soon as they are written (through a WebSocket
and a small script added to every page; nothing is loaded from elsewhere),
while Sphinx still writes the other pages, the indexes, the search index
and the sitemap; should that still fail, the page goes back to the last
good one. An open page puts the new article in place without loading
again; a change to images or stylesheets loads it again. A change that an
in-memory environment cannot take (code, ``conf.py``, templates, static
files, the bibliography, the book's structure) starts a fresh worker; a
spare one, started once the sources are left alone, has already imported
everything.
``measure_preview_latency`` times save to browser (``handbook/bench.py``'s
"preview_edit").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handbook.settings import SettingsError, from_environment
from handbook.warm_sphinx import BOOK_DIR, ROOT, PreviewLayout, Worker

#: Changes a warm Sphinx takes in place: pages, figures and the drug data
#: (the drug tables note it as a dependency; the figures are drawn from it).
WARM_SUFFIXES = {".md", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
WARM_DATA = {"drugs.yaml", "class_rules.yaml"}
#: Seconds without a save before the spare worker is started (Preview.keep_a_spare).
SPARE_AFTER = 5.0
#: Editors' temporary and backup files: never a reason to rebuild.
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", ".pyc", ".orig")
#: The script every served page gets. "reload": load the page again.
#: "update" (the edited pages are written): fetch the page and put its new
#: article and "on this page" list in place of the old ones, which is
#: quicker than a reload and keeps the reader's scroll position; a reload
#: instead when the page's stylesheets or scripts changed, or it fails.
RELOAD_PATH = "/_preview/reload"
UPDATED_PARTS = ("article.bd-article", ".bd-sidebar-secondary")
RELOAD_SCRIPT = (
    "<script>(() => { const socket = new WebSocket(`ws://${location.host}" + RELOAD_PATH + "`);"
    " const assets = (doc) => [...doc.querySelectorAll('link[rel=stylesheet], script[src]')]"
    ".map((e) => e.getAttribute('href') || e.getAttribute('src')).join(' ');"
    " const update = async () => { const answer = await fetch(location.href, {cache: 'no-store'});"
    " if (!answer.ok) throw new Error(answer.status);"
    " const next = new DOMParser().parseFromString(await answer.text(), 'text/html');"
    " if (assets(next) !== assets(document)) throw new Error('other assets');"
    f" for (const part of {list(UPDATED_PARTS)!r}) {{ const here = document.querySelector(part), there = next.querySelector(part);"
    " if (!here !== !there) throw new Error(part); if (here) here.replaceWith(document.importNode(there, true)); }"
    " document.title = next.title; };"
    ' socket.onmessage = (event) => { if (event.data === "reload") location.reload();'
    ' else if (event.data === "update") update().catch(() => location.reload()); };'
    " window.handbookPreview = socket; })();</script>"
)


def log(message: str) -> None:
    print(f"[serve] {message}", flush=True)


# -- publishing the last good build ------------------------------------------------


@dataclass
class Publisher:
    """Copies a good build into the served folder, only the files that changed.

    Sphinx rewrites its output files in place, so the served folder is a
    copy, not hard links: a failed rebuild leaves it as it was.
    """

    source: Path
    target: Path
    copied: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (size, mtime) at copy

    def publish(self) -> list[str]:
        """Copy what changed since the last publish, remove what is gone; the paths copied."""
        if not self.copied:  # the first: nothing served is known to be current
            shutil.rmtree(self.target, ignore_errors=True)
        seen: dict[str, tuple[int, int]] = {}
        changed = []
        for folder, _, files in os.walk(self.source):
            for name in files:
                path = Path(folder, name)
                relative = path.relative_to(self.source).as_posix()
                stat = path.stat()
                seen[relative] = (stat.st_size, stat.st_mtime_ns)
                if self.copied.get(relative) != seen[relative]:
                    target = self.target / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    staging = target.with_name(f".{target.name}.new")
                    shutil.copy2(path, staging)
                    staging.replace(target)
                    changed.append(relative)
        for relative in self.copied.keys() - seen.keys():
            (self.target / relative).unlink(missing_ok=True)
        self.copied = seen
        return changed

    def publish_early(self, pages: list[str]) -> dict[str, bytes | None]:
        """Publish these pages now; what they were, for take_back."""
        before = {}
        for relative in pages:
            source, target = self.source / relative, self.target / relative
            before[relative] = target.read_bytes() if target.is_file() else None
            staging = target.with_name(f".{target.name}.new")
            shutil.copy2(source, staging)
            staging.replace(target)
            stat = source.stat()
            self.copied[relative] = (stat.st_size, stat.st_mtime_ns)
        return before

    def take_back(self, before: dict[str, bytes | None]) -> None:
        """The pages publish_early published, as they were (the build failed after all)."""
        for relative, content in before.items():
            target = self.target / relative
            if content is None:
                target.unlink(missing_ok=True)
            else:
                staging = target.with_name(f".{target.name}.new")
                staging.write_bytes(content)
                staging.replace(target)
            self.copied.pop(relative, None)  # published again by the next good build


# -- the server --------------------------------------------------------------------------


def download_files(build_dir: Path) -> dict[str, Path]:
    """Site path under downloads/ -> the built file build.py would copy there."""
    from handbook.build import download_files as built

    return built(build_dir)


class Preview:
    def __init__(self, build_dir: Path, paper: str, downloads_after: float | None) -> None:
        self.layout = PreviewLayout(build_dir)
        self.paper = paper
        self.downloads_after = downloads_after
        self.publisher = Publisher(self.layout.html_work, self.layout.served)
        self.sockets: set[Any] = set()
        self.worker: Worker | None = None
        self.spare: Worker | None = None
        self.good = False  # whether a build has been served
        self.build_started_ns = 0
        self.rebuilding = False
        self.last_change = time.monotonic()
        self.downloads_stale = True
        self.downloads_process: asyncio.subprocess.Process | None = None
        from handbook import draw_approval_timeline, draw_monitoring_figure

        # Written by the rebuild itself: not a reason for another.
        self.drawn = {draw_approval_timeline.OUTPUT.resolve(), draw_monitoring_figure.OUTPUT.resolve()}

    # -- rebuilding ------------------------------------------------------------

    def restart(self, code_changed: bool, structure_changed: bool = False) -> tuple[Any, ...] | None:
        """A fresh worker (the spare, unless the code changed since it was spawned); the failure, if it fails."""
        if self.worker is not None:
            self.worker.stop()
        worker, self.spare = self.spare, None
        if worker is not None and code_changed:
            worker.stop()
            worker = None
        self.worker = worker or Worker(self.layout, self.paper)
        started, said = self.worker.start(structure_changed)
        if not started:
            return ("crashed", said)
        if said:
            log(said)
        return None

    def rebuild(self, changed: list[Path], restart: bool, code_changed: bool, reload: Any = None) -> bool:
        """Build, publish on success, say what happened; True when the browser should reload.

        ``reload`` (if given) reloads the browsers as soon as the edited
        pages are written; the rest is published when Sphinx is done. If it
        then fails, those pages go back to their last good state.
        """
        started, self.build_started_ns = time.monotonic(), time.time_ns()
        return self._rebuild(started, changed, restart, code_changed, reload)

    def _rebuild(self, started: float, changed: list[Path], restart: bool, code_changed: bool, reload: Any) -> bool:
        failed = self.restart(code_changed) if restart or self.worker is None else None
        answer = failed or self.worker.ask("build")
        if answer[0] == "restart":
            log(answer[1])
            answer = self.restart(code_changed=False, structure_changed=True) or self.worker.ask("build")
        early: dict[str, bytes | None] = {}
        if answer[0] == "written" and self.worker is not None:
            if reload is not None and self.good:
                early = self.publisher.publish_early(answer[1])
                reload()
            answer = self.worker.answer()
        if answer[0] == "crashed":
            self.publisher.take_back(early)
            print(answer[1], flush=True)
            log("Still showing the last good build; the next save starts Sphinx afresh.")
            if self.worker is not None:
                self.worker.stop()
            self.worker = None
            return bool(early)
        _, _, cpu, problems = answer
        names = ", ".join(sorted({self.relative(p) for p in changed})[:3]) + (", ..." if len(set(changed)) > 3 else "")
        if problems:
            from handbook.editor_messages import how_many

            print("\n".join(problems), flush=True)
            log(f"Still showing the last good build: {how_many(problems)}")
            self.publisher.take_back(early)
            return bool(early)
        rest = self.publisher.publish()
        self.good = True
        log(f"rebuilt in {time.monotonic() - started:.2f}s, Sphinx {cpu:.2f}s CPU" + (f" ({names})" if names else ""))
        # The browsers show the edited pages already, unless an image came with them.
        return not early or any(name.startswith("_images/") for name in rest)

    @staticmethod
    def relative(path: Path) -> str:
        return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)

    def new_since_last_build(self, path: Path) -> bool:
        """Changed after the last rebuild started (an editor's save can come as two events, the second late)."""
        try:
            # The margin: file times come from a coarser clock than time_ns().
            return path.stat().st_mtime_ns >= self.build_started_ns - 50_000_000
        except OSError:  # removed
            return True

    def wanted(self, path: Path) -> bool:
        if path.name.endswith(IGNORED_SUFFIXES) or path.name.startswith((".#", "#")) or "__pycache__" in path.parts:
            return False
        return path.resolve() not in self.drawn

    @staticmethod
    def warm(path: Path) -> bool:
        """A change the warm Sphinx can take in place."""
        if not path.is_relative_to(BOOK_DIR):
            return False
        if path.parent == BOOK_DIR / "_data":
            return path.name in WARM_DATA
        return path.suffix.lower() in WARM_SUFFIXES

    async def watch(self, watching: asyncio.Event) -> None:
        """Rebuild on every save; ``watching`` is set once the sources are watched."""
        import watchfiles

        from handbook.build import SOURCE_DIRS, SOURCE_FILES

        paths = [ROOT / name for name in (*SOURCE_DIRS, *SOURCE_FILES) if (ROOT / name).exists()]
        loop = asyncio.get_running_loop()

        def reload() -> None:  # from the rebuild's thread, as soon as the edited pages are written
            asyncio.run_coroutine_threadsafe(self.reload_browsers("update"), loop).result()

        # yield_on_timeout: an empty set now and then, the first one once the
        # watcher runs, so "serving" is said only when a save will be seen.
        async for changes in watchfiles.awatch(*paths, step=20, rust_timeout=500, yield_on_timeout=True,
                                               watch_filter=lambda _, p: self.wanted(Path(p))):  # fmt: skip
            watching.set()
            changed = [Path(path) for _, path in changes if self.new_since_last_build(Path(path))]
            if not changed:
                continue
            self.last_change = time.monotonic()
            self.downloads_stale = True
            await self.stop_downloads()
            code_changed = any(not p.is_relative_to(BOOK_DIR) for p in changed)
            restart = not all(self.warm(p) for p in changed)
            self.rebuilding = True
            try:
                if await asyncio.to_thread(self.rebuild, changed, restart, code_changed, reload):
                    await self.reload_browsers()
            finally:
                self.rebuilding = False
                self.last_change = time.monotonic()  # quiet counts from the end of the rebuild

    async def reload_browsers(self, how: str = "reload") -> None:
        """Tell every browser to load its page again ("reload") or to put the new article in place ("update")."""
        for websocket in list(self.sockets):
            with contextlib.suppress(Exception):
                await websocket.send_text(how)

    # -- downloads ----------------------------------------------------------------

    async def keep_a_spare(self) -> None:
        """Start the spare worker once the sources have been left alone for SPARE_AFTER seconds.

        Not right after a rebuild: its imports would compete with the next
        save's rebuild and the browser for the machine's cores.
        """
        while True:
            await asyncio.sleep(0.5)
            quiet = time.monotonic() - self.last_change >= SPARE_AFTER
            if self.spare is None and quiet and not self.rebuilding:
                self.spare = Worker(self.layout, self.paper)

    async def build_downloads(self) -> None:
        """Rebuild the downloads with build.py when the sources have been left alone."""
        assert self.downloads_after is not None
        while True:
            await asyncio.sleep(1)
            quiet = time.monotonic() - self.last_change >= self.downloads_after
            if not (self.downloads_stale and self.good and quiet) or self.rebuilding:
                continue
            self.downloads_stale = False
            log("building the downloads (PDFs, EPUB, checklist) in the background")
            command = [sys.executable, "-m", "handbook.build", "print", "epub", "checklist",
                       "--paper", self.paper, "--build-dir", str(self.layout.build_dir)]  # fmt: skip
            self.downloads_process = await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                start_new_session=True, preexec_fn=lambda: os.nice(15),
            )  # fmt: skip
            output, _ = await self.downloads_process.communicate()
            status, self.downloads_process = self.downloads_process.returncode, None
            if status == 0:
                log("downloads up to date")
            elif status > 0:  # not stopped by a save
                print(output.decode(errors="replace").strip(), flush=True)
                log("the downloads failed to build (above); the last good ones are served")

    async def stop_downloads(self) -> None:
        process = self.downloads_process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            self.downloads_stale = True

    # -- serving --------------------------------------------------------------------

    def app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.responses import FileResponse, PlainTextResponse, Response
        from starlette.routing import Mount, Route, WebSocketRoute
        from starlette.staticfiles import StaticFiles
        from starlette.websockets import WebSocketDisconnect

        async def download(request: Any) -> Response:
            name = request.path_params["name"]
            found = download_files(self.layout.build_dir).get(name)
            if found is None:
                return PlainTextResponse(f"The handbook offers no download named {name}.", status_code=404)
            if not found.is_file():
                return PlainTextResponse(
                    f"{name} is not built yet: the preview builds the downloads in the background "
                    "(make all builds them too). Try again in a minute.", status_code=503, headers={"Retry-After": "60"})  # fmt: skip
            return FileResponse(found)

        async def reload_socket(websocket: Any) -> None:
            await websocket.accept()
            self.sockets.add(websocket)
            try:
                while True:
                    await websocket.receive_text()
            except WebSocketDisconnect:
                pass
            finally:
                self.sockets.discard(websocket)

        self.layout.served.mkdir(parents=True, exist_ok=True)
        routes = [
            WebSocketRoute(RELOAD_PATH, reload_socket),
            Route("/downloads/{name:path}", download),
            Mount("/", app=StaticFiles(directory=self.layout.served, html=True, check_dir=False)),
        ]
        return ReloadScript(Starlette(routes=routes))

    async def run(self, host: str, port: int, ready: Any = None) -> None:
        import uvicorn

        listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((host, port))
        except OSError as error:
            raise SystemExit(f"[serve] cannot listen on {host}:{port} ({error.strerror}): "
                             "is a preview running already? Another port: make serve PORT=8001") from None  # fmt: skip
        listener.listen(128)  # connections wait for uvicorn from the moment the address is printed
        log("first build (the whole book the first time; then only what changed)")
        if not await asyncio.to_thread(self.rebuild, [], True, False) and self.worker is None:
            log("starting Sphinx afresh")  # it stopped: its cache is gone, a fresh one may do
            await asyncio.to_thread(self.rebuild, [], True, False)
        self.last_change = time.monotonic()  # the spare starts once nothing has happened for a while
        address = f"http://{host}:{listener.getsockname()[1]}/"
        server = uvicorn.Server(uvicorn.Config(self.app(), log_level="warning", lifespan="off"))
        watching = asyncio.Event()
        tasks = [asyncio.create_task(server.serve(sockets=[listener])), asyncio.create_task(self.watch(watching))]
        # Until the watcher runs; or it failed, which the wait below reports.
        await asyncio.wait([asyncio.create_task(watching.wait()), tasks[1]], return_when=asyncio.FIRST_COMPLETED)
        log(f"serving {address} (Ctrl+C stops)")
        if self.downloads_after is not None:
            tasks.append(asyncio.create_task(self.build_downloads()))
        tasks.append(asyncio.create_task(self.keep_a_spare()))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in tasks:
                task.cancel()
            await self.stop_downloads()
            for worker in (self.worker, self.spare):
                if worker is not None:
                    worker.stop()


class ReloadScript:
    """ASGI middleware: add the reload script to every HTML page; tell browsers to revalidate.

    ``no-cache`` makes the reload fetch a changed image or stylesheet too (a
    304 for an unchanged one), not the copy the browser kept. An address
    with a query (Sphinx's ``style.css?v=checksum``) changes with the file,
    so the browser may keep what it fetched from one.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.script = RELOAD_SCRIPT.encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_html = False
        revalidate = not scope.get("query_string")

        async def send_with_script(message: Any) -> None:
            nonlocal is_html
            if message["type"] == "http.response.start":
                headers = dict(message["headers"])
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                rest = [(k, v) for k, v in message["headers"] if k not in (b"content-length", b"cache-control")]
                if revalidate:
                    rest.append((b"cache-control", b"no-cache"))
                if is_html and b"content-length" in headers:
                    rest.append((b"content-length", str(int(headers[b"content-length"]) + len(self.script)).encode()))
                elif b"content-length" in headers:
                    rest.append((b"content-length", headers[b"content-length"]))
                message = {**message, "headers": rest}
            elif message["type"] == "http.response.body" and is_html and not message.get("more_body", False):
                message = {**message, "body": message.get("body", b"") + self.script}
            await send(message)

        await self.app(scope, receive, send_with_script)


# -- measuring it ---------------------------------------------------------------------


class RunningPreview:
    """The preview of the sources in ``tree`` (its own copy of this package), on a free port.

    For the tests and the benchmark: ``output`` collects what it prints.
    """

    def __init__(self, tree: Path, *arguments: str) -> None:
        import threading

        command = [sys.executable, "-m", "handbook.serve", "--port", "0", "--build-dir", str(tree / "_build"), *arguments]
        self.process = subprocess.Popen(command, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        self.ended = False
        self._said = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        serving = self.wait_for("[serve] serving ", timeout=600)
        self.address = serving.split()[2]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._said:
                self.output.append(line.rstrip("\n"))
                self._said.notify_all()
        with self._said:
            self.ended = True
            self._said.notify_all()

    def wait_for(self, start: str | tuple[str, ...], timeout: float = 120, after: int = 0) -> str:
        """The first line from line ``after`` on that starts with ``start`` (or one of them); waits for it."""
        deadline = time.monotonic() + timeout
        with self._said:
            while True:
                found = next((line for line in self.output[after:] if line.startswith(start)), None)
                if found is not None:
                    return found
                said = "\n".join(self.output)
                if self.ended:
                    raise RuntimeError(f"the preview ended (exit {self.process.wait()}) without saying {start!r}:\n{said}")
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"the preview did not say {start!r} in {timeout:.0f}s:\n{said}")
                self._said.wait(min(0.5, deadline - time.monotonic()))

    def stop(self) -> None:
        """Stop it as Ctrl+C does."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def measure_preview_latency(tree: Path, runs: int, chapter: str = "5", browser: Any = None) -> list[float]:
    """Seconds from saving a chapter to the browser showing the change, ``runs`` times.

    Starts the preview on the sources in ``tree`` (a throw-away copy: the
    chapter file is appended to; downloads are not rebuilt), opens the
    chapter in headless Chromium (``browser``, or one launched as
    handbook/bench.py launches it), and for each run appends a sentence to
    the chapter's file and waits until the page's text holds it. Between
    runs it waits for the rebuild to finish and a second more, as an
    editor reads before saving again.
    """
    import json
    import uuid

    from handbook.meta import find_chapter, load_chapters

    found = find_chapter(chapter, load_chapters(tree / "book"))
    if found is None:
        raise ValueError(f"no chapter {chapter} in {tree / 'book'}")
    source = tree / "book" / f"{found.docname}.md"
    preview = RunningPreview(tree, "--no-downloads")
    try:
        with contextlib.ExitStack() as stack:
            if browser is None:
                from handbook.browser import chromium

                browser = stack.enter_context(chromium())
            page = browser.new_page()
            stack.callback(page.close)
            page.goto(f"{preview.address}{found.docname}.html")
            seconds, said = [], 0
            for run in range(runs):
                if run:
                    preview.wait_for("[serve] rebuilt in", after=said)
                    time.sleep(1)
                said = len(preview.output)
                page.wait_for_function("window.handbookPreview && window.handbookPreview.readyState === 1")
                sentence = f"Preview check {run} {uuid.uuid4().hex[:8]}."
                started = time.perf_counter()
                with source.open("a", encoding="utf-8") as file:
                    file.write(f"\n{sentence}\n")
                page.wait_for_function(f"document.body && document.body.innerText.includes({json.dumps(sentence)})",
                                       polling=10, timeout=60_000)  # fmt: skip
                seconds.append(time.perf_counter() - started)
            return seconds
    finally:
        preview.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0: any free port")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build")
    parser.add_argument("--paper", help="a4 or letter (default: PAPER, else a4)")
    parser.add_argument("--downloads-after", type=float, default=10.0, metavar="SECONDS",
                        help="rebuild the PDFs and EPUB once the sources are unchanged this long (default 10)")  # fmt: skip
    parser.add_argument("--no-downloads", action="store_true", help="serve the last built downloads, never rebuild them")
    args = parser.parse_args(argv)
    try:
        settings = from_environment(paper=args.paper)
    except SettingsError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    preview = Preview(args.build_dir.resolve(), settings.paper, None if args.no_downloads else args.downloads_after)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(preview.run(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
