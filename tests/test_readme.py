"""README.md stays true: its ruleset checks clean, its Python runs, and its
diagnostic example is exactly what `slarules check` prints."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from slarules import Source, check, parse
from slarules.interfaces.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def test_the_readme_ruleset_checks_without_any_diagnostic():
    (text,) = blocks("sla")
    assert check(parse(Source("README.sla", text))) == []


def test_the_readme_python_example_runs(tmp_path):
    (code,) = blocks("python")
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"format": "slarules.outcome/1"' in done.stdout


def test_the_readme_diagnostic_is_what_check_prints(tmp_path, capsys, monkeypatch):
    (shown,) = re.findall(r"```\n(rulesets/bad\.sla:.*?)```", README, re.DOTALL)
    lines = ['contract "Bad" currency USD, starts 2026-01', "inputs", "  monthly_fee money", "  up percent",
             "at risk: 10% of monthly_fee each month", "service level uptime", "  measured as up",
             "  target: at least 99%", "  credit: 2% of monthy_fee"]
    (tmp_path / "rulesets").mkdir()
    (tmp_path / "rulesets" / "bad.sla").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "rulesets/bad.sla"]) == 1
    printed = capsys.readouterr().err
    assert printed.startswith(shown)


def test_the_readme_verify_example_finds_the_reversed_tier(tmp_path, capsys, monkeypatch):
    (command,) = re.findall(r"^  (slarules verify .*)$", README, re.MULTILINE)
    argv = command.split()[1:]
    assert argv[-2:] == ["--out", "cex"]
    monkeypatch.chdir(ROOT)
    assert main([*argv[:-1], str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "VIOLATED     monotone" in out and "credits rose from 300.00 to 500.00" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["monotone.better.csv", "monotone.worse.csv"]


def test_the_readme_billing_run_across_an_amendment_and_a_correction(tmp_path):
    """The shell session runs as shown (the ruleset copied, amended after two months, a
    corrected month restated), and its last command prints what the README shows."""
    (session,) = [b for b in blocks("sh") if "--restate" in b]
    (shown,) = [b for b in re.findall(r"```text\n(.*?)```", README, re.DOTALL) if b.lstrip().startswith("Restatement")]
    for folder in ("rulesets", "examples"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(["bash", "-e", "-c", session], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    printed = done.stdout[done.stdout.index("Restatement"):]
    dedented = "\n".join(line[2:] for line in shown.rstrip().splitlines())
    assert re.sub(r"fingerprint sha256:[0-9a-f]{64}, slarules \S+", "fingerprint sha256:..., slarules ...",
                  printed).rstrip() == dedented
    # The amendment kept the state; the fourth run restated February, and the same run again adjusts nothing.
    again = subprocess.run(["bash", "-e", "-c", session.strip().splitlines()[-1]], cwd=tmp_path, capture_output=True,
                           text=True, timeout=60, env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert "No billed period changed: nothing to adjust." in again.stdout, again.stderr


def test_the_readme_portfolio_run_prints_what_it_shows(tmp_path):
    """The portfolio session runs as shown (two months of three subjects, their states in one
    store) and prints the README's text: the hand-checked totals and February's carried credit."""
    (session,) = [b for b in blocks("sh") if "--state-db" in b]
    (shown,) = [b for b in re.findall(r"```text\n(.*?)```", README, re.DOTALL) if b.startswith("subject,period,")]
    for folder in ("rulesets", "examples"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", session], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == shown
    # Both months are in the store, each subject's state continuing from March.
    again = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", session.splitlines()[-2].rstrip(" \\")
                            + " --format csv"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                           env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert again.returncode == 1 and again.stderr.count("the state continues from 2026-03") == 3


def test_the_readme_literate_contract_runs_end_to_end(tmp_path):
    """The literate Acme schedule: checked, evaluated (each line citing its contract clause) and
    explained as HTML with the schedule's wording beside the clauses, as the README shows."""
    (session,) = [b for b in blocks("sh") if "acme_schedule_c.sla.md" in b]
    (tmp_path / "rulesets").symlink_to(ROOT / "rulesets")
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(["bash", "-e", "-c", session], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    # 2026-03: speed of answer 74.12% is below 75%: 5% of 60,000.00 = 3,000.00, under C.2.1(a) (Schedule C).
    assert ("2026-03,speed_of_answer,,credit,3000.00,USD,acme_schedule_c.sla.md:52,C.2.1(a),"
            in done.stdout), done.stdout[:2000]
    page = (tmp_path / "schedule_c.html").read_text(encoding="utf-8")
    assert '<table class="literate">' in page and "C.2.1 Speed of answer" in page
