"""Write a `ValidationReport` for people (text), CI (GitHub annotations, JUnit XML), tools (JSON)
and RDF (the standard SHACL report in Turtle). Each function returns a string; the CLI prints it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from clustergraph.validation.model import ValidationReport, ValidationResult

__all__ = [
    "FORMATS",
    "format_report",
    "github",
    "json_text",
    "junit",
    "short_iri",
    "text",
    "text_lines",
    "summary_line",
    "turtle",
]

_CHECK_TITLES = {
    "data": "data",
    "shapes": "shapes (SHACL-for-SHACL)",
    "query": "stored query syntax",
}


def short_iri(iri: str) -> str:
    """A readable form of our IRIs: `cluster/rotterdam` for https://w3id.org/clustergraph/id/…"""
    base = "https://w3id.org/clustergraph/id/"
    return "cgid:" + iri[len(base) :] if iri.startswith(base) else iri


def _focus_text(r: ValidationResult) -> str:
    if r.focus_node.startswith("_:"):
        where = f"a blank node of {short_iri(r.owner)}" if r.owner else "a blank node"
    else:
        where = short_iri(r.focus_node)
    return f'{where} "{r.focus_label}"' if r.focus_label else where


def _summary(report: ValidationReport) -> str:
    return summary_line(report.count_by_severity(), report.conforms, report.fail_on,
                        report.inference, len(report.files), report.engine)


def summary_line(counts: dict[str, int], conforms: bool, fail_on: str, inference: str,
                 files: int, engine: str) -> str:
    """The last line of the text report: the verdict, the counts per severity, how it was run."""
    parts = ", ".join(f"{n} {k.lower()}{'' if n == 1 else 's'}" for k, n in counts.items())
    verdict = "conforms" if conforms else "does not conform"
    return (
        f"{verdict}: {parts} (fail on {fail_on}; inference {inference}; "
        f"{files} files; {engine})"
    )


def _shows_value(r: ValidationResult) -> bool:
    """A value worth printing: not absent, and not the resource itself (node-level checks)."""
    if r.value is None or r.check == "query":
        return False
    return r.value.strip("<>") != r.focus_node and r.value != short_iri(r.focus_node)


def _line(r: ValidationResult) -> str:
    bits = [f"{r.severity:<9}"]
    if r.path:
        bits.append(r.path)
    bits.append(r.message)
    if _shows_value(r):
        bits.append(f"(value: {r.value})")
    return " ".join(bits)


def text(report: ValidationReport) -> str:
    """Results grouped by resource: where it is defined, its label, then one line per problem."""
    return "".join(line + "\n" for line in [*text_lines(report.results), _summary(report)])


def text_lines(results: list[ValidationResult]) -> list[str]:
    """The lines of `text` before the summary (results of one file give a part of them)."""
    lines: list[str] = []
    groups: dict[tuple[str, str | None, str], list[ValidationResult]] = {}
    for r in results:
        groups.setdefault((r.check, r.location, r.owner or r.focus_node), []).append(r)
    current_check = None
    for (check, location, _focus), results in groups.items():
        if check != current_check and check != "data":
            lines.append(f"== {_CHECK_TITLES.get(check, check)} ==")
        current_check = check
        first = results[0]
        head = location or "(no file position)"
        if check == "query":
            head = (
                f"{first.file}:{first.line}:{first.column}" if first.line else (first.file or head)
            )
            lines.append(head)
        else:
            lines.append(f"{head}: {_focus_text(first)}")
        for r in results:
            lines.append(f"    {_line(r)}")
            details = [r.component]
            if r.source_shape:
                details.append(f"shape {r.source_shape}")
            if r.focus_node.startswith("_:") and r.owner:
                details.append(f"focus {r.focus_node}")
            lines.append(f"              [{', '.join(d for d in details if d)}]")
    return lines


def json_text(report: ValidationReport) -> str:
    """The report as indented JSON (`ValidationReport.to_dict`)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _gh_escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(report: ValidationReport) -> str:
    """GitHub Actions workflow commands: `::error file=…,line=…,title=…::…` per result."""
    level = {"Violation": "error", "Warning": "warning", "Info": "notice"}
    lines = []
    for r in report.results:
        props = []
        if r.file:
            props.append(f"file={_gh_escape(r.file, prop=True)}")
            if r.line:
                props.append(f"line={r.line}")
            if r.column:
                props.append(f"col={r.column}")
        title = " ".join(x for x in (r.severity, r.path or "", r.component) if x)
        props.append(f"title={_gh_escape(title, prop=True)}")
        body = f"{_focus_text(r)}: {r.path + ': ' if r.path else ''}{r.message}"
        if _shows_value(r):
            body += f" (value: {r.value})"
        lines.append(f"::{level.get(r.severity, 'error')} {','.join(props)}::{_gh_escape(body)}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def junit(report: ValidationReport) -> str:
    """JUnit XML: one test case per resource with results (failing ones fail), or one passing case."""
    # xml.etree: ~2.5 ms to import (python -X importtime), which the other formats do without
    from xml.etree import ElementTree as ET

    failing = ("Violation",) if report.fail_on == "violation" else ("Violation", "Warning")
    suite = ET.Element("testsuite", name="clustergraph validate")
    groups: dict[tuple[str, str], list[ValidationResult]] = {}
    for r in report.results:
        groups.setdefault((r.check, r.owner or r.focus_node), []).append(r)
    failures = 0
    for (check, _focus), results in groups.items():
        first = results[0]
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"clustergraph.{check}.{first.file or 'graph'}",
            name=f"{first.location or ''} {_focus_text(first)}".strip(),
        )
        if first.file:
            case.set("file", first.file)
        if first.line:
            case.set("line", str(first.line))
        body = "\n".join(f"{r.location or ''}: {_line(r)} [{r.component}]" for r in results)
        bad = [r for r in results if r.severity in failing]
        if bad:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{bad[0].path or ''} {bad[0].message}".strip(),
                type=bad[0].severity,
            )
            failure.text = body
        else:
            ET.SubElement(case, "system-out").text = body
    if not groups:
        ET.SubElement(suite, "testcase", classname="clustergraph.data", name="the graph conforms")
    suite.set("tests", str(max(1, len(groups))))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("time", f"{report.seconds:.3f}")
    ET.SubElement(suite, "system-out").text = _summary(report)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def turtle(report: ValidationReport) -> str:
    """The W3C SHACL validation report graph, in Turtle (`ValidationReport.to_turtle`)."""
    return report.to_turtle()


FORMATS: dict[str, Callable[[ValidationReport], str]] = {
    "text": text,
    "json": json_text,
    "junit": junit,
    "github": github,
    "turtle": turtle,
}


def format_report(report: ValidationReport, fmt: str = "text") -> str:
    """The report in one of `FORMATS`."""
    return FORMATS[fmt](report)
