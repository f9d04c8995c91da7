"""Benchmark: the dashboard's answers (issue 5: within 1 s) with a 300,000-client reference
population.

python benchmarks/dashboard_speed.py [--clients 300000] [--applications 500] [--repeat 20]
                                     [--browser-repeat 10] [--against REV] [--rounds 2]

The reference population is the newest bundle in models/ (trained on 20,000 demo clients, 15,000
training rows) with its reference.parquet and contributions.parquet resampled to --clients rows
(with replacement, new SK_ID_CURR, amounts and birth dates jittered by a few %/days), written with
their checksums into a copy of the bundle in a temporary models directory: same model, same
columns, 20x the rows. The store holds --applications demo applications (application_test.csv)
decided and explained by the services' own code.

In process: the dashboard's views on that context, each timed with its Bokeh models built
(`get_root`), over --repeat different clients. In Chromium: the app served by `panel serve` as in
production, logged into, each answer timed from the click (or key press) to the text on the page.
--against REV: the same answers also timed in REV (checked out with `git worktree add` into a
temporary directory), the two trees in turn, --rounds passes each, every pass in a process of its
own (and its own `panel serve`) on the same bundle, store and clients; the report gives both
trees' figures and their ratio (this tree's median over REV's). "This tree" is the working tree as
it was when the run started (copied), uncommitted changes included.
Writes dashboard_speed.json and dashboard_speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TREE = Path(os.environ.get("DASHBOARD_SPEED_TREE", ROOT))  # the code a pass times (see timed_pass)
sys.path[:0] = [str(TREE), str(TREE / "services" / "dashboard")]

from credit.bundle import FILES, MANIFEST, latest_bundle, load_bundle, sha256  # noqa: E402

APP = TREE / "services" / "dashboard" / "dashboard"
AMOUNTS = ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
PASSWORD = "benchmark password 2026"
WAIT_MS = 60_000
LIMIT_MS = 1000
SETTLE_MS = 5000
NO_BROKER = "127.0.0.1:1"  # the live feed says it is interrupted
PARTS = ("in process", "browser")


# The 300,000-client bundle and the store
def enlarged_bundle(source: Path, models_dir: Path, clients: int, seed: int = 0):
    """A copy of the bundle whose reference and contributions hold `clients` resampled rows."""
    target = models_dir / source.name
    shutil.copytree(source, target)
    reference, contributions = (
        pd.read_parquet(source / FILES[k]) for k in ("reference", "contributions")
    )
    assert (reference["SK_ID_CURR"].to_numpy() == contributions["SK_ID_CURR"].to_numpy()).all()
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(reference), clients)
    ids = np.arange(10_000_000, 10_000_000 + clients)  # apart from the demo's ids
    bigger = reference.iloc[rows].reset_index(drop=True).assign(SK_ID_CURR=ids)
    for column in AMOUNTS:
        bigger[column] = (bigger[column] * np.exp(rng.normal(0, 0.03, clients))).round(2)
    bigger["DAYS_BIRTH"] = bigger["DAYS_BIRTH"] + rng.integers(-30, 31, clients)
    bigger.to_parquet(target / FILES["reference"], index=False)
    contributions.iloc[rows].reset_index(drop=True).assign(SK_ID_CURR=ids).to_parquet(
        target / FILES["contributions"], index=False
    )
    manifest = json.loads((target / MANIFEST).read_text())
    manifest["files"] = {name: sha256(target / name) for name in manifest["files"]}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return load_bundle(target)


def decided_and_explained(bundle, applications: int) -> list:
    """Demo applications, decided and explained as the scorer and explainer publish them."""
    from adapters.onnx_scorer import OnnxScorer
    from credit.explain.explanation import Explainer
    from tests.json_rows import decided
    from training.data import demo_data

    raw = pd.read_csv(demo_data(clients=20_000) / "application_test.csv").head(applications)
    history = pd.read_parquet(bundle.file("history")).set_index("SK_ID_CURR")
    received, decisions = decided(OnnxScorer(bundle.path), raw, history)
    return [*received, *decisions, *Explainer(bundle).explain(decisions)]


# Timing
def summary(times_s: list[float]) -> dict:
    ms = np.array(times_s) * 1000
    return {
        "n": len(ms),
        "best_ms": round(float(ms.min()), 1),
        "median_ms": round(float(np.median(ms)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


def elapsed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def shown(view):
    """The view's Bokeh models built in a document, as a served session has them: updates then patch
    them."""
    import panel as pn
    from bokeh.document import Document

    pn.panel(view).get_root(Document())
    return view


def record(results: dict, name: str, times_s: list[float]) -> None:
    if not times_s:  # too few repeats for this one
        return
    results[name] = summary(times_s)
    results[name]["each_ms"] = [round(t * 1000) for t in times_s]
    print(
        f"  {name:58s} median {results[name]['median_ms']:8.1f} ms"
        f"  p95 {results[name]['p95_ms']:8.1f} ms",
        flush=True,
    )


# In process
def in_process(settings, clients: list[int], results: dict) -> None:
    from dashboard.context import build_context

    start = time.perf_counter()
    context = build_context(settings, start_feed=False)
    record(results, "build_context (once per server process)", [time.perf_counter() - start])
    file_views(context, clients, results)
    comparison_views(context, clients, results)
    client_info_views(context, clients, results)


class Session:
    """One browser session's views on the context, through the API of the tree timed: the session's
    open client (dashboard.state), or, in a tree before it, each view's own client_id."""

    def __init__(self, context):
        self.context = context
        try:
            from dashboard.state import OpenClient
        except ImportError:
            self.client = None
        else:
            self.client = OpenClient(context.store)

    def view(self, cls, *args):
        return (
            cls(self.context, *args)
            if self.client is None
            else cls(self.context, self.client, *args)
        )

    def open(self, view, client_id: int) -> None:
        """The client opened with `view` on screen."""
        if self.client is None:
            view.client_id = client_id
        else:
            self.client.page = view
            self.client.open(client_id)


def file_views(context, clients, results) -> None:
    from dashboard.views.client_file import ClientFile

    session = Session(context)
    view = shown(session.view(ClientFile, "benchmark"))
    times = [elapsed(lambda client=client: session.open(view, client)) for client in clients]
    record(results, "ClientFile: open a client file", times)


def comparison_views(context, clients, results) -> None:
    from dashboard.views.comparison import FEATURES, Comparison

    session = Session(context)
    record(
        results,
        "Comparison(context) (once per browser session)",
        [elapsed(lambda: session.view(Comparison))],
    )
    view, rng = shown(session.view(Comparison)), np.random.default_rng(1)
    client, k, cold, warm, scatter = [], [], [], [], []
    features = list(FEATURES)
    for i, id_ in enumerate(clients):
        client.append(elapsed(lambda id_=id_: session.open(view, id_)))
        k.append(elapsed(lambda: setattr(view, "k", int(rng.integers(5, 501)))))
        # each feature's first distribution fills the population's cache
        (cold if i < len(features) else warm).append(
            elapsed(lambda i=i: setattr(view, "feature", features[(i + 1) % len(features)]))
        )
        scatter.append(
            elapsed(
                lambda: view.param.update(
                    x=rng.choice(view.param.x.objects), y=rng.choice(view.param.y.objects)
                )
            )
        )
    record(results, "Comparison: another client (similar clients, markers moved)", client)
    record(results, "Comparison: K changed (K random in 5-500)", k)
    record(results, "Comparison: feature changed, first time per feature", cold)
    record(results, "Comparison: feature changed, seen before", warm)
    record(results, "Comparison: scatter axes changed (2,000-client sample)", scatter)


def client_info_views(context, clients, results) -> None:
    from dashboard.views.client_info import ClientInfo

    session = Session(context)
    view, rng = shown(session.view(ClientInfo)), np.random.default_rng(2)
    options = context.population.segment_options("fr")
    segment, card = [], []
    for client in clients:
        chosen = rng.choice(len(options), 2, replace=False)
        filters = {
            options[i].key: options[i].options[int(rng.integers(len(options[i].options)))][0]
            for i in chosen
        }
        card.append(elapsed(lambda client=client: session.open(view, client)))
        segment.append(elapsed(lambda filters=filters: setattr(view, "filters", filters)))
    record(results, "ClientInfo: another client", card)
    record(results, "ClientInfo: segment filters changed (2 filters)", segment)


# In Chromium, served as in production
def in_browser(env: dict, folder: Path, decisions: list, results: dict) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, VIEWPORT
    from tests.browser.panel_server import served_panel

    options = ("--setup", str(APP / "setup.py"), "--auth-module", str(APP / "auth.py"))
    start = time.perf_counter()
    with (
        served_panel(APP / "app.py", folder, *options, env=env) as url,
        sync_playwright() as playwright,
    ):
        record(results, "panel serve start, context built (once)", [time.perf_counter() - start])
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(url)
            page.fill("input[name=username]", "marie")
            page.fill("input[name=password]", PASSWORD)
            record(
                results,
                "log in -> page shown (once)",
                [until(page, lambda: page.click("button[type=submit]"), ".user", "marie")],
            )
            page.wait_for_timeout(
                SETTLE_MS
            )  # the browser finishes drawing the page, as while a person reads it
            walk(page, decisions, results)
        finally:
            browser.close()


def until(page, action, selector: str, pattern: str) -> float:
    """Seconds from `action` until an element `selector` whose text matches `pattern` is visible."""
    target = page.locator(selector, has_text=re.compile(pattern)).first
    start = time.perf_counter()
    action()
    try:
        target.wait_for(state="visible", timeout=WAIT_MS)
    except Exception:
        print(
            f"{selector} never showed {pattern!r}; it shows "
            f"{page.locator(selector).first.inner_text()!r}",
            flush=True,
        )
        raise
    return time.perf_counter() - start


def walk(page, decisions: list, results: dict) -> None:
    """Per client: open the file, then the information and comparison tabs, then K one step up."""
    tab = lambda name: page.get_by_text(name, exact=True).first  # noqa: E731
    steps = {
        "open a client file (click -> .summary)": [],
        "Informations client tab (click -> .segment)": [],
        "Comparaison tab (click -> .similar)": [],
        "K slider one step (key -> .similar)": [],
    }
    times, k = list(steps.values()), 50
    for client_id, pd_ in decisions:
        shown = pd_text(pd_)
        tab("Dossier client").click()
        entry = page.locator("input").first
        entry.fill(str(client_id))
        entry.press("Enter")
        button = page.get_by_role("button", name="Ouvrir le dossier")
        # found before the clock starts: Playwright's first search of the page is slow
        button.wait_for()
        times[0].append(until(page, button.click, ".summary", shown))
        times[1].append(
            until(
                page,
                lambda: tab("Informations client").click(),
                ".segment",
                rf"Ce client\s*:\s*{shown}",
            )
        )
        times[2].append(
            until(
                page, lambda: tab("Comparaison").click(), ".similar", rf"ce client est de {shown}"
            )
        )
        k += 1
        times[3].append(
            until(
                page,
                lambda: page.locator(".k-slider .noUi-handle").first.press("ArrowRight"),
                ".similar",
                rf"Parmi les {k} clients",
            )
        )
    for name, measured in steps.items():
        record(results, name, measured)


def pd_text(pd_: float) -> str:
    return f"{pd_ * 100:.1f}".replace(".", ",")


def distinct(decisions: list, n: int) -> list:
    """n decisions whose PDs read differently, so each answer on the page is told from the previous
    one."""
    chosen: dict = {}
    for decision in decisions:
        chosen.setdefault(pd_text(decision.probability_of_default), decision)
    return list(chosen.values())[:n]


# Passes: each tree timed in its own processes, on the same bundle, store and clients
def snapshot(into: Path) -> Path:
    """The working tree as it is now (tracked and untracked files, not the ignored ones), copied."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    return into


@contextmanager
def checked_out(rev: str, into: Path):
    """REV in a temporary git worktree, removed at exit."""
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(into), rev],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    try:
        yield into
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(into)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )


def timed_pass(tree: Path, folder: Path, part: str) -> dict:
    """One pass of `part` ("in process" or "browser") in a process of its own running the code of
    `tree`, as does the `panel serve` it starts (from the tree's directory: `python -m` puts it
    first on the path)."""
    out = folder / "pass.json"
    path = os.pathsep.join(
        [str(tree), str(tree / "services" / "dashboard"), os.environ.get("PYTHONPATH", "")]
    )
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--pass",
            part,
            "--folder",
            str(folder),
            "--pass-out",
            str(out),
        ],
        env={**os.environ, "DASHBOARD_SPEED_TREE": str(tree), "PYTHONPATH": path},
        cwd=tree,
        check=True,
    )
    return json.loads(out.read_text())


def run_pass(part: str, folder: Path, out: Path) -> None:
    from dashboard.settings import Settings

    plan, results = json.loads((folder / "plan.json").read_text()), {}
    if part == "in process":
        in_process(
            Settings(
                models_dir=folder / "models",
                store_path=folder / "in-process.db",
                kafka_bootstrap=NO_BROKER,
            ),
            plan["clients"],
            results,
        )
    else:
        env = {
            "DASHBOARD_MODELS_DIR": str(folder / "models"),
            "DASHBOARD_STORE_PATH": str(folder / "store.db"),
            "DASHBOARD_USERS_FILE": str(folder / "users.json"),
            "PANEL_COOKIE_SECRET": secrets.token_urlsafe(32),
            "KAFKA_BOOTSTRAP": NO_BROKER,
        }
        in_browser(env, folder, plan["browser"], results)
    out.write_text(json.dumps(results))


def merged(passes: list[dict]) -> dict:
    """The passes' times of each answer together."""
    times: dict = {}
    for results in passes:
        for name, t in results.items():
            times.setdefault(name, []).extend(t["each_ms"])
    return {
        name: {**summary([ms / 1000 for ms in each]), "each_ms": each}
        for name, each in times.items()
    }


# Report
def write(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "dashboard_speed.json").write_text(json.dumps(report, indent=1) + "\n")
    before = report.get("against")
    head = (
        f" {before['rev']} ({before['commit'][:8]}) median | this tree median | ratio |"
        if before
        else " median |"
    )
    lines = [
        f"# Dashboard speed, {report['reference_clients']:,} reference clients",
        "",
        report["population"],
        "",
        f"| action |{head} p95 (in process) / max (browser) | within 1 s? |",
        "|---|" + "---:|" * (4 if before else 2) + "---|",
    ]
    for where, key in (("in process", "p95_ms"), ("browser", "max_ms")):
        for name, t in report[where].items():
            once = "once" in name
            verdict = "— (not an answer)" if once else ("yes" if t[key] <= LIMIT_MS else "**no**")
            then = before and before[where].get(name)
            figures = (
                f"{then['median_ms']:,.0f} ms | {t['median_ms']:,.0f} ms | "
                f"{report['ratio'][where][name]:.2f} |"
                if then
                else f"{t['median_ms']:,.0f} ms |"
            )
            lines.append(f"| {where}: {name} | {figures} {t[key]:,.0f} ms | {verdict} |")
    (out / "dashboard_speed.md").write_text("\n".join(lines) + "\n")


def prepared(folder: Path, args) -> str:
    """The enlarged bundle, the store, the user and the plan (the clients each pass opens) in
    `folder`; returns the bundle's name."""
    from credit.events import ApplicationScored
    from dashboard.accounts import add_user
    from dashboard.store import Store

    source = latest_bundle(ROOT / "models")
    print(f"Enlarging {source.name}'s reference to {args.clients:,} clients ...", flush=True)
    bundle = enlarged_bundle(source, folder / "models", args.clients)
    print(f"Deciding and explaining {args.applications} demo applications ...", flush=True)
    events = decided_and_explained(bundle, args.applications)
    Store(folder / "store.db").upsert(events)
    shutil.copy(
        folder / "store.db", folder / "in-process.db"
    )  # the server's access log stays its own
    add_user(folder / "users.json", "marie", PASSWORD)
    decisions = distinct(
        [e for e in events if isinstance(e, ApplicationScored)], args.repeat + args.browser_repeat
    )
    (folder / "plan.json").write_text(
        json.dumps(
            {
                "clients": [d.client_id for d in decisions[: args.repeat]],
                "browser": [
                    (d.client_id, d.probability_of_default) for d in decisions[args.repeat :]
                ],
            }
        )
    )
    return source.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=300_000)
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser-repeat", type=int, default=10)
    parser.add_argument(
        "--against", metavar="REV", help="also time REV, in turn with this tree, and give the ratio"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="passes of each tree (with --against)"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--pass", dest="part", choices=PARTS, help=argparse.SUPPRESS
    )  # one pass, in a tree
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pass-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        return run_pass(args.part, args.folder, args.pass_out)
    with tempfile.TemporaryDirectory(prefix="dashboard-speed-") as tmp, ExitStack() as trees_open:
        folder = Path(tmp)
        name = prepared(folder, args)
        trees = {"this tree": ROOT}
        if args.against:
            trees = {
                args.against: trees_open.enter_context(
                    checked_out(args.against, folder / "before")
                ),
                "this tree": snapshot(folder / "after"),
            }
        passes = {label: {part: [] for part in PARTS} for label in trees}
        for round_ in range(args.rounds if args.against else 1):
            for label in list(trees)[
                :: 1 if round_ % 2 == 0 else -1
            ]:  # in turn, each tree first every other round
                for part in PARTS:
                    print(f"{label}, pass {round_ + 1}, {part}:", flush=True)
                    passes[label][part].append(timed_pass(trees[label], folder, part))
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "reference_clients": args.clients,
        "bundle": name,
        "applications": args.applications,
        "population": (
            f"The demo bundle {name}'s reference (15,000 training rows of 20,000 demo clients) "
            f"resampled to {args.clients:,} rows with jittered amounts; {args.applications} demo "
            "applications decided and explained in the store."
        ),
        **{part: merged(passes["this tree"][part]) for part in PARTS},
    }
    if args.against:
        commit = subprocess.run(
            ["git", "rev-parse", args.against], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        report["against"] = {
            "rev": args.against,
            "commit": commit,
            "rounds": args.rounds,
            **{part: merged(passes[args.against][part]) for part in PARTS},
        }
        report["ratio"] = {
            part: {
                n: round(t["median_ms"] / report["against"][part][n]["median_ms"], 3)
                for n, t in report[part].items()
                if n in report["against"][part]
            }
            for part in PARTS
        }
    write(report, args.out)
    print((args.out / "dashboard_speed.md").read_text())


if __name__ == "__main__":
    main()
