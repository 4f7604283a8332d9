//! The page skeleton: one self-contained HTML document with its CSS inline, no script,
//! no external asset; sections with anchors and a table of contents.

use crate::escape::html as esc;

const CSS: &str = r#"
:root{--ok:#3b7dd8;--fail:#d64545;--info:#e8a21a;--cmp:#5fb8a0;--ink:#1d2330;--mute:#667085;--line:#d9dee7;--bg:#fff}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1280px;padding:16px 24px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
h1{font-size:22px;margin:4px 0 10px}h2{font-size:18px;margin:0 0 8px;padding-top:8px}h3{font-size:15px;margin:14px 0 6px}
section{border-top:1px solid var(--line);margin-top:18px;padding-top:6px}
nav{font-size:13px;color:var(--mute)}nav a{margin-right:12px}
a{color:#2459b3}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:3px 10px 3px 0;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;padding-left:10px}
tr.faulted td{background:#fff6e8}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:4px;padding:8px 10px;overflow-x:auto;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word;margin:6px 0}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:13px;color:#fff}
.valid{background:#2e8540}.invalid{background:#c62828}.unknown{background:#8a6d00}
.big{font-size:18px;padding:4px 14px;margin-right:10px}
.mute{color:var(--mute)}.note{color:#8a4b00}
.kv td:first-child{color:var(--mute);padding-right:18px}
details{margin:6px 0}summary{cursor:pointer;color:#2459b3}
.cx{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.cx pre{flex:1 1 380px;margin:0}
svg.chart{display:block;max-width:100%;height:auto;margin:6px 0;font:11px system-ui,sans-serif}
svg .grid{stroke:#eef0f4}svg .axis{stroke:#98a2b3}svg .tick{fill:var(--mute)}svg .title{fill:var(--ink)}
svg .pt{fill:none;stroke-linecap:round;stroke-width:3}
svg .pt.ok{stroke:var(--ok);stroke-opacity:.55}svg .pt.cmp{stroke:var(--cmp);stroke-opacity:.6}svg .pt.fail{stroke:var(--fail)}svg .pt.info{stroke:var(--info)}
svg .named{fill:none;stroke:#000;stroke-width:1.5}
svg .fault rect{fill-opacity:.13}svg .fault text{font-size:10px}
.f-partition rect{fill:#8e44ad}.f-partition text{fill:#6c3483}
.f-kill rect{fill:#c0392b}.f-kill text{fill:#922b21}
.f-pause rect{fill:#2471a3}.f-pause text{fill:#1a5276}
.f-net rect{fill:#138d75}.f-net text{fill:#0e6655}
.f-byzantine rect{fill:#d35400}.f-byzantine text{fill:#a04000}
.f-clock rect,.f-other rect{fill:#7f8c8d}.f-clock text,.f-other text{fill:#515a5a}
svg .series{fill:none;stroke-width:1.6}
svg .bar{stroke:none}svg .gap{fill:#c4c9d2;fill-opacity:.45}
svg .lane{fill:#f4f6f9}svg .lane-label{fill:var(--ink)}
svg .op.ok{fill:#9cc3f0}svg .op.fail{fill:#f2b0b0}svg .op.info,svg .op.open{fill:#f6d28f}
svg .op{stroke:#5b6b82;stroke-width:.8}svg .op.culprit{fill:#e53935;stroke:#7f0000;stroke-width:2}
svg .oplabel{font-size:10px;fill:var(--ink)}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px;vertical-align:-1px}
"#;

/// A whole document: title, table of contents, sections.
pub fn page(title: &str, toc: &[(&str, &str)], body: &str) -> String {
    let mut nav = String::new();
    for (id, name) in toc {
        nav.push_str(&format!("<a href=\"#{id}\">{}</a>", esc(name)));
    }
    let body = format!(
        "<nav>{nav}</nav>\n{body}\n\
         <p class=\"mute\">Rendered by schism from the stored files alone.</p>"
    );
    crate::shell::document(title, CSS, &body)
}

/// One section with an anchor and a heading.
pub fn section(id: &str, heading: &str, body: &str) -> String {
    let h = if heading.is_empty() {
        String::new()
    } else {
        format!("<h2>{}</h2>", esc(heading))
    };
    format!("<section id=\"{id}\">{h}\n{body}</section>\n")
}

/// A verdict as a coloured badge.
pub fn badge(v: history::Validity, class_extra: &str) -> String {
    format!(
        "<span class=\"badge {} {class_extra}\">{}</span>",
        v.as_str(),
        v.as_str()
    )
}
