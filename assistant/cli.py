"""Command line: ``python -m assistant index | search | ask | eligibility | eval | serve``, and for
keeping the knowledge current ``add | remove | list`` (documents) and ``bank export | import``.

Each command is a thin shell over ``Assistant`` or an evaluation harness; no logic lives here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from assistant.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="国家质量标准实验室 申报助手 / application assistant")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluation harnesses (numbers go to eval/REPORT.md).")
app.add_typer(eval_app, name="eval")
bank_app = typer.Typer(no_args_is_help=True, help="The question bank's curated answers: export and import (JSON lines).")
app.add_typer(bank_app, name="bank")
console = Console()
err = Console(stderr=True)

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"


def _assistant(show_progress: bool = False):
    from assistant import Assistant

    return Assistant.from_settings(show_progress=show_progress)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


@app.command()
def index(
    generate_questions: Annotated[bool, typer.Option(
        "--generate-questions",
        help="Ask the configured chat model (QSL_ANSWER__BASE_URL) for more bank questions per section; "
             "each kept only when its span is verbatim (corpus/bank/generated.jsonl).")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", help="With --generate-questions: at most this many sections.")] = None,
) -> None:
    """Build the index (or confirm it is up to date)."""
    a = _assistant(show_progress=True)
    r = a.index_report
    state = "built" if r.built else "already up to date"
    console.print(f"index {state}: {r.chunks} chunks, fingerprint {r.fingerprint}, {r.seconds:.1f} s, in {r.where}")
    if not generate_questions:
        return
    from assistant.answering.openai_backend import OpenAIGenerator
    from assistant.answering.prompts import Prompts
    from assistant.generation import GENERATED_FILE, QuestionGenerator, eval_questions
    from assistant.settings import ROOT

    settings = a.settings
    if not settings.answer.base_url:
        _fail("--generate-questions needs a chat model: set QSL_ANSWER__BASE_URL (and QSL_ANSWER__MODEL, QSL_ANSWER__API_KEY)")
    prompts = Prompts(settings.prompts_dir)
    gen = QuestionGenerator(OpenAIGenerator(settings.answer, prompts).llm, prompts, a.bank,
                            avoid=eval_questions(ROOT / "eval"))
    report = gen.run(a.docs.values(), settings.corpus_dir / "bank" / GENERATED_FILE, limit)
    dropped = ", ".join(f"{why}: {n}" for why, n in sorted(report.dropped.items())) or "none"
    console.print(f"questions generated for {report.asked} of {report.sections} sections ({report.failed} calls failed): "
                  f"{report.kept} kept; dropped {dropped}; written to {report.path}")
    r = _assistant(show_progress=True).index_report
    console.print(f"question bank synced: {r.bank_questions} questions ({r.bank_added} added, {r.bank_removed} removed)")


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option("--k", help="Passages to return.")] = 5,
    doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only these document ids.")] = None,
    status: Annotated[Optional[list[str]], typer.Option("--status", help="Only these statuses.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Search the policy documents; passages best first."""
    a = _assistant()
    try:
        passages = a.search(query, k, doc_ids=doc, statuses=status)
    except InputError as e:
        _fail(str(e))
    if as_json:
        print(json.dumps([p.model_dump() for p in passages], ensure_ascii=False, indent=2))
        return
    for rank, p in enumerate(passages, 1):
        console.print(f"[bold]{rank}. {p.doc_short_title}{p.locator}[/bold]  (score {p.score:.4f}, {p.status})")
        console.print(p.text, highlight=False, soft_wrap=True)
        console.print()


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument()] = None,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="File with one question per line; JSON lines out.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Answer a question with citations (or a file of questions with --batch)."""
    if (question is None) == (batch is None):
        _fail("give either a question or --batch FILE")
    a = _assistant()
    if batch is not None:
        if not batch.is_file():
            _fail(f"no such file: {batch}")
        for line in batch.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                out = a.ask(line.strip()).model_dump()
            except InputError as e:
                out = {"question": line.strip(), "error": str(e)}
            out["question"] = line.strip()
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return
    try:
        answer = a.ask(question)
    except InputError as e:
        _fail(str(e))
    if as_json:
        print(json.dumps(answer.model_dump(), ensure_ascii=False, indent=2))
        return
    console.print(answer.text, highlight=False, soft_wrap=True)
    if answer.citations:
        console.print("\n[bold]引用 / Citations[/bold]")
        for c in answer.citations:
            console.print(f"[{c.marker or '-'}] {c.doc_title} {c.locator}: “{c.quote}”", highlight=False)


@app.command()
def eligibility(
    text: Annotated[Optional[str], typer.Argument(help="Lab figures in free text.")] = None,
    profile: Annotated[Optional[Path], typer.Option("--profile", help="A JSON profile file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Check a lab's figures against 第十二条 of the 管理办法."""
    from assistant.eligibility.cli import cli_check

    if (text is None) == (profile is None):
        _fail("give either the lab figures as text or --profile FILE.json")
    try:
        print(cli_check(text, str(profile) if profile else None, as_json))
    except (InputError, ValueError, OSError) as e:
        _fail(str(e))


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default from settings).")] = None,
    workers: Annotated[Optional[int], typer.Option(
        help="Worker processes (default QSL_SERVE__WORKERS, 1); more than one needs QSL_STORE__CHROMA_HOST.")] = None,
) -> None:
    """Start the web app: chat UI, help-desk console, widget and REST API."""
    from assistant.web import serve as serve_web

    serve_web(host=host, port=port, workers=workers)


def _settings():
    from assistant.settings import Settings

    return Settings()


def _follow(settings, action: str) -> None:
    """Bring the index up to date after a corpus change, unless a running server owns it."""
    from assistant.indexing import index_corpus, served_elsewhere
    from assistant.live import index_lock

    if served_elsewhere(settings):
        console.print(f"{action}; the running server indexes the change within seconds.")
        return
    with index_lock(settings):
        r = index_corpus(settings, show_progress=True)
    console.print(f"{action}; index {'updated' if r.built else 'already up to date'}: {r.chunks} chunks "
                  f"({r.embedded} texts embedded), {r.seconds:.1f} s.")


@app.command()
def add(
    file: Annotated[Path, typer.Argument(help="A policy file: .txt, .docx, .pdf or .html.")],
    title: Annotated[Optional[str], typer.Option(help="Full title (default: read from the document).")] = None,
    issuer: Annotated[Optional[list[str]], typer.Option("--issuer", help="Issuing body (repeat for several).")] = None,
    number: Annotated[Optional[str], typer.Option(help="Document number (文号), e.g. 国市监质发〔2024〕15号.")] = None,
    date: Annotated[Optional[str], typer.Option(help="Issue date, YYYY-MM-DD.")] = None,
    status: Annotated[Optional[str], typer.Option(help="in_force | draft_for_comment | reprint | excerpt.")] = None,
    supersedes: Annotated[Optional[str], typer.Option(help="Id of the document this new version replaces.")] = None,
    doc_id: Annotated[Optional[str], typer.Option("--id", help="Id to give it (default: derived from date and text).")] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="A word users name it by (repeat).")] = None,
    region: Annotated[Optional[list[str]], typer.Option("--region", help="For a regional text: its region's names.")] = None,
    title_en: Annotated[Optional[str], typer.Option(help="English title.")] = None,
    kind: Annotated[Optional[str], typer.Option(help="Kind of text (实施细则, 管理办法 …; default from the title).")] = None,
    by: Annotated[Optional[str], typer.Option(help="Who makes the change (default: this user).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be added, change nothing.")] = False,
) -> None:
    """Add a policy document (or a new version of one) to the corpus and index it."""
    from assistant.library import Library
    from assistant.web.render import outline_text

    settings = _settings()
    if not file.is_file():
        _fail(f"no such file: {file}")
    lib = Library(settings.corpus_dir)
    try:
        draft = lib.draft(file.read_bytes(), file.name, doc_id=doc_id, title=title, issuers=issuer, number=number,
                          date=date, status=status, supersedes=supersedes, aliases=alias, region=region,
                          title_en=title_en, kind=kind)
    except InputError as e:
        _fail(str(e))
    m = draft.meta
    console.print(f"[bold]{m.id}[/bold] {m.short_title} {m.number or ''} {m.date} {m.status}"
                  f"{' supersedes ' + m.supersedes[0] if m.supersedes else ''}", highlight=False)
    console.print(outline_text(draft.doc), highlight=False, soft_wrap=True)
    for w in draft.warnings:
        err.print(f"[yellow]warning:[/yellow] {w}")
    if dry_run:
        console.print("dry run: nothing changed.")
        return
    try:
        lib.publish(draft, by=by)
    except InputError as e:
        _fail(str(e))
    _follow(settings, f"added {m.id}")


@app.command()
def remove(
    doc_id: Annotated[str, typer.Argument(help="Id of the document to remove (see `list`).")],
    by: Annotated[Optional[str], typer.Option(help="Who makes the change (default: this user).")] = None,
) -> None:
    """Remove a document, its question-bank entries and its index rows (its files go to archive/)."""
    from assistant.library import Library

    settings = _settings()
    try:
        meta = Library(settings.corpus_dir).remove(doc_id, by=by)
    except InputError as e:
        _fail(str(e))
    _follow(settings, f"removed {meta.id} {meta.short_title}")


@app.command("list")
def list_documents(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """The documents of the corpus with their status (superseded versions included)."""
    from assistant.library import Library

    docs = Library(_settings().corpus_dir).documents()
    if as_json:
        print(json.dumps([d.model_dump(mode="json") for d in docs], ensure_ascii=False, indent=2))
        return
    for d in docs:
        sup = f" (supersedes {', '.join(d.supersedes)})" if d.supersedes else ""
        console.print(f"{d.id:32} {d.status:18} {d.date:10} {d.number or '-':24} {d.short_title}{sup}", highlight=False,
                      soft_wrap=True)


@bank_app.command("export")
def bank_export(
    out: Annotated[Path, typer.Argument(help="File to write (JSON lines).")],
    all_entries: Annotated[bool, typer.Option("--all", help="Every entry of the bank, not only the curated ones.")] = False,
) -> None:
    """Write the curated answers (or the whole bank) as JSON lines."""
    from assistant.curation import Curator

    text = Curator.from_settings(_settings()).export_text(curated_only=not all_entries)
    out.write_text(text, encoding="utf-8")
    console.print(f"{text.count(chr(10))} entries written to {out}")


@bank_app.command("import")
def bank_import(
    file: Annotated[Path, typer.Argument(help="JSON lines of bank entries (as `bank export` writes them).")],
    by: Annotated[Optional[str], typer.Option(help="Who makes the change (default: this user).")] = None,
) -> None:
    """Add curated answers from JSON lines; every entry is checked (span verbatim under its locator)
    and the file is refused whole, with nothing changed, if one is not valid."""
    from assistant.curation import Curator

    settings = _settings()
    if not file.is_file():
        _fail(f"no such file: {file}")
    try:
        ids = Curator.from_settings(settings).import_lines(file.read_text(encoding="utf-8"), by=by)
    except InputError as e:
        _fail(str(e))
    _follow(settings, f"imported {len(ids)} curated entries")


@eval_app.command("retrieval")
def eval_retrieval(
    questions: Annotated[Path, typer.Option(help="Question set.")] = EVAL_DIR / "questions.jsonl",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recall@5 and MRR of this pipeline against the baselines, plus build time, latency, memory."""
    from assistant.evaluation.retrieval import format_retrieval_eval, run_retrieval_eval

    result = run_retrieval_eval(questions)
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_retrieval_eval(result))


@eval_app.command("answers")
def eval_answers(
    questions: Annotated[Optional[Path], typer.Option(help="Question set (single questions).")] = EVAL_DIR / "questions.jsonl",
    dialogs: Annotated[Optional[Path], typer.Option(help="Dialogs, played turn by turn.")] = EVAL_DIR / "dialogs.jsonl",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    failures: Annotated[int, typer.Option(help="How many questions with problems to list.")] = 40,
) -> None:
    """Key facts, citations, grounding, refusals, declines and follow-ups of the answers, per kind of
    question (the answer chain; the eligibility report that chat adds to messages with lab figures
    has its own eval). ``--questions ''`` or ``--dialogs ''`` leaves one of them out."""
    from assistant.evaluation.answers import format_answer_eval, run_answer_eval

    qs = questions if questions and str(questions) not in ("", ".") else None
    ds = dialogs if dialogs and str(dialogs) not in ("", ".") else None
    result = run_answer_eval(qs, _assistant().answerer, dialogs_path=ds)
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_answer_eval(result, failures))


@eval_app.command("calibrate")
def eval_calibrate(
    questions: Annotated[Path, typer.Option(help="Development questions.")] = EVAL_DIR / "questions.jsonl",
    dialogs: Annotated[Path, typer.Option(help="Development dialogs.")] = EVAL_DIR / "dialogs.jsonl",
    check: Annotated[Optional[list[Path]], typer.Option(help="Other question sets to check the fit on (not used to fit).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the fit without writing models.json.")] = False,
    router_only: Annotated[bool, typer.Option("--router-only", help="Refit the router's thresholds alone (after a change to the scope model), keeping the span model and the gate.")] = False,
) -> None:
    """Fit the span model, the refusal gate and the router thresholds on the development set and
    write assistant/answering/models.json."""
    from assistant.evaluation.calibrate import calibrate

    checks = [(c, None) for c in (check or [])]
    print(calibrate(_assistant(), questions, dialogs, checks, write=not dry_run, router_only=router_only))


@eval_app.command("eligibility")
def eval_eligibility(
    cases: Annotated[Path, typer.Option(help="Eligibility cases.")] = EVAL_DIR / "eligibility_cases.jsonl",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Figure-extraction and per-criterion accuracy of the eligibility tool, and whether chat
    triggers it on the policy questions of eval/questions*.jsonl only when they state figures."""
    from assistant.evaluation.eligibility import format_eligibility_eval, run_eligibility_eval

    result = run_eligibility_eval(cases, sorted(EVAL_DIR.glob("questions*.jsonl")))
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_eligibility_eval(result))


def main() -> None:
    try:
        app()
    except InputError as e:  # pragma: no cover - commands catch their own
        err.print(f"[red]error:[/red] {e}")
        sys.exit(2)


if __name__ == "__main__":
    main()
