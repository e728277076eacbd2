//! SVG plots (plotters' SVG backend). Of a sweep: bits per byte against model size,
//! against speed (the speed/ratio frontier), and over the position in the file (the
//! learning curve). Of a benchmark: bits per byte against compression time relative to
//! `xz -9e`, every codec labelled. Text is left to the SVG viewer's sans-serif font.

use super::sweep::point_label;
use super::table::{BenchReport, BenchRow, SweepPoint, SweepReport, REFERENCE_CODEC};
use crate::error::{Error, Result};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

const SIZE: (u32, u32) = (960, 640);
const CAPTION_FONT: (&str, u32) = ("sans-serif", 24);
const AXIS_FONT: (&str, u32) = ("sans-serif", 18);
const LABEL_FONT: (&str, u32) = ("sans-serif", 15);

/// Colour of the minor grid lines.
const GRID: RGBColor = RGBColor(238, 238, 238);

/// The last component of a path, for captions.
fn short_name(file: &str) -> &str {
    Path::new(file)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or(file)
}

/// Draws `draw` into a new SVG file at `path` of the usual size.
fn svg(
    path: &Path,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<()> {
    svg_sized(path, SIZE, draw)
}

/// Draws `draw` into a new SVG file at `path` of `size` pixels.
fn svg_sized(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> Result<()> {
    let fail = |e: Box<dyn std::error::Error>| {
        Error::Io(std::io::Error::other(format!(
            "drawing {}: {e}",
            path.display()
        )))
    };
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.into()))?;
    draw(&root).map_err(fail)?;
    root.present().map_err(|e| fail(e.into()))?;
    Ok(())
}

/// Draws the legend box, styled alike on every chart, at `position`.
fn draw_legend<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(LABEL_FONT)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.5))
        .draw()?;
    Ok(())
}

/// Distinct colours, chosen to stay apart from the baseline's black.
fn colour(i: usize) -> RGBColor {
    const C: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(23, 190, 207),
    ];
    C[i % C.len()]
}

/// Points grouped by (layers, activation), groups in order of first appearance, points
/// by parameter count.
fn series(points: &[SweepPoint]) -> Vec<(String, Vec<&SweepPoint>)> {
    let mut out: Vec<((u8, String), Vec<&SweepPoint>)> = Vec::new();
    for p in points {
        let key = (p.layers, p.activation.clone());
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(p),
            None => out.push((key, vec![p])),
        }
    }
    out.into_iter()
        .map(|((l, a), mut v)| {
            v.sort_by(|x, y| {
                x.parameters
                    .cmp(&y.parameters)
                    .then(x.hidden.cmp(&y.hidden))
            });
            (
                format!("{l} layer{}, {a}", if l == 1 { "" } else { "s" }),
                v,
            )
        })
        .collect()
}

/// `lo..hi` widened by `frac` of its span on both sides (and made non-empty).
fn padded(lo: f64, hi: f64, frac: f64) -> std::ops::Range<f64> {
    let span = (hi - lo).max(hi.abs() * 0.05).max(0.05);
    (lo - span * frac)..(hi + span * frac)
}

/// A positive log-axis range around `lo..=hi` with a margin factor `f`.
fn log_range(lo: f64, hi: f64, f: f64) -> std::ops::Range<f64> {
    let lo = lo.max(1e-9);
    let hi = hi.max(lo);
    (lo / f)..(hi * f)
}

/// Ticks of a log axis over `r`: labelled at 1, 2 and 5 times each power of ten in it
/// (at every integer multiple if that gives fewer than three, as over a zoomed panel
/// that spans less than a decade, where powers of ten alone would label nothing), with
/// grid lines at the other integer multiples.
fn log_ticks(r: &std::ops::Range<f64>) -> (Vec<f64>, Vec<f64>) {
    let (lo, hi) = (r.start.log10().floor() as i32, r.end.log10().ceil() as i32);
    let (mut bold, mut light) = (Vec::new(), Vec::new());
    for e in lo..=hi {
        for m in 1..=9u32 {
            // Below 1 a division of exact integers, so that 3 x 0.01 is the double
            // nearest 0.03 (the product would be 0.030000000000000002).
            let v = if e < 0 {
                f64::from(m) / 10f64.powi(-e)
            } else {
                f64::from(m) * 10f64.powi(e)
            };
            if r.contains(&v) {
                if matches!(m, 1 | 2 | 5) {
                    bold.push(v);
                } else {
                    light.push(v);
                }
            }
        }
    }
    if bold.len() < 3 {
        bold.append(&mut light);
        bold.sort_by(f64::total_cmp);
    }
    (bold, light)
}

/// Compact numbers for log axes: 1.5k, 2M.
fn si(v: f64) -> String {
    let (x, s) = if v >= 1e9 {
        (v / 1e9, "G")
    } else if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let t = if x < 0.1 {
        format!("{x:.4}")
    } else {
        format!("{x:.2}")
    };
    let t = t.trim_end_matches('0').trim_end_matches('.');
    format!("{t}{s}")
}

fn legend_line(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3))
}

/// Plot (a): bits per byte against network weights, one line per layer count and
/// activation, the baseline as a dashed horizontal line. The x axis is logarithmic
/// where the weight counts span a factor of 10 or more (a log axis over less than a
/// decade gets no tick labels); otherwise it is linear.
pub fn bpc_vs_size(rep: &SweepReport, path: &Path) -> Result<()> {
    let params = rep.points.iter().map(|p| p.parameters as f64);
    let (pmin, pmax) = params.fold((f64::MAX, 0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (pmin, pmax) = (pmin.clamp(1.0, f64::MAX), pmax.max(1.0));
    if pmax / pmin >= 10.0 {
        let xr = log_range(pmin, pmax, (pmax / pmin).powf(0.08));
        svg(path, |root| {
            size_chart(
                root,
                rep,
                xr.clone().log_scale(),
                xr,
                "network weights (log scale; context tables excluded)",
            )
        })
    } else {
        let xr = padded(pmin, pmax, 0.08);
        svg(path, |root| {
            size_chart(
                root,
                rep,
                xr.clone(),
                xr,
                "network weights (context tables excluded)",
            )
        })
    }
}

fn size_chart<XS>(
    root: &DrawingArea<SVGBackend, Shift>,
    rep: &SweepReport,
    x_spec: XS,
    xr: std::ops::Range<f64>,
    x_desc: &str,
) -> DrawResult
where
    XS: AsRangedCoord<Value = f64>,
    XS::CoordDescType: ValueFormatter<f64>,
{
    let groups = series(&rep.points);
    // The y range follows the models alone: a baseline far above them would squash the
    // differences between sizes and activations that this plot is for.
    let mut bpcs: Vec<f64> = rep.points.iter().map(|p| p.bits_per_byte).collect();
    if bpcs.is_empty() {
        bpcs.extend(rep.baseline.iter().map(|b| b.bits_per_byte));
    }
    let (ymin, ymax) = bpcs
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let yr = padded(ymin, ymax, 0.12);
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("Bits per byte vs model size: {}", short_name(&rep.file)),
            CAPTION_FONT,
        )
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(x_spec, yr.clone())?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("bits per byte (lower is better)")
        .axis_desc_style(AXIS_FONT)
        .label_style(LABEL_FONT)
        .x_label_formatter(&|v| si(*v))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .light_line_style(GRID)
        .draw()?;
    for (i, (name, pts)) in groups.iter().enumerate() {
        let c = colour(i);
        let xy: Vec<(f64, f64)> = pts
            .iter()
            .map(|p| (p.parameters as f64, p.bits_per_byte))
            .collect();
        chart
            .draw_series(LineSeries::new(xy, c.stroke_width(2)))?
            .label(name.as_str())
            .legend(legend_line(c));
        chart.draw_series(
            pts.iter()
                .map(|p| Circle::new((p.parameters as f64, p.bits_per_byte), 5, c.filled())),
        )?;
        // Widths label the first line only: the other lines repeat them, close by.
        if i == 0 {
            chart.draw_series(pts.iter().map(|p| {
                EmptyElement::at((p.parameters as f64, p.bits_per_byte))
                    + Text::new(
                        format!("h{}", p.hidden),
                        (6, -18),
                        LABEL_FONT.into_font().color(&c),
                    )
            }))?;
        }
    }
    if let Some(b) = &rep.baseline {
        if yr.contains(&b.bits_per_byte) {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(xr.start, b.bits_per_byte), (xr.end, b.bits_per_byte)],
                    12,
                    8,
                    BLACK.stroke_width(2),
                ))?
                .label(format!("{} (no model): {:.3}", b.name, b.bits_per_byte))
                .legend(legend_line(BLACK));
        } else {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(format!(
                    "{} (no model): {:.3}, off the chart",
                    b.name, b.bits_per_byte
                ))
                .legend(|(x, y)| TriangleMarker::new((x + 12, y), 7, BLACK.filled()));
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

/// Indices of the points on the speed/ratio frontier of `(speed, bpc)` pairs: those no
/// other point beats on both, sorted by speed.
pub fn frontier(points: &[(f64, f64)]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..points.len()).collect();
    idx.sort_by(|&a, &b| {
        points[b]
            .0
            .total_cmp(&points[a].0)
            .then(points[a].1.total_cmp(&points[b].1))
    });
    // Walk from fastest to slowest, keeping each point that lowers the best bpc so far.
    let mut best = f64::INFINITY;
    let mut out = Vec::new();
    for i in idx {
        if points[i].1 < best {
            best = points[i].1;
            out.push(i);
        }
    }
    out.reverse();
    out
}

/// Height in pixels of the zoomed panel under a plot's overview.
const ZOOM_HEIGHT: u32 = 600;

/// `lo..hi` widened by `frac` of its span, the span at least `min_span` (for zoomed
/// panels, whose points may lie within a thousandth of a bit).
fn zoom_range(lo: f64, hi: f64, frac: f64, min_span: f64) -> std::ops::Range<f64> {
    let span = (hi - lo).max(min_span);
    let mid = (lo + hi) / 2.0;
    (mid - span * (0.5 + frac))..(mid + span * (0.5 + frac))
}

/// Decimals that tell apart axis ticks over a span of `span`.
fn decimals_for(span: f64) -> usize {
    match span {
        s if s < 0.002 => 5,
        s if s < 0.02 => 4,
        s if s < 0.2 => 3,
        _ => 2,
    }
}

/// Plot (b): bits per byte against compression speed. On top, the overview (log x)
/// with the baseline as a black triangle and the frontier of configurations not
/// beaten on both; below it, the network configurations alone, zoomed in on both
/// axes (they lie within a fraction of a percent of each other), each labelled with
/// its width, layers and activation, the labels placed so that none overlaps another
/// or covers a point.
pub fn bpc_vs_speed(rep: &SweepReport, path: &Path) -> Result<()> {
    let groups = series(&rep.points);
    let mut all: Vec<(f64, f64)> = rep
        .points
        .iter()
        .map(|p| (p.mb_s, p.bits_per_byte))
        .collect();
    if let Some(b) = &rep.baseline {
        all.push((b.mb_s, b.bits_per_byte));
    }
    all.retain(|(s, b)| s.is_finite() && *s > 0.0 && b.is_finite());
    let (smin, smax) = all
        .iter()
        .fold((f64::MAX, 0f64), |(a, b), &(s, _)| (a.min(s), b.max(s)));
    let (ymin, ymax) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &(_, v)| (a.min(v), b.max(v)));
    let front: Vec<(f64, f64)> = frontier(&all).into_iter().map(|i| all[i]).collect();
    let xr = log_range(smin, smax, 2.0);
    let nets: Vec<(usize, &SweepPoint)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, (_, pts))| pts.iter().map(move |p| (g, *p)))
        .filter(|(_, p)| p.mb_s.is_finite() && p.mb_s > 0.0 && p.bits_per_byte.is_finite())
        .collect();
    let (nx0, nx1, ny0, ny1) = nets.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), (_, p)| {
            (
                a.min(p.mb_s),
                b.max(p.mb_s),
                c.min(p.bits_per_byte),
                d.max(p.bits_per_byte),
            )
        },
    );
    let zoom_x = zoom_range(nx0, nx1, 0.12, nx1.abs() * 0.05 + 1e-6);
    let zoom_y = zoom_range(ny0, ny1, 0.15, 0.0005);
    let y_dec = decimals_for(zoom_y.end - zoom_y.start);
    svg_sized(path, (SIZE.0, SIZE.1 + ZOOM_HEIGHT), |root| {
        let (top, bottom) = root.split_vertically(SIZE.1);
        let mut chart = ChartBuilder::on(&top)
            .caption(
                format!(
                    "Bits per byte vs compression speed: {}",
                    short_name(&rep.file)
                ),
                CAPTION_FONT,
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(70)
            .build_cartesian_2d(xr.log_scale(), padded(ymin, ymax, 0.12))?;
        chart
            .configure_mesh()
            .x_desc("compression speed, MB/s (log scale)")
            .y_desc("bits per byte (lower is better)")
            .axis_desc_style(AXIS_FONT)
            .label_style(LABEL_FONT)
            .x_label_formatter(&|v| si(*v))
            .y_label_formatter(&|v| format!("{v:.2}"))
            .light_line_style(GRID)
            .draw()?;
        if front.len() > 1 {
            chart
                .draw_series(DashedLineSeries::new(
                    front.clone(),
                    8,
                    6,
                    RGBColor(120, 120, 120).stroke_width(2),
                ))?
                .label("frontier (not beaten on both)")
                .legend(legend_line(RGBColor(120, 120, 120)));
        }
        for (i, (name, pts)) in groups.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(
                    pts.iter()
                        .filter(|p| p.mb_s.is_finite() && p.mb_s > 0.0)
                        .map(|p| Circle::new((p.mb_s, p.bits_per_byte), 6, c.filled())),
                )?
                .label(name.as_str())
                .legend(move |(x, y)| Circle::new((x + 12, y), 6, c.filled()));
        }
        if !nets.is_empty() {
            let (x0, y0) = chart.backend_coord(&(nx0, ny1));
            let (x1, y1) = chart.backend_coord(&(nx1, ny0));
            top.draw(&Rectangle::new(
                [(x0 - 12, y0 - 12), (x1 + 12, y1 + 12)],
                BLACK.mix(0.6).stroke_width(1),
            ))?;
            top.draw(&Text::new(
                "zoomed below",
                (x0 - 12, y1 + 16),
                LABEL_FONT.into_font(),
            ))?;
        }
        if let Some(b) = &rep.baseline {
            if b.mb_s.is_finite() && b.mb_s > 0.0 {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((b.mb_s, b.bits_per_byte))
                            + TriangleMarker::new((0, 0), 9, BLACK.filled())
                            + Text::new(b.name.clone(), (-10, 10), LABEL_FONT.into_font()),
                    ))?
                    .label(format!("{} (baseline)", b.name))
                    .legend(|(x, y)| TriangleMarker::new((x + 12, y), 7, BLACK.filled()));
            }
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        if nets.is_empty() {
            return Ok(());
        }
        let mut zoom = ChartBuilder::on(&bottom)
            .caption(
                "Zoomed: the network configurations alone (speeds move by about 30% \
                 between runs on a busy machine)",
                ("sans-serif", 19),
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(zoom_x, zoom_y)?;
        zoom.configure_mesh()
            .x_desc("compression speed, MB/s")
            .y_desc("bits per byte (lower is better)")
            .axis_desc_style(AXIS_FONT)
            .label_style(LABEL_FONT)
            .x_label_formatter(&|v| format!("{v:.3}"))
            .y_label_formatter(&|v| format!("{v:.*}", y_dec))
            .light_line_style(GRID)
            .draw()?;
        let labels: Vec<String> = nets.iter().map(|(_, p)| point_label(p)).collect();
        let anchors: Vec<(i32, i32)> = nets
            .iter()
            .map(|(_, p)| zoom.backend_coord(&(p.mb_s, p.bits_per_byte)))
            .collect();
        let sizes: Vec<(i32, i32)> = labels.iter().map(|l| label_size(l)).collect();
        let (px, py) = zoom.plotting_area().get_pixel_range();
        let boxes = place_labels(&anchors, &sizes, (px.start, px.end), (py.start, py.end));
        for ((((g, p), label), &(ax, ay)), b) in nets.iter().zip(&labels).zip(&anchors).zip(&boxes)
        {
            let c = colour(*g);
            let (dx, mid) = (b.x - ax, b.y + b.h / 2 - ay);
            let at = (p.mb_s, p.bits_per_byte);
            if mid.abs() > 3 {
                let edge = if dx < 0 { dx + b.w } else { dx };
                zoom.draw_series(std::iter::once(
                    EmptyElement::at(at)
                        + PathElement::new(vec![(0, 0), (edge, mid)], c.mix(0.6).stroke_width(1)),
                ))?;
            }
            zoom.draw_series(std::iter::once(
                EmptyElement::at(at)
                    + Circle::new((0, 0), POINT_RADIUS, c.filled())
                    + Text::new(
                        label.clone(),
                        (b.x - ax, b.y - ay + 1),
                        LABEL_FONT.into_font().color(&c),
                    ),
            ))?;
        }
        Ok(())
    })
}

/// The points whose learning curves are drawn: up to four widths (smallest to largest)
/// of the first layer count and activation, and the largest width of each other
/// activation at that layer count.
pub fn curve_points(points: &[SweepPoint]) -> Vec<&SweepPoint> {
    let Some(first) = points.first() else {
        return Vec::new();
    };
    let mut main: Vec<&SweepPoint> = points
        .iter()
        .filter(|p| p.layers == first.layers && p.activation == first.activation)
        .collect();
    main.sort_by_key(|p| p.hidden);
    let mut out: Vec<&SweepPoint> = if main.len() <= 4 {
        main.clone()
    } else {
        (0..4).map(|i| main[i * (main.len() - 1) / 3]).collect()
    };
    let mut others: Vec<&str> = Vec::new();
    for p in points {
        if p.layers == first.layers
            && p.activation != first.activation
            && !others.contains(&p.activation.as_str())
        {
            others.push(&p.activation);
        }
    }
    for a in others {
        if let Some(p) = points
            .iter()
            .filter(|p| p.layers == first.layers && p.activation == a)
            .max_by_key(|p| p.hidden)
        {
            out.push(p);
        }
    }
    out
}

/// What the non-linearity gains per window: for every activation other than linear
/// that has a linear twin (same width and layers), the activation, a label and,
/// per window, linear's bpc minus its bpc (positive where the non-linear network
/// codes the window in fewer bits). The width is the first point's where it has
/// twins, else any twin's.
pub fn gains_over_linear(points: &[SweepPoint]) -> Vec<(String, String, Vec<f64>)> {
    let twin = |p: &SweepPoint| {
        points.iter().find(|q| {
            q.activation == "linear"
                && q.hidden == p.hidden
                && q.layers == p.layers
                && q.window_bpc.len() == p.window_bpc.len()
        })
    };
    let mut out: Vec<(String, String, Vec<f64>)> = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    let first = points.first().map(|p| (p.hidden, p.layers));
    for pass in 0..2 {
        for p in points {
            if p.activation == "linear" || done.contains(&p.activation.as_str()) {
                continue;
            }
            if pass == 0 && Some((p.hidden, p.layers)) != first {
                continue;
            }
            if let Some(l) = twin(p) {
                done.push(&p.activation);
                let gain = l
                    .window_bpc
                    .iter()
                    .zip(&p.window_bpc)
                    .map(|(a, b)| a - b)
                    .collect();
                out.push((
                    p.activation.clone(),
                    format!("{} minus {}", point_label(l), point_label(p)),
                    gain,
                ));
            }
        }
    }
    out
}

/// A gain curve as drawn: colour, label, `(position, gain)` points.
type GainCurve = (RGBColor, String, Vec<(f64, f64)>);

/// Plot (c): bits per byte of consecutive windows over the position in the file, for a
/// few configurations and the baseline; below it, where the sweep has linear twins of
/// non-linear networks, the per-window gain of the non-linearity
/// ([`gains_over_linear`]), so that what it buys shows along the file.
pub fn learning_curve(rep: &SweepReport, path: &Path) -> Result<()> {
    let chosen = curve_points(&rep.points);
    let (unit, unit_name) = if rep.bytes >= 2_000_000 {
        (1e6, "MB")
    } else {
        (1e3, "kB")
    };
    let curves: Vec<(String, Vec<(f64, f64)>)> = chosen
        .iter()
        .map(|p| {
            let mut end = 0u64;
            let xy = p
                .window_bpc
                .iter()
                .map(|&b| {
                    end = (end + rep.window).min(rep.bytes);
                    (end as f64 / unit, b)
                })
                .collect();
            (point_label(p), xy)
        })
        .collect();
    let base: Option<(String, Vec<(f64, f64)>)> = rep.baseline.as_ref().map(|b| {
        (
            format!("{} (size growth of compressed prefixes)", b.name),
            b.curve.iter().map(|&(e, v)| (e as f64 / unit, v)).collect(),
        )
    });
    let ymax = curves
        .iter()
        .chain(base.iter())
        .flat_map(|(_, v)| v.iter().map(|p| p.1))
        .fold(1.0f64, f64::max);
    let xmax = (rep.bytes as f64 / unit).max(1e-3);
    let decimals = if xmax < 10.0 { 1 } else { 0 };
    // A last window much shorter than the others mostly measures the coder's flush:
    // it is left out of the gains.
    let tail = if rep.window > 0 {
        rep.bytes % rep.window
    } else {
        0
    };
    let short_tail = tail != 0 && tail < rep.window / 4;
    let gains: Vec<GainCurve> = gains_over_linear(&rep.points)
        .into_iter()
        .map(|(act, name, mut g)| {
            if short_tail && g.len() > 1 {
                g.pop();
            }
            let mut end = 0u64;
            let xy = g
                .into_iter()
                .map(|v| {
                    end = (end + rep.window).min(rep.bytes);
                    (end as f64 / unit, v)
                })
                .collect();
            // The colour of the network's own learning curve above, where it has one.
            let c = chosen
                .iter()
                .position(|p| p.activation == act)
                .map_or(colour(4), colour);
            (c, name, xy)
        })
        .collect();
    let gmax = gains
        .iter()
        .flat_map(|(_, _, v)| v.iter().map(|p| p.1.abs()))
        .fold(0.001f64, f64::max)
        * 1.15;
    let height = SIZE.1
        + if gains.is_empty() {
            0
        } else {
            ZOOM_HEIGHT - 160
        };
    svg_sized(path, (SIZE.0, height), |root| {
        let (root, lower) = root.split_vertically(SIZE.1);
        let root = &root;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Learning curve: bits per byte of each {}-byte window, {}",
                    rep.window,
                    short_name(&rep.file)
                ),
                CAPTION_FONT,
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..xmax, 0f64..ymax * 1.08)?;
        chart
            .configure_mesh()
            .x_desc(format!("position in the file ({unit_name})"))
            .y_desc("bits per byte in the window")
            .axis_desc_style(AXIS_FONT)
            .label_style(LABEL_FONT)
            .x_label_formatter(&|v| format!("{:.*}", decimals, v))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .light_line_style(GRID)
            .draw()?;
        for (i, (name, xy)) in curves.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(xy.clone(), c.stroke_width(2)))?
                .label(name.as_str())
                .legend(legend_line(c));
        }
        if let Some((name, xy)) = &base {
            chart
                .draw_series(LineSeries::new(xy.clone(), BLACK.stroke_width(2)))?
                .label(name.as_str())
                .legend(legend_line(BLACK));
            chart.draw_series(xy.iter().map(|&p| Circle::new(p, 3, BLACK.filled())))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        if gains.is_empty() {
            return Ok(());
        }
        let mut g = ChartBuilder::on(&lower)
            .caption(
                "What the non-linearity gains per window: linear's bits per byte minus the \
                 network's",
                ("sans-serif", 19),
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(0f64..xmax, -gmax..gmax)?;
        let g_dec = decimals_for(gmax);
        g.configure_mesh()
            .x_desc(format!("position in the file ({unit_name})"))
            .y_desc("gain, bits per byte (> 0: better)")
            .axis_desc_style(AXIS_FONT)
            .label_style(LABEL_FONT)
            .x_label_formatter(&|v| format!("{:.*}", decimals, v))
            .y_label_formatter(&|v| format!("{v:.*}", g_dec))
            .light_line_style(GRID)
            .draw()?;
        g.draw_series(LineSeries::new(
            vec![(0.0, 0.0), (xmax, 0.0)],
            BLACK.mix(0.6).stroke_width(1),
        ))?;
        for (c, name, xy) in &gains {
            let c = *c;
            g.draw_series(LineSeries::new(xy.clone(), c.stroke_width(2)))?
                .label(name.as_str())
                .legend(legend_line(c));
        }
        draw_legend(&mut g, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// A text label's box in pixels: left and top edge, width and height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelBox {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub w: i32,
    /// Height.
    pub h: i32,
}

impl LabelBox {
    /// Whether the two boxes share any area (touching edges do not count).
    pub fn overlaps(&self, o: &LabelBox) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Whether the box lies within `x0..x1` by `y0..y1`.
    fn inside(&self, (x0, x1): (i32, i32), (y0, y1): (i32, i32)) -> bool {
        self.x >= x0 && self.x + self.w <= x1 && self.y >= y0 && self.y + self.h <= y1
    }
}

/// Gap in pixels between a point and its label.
const LABEL_GAP: i32 = POINT_CLEARANCE + 1;
/// Radius of a benchmark point.
const POINT_RADIUS: i32 = 5;
/// Half the side of the square around each point that labels keep clear of: a label
/// touching another point reads as that point's.
const POINT_CLEARANCE: i32 = POINT_RADIUS + 3;

/// The pixel size of `text` in [`LABEL_FONT`], estimated (plotters is built without a
/// font engine): the SVG backend writes a font size of `size / 1.24` pixels (one em),
/// and a character is taken as 0.6 em wide, which errs towards too wide for
/// sans-serif.
fn label_size(text: &str) -> (i32, i32) {
    let em = f64::from(LABEL_FONT.1) / 1.24;
    let w = (text.chars().count() as f64 * em * 0.6).ceil() as i32;
    (w, em.ceil() as i32 + 2)
}

/// Places one label per anchor point (pixels) so that no two labels overlap and no
/// label covers a point: greedily, from the top point down, each label goes right of its
/// point, vertically centred on it, or else left of it, or else nudged up or down in
/// 2-pixel steps, whichever is nearest; all within `x_range` by `y_range` where
/// possible. `sizes[i]` is label `i`'s (width, height). Returns the boxes in the order
/// of the anchors.
pub fn place_labels(
    anchors: &[(i32, i32)],
    sizes: &[(i32, i32)],
    x_range: (i32, i32),
    y_range: (i32, i32),
) -> Vec<LabelBox> {
    let mut order: Vec<usize> = (0..anchors.len()).collect();
    order.sort_by_key(|&i| (anchors[i].1, anchors[i].0));
    let r = POINT_CLEARANCE;
    let mut taken: Vec<LabelBox> = anchors
        .iter()
        .map(|&(x, y)| LabelBox {
            x: x - r,
            y: y - r,
            w: 2 * r + 1,
            h: 2 * r + 1,
        })
        .collect();
    let mut out = vec![
        LabelBox {
            x: 0,
            y: 0,
            w: 0,
            h: 0
        };
        anchors.len()
    ];
    let max_shift = (y_range.1 - y_range.0).max(0);
    for i in order {
        let ((ax, ay), (w, h)) = (anchors[i], sizes[i]);
        let at = |left: bool, dy: i32| LabelBox {
            x: if left {
                ax - LABEL_GAP - w
            } else {
                ax + LABEL_GAP
            },
            y: ay - h / 2 + dy,
            w,
            h,
        };
        let free =
            |b: &LabelBox| b.inside(x_range, y_range) && !taken.iter().any(|t| t.overlaps(b));
        let found = (0..=max_shift / 2)
            .flat_map(|k| {
                let dy = 2 * k;
                [(false, dy), (true, dy), (false, -dy), (true, -dy)]
            })
            .map(|(left, dy)| at(left, dy))
            .find(|b| free(b));
        // Nothing free within the plot (a crowded plot): keep off the other labels at
        // least, wherever that ends up.
        let b = found
            .or_else(|| {
                (0..=4 * max_shift)
                    .map(|dy| at(false, dy))
                    .find(|b| !taken.iter().any(|t| t.overlaps(b)))
            })
            .unwrap_or_else(|| at(false, 0));
        taken.push(b);
        out[i] = b;
    }
    out
}

/// Whether a benchmark row is one of nnzip's own codecs (the neural presets, the bare
/// core or its LZW) rather than a peer.
pub fn is_nnzip(codec: &str) -> bool {
    codec.starts_with("nn-") || codec.starts_with("core-") || codec == "lzw"
}

/// Colour of nnzip's points and labels on the benchmark plot.
const NNZIP_COLOUR: RGBColor = RGBColor(31, 100, 180);
/// Colour of the other compressors' points and labels.
const PEER_COLOUR: RGBColor = RGBColor(200, 80, 0);

/// Height in pixels of one panel of the benchmark plot: taller than the sweep plots,
/// because the strong compressors crowd together at the bottom.
const BENCH_PANEL_HEIGHT: u32 = 760;

/// The rows of a report grouped by file, files in order of first appearance.
fn rows_by_file(rep: &BenchReport) -> Vec<(&str, Vec<&BenchRow>)> {
    let mut out: Vec<(&str, Vec<&BenchRow>)> = Vec::new();
    for r in &rep.rows {
        match out.iter_mut().find(|(f, _)| *f == r.file) {
            Some((_, v)) => v.push(r),
            None => out.push((&r.file, vec![r])),
        }
    }
    out
}

/// The benchmark plot, `bench.svg`: one panel per file, stacked top to bottom, each
/// with bits per byte (y) against compression time (x, log scale) for every codec, each
/// point labelled with its codec, nnzip's codecs in blue and the others in orange. The
/// time is a multiple of `xz -9e`'s on the same file where xz ran; on a file without an
/// xz row it is in seconds, and the axis label says so. Rows without a positive time
/// are left out.
///
/// Under a file's panel, where the strongest compressors crowd together, a second
/// panel zooms in on them: the rows within [`ZOOM_BPC`] of the best bits per byte,
/// when there are at least two such rows and others besides.
pub fn bench_plot(rep: &BenchReport, path: &Path) -> Result<()> {
    let files = rows_by_file(rep);
    let zooms: Vec<Option<Vec<&BenchRow>>> = files.iter().map(|(_, r)| zoom_rows(r)).collect();
    let height: u32 = zooms
        .iter()
        .map(|z| BENCH_PANEL_HEIGHT + if z.is_some() { ZOOM_HEIGHT } else { 0 })
        .sum::<u32>()
        .max(BENCH_PANEL_HEIGHT);
    svg_sized(path, (SIZE.0, height), |root| {
        let mut rest = root.clone();
        for ((file, rows), zoom) in files.iter().zip(&zooms) {
            let (area, below) = rest.split_vertically(BENCH_PANEL_HEIGHT);
            bench_panel(&area, file, rows, None)?;
            rest = below;
            if let Some(z) = zoom {
                let (area, below) = rest.split_vertically(ZOOM_HEIGHT);
                bench_panel(&area, file, z, Some(relative_time(rows)))?;
                rest = below;
            }
        }
        Ok(())
    })
}

/// How close to the best bits per byte a row must be to appear in the zoomed panel
/// of [`bench_plot`]: 12%, which on text keeps the context mixers, PPMd and nnzip.
pub const ZOOM_BPC: f64 = 1.12;

/// The rows of one file's zoomed panel, if it is worth drawing.
fn zoom_rows<'a>(rows: &[&'a BenchRow]) -> Option<Vec<&'a BenchRow>> {
    let best = rows
        .iter()
        .map(|r| r.bits_per_byte)
        .filter(|b| b.is_finite())
        .fold(f64::INFINITY, f64::min);
    let z: Vec<&BenchRow> = rows
        .iter()
        .filter(|r| r.bits_per_byte <= best * ZOOM_BPC)
        .copied()
        .collect();
    (z.len() >= 2 && z.len() < rows.len()).then_some(z)
}

/// Whether a file's times are relative to `xz -9e` (xz ran on it).
fn relative_time(rows: &[&BenchRow]) -> bool {
    rows.iter()
        .any(|r| r.codec == REFERENCE_CODEC && r.compress_vs_xz.is_some())
}

/// One panel of [`bench_plot`]; `zoom` is `Some(relative)` for a zoomed panel, whose
/// rows may not include xz and whose time scale is then the full panel's.
fn bench_panel(
    root: &DrawingArea<SVGBackend, Shift>,
    file: &str,
    rows: &[&BenchRow],
    zoom: Option<bool>,
) -> DrawResult {
    let relative = zoom.unwrap_or_else(|| relative_time(rows));
    let time = |r: &BenchRow| {
        if relative {
            r.compress_vs_xz
        } else {
            Some(r.compress_secs)
        }
    };
    let pts: Vec<(&BenchRow, f64)> = rows
        .iter()
        .filter_map(|r| time(r).map(|t| (*r, t)))
        .filter(|(r, t)| t.is_finite() && *t > 0.0 && r.bits_per_byte.is_finite())
        .collect();
    let (tmin, tmax) = pts
        .iter()
        .fold((f64::MAX, 0f64), |(a, b), &(_, t)| (a.min(t), b.max(t)));
    let (ymin, ymax) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), (r, _)| {
        (a.min(r.bits_per_byte), b.max(r.bits_per_byte))
    });
    if pts.is_empty() {
        root.draw(&Text::new(
            format!("{}: no timed rows to plot", short_name(file)),
            (20, 20),
            CAPTION_FONT.into_font(),
        ))?;
        return Ok(());
    }
    let xr = log_range(tmin, tmax, (tmax / tmin).powf(0.06).max(1.6));
    let original = pts[0].0.original_bytes;
    let caption = if zoom.is_some() {
        format!(
            "Zoomed: within {:.0}% of the best bits per byte, {}",
            100.0 * (ZOOM_BPC - 1.0),
            short_name(file)
        )
    } else {
        format!(
            "Bits per byte vs compression time: {} ({original} bytes)",
            short_name(file)
        )
    };
    let y_range = if zoom.is_some() {
        zoom_range(ymin, ymax, 0.12, 0.01)
    } else {
        padded(ymin, ymax, 0.1)
    };
    let y_dec = decimals_for(y_range.end - y_range.start).max(2);
    let (bold, light) = log_ticks(&xr);
    let mut chart = ChartBuilder::on(root)
        .caption(caption, CAPTION_FONT)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(
            xr.clone()
                .log_scale()
                .with_key_points(bold)
                .with_light_points(light),
            y_range,
        )?;
    let x_desc = if relative {
        format!("compression time as a multiple of {REFERENCE_CODEC}, same run (log scale)")
    } else {
        format!("compression time in seconds (log scale; {REFERENCE_CODEC} was not run)")
    };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("bits per byte (lower is better)")
        .axis_desc_style(AXIS_FONT)
        .label_style(LABEL_FONT)
        .x_label_formatter(&|v| {
            if relative {
                format!("{}×", si(*v))
            } else {
                si(*v)
            }
        })
        .y_label_formatter(&|v| format!("{v:.*}", y_dec))
        .light_line_style(GRID)
        .draw()?;
    if relative && xr.contains(&1.0) {
        let (y0, y1) = (ymin - (ymax - ymin), ymax + (ymax - ymin) + 1.0);
        chart.draw_series(DashedLineSeries::new(
            vec![(1.0, y0), (1.0, y1)],
            6,
            6,
            RGBColor(170, 170, 170).stroke_width(1),
        ))?;
    }
    let colour = |r: &BenchRow| {
        if is_nnzip(&r.codec) {
            NNZIP_COLOUR
        } else {
            PEER_COLOUR
        }
    };
    let anchors: Vec<(i32, i32)> = pts
        .iter()
        .map(|(r, t)| chart.backend_coord(&(*t, r.bits_per_byte)))
        .collect();
    let sizes: Vec<(i32, i32)> = pts.iter().map(|(r, _)| label_size(&r.codec)).collect();
    let (px, py) = chart.plotting_area().get_pixel_range();
    let boxes = place_labels(&anchors, &sizes, (px.start, px.end), (py.start, py.end));
    // A label moved away from its point gets a thin line back to it, drawn first so
    // that points and labels cover it.
    let placed = || pts.iter().zip(&anchors).zip(&boxes);
    chart.draw_series(placed().filter_map(|(((r, t), &(ax, ay)), b)| {
        let (dx, mid) = (b.x - ax, b.y + b.h / 2 - ay);
        (mid.abs() > 3).then(|| {
            let edge = if dx < 0 { dx + b.w } else { dx };
            EmptyElement::at((*t, r.bits_per_byte))
                + PathElement::new(
                    vec![(0, 0), (edge, mid)],
                    colour(r).mix(0.6).stroke_width(1),
                )
        })
    }))?;
    // nnzip's points last, on top of any peer at the same place.
    let mut on_top: Vec<_> = placed().collect();
    on_top.sort_by_key(|(((r, _), _), _)| is_nnzip(&r.codec));
    chart.draw_series(on_top.into_iter().map(|(((r, t), &(ax, ay)), b)| {
        let c = colour(r);
        EmptyElement::at((*t, r.bits_per_byte))
            + Circle::new((0, 0), POINT_RADIUS, c.filled())
            + Text::new(
                r.codec.clone(),
                (b.x - ax, b.y - ay + 1),
                LABEL_FONT.into_font().color(&c),
            )
    }))?;
    for (name, c) in [("nnzip", NNZIP_COLOUR), ("other compressors", PEER_COLOUR)] {
        if pts.iter().any(|(r, _)| colour(r) == c) {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 12, y), POINT_RADIUS, c.filled()));
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_are_labelled_even_within_a_decade() {
        // Several decades: 1, 2 and 5 times each power of ten, the rest as grid lines.
        let (bold, light) = log_ticks(&(0.015..7.0));
        assert_eq!(bold, [0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]);
        assert!(light.contains(&0.03) && light.contains(&6.0) && !light.contains(&7.0));
        // A zoomed panel from 1.4 to 6.7: every integer gets a label.
        let (bold, _) = log_ticks(&(1.4..6.7));
        assert_eq!(bold, [2.0, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn close_labels_do_not_overlap() {
        // Twelve points within a few pixels of each other, some at the right edge.
        let anchors: Vec<(i32, i32)> = (0..12)
            .map(|i| (300 + (i * 7) % 13, 200 + (i * 5) % 9))
            .chain([(795, 201), (796, 204), (798, 199)])
            .collect();
        let names = [
            "nn-fast",
            "nn-default",
            "lzw",
            "gzip -9",
            "bzip2 -9",
            "xz -9e",
        ];
        let sizes: Vec<(i32, i32)> = (0..anchors.len())
            .map(|i| label_size(names[i % names.len()]))
            .collect();
        let (xr, yr) = ((100, 800), (50, 550));
        let boxes = place_labels(&anchors, &sizes, xr, yr);
        assert_eq!(boxes.len(), anchors.len());
        for (i, a) in boxes.iter().enumerate() {
            assert_eq!((a.w, a.h), sizes[i]);
            assert!(a.inside(xr, yr), "{i}: {a:?}");
            for (j, b) in boxes.iter().enumerate().skip(i + 1) {
                assert!(!a.overlaps(b), "labels {i} and {j} overlap: {a:?} {b:?}");
            }
            // No label covers a point.
            for (j, &(x, y)) in anchors.iter().enumerate() {
                let dot = LabelBox {
                    x: x - POINT_CLEARANCE,
                    y: y - POINT_CLEARANCE,
                    w: 2 * POINT_CLEARANCE + 1,
                    h: 2 * POINT_CLEARANCE + 1,
                };
                assert!(!a.overlaps(&dot), "label {i} covers point {j}");
            }
        }
    }

    #[test]
    fn lone_labels_stay_beside_their_points() {
        let anchors = [(200, 100), (400, 300), (790, 400)];
        let sizes = [(60, 17), (60, 17), (60, 17)];
        let boxes = place_labels(&anchors, &sizes, (100, 800), (50, 550));
        assert_eq!(
            boxes[0],
            LabelBox {
                x: 209,
                y: 92,
                w: 60,
                h: 17
            }
        );
        assert_eq!(
            boxes[1],
            LabelBox {
                x: 409,
                y: 292,
                w: 60,
                h: 17
            }
        );
        // No room on the right: left of the point.
        assert_eq!(
            boxes[2],
            LabelBox {
                x: 721,
                y: 392,
                w: 60,
                h: 17
            }
        );
    }

    #[test]
    fn nnzip_codecs_are_told_apart() {
        for c in ["nn-fast", "nn-max", "core-default", "lzw"] {
            assert!(is_nnzip(c), "{c}");
        }
        for c in ["xz -9e", "gzip -9", "7z PPMd o10", "lpaq1 9", "compress"] {
            assert!(!is_nnzip(c), "{c}");
        }
    }

    #[test]
    fn frontier_keeps_the_unbeaten() {
        let pts = [(10.0, 3.0), (1.0, 2.0), (5.0, 3.5), (0.5, 2.5), (20.0, 4.0)];
        assert_eq!(frontier(&pts), vec![1, 0, 4]);
    }

    #[test]
    fn si_numbers() {
        assert_eq!(si(1500.0), "1.5k");
        assert_eq!(si(2_000_000.0), "2M");
        assert_eq!(si(0.25), "0.25");
        assert_eq!(si(12.0), "12");
    }
}
