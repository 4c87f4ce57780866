"""Literate rulesets: a Markdown file whose ```sla blocks are the ruleset, the contract's wording
around them. Every command reads it; diagnostics point at the Markdown's own lines; fmt rewrites
only the blocks; explain --format html sets the wording beside the clauses; the fingerprint is that
of the same terms written as a plain ruleset."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from slarules import Source, SlaError, check, compile_source, parse, read_history
from slarules.core.source import sla_blocks
from slarules.language.fingerprint import fingerprint
from slarules.language.fmt import format_source
from slarules.tools.explain import explain

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "rulesets" / "acme_schedule_c.sla.md"
PLAIN = ROOT / "rulesets" / "acme_contact_center.sla"
GOLDEN = ROOT / "tests" / "golden"

CONTRACT = """# Schedule

The wording of the *schedule*; `code` and <tags> are text.

```sla
contract "T"
  currency USD, assessed monthly, starts 2026-01
inputs
  fee money
  ok count
  all count
```

## 4.2 Speed

~~~python
```sla
not a block: inside another fence
~~~

```sla
service level soa clause "4.2"
  measured as ok / all, in percent
  target: at least 80%
  credit: 2% of fee
```

After the last block.
"""


def source(text: str = CONTRACT, path: str = "contract.sla.md") -> Source:
    return Source(path, text)


def test_the_blocks_are_found_and_other_fences_are_prose():
    blocks = sla_blocks(CONTRACT)
    assert [(b.opening, b.first, b.last, b.closing) for b in blocks] == [(5, 6, 11, 12), (21, 22, 25, 26)]


def test_the_ruleset_keeps_the_markdowns_lines_and_columns():
    text = source().ruleset_text
    assert text.split("\n")[21] == 'service level soa clause "4.2"'
    assert text.split("\n")[2] == ""  # prose emptied
    assert len(text.split("\n")) == len(CONTRACT.split("\n"))


def test_an_error_in_the_second_block_points_at_the_markdown_line_and_column():
    broken = CONTRACT.replace("credit: 2% of fee", "credit: 2% of fees")
    [diagnostic] = [d for d in check(parse(source(broken))) if d.is_error]
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("SLA201", 25, 17)
    assert diagnostic.render().splitlines()[0] == "contract.sla.md:25:17: error[SLA201]: unknown input 'fees'"
    assert "25 |   credit: 2% of fees" in diagnostic.render()


def test_a_syntax_error_in_the_second_block_points_at_the_markdown_line():
    broken = CONTRACT.replace("target: at least 80%", "target at least 80%")
    with pytest.raises(SlaError) as err:
        parse(source(broken))
    assert err.value.diagnostics[0].span.line == 24


def test_a_markdown_file_without_a_block_is_an_error():
    with pytest.raises(SlaError) as err:
        parse(source("# Only wording\n\n```python\nx = 1\n```\n"))
    assert [d.code for d in err.value.diagnostics] == ["SLA260"]


def test_an_unclosed_fence_runs_to_the_end():
    text = CONTRACT.rsplit("```", 1)[0]  # the last fence and the wording after it gone
    assert sla_blocks(text)[-1].closing is None
    assert parse(source(text)).service_levels[0].name.text == "soa"


def test_fmt_rewrites_only_the_blocks_and_keeps_the_wording_byte_for_byte():
    messy = CONTRACT.replace("  measured as ok / all, in percent", "     measured as ok/all,in percent   # kpi") \
        .replace("The wording of", "The  wording   of")
    formatted = format_source(source(messy))
    assert formatted == CONTRACT.replace("The wording of", "The  wording   of").replace(
        "  measured as ok / all, in percent", "  measured as ok / all, in percent  # kpi").replace(
        "inputs\n  fee money\n  ok count\n  all count",
        "\ninputs\n  fee  money\n  ok   count\n  all  count")
    assert format_source(source(formatted)) == formatted


def test_fmt_refuses_a_construct_across_two_blocks():
    split = CONTRACT.replace("  target: at least 80%\n", "  target: at least 80%\n```\n\nMore wording.\n\n```sla\n")
    with pytest.raises(SlaError) as err:
        format_source(source(split))
    assert [d.code for d in err.value.diagnostics] == ["SLA261"]
    assert [d for d in check(parse(source(split))) if d.is_error] == []  # still a ruleset: it only reads apart


def test_the_fingerprint_is_that_of_the_same_terms_as_plain_text():
    # The wording is not terms: the Acme schedule states acme_contact_center.sla's terms, in its order.
    literate = parse(Source("rulesets/acme_schedule_c.sla.md", SCHEDULE.read_text(encoding="utf-8")))
    plain = parse(Source("rulesets/acme_contact_center.sla", PLAIN.read_text(encoding="utf-8")))
    assert literate == plain
    assert fingerprint(literate) == fingerprint(plain)
    assert fingerprint(parse(source())) == fingerprint(parse(Source("c.sla", source().ruleset_text)))


def test_the_acme_schedule_bills_what_the_plain_ruleset_bills(golden):
    def outcome(path: Path):
        program = compile_source(Source(f"rulesets/{path.name}", path.read_text(encoding="utf-8")))
        return program.evaluate(read_history(program, ROOT / "rulesets" / "acme_contact_center.csv",
                                             ROOT / "rulesets" / "acme_contact_center.events.csv"))
    literate, plain = outcome(SCHEDULE), outcome(PLAIN)
    assert literate.totals == plain.totals
    assert [(l.period, l.kind, l.amount, l.contract_clause) for l in literate.lines] == [
        (l.period, l.kind, l.amount, l.contract_clause) for l in plain.lines]
    golden(literate.to_json(), GOLDEN / "outcomes" / "acme_schedule_c.json")


def test_explain_html_sets_the_wording_beside_each_blocks_clauses(golden):
    page = explain(parse(source()), "html")
    assert page.count('<tr><td class="contract">') == 3  # two blocks, and the wording after the last
    assert "&lt;tags&gt;" in page and "<tags>" not in page
    first, second = page.split('<tr><td class="contract">')[1:3]
    assert "Currency." in first and "Service credit." not in first
    assert "<h3>4.2 Speed</h3>" in second and "Service credit." in second and "contract clause 4.2" in second
    assert "not a block: inside another fence" in second  # a fence of another language is wording
    schedule = parse(Source("rulesets/acme_schedule_c.sla.md", SCHEDULE.read_text(encoding="utf-8")))
    golden(explain(schedule, "html"), GOLDEN / "explain" / "acme_schedule_c.html")


def test_every_command_reads_a_literate_ruleset(tmp_path):
    path = tmp_path / "contract.sla.md"
    path.write_text(CONTRACT, encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text("period,fee,ok,all\n2026-01,1000,70,100\n", encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "slarules", *args], capture_output=True, text=True,
                              cwd=tmp_path)
    assert run("check", str(path)).returncode == 0
    evaluated = run("evaluate", str(path), str(data), "--format", "csv")
    assert evaluated.returncode == 0 and ",credit,20.00,USD,contract.sla.md:25,4.2," in evaluated.stdout
    assert run("explain", str(path)).returncode == 0
    assert run("fmt", "--check", str(path)).returncode == 1  # the inputs are not aligned yet
    assert run("fmt", str(path)).returncode == 0
    assert run("fmt", "--check", str(path)).returncode == 0
    assert "After the last block." in path.read_text(encoding="utf-8")
    assert run("verify", str(path), "--effort", "quick").returncode == 0


def test_fmt_refusing_a_construct_across_two_blocks_says_where_it_starts(golden):
    split = CONTRACT.replace("  target: at least 80%\n", "  target: at least 80%\n```\n\nMore wording.\n\n```sla\n")
    with pytest.raises(SlaError) as err:
        format_source(source(split))
    golden("\n".join(d.render() for d in err.value.diagnostics) + "\n",
           GOLDEN / "file_errors" / "literate_construct_across_two_blocks.expected")
