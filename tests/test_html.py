"""Notebook and terminal displays, and the self-contained HTML report, read back with parsers."""

from __future__ import annotations

import math

import re
import shutil
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

import flopscope as flops
import flopscope.numpy as fnp
from flopscope.trace import dot as dotmod

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def golden(x, w):
    return fnp.tanh(x @ w).sum()


GOLDEN_LINE = golden.__code__.co_firstlineno + 1


class Tables(HTMLParser):
    """Collects every table (caption from the preceding <h3>), alerts, and <svg> and <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.highlighted: dict[str, list[list[str]]] = {}
        self.alerts: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []
        self._heading = self._cell = self._row = None
        self._in_h3 = self._in_alert = False
        self._row_hot = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        for key in ("src", "href"):
            if key in attrs:
                self.urls.append(attrs[key])
        if tag == "h3":
            self._in_h3, self._heading = True, ""
        elif tag == "table":
            self.tables[self._heading] = []
            self.highlighted[self._heading] = []
        elif tag == "tr":
            self._row, self._row_hot = [], attrs.get("class") == "fs-overrun"
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "div" and attrs.get("class") in ("fs-alert", "fs-ok"):
            self._in_alert = True
            self.alerts.append(attrs["class"] + ": ")

    def handle_endtag(self, tag):
        if tag == "h3":
            self._in_h3 = False
        elif tag in ("td", "th"):
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr":
            self.tables[self._heading].append(self._row)
            if self._row_hot:
                self.highlighted[self._heading].append(self._row)
        elif tag == "div":
            self._in_alert = False

    def handle_data(self, data):
        if self._in_h3:
            self._heading += data
        if self._cell is not None:
            self._cell += data
        if self._in_alert:
            self.alerts[-1] += data


def read(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    parser.close()
    return parser


def svg_of(html: str, wrap: bool = True) -> ET.Element:
    """The inline diagram, found by parsing the HTML as XML (it is well-formed)."""
    root = ET.fromstring(f"<div>{html}</div>" if wrap else html)
    (svg,) = list(root.iter(f"{SVG}svg"))
    return svg


def labels(svg: ET.Element) -> list[str]:
    return [" | ".join(t.text for t in g.iter(f"{SVG}tspan"))
            for g in svg.iter(f"{SVG}g") if "node" in g.get("class", "").split()]


def test_plan_repr_html_through_ipython():
    from IPython.core.formatters import DisplayFormatter

    p = flops.plan(golden, (4, 8), (8, 8))
    data, _ = DisplayFormatter().format(p)
    html = data["text/html"]
    assert data["text/plain"] == repr(p)
    parsed = read(html)
    # hand-computed: matmul 256, tanh 32, sum 32 of 320
    assert parsed.tables["By operation"] == [
        ["operation", "calls", "FLOPs", "analytical", "share"],
        ["matmul", "1", "256", "256", "80.0%"],
        ["sum", "1", "32", "32", "10.0%"],
        ["tanh", "1", "32", "32", "10.0%"],
    ]
    assert parsed.tables["Totals"] == [["FLOPs", "320"], ["counted calls", "3"]]
    assert parsed.tables["By call site"][1] == [
        f"test_html.py:{GOLDEN_LINE} in golden", "3", "320", "100.0%", "matmul, tanh, sum"]
    assert parsed.tables["Outputs"][1] == ["return", "scalar", "float64", ""]
    assert "script" not in parsed.tags and "svg" in parsed.tags
    svg = svg_of(html)
    assert labels(svg)[2].startswith("matmul | 4×8, 8×8 → 4×8 | 256 FLOPs · 80.0%")
    assert not parsed.alerts


def test_plan_html_report_with_an_overrun(tmp_path):
    p = flops.plan(golden, (4, 8), (8, 8))
    path = p.save(tmp_path / "report.html", budget=300, engine="builtin")
    html = path.read_text(encoding="utf-8")
    root = ET.fromstring(html.split("\n", 1)[1])  # well-formed XHTML after the doctype
    assert root.tag == f"{XHTML}html"
    parsed = read(html)
    assert parsed.urls == [] and "script" not in parsed.tags and "link" not in parsed.tags
    # the only URLs are XML namespace names, which are never fetched
    assert re.findall(r'(\S*)"(?:https?:|//)', html) == ['xmlns=', 'xmlns=']
    # budget 300: matmul (256) runs, tanh (cumulative 288) runs, sum (320) is refused
    (alert,) = parsed.alerts
    assert alert.startswith("fs-alert: Over budget: a run would be refused at sum at ")
    assert f"test_html.py:{GOLDEN_LINE} in golden" in alert and "cumulative 320 of 300" in alert
    assert parsed.highlighted["By operation"] == [["sum", "1", "32", "32", "10.0%"]]
    assert parsed.tables["Totals"][:3] == [["budget", "300"], ["used", "320 (106.7%)"],
                                           ["over budget by", "20"]]
    svg = svg_of(html.split("\n", 1)[1], wrap=False)
    alerts = [g for g in svg.iter(f"{SVG}g") if "alert" in g.get("class", "").split()]
    assert len(alerts) == 1
    assert [t.text for t in alerts[0].iter(f"{SVG}tspan")][:2] == [
        "a run would be refused here", "sum"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_html_report_with_graphviz_is_well_formed(tmp_path):
    p = flops.plan(golden, (4, 8), (8, 8))
    html = p.save(tmp_path / "gv.html", budget=300).read_text(encoding="utf-8")
    svg = svg_of(html.split("\n", 1)[1], wrap=False)
    assert any(t.text == "sum" for t in svg.iter(f"{SVG}text"))
    assert "<!DOCTYPE svg" not in html and "<?xml" not in html


def test_html_report_lists_every_row_and_fits_message(tmp_path):
    def wide(x):
        for i in range(20):
            with flops.namespace(f"n{i}"):
                x = fnp.exp(x)
        return x

    p = flops.plan(wide, (3,))
    fragment = read(p._repr_html_())
    assert len(fragment.tables["By namespace"]) == 1 + 15  # header + DISPLAY_ROWS
    report = read(p.to_html(budget=1000))
    assert len(report.tables["By namespace"]) == 1 + 20
    assert report.alerts == ["fs-ok: Fits: 60 of 1,000 FLOPs"]


def test_cli_html_and_svg_without_graphviz(tmp_path, monkeypatch, capsys):
    from flopscope.__main__ import main

    model = tmp_path / "model.py"
    model.write_text("import flopscope.numpy as fnp\n\ndef layer(x, w):\n"
                     "    return fnp.maximum(x @ w, 0)\n")
    monkeypatch.setattr(dotmod.shutil, "which", lambda name: None)
    for suffix in ("svg", "html"):
        out = tmp_path / f"plan.{suffix}"
        status = main(["plan", f"{model}:layer", "--arg", "2,3", "--arg", "3,4", "--budget",
                       "1e6", "--out", str(out)])
        assert status == 0, capsys.readouterr().err
        text = out.read_text(encoding="utf-8")
        assert "<svg" in text and "matmul" in text
    assert read(text).tables["By operation"][1] == ["matmul", "1", "24", "24", "75.0%"]
    status = main(["plan", f"{model}:layer", "--arg", "2,3", "--arg", "3,4",
                   "--out", str(tmp_path / "plan.png")])
    assert status == 1 and "Graphviz only" in capsys.readouterr().err
    assert not (tmp_path / "plan.png").exists()


def test_budget_context_displays():
    from IPython.core.formatters import DisplayFormatter

    with flops.BudgetContext(flop_budget=10**6, namespace="run") as ctx:
        golden(fnp.ones((4, 8)), fnp.ones((8, 8)))
    data, _ = DisplayFormatter().format(ctx)
    parsed = read(data["text/html"])
    assert parsed.tables["Totals"][:3] == [["budget", "1,000,000"], ["used", "320 (0.0%)"],
                                           ["remaining", "999,680"]]
    assert [row[0] for row in parsed.tables["By operation"][1:]] == ["matmul", "sum", "tanh"]
    assert parsed.tables["By call site"][1][:3] == [
        f"test_html.py:{GOLDEN_LINE} in golden", "3", "320"]
    assert len(labels(svg_of(data["text/html"]))) == 3  # an eager graph: the three calls
    text = _rich_text(ctx)
    assert "BudgetContext 'run'" in text and "matmul" in text and "999,680" in text


def _rich_text(obj) -> str:
    from rich.console import Console

    console = Console(record=True, width=140, color_system=None)
    console.print(obj)
    return console.export_text()


def test_budget_exhausted_error_displays():
    from IPython.core.formatters import DisplayFormatter

    with flops.BudgetContext(flop_budget=300, quiet=True):
        with pytest.raises(flops.BudgetExhaustedError) as info:
            golden(fnp.ones((4, 8)), fnp.ones((8, 8)))
    err = info.value
    data, _ = DisplayFormatter().format(err)
    parsed = read(data["text/html"])
    (alert,) = parsed.alerts
    assert alert == "fs-alert: " + str(err)
    assert parsed.highlighted["By operation"] == []  # the refused call did not run
    assert [row[0] for row in parsed.tables["By operation"][1:]] == ["matmul", "tanh"]
    assert parsed.tables["Totals"][:3] == [["budget", "300"], ["used", "288 (96.0%)"],
                                           ["remaining", "12"]]
    svg = svg_of(data["text/html"])
    refused = [g for g in svg.iter(f"{SVG}g") if "alert" in g.get("class", "").split()]
    assert [t.text for t in refused[0].iter(f"{SVG}tspan")][:2] == ["REFUSED: over budget", "sum"]
    text = _rich_text(err)
    assert "BudgetExhaustedError" in text and "sum" in text and "only 12 remain" in text


def test_time_exhausted_error_carries_its_graph():
    calls = 0
    with flops.BudgetContext(flop_budget=10**9, wall_time_limit_s=0.2, quiet=True) as ctx:
        x = fnp.ones((4, 4))
        with pytest.raises(flops.TimeExhaustedError) as info:
            for _ in range(10**6):
                x = fnp.tanh(x)
                calls += 1
                time.sleep(0.01)
    err = info.value
    graph = err.graph
    ran = len(ctx.op_log)  # the call that noticed the limit may itself have run
    assert calls <= ran <= calls + 1 and graph.number_of_nodes() == ran
    assert all(d["op"] == "tanh" for _, d in graph.nodes(data=True))
    parsed = read(err._repr_html_())
    assert parsed.alerts == ["fs-alert: " + str(err)]
    if ran:
        assert parsed.tables["By operation"][1][:3] == ["tanh", f"{ran:,}", f"{16 * ran:,}"]
    assert "TimeExhaustedError" in _rich_text(err)
    bare = flops.TimeExhaustedError("limit passed")
    with pytest.raises(flops.FlopscopeError, match="without a trace"):
        bare.graph
    assert read(bare._repr_html_()).alerts == ["fs-alert: limit passed"]


def test_plan_rich_and_weighted_display():
    from flopscope import _weights

    _weights.load_weights()
    p = flops.plan(golden, (4, 8), (8, 8))
    text = _rich_text(p)
    assert f"{p.flops:,}" in text and "matmul" in text
    parsed = read(p._repr_html_())
    rows = {row[0]: row for row in parsed.tables["By operation"][1:]}
    for node, data in p.graph.nodes(data=True):
        if data["kind"] == "op":
            # one call per op here: the table's per-op total is its exact cost rounded up
            assert rows[data["op"]][2] == f"{math.ceil(data['flops']):,}"
            assert rows[data["op"]][3] == f"{data['analytical_flops']:,}"


def test_save_graph_html_of_an_overrun(tmp_path):
    with flops.BudgetContext(flop_budget=300, quiet=True):
        with pytest.raises(flops.BudgetExhaustedError) as info:
            golden(fnp.ones((4, 8)), fnp.ones((8, 8)))
    path = flops.save_graph(info.value.graph, tmp_path / "overrun.html", title="why?",
                            engine="builtin")
    html = path.read_text(encoding="utf-8")
    ET.fromstring(html.split("\n", 1)[1])
    parsed = read(html)
    (alert,) = parsed.alerts
    assert alert.startswith("fs-alert: sum at ") and alert.endswith(": refused (32 FLOPs)")
    # what ran: matmul 256 and tanh 32; the refused sum is not counted
    assert parsed.tables["Totals"] == [["FLOPs", "288"], ["counted calls", "2"]]
    assert [row[:3] for row in parsed.tables["By operation"][1:]] == [
        ["matmul", "1", "256"], ["tanh", "1", "32"]]


def test_empty_plan_displays():
    p = flops.plan(lambda x: x.T, (2, 3))
    parsed = read(p._repr_html_())
    assert parsed.tables["Totals"] == [["FLOPs", "0"], ["counted calls", "0"]]
    assert len(labels(svg_of(p._repr_html_()))) == 2  # the input and the output
