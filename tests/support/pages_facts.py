"""The rows of reference/pages-facts.md and which of them the graph uses.

Each row quotes a stored page ("source's words") at an address. A row is *used* when a
citation of the graph (`cg:citation`) cites a source at that address with words the row also
quotes; otherwise it is not used yet, and the record says why. `data/README.md` carries the
record between two markers; `tests/data/test_pages_facts.py` keeps it equal to what this module
writes, so regenerate it after changing the data:

    python tests/support/pages_facts.py
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES_FACTS = ROOT / "reference" / "pages-facts.md"
README = ROOT / "data" / "README.md"
BEGIN = "<!-- pages-facts record: begin (written by tests/support/pages_facts.py) -->"
END = "<!-- pages-facts record: end -->"
#: The shortest run of characters shared by a row's words and a citation's that counts as the
#: same quotation.
SHARED = 24
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")


@dataclass(frozen=True)
class Row:
    """One row: its number (in file order), section, fact, words, address and status."""

    number: int
    section: str
    fact: str
    words: str
    address: str
    status: str

    def quoted(self) -> list[str]:
        """The quoted fragments of the row's words (without its [glosses])."""
        text = re.sub(r"\[[^\]]*\]", " ", self.words)
        return [a or b for a, b in _QUOTED.findall(text)] or [text]


def rows(path: Path = PAGES_FACTS) -> list[Row]:
    """Every data row of the file's tables, "same as above" resolved to the address above it."""
    found: list[Row] = []
    section, last_address = "", ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("fact", "---") or set(cells[0]) <= {"-"}:
            continue
        fact, words, address, _date, status = cells
        address = last_address if address.lower().startswith("same as") else address
        last_address = address
        found.append(Row(len(found) + 1, section, fact, words, address, status))
    return found


def _shares_a_run(a: str, b: str) -> bool:
    a, b = " ".join(a.split()), " ".join(b.split())
    if len(a) < SHARED or len(b) < SHARED:
        return bool(a) and (a in b or b in a)
    return any(a[i:i + SHARED] in b for i in range(0, len(a) - SHARED + 1, 4))


def usage(graph) -> dict[int, list[str]]:
    """Row number -> the claims (IRIs) whose citations quote the row's words from its address."""
    query = """
        PREFIX cg: <https://w3id.org/clustergraph/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX schema: <https://schema.org/>
        SELECT ?claim ?url ?words WHERE {
            ?claim cg:citation ?c . ?c dcterms:source ?s ; cg:citedText ?words . ?s schema:url ?url .
        }"""
    cited: dict[str, list[tuple[str, str]]] = {}
    for claim, url, words in graph.query(query):
        cited.setdefault(str(url), []).append((str(claim), str(words)))
    out: dict[int, list[str]] = {}
    for row in rows():
        claims = {claim for claim, words in cited.get(row.address, ())
                  if any(_shares_a_run(q, words) or _shares_a_run(words, q) for q in row.quoted())}
        out[row.number] = sorted(claims)
    return out


def _why_not(row: Row, addresses: set[str]) -> str:
    if row.status.lower().startswith("observation") or not row.address.startswith("http"):
        return "the compiler's own reading, not a source's words"
    if row.section.startswith(("UK CCUS", "US DOE", "EU Hydrogen", "Netherlands")):
        return "a programme beside the initiative: the depth issue (#23) models the programmes"
    if row.address in addresses:
        return "its page is a source, but no claim quotes these words yet (#23)"
    return "not modelled yet: the depth issue (#23) takes it"


def record(graph) -> str:
    """The Markdown table: each row, used by which claims or not used and why."""
    from clustergraph.vocab import ID_NS

    used = usage(graph)
    addresses = {str(u) for (u,) in graph.query(
        "SELECT ?u WHERE { ?s <https://schema.org/url> ?u }")}
    lines = ["| row | section | fact | used by |", "|---:|---|---|---|"]
    for row in rows():
        claims = used[row.number]
        cell = (", ".join(f"`{c.removeprefix(ID_NS)}`" for c in claims) if claims
                else f"not used: {_why_not(row, addresses)}")
        fact = row.fact.replace("|", "/")
        lines.append(f"| {row.number} | {row.section} | {fact} | {cell} |")
    n_used = sum(1 for claims in used.values() if claims)
    return (f"{n_used} of the {len(used)} rows are used.\n\n" + "\n".join(lines) + "\n")


def readme_with(text: str, table: str) -> str:
    """README text with the record between the markers replaced by `table`."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{table}{END}{tail}"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    from clustergraph.files.load import load_graph

    README.write_text(readme_with(README.read_text(encoding="utf-8"), record(load_graph())),
                      encoding="utf-8")
