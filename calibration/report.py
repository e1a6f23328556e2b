"""The HTML report: one self-contained page (inline CSS, JS and SVG; no network).

Sections: what was measured and how (mode and why, machine, libraries, date,
reference); plots (weight per op by category, spread across repeats, and the
agreement with a second run when one is given); a sortable, filterable table of
every measured op; the zero-FLOP ops; every skipped or failed op with its reason.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any, Mapping

from calibration.categories import CATEGORIES
from calibration.compare import Comparison, compare_runs
from calibration.machine import describe_machine
from calibration.svg import color_for, scatter_plot, strip_plot

__all__ = ["render_report"]

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d232a;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px}
.sub{color:#5b6570;margin:0 0 16px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:20px}.card span{color:#5b6570;font-size:12px}
.box{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:12px 16px;margin:8px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:#5b6570}
dd{margin:0}
svg.plot{width:100%;height:auto;background:#fff;border:1px solid #dde1e6;border-radius:8px}
svg .grid{stroke:#e5e8ec}svg .tick{font-size:11px;fill:#5b6570}
svg .label{font-size:12px;fill:#1d232a}svg .median{stroke:#1d232a;stroke-width:2}
svg .diagonal{stroke:#1d232a;stroke-dasharray:4 3}svg .band{fill:#0072b2;fill-opacity:.12}
svg .target{stroke:#d55e00;stroke-dasharray:5 3}
.controls{display:flex;gap:8px;margin:8px 0}
input,select{font:inherit;padding:4px 8px;border:1px solid #c5cbd3;border-radius:6px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #eceff2;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#eef1f4;cursor:pointer;user-select:none;white-space:nowrap}
th.sorted-asc::after{content:" \\25B2"}th.sorted-desc::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px}
.bad{color:#b42318}.note{color:#5b6570;font-size:12px}
details summary{cursor:pointer;margin:6px 0}
"""

_JS = """
document.querySelectorAll('table.sortable').forEach(function(table){
  var heads=table.querySelectorAll('th');
  heads.forEach(function(th,col){th.addEventListener('click',function(){
    var asc=!th.classList.contains('sorted-asc');
    heads.forEach(function(h){h.classList.remove('sorted-asc','sorted-desc')});
    th.classList.add(asc?'sorted-asc':'sorted-desc');
    var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.cells[col].dataset.v!==undefined?a.cells[col].dataset.v:a.cells[col].textContent;
      var y=b.cells[col].dataset.v!==undefined?b.cells[col].dataset.v:b.cells[col].textContent;
      var nx=parseFloat(x),ny=parseFloat(y),r;
      if(!isNaN(nx)&&!isNaN(ny)){r=nx-ny}else{r=String(x).localeCompare(String(y))}
      return asc?r:-r});
    rows.forEach(function(r){body.appendChild(r)});
  })});
});
var filter=document.getElementById('filter'),cat=document.getElementById('cat');
function applyFilter(){
  var q=filter.value.toLowerCase(),c=cat.value;
  document.querySelectorAll('#ops tbody tr').forEach(function(r){
    var ok=r.dataset.name.indexOf(q)>=0&&(!c||r.dataset.cat===c);
    r.style.display=ok?'':'none'});
}
if(filter){filter.addEventListener('input',applyFilter);cat.addEventListener('change',applyFilter)}
"""


def _fmt(value: Any, digits: int = 4) -> str:
    if isinstance(value, (int, float)):
        return f"{value:.{digits}g}"
    return escape(str(value))


def _card(value: str, label: str) -> str:
    return f'<div class="card"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def _measured(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: e for n, e in doc["ops"].items() if e.get("status") == "measured"}


def _measurement(entry: Mapping[str, Any]) -> float:
    """An op's measured weight (before grouping and snapping)."""
    return float(entry.get("measured", entry["weight"]))


def _category_colors() -> dict[str, str]:
    return {c: color_for(i) for i, c in enumerate(CATEGORIES)}


def _header(doc: Mapping[str, Any]) -> str:
    meta = doc["meta"]
    counts = meta.get("counts", {})
    machine = meta.get("machine", {})
    libs = meta.get("libraries", {})
    ref = meta.get("reference", {})
    unit = meta.get("unit", "")
    cards = "".join([
        _card(str(meta.get("mode", "?")), "measurement mode"),
        _card(str(counts.get("measured", 0)), "ops measured"),
        _card(str(counts.get("zero", 0)), "zero-FLOP ops (weight 0)"),
        _card(str(counts.get("skipped", 0)), "skipped or failed"),
        _card(f"{meta.get('duration_s', 0) / 60:.1f} min", "run time"),
        _card(str(meta.get("repeats", "?")), "repeats"),
    ])
    rows = [
        ("Mode", f"<b>{escape(str(meta.get('mode')))}</b> — "
                 f"{escape(str(meta.get('mode_reason', '')))}"),
        ("Unit", escape(unit)),
        ("Date (UTC)", escape(str(meta.get("date")))),
        ("Machine", escape(describe_machine(machine))),
        ("Libraries", escape(", ".join(f"{k} {v}" for k, v in libs.items() if v))),
        ("dtype", escape(str(meta.get("dtype")))),
        ("Categories", escape(", ".join(meta.get("categories") or ["all"]))),
        ("Reference", escape(
            f"ufunc dispatch {ref.get('dispatch_median', float('nan')):.4g} {unit}/call, "
            f"np.add {ref.get('unit_median', float('nan')):.4g} {unit}/FLOP "
            f"(medians over {len(ref.get('per_worker', []))} workers)") if ref else "—"),
        ("Command", f"<code>{escape(str(meta.get('command', '')))}</code>"),
    ]
    for probe, outcome in (meta.get("probes") or {}).items():
        if outcome not in str(meta.get("mode_reason", "")):
            rows.append((f"{probe} probe", escape(outcome)))
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (f"<h1>flopscope calibration report</h1>"
            f'<p class="sub">weight = max(alpha_raw − overhead, 0): cost per analytical FLOP '
            f"relative to np.add, net of ufunc dispatch (none subtracted for BLAS-backed "
            f"categories).</p><div class=\"cards\">{cards}</div>"
            f'<div class="box"><dl>{details}</dl></div>')


def _weights_plot(doc: Mapping[str, Any]) -> str:
    measured = _measured(doc)
    colors = _category_colors()
    groups = []
    for category in CATEGORIES:
        points = [(n, _measurement(e)) for n, e in measured.items() if e["category"] == category]
        if points:
            groups.append((category, points, colors[category]))
    if not groups:
        return "<p class=\"note\">No measured ops.</p>"
    zeros = sum(1 for e in measured.values() if _measurement(e) == 0)
    note = (f'<p class="note">Each dot is an op (hover for its name); bars are category '
            f"medians; log scale. {zeros} measured op(s) came out at 0 and sit on the bottom "
            f"edge as hollow dots.</p>" if zeros else
            '<p class="note">Each dot is an op (hover for its name); bars are category medians; '
            "log scale.</p>")
    return ("<h2>Measured weight per op, by category</h2>" + strip_plot(groups, "weight")
            + note)


def _spread_plot(doc: Mapping[str, Any]) -> str:
    measured = _measured(doc)
    colors = _category_colors()
    points = [(n, _measurement(e), float(e["spread"]) * 100, colors.get(e["category"], "#777"))
              for n, e in measured.items() if e.get("spread", 0) > 0 and _measurement(e) > 0]
    head = "<h2>Spread across repeats</h2>"
    if not points:
        return head + ('<p class="note">No spread to show: it needs at least two repeats '
                       "(and two that differ).</p>")
    over = sum(1 for p in points if p[2] > 10)
    return (head + scatter_plot(points, "weight", "spread across repeats (%, (max−min)/median)",
                                hlines=[(10.0, "10%")])
            + f'<p class="note">{over} of {len(measured)} measured ops have a spread above '
              "10%.</p>")


def _comparison_section(comparison: Comparison) -> str:
    colors = _category_colors()
    points = [(name, a, b, colors.get(cat, "#777")) for name, cat, a, b, _ in comparison.rows]
    worst = "".join(
        f"<tr><td>{escape(n)}</td><td>{escape(c)}</td><td class=num>{a:.4g}</td>"
        f"<td class=num>{b:.4g}</td><td class=num>{d:.1%}</td></tr>"
        for n, c, a, b, d in comparison.rows[:15])
    if comparison.same_mode:
        title = "Agreement with a second run"
        target = " (repeatability target: under 10%)"
    else:
        title = "Comparison with a run in another mode"
        target = (" (different modes measure different things: read the rank correlation "
                  "and the scatter's shape, not the values)")
    return (
        f"<h2>{title}</h2>"
        f'<div class="box"><dl><dt>A</dt><dd>{escape(comparison.label_a)}</dd>'
        f"<dt>B</dt><dd>{escape(comparison.label_b)}</dd>"
        f"<dt>Ops in both</dt><dd>{comparison.count}</dd>"
        f"<dt>Median relative difference</dt><dd><b>{comparison.median_relative_difference:.1%}"
        f"</b>{escape(target)}</dd>"
        f"<dt>Spearman rank correlation</dt><dd>{comparison.spearman:.3f}</dd></dl></div>"
        + scatter_plot(points, "weight, A", "weight, B", diagonal=True, band=0.10)
        + '<p class="note">Dashed line: equal weights; shaded band: within 10%.</p>'
        "<details><summary>Largest differences</summary><table><thead><tr><th>op</th>"
        "<th>category</th><th>A</th><th>B</th><th>difference</th></tr></thead>"
        f"<tbody>{worst}</tbody></table></details>")


def _sizes_text(entry: Mapping[str, Any]) -> str:
    return " · ".join(f"{row['size']:,}: {row['alpha_raw']:.3g}" for row in entry.get("sizes", []))


def _ops_table(doc: Mapping[str, Any]) -> str:
    colors = _category_colors()
    rows = []
    for name, e in sorted(_measured(doc).items()):
        color = colors.get(e["category"], "#777")
        per_repeat = ", ".join(f"{w:.3g}" for w in e.get("per_repeat", []))
        errors = f' <span class="bad" title="{escape("; ".join(e["errors"]))}">⚠</span>' \
            if e.get("errors") else ""
        rows.append(
            f'<tr data-name="{escape(name.lower())}" data-cat="{escape(e["category"])}">'
            f"<td>{escape(name)}{errors}</td>"
            f'<td><span class="swatch" style="background:{color}"></span>'
            f'{escape(e["category"])}</td>'
            f'<td class=num data-v="{_measurement(e)}">{_fmt(_measurement(e))}</td>'
            f'<td class=num data-v="{e["weight"]}"><b>{_fmt(e["weight"])}</b></td>'
            f'<td>{escape(str(e.get("group", "")))}</td>'
            f'<td class=num data-v="{e["alpha_raw"]}">{_fmt(e["alpha_raw"])}</td>'
            f'<td class=num data-v="{e["overhead"]}">{_fmt(e["overhead"])}</td>'
            f'<td class=num data-v="{e["spread"]}">{e["spread"]:.1%}</td>'
            f"<td class=note>{escape(per_repeat)}</td>"
            f"<td class=note>{escape(_sizes_text(e))}</td>"
            f'<td>{"✓" if e.get("out") else ""}</td>'
            f'<td class=num data-v="{e.get("seconds", 0)}">{e.get("seconds", 0):.1f}</td></tr>')
    options = "".join(f'<option value="{c}">{c}</option>' for c in CATEGORIES)
    return (
        "<h2>Measured ops</h2>"
        '<div class="controls"><input id="filter" placeholder="filter by name">'
        f'<select id="cat"><option value="">all categories</option>{options}</select></div>'
        '<p class="note">Click a column to sort. measured: this run\'s weight; official: '
        "the weight shipped (its group's, snapped to the grid); alpha_raw: cost per FLOP "
        "relative to np.add; overhead: ufunc dispatch amortised over the op's FLOPs; sizes: alpha_raw per size "
        "(median over distributions and repeats); out: measured with a pre-allocated output.</p>"
        '<table id="ops" class="sortable"><thead><tr><th>op</th><th>category</th><th>measured</th>'
        "<th>official</th><th>group</th><th>alpha_raw</th><th>overhead</th><th>spread</th>"
        "<th>per repeat</th>"
        "<th>alpha_raw by size</th><th>out</th><th>time (s)</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>")


def _groups_section(doc: Mapping[str, Any], other: Mapping[str, Any] | None) -> str:
    groups = doc.get("groups")
    if not groups:
        return ""
    rule = doc["meta"].get("official", {}).get("rule", "")
    rows = []
    for name, g in sorted(groups.items(), key=lambda item: (-len(item[1]["members"]), item[0])):
        previous = "—" if g.get("previous") is None else _fmt(g["previous"])
        check = "" if g["fastest_member"] == g["source"] else (
            f' <span class="bad" title="cheapest measured member">'
            f'{escape(g["fastest_member"])} {_fmt(g["fastest_measured"])}</span>')
        rows.append(
            f"<tr><td>{escape(name)}</td><td class=num>{len(g['members'])}</td>"
            f"<td>{escape(g['source'])}{check}</td>"
            f'<td class=num data-v="{g["measured"]}">{_fmt(g["measured"])}</td>'
            f'<td class=num data-v="{g["spread"]}">{g["spread"]:.1%}</td>'
            f"<td class=num>{previous}</td>"
            f'<td class=num data-v="{g["official"]}"><b>{_fmt(g["official"])}</b></td>'
            f'<td class=num data-v="{g["margin"]}">{g["margin"]:.0%}</td></tr>')
    stable = ""
    if other is not None and other.get("groups"):
        from calibration.official import stability

        result = stability(doc, other)
        stable = (f'<p class="note">Against the other run: {result["groups"]} groups; '
                  f'{len(result["changed_independent"])} would get another value if each run '
                  f'were snapped on its own, {len(result["changed_sticky"])} if the other run '
                  "were shipped after this one (hysteresis).</p>")
    return (
        f"<h2>Official values ({len(groups)} groups)</h2>"
        f'<p class="note">{escape(rule)}. source: the op measured for the group (its '
        "reference, NumPy's fastest kernel; a red name is a cheaper member, a sign to "
        "review the reference); spread: the source's (max − min)/median over repeats; "
        "margin: how much a re-run's measurement may move before the official value "
        f"changes.</p>{stable}"
        '<table class="sortable"><thead><tr><th>group</th><th>members</th><th>source</th>'
        "<th>measured</th><th>spread</th><th>previous</th><th>official</th><th>margin</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _zero_and_skipped(doc: Mapping[str, Any]) -> str:
    zeros = sorted(n for n, e in doc["ops"].items() if e.get("status") == "zero")
    skipped = doc.get("skipped", {})
    skipped_rows = "".join(
        f"<tr><td>{escape(n)}</td><td>{escape(s.get('category', ''))}</td>"
        f"<td>{escape(s.get('reason', ''))}</td></tr>" for n, s in sorted(skipped.items()))
    return (
        f"<h2>Skipped or failed ({len(skipped)})</h2>"
        + ('<table class="sortable"><thead><tr><th>op</th><th>category</th><th>reason</th>'
           f"</tr></thead><tbody>{skipped_rows}</tbody></table>" if skipped else
           '<p class="note">None: every selected op was measured.</p>')
        + f"<h2>Zero-FLOP ops ({len(zeros)})</h2>"
        '<p class="note">Free operations (creation, views, copies): not benchmarked, '
        "emitted with weight 0.0.</p>"
        f"<details><summary>Show the list</summary><p>{escape(', '.join(zeros))}</p></details>")


def render_report(doc: Mapping[str, Any], other: Mapping[str, Any] | None = None) -> str:
    """The report page for rich document ``doc``, comparing with ``other`` if given."""
    comparison = ""
    if other is not None:
        comparison = _comparison_section(compare_runs(doc, other, ("this run", "other run")))
    title = escape(f"flopscope calibration — {doc['meta'].get('mode')} — {doc['meta'].get('date')}")
    body = (_header(doc) + _weights_plot(doc) + _spread_plot(doc) + comparison
            + _groups_section(doc, other) + _ops_table(doc) + _zero_and_skipped(doc))
    embedded = json.dumps({"schema": doc.get("schema"), "weights": doc["weights"]}).replace(
        "</", "<\\/")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body><main>{body}</main>"
            f'<script type="application/json" id="weights-data">{embedded}</script>'
            f"<script>{_JS}</script></body></html>\n")
