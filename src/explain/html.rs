//! The `nnzip explain` page: one self-contained HTML file (inline CSS, inline SVG
//! charts, one inline script, no network access).
//!
//! The summaries, charts and snippets are rendered here; the coloured text is built in
//! the browser from a JSON block (`<script id="nnzip-data" type="application/json">`)
//! of byte values, costs in centibits and guesses, which keeps the page at about 40
//! bytes per explained byte. The JSON block is also what tests read: `nn` sums to the
//! coder's payload (`payload_bytes`), `lzw` to the `.Z` file without its header.

use super::Explanation;
use std::fmt::Write;

/// Bytes that cost less than this many bits count as "almost free".
pub const FREE_BITS: f32 = 0.1;

/// Rows in the surprise and free-stretch tables.
const TOP: usize = 20;

/// Snippets per unit and kind.
const SNIPPETS: usize = 5;

/// Bytes of context either side of a snippet's byte.
const CONTEXT: usize = 24;

/// Windows of the learning curve (at most).
const CURVE_WINDOWS: usize = 64;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// A byte shown as text: printable ASCII as is, control bytes and the rest as
/// visible symbols (`↵` for a newline).
fn show_byte(b: u8) -> String {
    match b {
        b'\n' => "↵".into(),
        b'\t' => "⇥".into(),
        b' ' => "␣".into(),
        0x21..=0x7e => (b as char).to_string(),
        _ => format!("\\x{b:02x}"),
    }
}

/// `text[lo..hi]` for a snippet: newlines and tabs as spaces, other bytes lossily.
fn show_run(text: &[u8]) -> String {
    String::from_utf8_lossy(text)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `text` with its whitespace made visible (`␣`, `↵`, `⇥`; a carriage return
/// dropped), for runs that may be nothing but whitespace.
fn show_visible(text: &[u8]) -> String {
    String::from_utf8_lossy(text)
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('␣'),
            '\n' => Some('↵'),
            '\t' => Some('⇥'),
            '\r' => None,
            c if c.is_control() => Some('·'),
            c => Some(c),
        })
        .collect()
}

/// A snippet around byte `i`, the byte itself marked, HTML-escaped.
fn snippet(text: &[u8], i: usize, len: usize) -> String {
    let lo = i.saturating_sub(CONTEXT);
    let hi = (i + len + CONTEXT).min(text.len());
    format!(
        "<span class=ctx>{}</span><mark>{}</mark><span class=ctx>{}</span>",
        esc(&show_run(&text[lo..i])),
        esc(&show_run(&text[i..i + len])),
        esc(&show_run(&text[i + len..hi]))
    )
}

/// Picks up to `k` indices from `order` (best first) at least `gap` apart.
fn spread(order: impl Iterator<Item = usize>, k: usize, gap: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for i in order {
        if out.iter().all(|&j| i.abs_diff(j) >= gap) {
            out.push(i);
            if out.len() == k {
                break;
            }
        }
    }
    out
}

/// Means of `v` over consecutive windows of `w` elements.
fn window_means(v: &[f32], w: usize) -> Vec<f64> {
    v.chunks(w.max(1))
        .map(|c| c.iter().map(|&x| f64::from(x)).sum::<f64>() / c.len() as f64)
        .collect()
}

/// A line chart as inline SVG: `series` of `(name, colour, values)` over windows
/// of `w` bytes.
fn line_chart(series: &[(&str, &str, &[f64])], w: usize, y_label: &str) -> String {
    let (width, height) = (720.0, 220.0);
    let (l, r, t, b) = (52.0, 12.0, 12.0, 34.0);
    let n = series.iter().map(|s| s.2.len()).max().unwrap_or(0).max(2);
    let y_max = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.08;
    let x = |i: usize| l + (width - l - r) * i as f64 / (n - 1) as f64;
    let y = |v: f64| t + (height - t - b) * (1.0 - v / y_max);
    let mut s =
        format!("<svg viewBox='0 0 {width} {height}' width='{width}' height='{height}' role=img>");
    for k in 0..=4 {
        let v = y_max / 1.08 * f64::from(k) / 4.0;
        let _ = write!(
            s,
            "<line x1={l} x2={} y1={y0:.1} y2={y0:.1} stroke='#ddd'/>\
             <text x={} y={:.1} font-size=11 text-anchor=end>{v:.2}</text>",
            width - r,
            l - 4.0,
            y(v) + 4.0,
            y0 = y(v)
        );
    }
    let _ = write!(
        s,
        "<text x=12 y={} font-size=11 transform='rotate(-90 12 {})' text-anchor=middle>{}</text>\
         <text x={} y={} font-size=11 text-anchor=middle>position in the file (windows of {w} bytes; last at {} KB)</text>",
        height / 2.0,
        height / 2.0,
        esc(y_label),
        (l + width - r) / 2.0,
        height - 6.0,
        (n * w).div_ceil(1024)
    );
    for (k, (name, colour, vals)) in series.iter().enumerate() {
        let pts: Vec<String> = vals
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=none stroke='{colour}' stroke-width=2 points='{}'/>\
             <rect x={} y={} width=12 height=3 fill='{colour}'/><text x={} y={} font-size=11>{}</text>",
            pts.join(" "),
            width - r - 150.0,
            t + 6.0 + 14.0 * k as f64,
            width - r - 134.0,
            t + 10.0 + 14.0 * k as f64,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// Costs as integer centibits, for the page's JSON.
fn centibits(v: &[f32]) -> String {
    let mut s = String::with_capacity(v.len() * 4);
    s.push('[');
    for (i, &b) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{}", (b * 100.0).round() as i64);
    }
    s.push(']');
    s
}

/// The page.
pub fn render(e: &Explanation) -> String {
    let n = e.text.len();
    let nf = n.max(1) as f64;
    let nn_sum: f64 = e.nn_bits.iter().map(|&b| f64::from(b)).sum();
    let lzw_sum: f64 = e.lzw_bits.iter().map(|&b| f64::from(b)).sum();
    let mut h = String::new();
    let scope = if (n as u64) < e.file_len {
        format!(
            "the first {n} bytes ({:.1} KB) of {} bytes; the rest of the file is not shown \
             (use <code>--max-bytes</code> for more)",
            n as f64 / 1024.0,
            e.file_len
        )
    } else {
        format!("all {n} bytes")
    };
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>\
         <title>nnzip explain: {name}</title><style>{CSS}</style></head><body>\
         <h1>What nnzip's network did on <code>{name}</code></h1>\
         <p class=scope>Explained: {scope}. Model: {model}{act}. \
         Run took {secs:.1} s.</p>",
        name = esc(&e.name),
        model = esc(&e.config.describe()),
        act = if e.units == 0 {
            String::new()
        } else {
            format!(", hidden activation <b>{}</b>", e.activation)
        },
        secs = e.secs
    );
    // Summary.
    let _ = write!(
        h,
        "<h2>Summary</h2><table class=sum>\
         <tr><th></th><th>bytes</th><th>bits per byte</th></tr>\
         <tr><td>original</td><td>{n}</td><td>8</td></tr>\
         <tr><td><b>nnzip</b> <code>.nnz</code> file (header, frame, CRC-32)</td><td>{nnz}</td><td><b>{nnz_bpc:.3}</b></td></tr>\
         <tr><td>nnzip range-coded payload</td><td>{pay}</td><td>{pay_bpc:.3}</td></tr>\
         <tr><td>sum of the per-byte costs below</td><td>{nn_b:.1}</td><td>{nn_bpc:.3}</td></tr>\
         <tr><td><b>LZW</b> <code>.Z</code> file (16-bit codes)</td><td>{z}</td><td><b>{z_bpc:.3}</b></td></tr>\
         <tr><td>sum of LZW's per-byte costs (header excluded)</td><td>{z_b:.1}</td><td>{z_sum_bpc:.3}</td></tr>\
         </table>",
        nnz = e.nnz_bytes,
        nnz_bpc = 8.0 * e.nnz_bytes as f64 / nf,
        pay = e.payload_bytes,
        pay_bpc = 8.0 * e.payload_bytes as f64 / nf,
        nn_b = nn_sum / 8.0,
        nn_bpc = nn_sum / nf,
        z = e.lzw_bytes,
        z_bpc = 8.0 * e.lzw_bytes as f64 / nf,
        z_b = lzw_sum / 8.0,
        z_sum_bpc = lzw_sum / nf,
    );
    // Text.
    let _ = write!(
        h,
        "<h2>The text, coloured by cost</h2>\
         <p>Each byte is coloured by the bits spent on it: <span class=legend></span> \
         0 bits … 8 or more. Hover a byte for its cost under both coders and the model's \
         three most likely guesses for it (or open the page as <code>page.html#byte=N</code> \
         to show byte N's; add <code>&amp;coder=lzw</code> for LZW's colours). \
         <label><input type=radio name=coder value=nn checked> nnzip</label> \
         <label><input type=radio name=coder value=lzw> LZW (each code's bits spread over \
         the bytes it covers)</label></p>\
         <p class=note>Guesses: the best three bytes by a read-only look at the model \
         before the byte, searched over the byte's bit tree ({complete} of {n} searches \
         exact within {looks} looks). Approximate: the look's first bit is exactly what \
         was coded, its deeper bits use the weights from the start of the byte, while \
         the coder had learned the byte's earlier bits by then.</p>\
         <div id=tip hidden></div><pre id=text>(the text needs JavaScript)</pre>",
        complete = e.guesses_complete,
        looks = super::MAX_LOOKS
    );
    // Learning curve.
    let w = n.div_ceil(CURVE_WINDOWS).max(256);
    let nn_curve = window_means(&e.nn_bits, w);
    let lzw_curve = window_means(&e.lzw_bits, w);
    let _ = write!(
        h,
        "<h2>Learning curve</h2><p>Bits per byte in consecutive windows: the network \
         learns the text as it goes; LZW only collects strings.</p>{}",
        line_chart(
            &[
                ("nnzip", "#1f6feb", &nn_curve),
                ("LZW", "#d1242f", &lzw_curve)
            ],
            w,
            "bits per byte"
        )
    );
    // Surprises.
    let mut by_cost: Vec<usize> = (0..n).collect();
    by_cost.sort_by(|&a, &b| e.nn_bits[b].total_cmp(&e.nn_bits[a]).then(a.cmp(&b)));
    let surprises = spread(by_cost.into_iter(), TOP, 4);
    h.push_str(
        "<h2>The 20 biggest surprises</h2><table><tr><th>position</th><th>byte</th>\
         <th>bits</th><th>the model expected</th><th>in context</th></tr>",
    );
    for &i in &surprises {
        let g = &e.guesses[i];
        let _ = write!(
            h,
            "<tr><td>{i}</td><td><code>{}</code></td><td>{:.2}</td><td>{}</td><td class=snip>{}</td></tr>",
            esc(&show_byte(e.text[i])),
            e.nn_bits[i],
            g.iter()
                .filter(|q| q.1 > 0.0)
                .map(|q| format!("<code>{}</code> {:.0}%", esc(&show_byte(q.0)), 100.0 * q.1))
                .collect::<Vec<_>>()
                .join(", "),
            snippet(&e.text, i, 1)
        );
    }
    h.push_str("</table>");
    // Free stretches.
    let mut runs = Vec::new();
    let mut start = None;
    for i in 0..=n {
        let free = i < n && e.nn_bits[i] < FREE_BITS;
        match (free, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i - s));
                start = None;
            }
            _ => {}
        }
    }
    runs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = write!(
        h,
        "<h2>The 20 longest stretches it got almost free</h2><p>Runs of bytes that \
         each cost less than {FREE_BITS} bits (highlighted, whitespace shown as ␣ ↵ ⇥, \
         after the text that led up to them).</p><table><tr><th>position</th><th>bytes</th>\
         <th>bits in all</th><th>text</th></tr>"
    );
    for &(s, len) in runs.iter().take(TOP) {
        let bits: f32 = e.nn_bits[s..s + len].iter().sum();
        let shown = len.min(120);
        let lo = s.saturating_sub(CONTEXT);
        let _ = write!(
            h,
            "<tr><td>{s}</td><td>{len}</td><td>{bits:.2}</td><td class=snip>\
             <span class=ctx>{}</span><mark>{}</mark>{}</td></tr>",
            esc(&show_run(&e.text[lo..s])),
            esc(&show_visible(&e.text[s..s + shown])),
            if shown < len { "…" } else { "" }
        );
    }
    h.push_str("</table>");
    // Hidden units.
    let shown = e.units.min(super::UNITS_SHOWN);
    if e.units == 0 {
        h.push_str(
            "<h2>What each <code>if</code> learned: the hidden units</h2>\
             <p>This model has no hidden layer: a last linear mixer weighs the first \
             layer's mixers, so there is no <code>if</code> to show. Give it one with \
             <code>--layers 1</code> (or <code>--hidden N</code>).</p>",
        );
    } else {
        let _ = write!(
            h,
            "<h2>What each <code>if</code> learned: the hidden units</h2>\
             <p>The network's hidden layer has {} {} units. For {shown} of them: the bytes \
             where the unit's output (averaged over the byte's 8 bit predictions) was \
             highest, and where its input was lowest, i.e. where it was most firmly shut. \
             A ReLU unit is an <code>if</code>: it passes its weighted evidence or \
             discards it.</p>",
            e.units, e.activation
        );
    }
    for u in 0..shown {
        let out = |i: usize| e.unit_out[i * e.units + u];
        let pre = |i: usize| e.unit_pre[i * e.units + u];
        let mut hi: Vec<usize> = (0..n).collect();
        hi.sort_by(|&a, &b| out(b).total_cmp(&out(a)).then(a.cmp(&b)));
        let mut lo: Vec<usize> = (0..n).collect();
        lo.sort_by(|&a, &b| pre(a).total_cmp(&pre(b)).then(a.cmp(&b)));
        let active = (0..n).filter(|&i| e.activation.is_active(out(i))).count() as f64 / nf;
        let _ = write!(
            h,
            "<div class=unit><h3>unit {u}</h3><p class=note>active (by its mean output) on \
             {:.0}% of the bytes</p><table><tr><th>fires hardest</th><th>output</th></tr>",
            100.0 * active
        );
        for i in spread(hi.into_iter(), SNIPPETS, 2 * CONTEXT) {
            let _ = write!(
                h,
                "<tr><td class=snip>{}</td><td>{:.2}</td></tr>",
                snippet(&e.text, i, 1),
                out(i)
            );
        }
        h.push_str("<tr><th>silent</th><th>input</th></tr>");
        for i in spread(lo.into_iter(), SNIPPETS, 2 * CONTEXT) {
            let _ = write!(
                h,
                "<tr><td class=snip>{}</td><td>{:.2}</td></tr>",
                snippet(&e.text, i, 1),
                pre(i)
            );
        }
        h.push_str("</table></div>");
    }
    let act_curve = window_means(&e.active, w);
    let mean_active = e.active.iter().map(|&a| f64::from(a)).sum::<f64>() / nf;
    let rule = match e.activation {
        crate::Activation::Tanh => "an output with 0.05 &lt; |y| &lt; 0.95",
        crate::Activation::Sigmoid => "an output with 0.05 &lt; y &lt; 0.95",
        _ => "a non-zero output",
    };
    let _ = write!(
        h,
        "<h3 class=clear>Fraction of units active per byte</h3><p>Active: {rule}, per bit \
         prediction; averaged per byte, then per window. Mean over the text: {:.3}.</p>{}",
        mean_active,
        line_chart(
            &[("active fraction", "#8250df", &act_curve)],
            w,
            "fraction active"
        )
    );
    // Data and script.
    let mut g = String::with_capacity(n * 24);
    g.push('[');
    for (i, three) in e.guesses.iter().enumerate() {
        for (k, &(b, q)) in three.iter().enumerate() {
            if i + k > 0 {
                g.push(',');
            }
            let _ = write!(g, "{b},{}", (q * 1000.0).round() as i64);
        }
    }
    g.push(']');
    let bytes: Vec<String> = e.text.iter().map(|b| b.to_string()).collect();
    let _ = write!(
        h,
        "<script id=nnzip-data type=application/json>{{\"payload_bytes\":{},\"nnz_bytes\":{},\
         \"lzw_bytes\":{},\"bytes\":[{}],\"nn\":{},\"lzw\":{},\"guesses\":{g}}}</script>\
         <script>{JS}</script></body></html>",
        e.payload_bytes,
        e.nnz_bytes,
        e.lzw_bytes,
        bytes.join(","),
        centibits(&e.nn_bits),
        centibits(&e.lzw_bits),
    );
    h
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#1f2328}
h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
code,pre,.snip{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}
.scope,.note{color:#555;font-size:.9em}
table{border-collapse:collapse;font-size:.9em}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}
table.sum td:nth-child(n+2){text-align:right}
.snip{white-space:pre;font-size:.85em}.ctx{color:#777}mark{background:#ffe08a;color:#000}
#text{white-space:pre-wrap;word-break:break-all;font-size:13px;line-height:1.5;max-height:34em;overflow:auto;border:1px solid #ddd;padding:.5em}
#tip{position:fixed;background:#fff;border:1px solid #888;padding:4px 8px;font-size:12px;pointer-events:none;box-shadow:2px 2px 6px #0003;z-index:9}
.legend{display:inline-block;width:160px;height:12px;vertical-align:middle;background:linear-gradient(90deg,hsl(120,80%,95%),hsl(60,80%,75%),hsl(0,80%,55%))}
.unit{display:inline-block;vertical-align:top;width:48%;margin:0 1% 1em 0}.unit h3{margin:.3em 0 0}
.clear{clear:both}
";

const JS: &str = r#"
(function(){
'use strict';
const D=JSON.parse(document.getElementById('nnzip-data').textContent);
const B=D.bytes,N=B.length,box=document.getElementById('text'),tip=document.getElementById('tip');
function colour(c){const t=Math.min(c/800,1);return 'hsl('+(120*(1-t)).toFixed(0)+',80%,'+(95-40*t).toFixed(0)+'%)';}
function show(b){if(b===10)return '\u21b5';if(b===9)return '\u21e5';if(b===32)return '\u2423';if(b>32&&b<127)return String.fromCharCode(b);return '\\x'+b.toString(16).padStart(2,'0');}
const dec=new TextDecoder('utf-8',{fatal:true});
function glyph(i){const b=B[i];
 if(b===10)return '\n';if(b===9)return '\t';if(b===13)return '';if(b>=32&&b<127)return String.fromCharCode(b);
 if(b>=0xc2&&b<=0xf4){const len=b>=0xf0?4:b>=0xe0?3:2;
  try{return dec.decode(new Uint8Array(B.slice(i,i+len)));}catch(e){return '\u00b7';}}
 if(b>=0x80&&b<0xc0&&i>0)return '';
 return '\u00b7';}
const frag=document.createDocumentFragment(),spans=new Array(N);
for(let i=0;i<N;i++){const s=document.createElement('span');s.textContent=glyph(i);s.i=i;spans[i]=s;frag.appendChild(s);}
box.textContent='';box.appendChild(frag);
function paint(which){const c=D[which];for(let i=0;i<N;i++)spans[i].style.background=colour(c[i]);}
paint('nn');
for(const r of document.querySelectorAll('input[name=coder]'))r.addEventListener('change',function(){paint(this.value);});
box.addEventListener('mouseover',function(ev){const s=ev.target;if(s.i===undefined)return;const i=s.i;
 const g=[];for(let k=0;k<3;k++){const b=D.guesses[6*i+2*k],p=D.guesses[6*i+2*k+1];if(p>0)g.push((b===B[i]?'<b>':'')+show(b)+' '+(p/10).toFixed(1)+'%'+(b===B[i]?'</b>':''));}
 tip.innerHTML='byte '+i+' <code>'+show(B[i]).replace(/&/g,'&amp;').replace(/</g,'&lt;')+'</code>: nnzip '+(D.nn[i]/100).toFixed(2)+' bits, LZW '+(D.lzw[i]/100).toFixed(2)+' bits<br>model expected: '+g.map(function(x){return x.replace(/&(?![a-z]+;)/g,'&amp;').replace(/<(?!\/?b>)/g,'&lt;');}).join(', ');
 tip.hidden=false;});
box.addEventListener('mousemove',function(ev){tip.style.left=(ev.clientX+14)+'px';tip.style.top=(ev.clientY+14)+'px';});
box.addEventListener('mouseleave',function(){tip.hidden=true;});
const H=new URLSearchParams(location.hash.slice(1));
if(H.get('coder')==='lzw'){document.querySelector('input[value=lzw]').checked=true;paint('lzw');}
const m=/^\d+$/.exec(H.get('byte')||'');
if(m&&+m[0]<N){const s=spans[+m[0]];box.scrollTop=s.offsetTop-box.offsetTop-box.clientHeight/2;const r=s.getBoundingClientRect();
 s.dispatchEvent(new MouseEvent('mouseover',{bubbles:true}));tip.style.left=(r.right+6)+'px';tip.style.top=(r.bottom+6)+'px';s.style.outline='2px solid #000';}
document.body.setAttribute('data-rendered',String(N));
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_spreading() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(show_byte(b'\n'), "↵");
        assert_eq!(show_byte(0xe9), "\\xe9");
        assert_eq!(
            spread([10, 11, 30, 12, 50].into_iter(), 3, 5),
            vec![10, 30, 50]
        );
        assert_eq!(window_means(&[1.0, 3.0, 5.0], 2), vec![2.0, 5.0]);
        assert_eq!(centibits(&[0.004, 1.5]), "[0,150]");
    }
}
