//! SVG charts drawn with plotters into strings (no files, no system fonts: text is laid out by
//! plotters' built-in estimate and drawn by the viewer's fonts). Each function returns a
//! complete `<svg>` element; callers put the numbers it draws in a table next to it.

use plotters::coord::combinators::BindKeyPoints;
use plotters::prelude::*;

const WIDTH: u32 = 860;
const HEIGHT: u32 = 400;

/// One colour per strategy, in `Strategy::ALL` order, then others (colour-blind safe: Okabe–Ito).
pub const COLORS: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

/// A named line of (x, y) points.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a plot: {e:?}")
}

/// "1h 30m" style labels for seconds.
pub fn duration_label(seconds: f64) -> String {
    scenarios::units::format_duration(seconds)
}

/// "$1.2M" style labels for dollars.
pub fn money_label(usd: f64) -> String {
    let (v, unit) = if usd >= 1e9 {
        (usd / 1e9, "B")
    } else if usd >= 1e6 {
        (usd / 1e6, "M")
    } else if usd >= 1e3 {
        (usd / 1e3, "k")
    } else {
        (usd, "")
    };
    if v >= 100.0 || v.fract() == 0.0 {
        format!("${v:.0}{unit}")
    } else {
        format!("${v:.1}{unit}")
    }
}

/// Round durations (seconds) for the ticks of a log time axis.
const TIME_TICKS: [f64; 16] = [
    1.0,
    10.0,
    60.0,
    300.0,
    900.0,
    1800.0,
    3600.0,
    3.0 * 3600.0,
    6.0 * 3600.0,
    12.0 * 3600.0,
    86400.0,
    2.0 * 86400.0,
    4.0 * 86400.0,
    7.0 * 86400.0,
    14.0 * 86400.0,
    30.0 * 86400.0,
];

/// The round durations within `lo..hi`.
fn time_ticks(lo: f64, hi: f64) -> Vec<f64> {
    TIME_TICKS
        .iter()
        .copied()
        .filter(|t| *t >= lo && *t <= hi)
        .collect()
}

/// Powers of ten (dollars) within `lo..hi`.
fn money_ticks(lo: f64, hi: f64) -> Vec<f64> {
    (0..12)
        .map(|k| 10f64.powi(k))
        .filter(|t| *t >= lo && *t <= hi)
        .collect()
}

fn log_bounds(values: impl Iterator<Item = f64>, floor: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (floor, floor * 10.0);
    }
    let lo = (lo / 1.5).max(floor);
    let hi = (hi * 1.5).max(lo * 10.0);
    (lo, hi)
}

/// What a chart of lines over a log x axis and a probability y axis shows.
struct LogLines<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    x_label: &'a dyn Fn(f64) -> String,
    x_ticks: fn(f64, f64) -> Vec<f64>,
    /// A vertical reference line (an objective) and its legend.
    vertical: Option<(f64, String)>,
    legend: SeriesLabelPosition,
}

/// Lines over a log x axis (values under its lower end drawn at the edge) and a 0–100 % y axis.
fn log_lines(spec: &LogLines<'_>, series: &[Series]) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (lo, hi) = log_bounds(
            series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .chain(spec.vertical.as_ref().map(|v| v.0)),
            1.0,
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(spec.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(
                (lo..hi).log_scale().with_key_points((spec.x_ticks)(lo, hi)),
                0.0..1.0,
            )
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(spec.x_desc)
            .y_desc(spec.y_desc)
            .x_label_formatter(&|x| (spec.x_label)(*x))
            .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
            .light_line_style(RGBColor(235, 238, 243))
            .draw()
            .map_err(err)?;
        for s in series {
            let color = s.color;
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|p| (p.0.max(lo), p.1)),
                    color.stroke_width(2),
                ))
                .map_err(err)?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
        }
        if let Some((v, name)) = spec.vertical.as_ref().filter(|v| v.0 >= lo && v.0 <= hi) {
            chart
                .draw_series(LineSeries::new(
                    vec![(*v, 0.0), (*v, 1.0)],
                    BLACK.stroke_width(1),
                ))
                .map_err(err)?
                .label(name.clone())
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(1))
                });
        }
        chart
            .configure_series_labels()
            .position(spec.legend.clone())
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 204, 212))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Cumulative distributions on a log time axis: P(time ≤ x) per series, with the objective as
/// a vertical line.
pub fn cdf(
    title: &str,
    x_desc: &str,
    series: &[Series],
    objective: Option<f64>,
) -> anyhow::Result<String> {
    log_lines(
        &LogLines {
            title,
            x_desc,
            y_desc: "share of disasters (cumulative)",
            x_label: &duration_label,
            x_ticks: time_ticks,
            vertical: objective.map(|o| (o, format!("objective {}", duration_label(o)))),
            legend: SeriesLabelPosition::LowerRight,
        },
        series,
    )
}

/// Horizontal bars, one per label, with the value written at the bar's end.
pub fn bars(
    title: &str,
    x_desc: &str,
    bars: &[(String, f64, RGBColor)],
    value_label: &dyn Fn(f64) -> String,
) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let height = (90 + 34 * bars.len() as u32).max(180);
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let max = bars.iter().map(|b| b.1).fold(0.0f64, f64::max).max(1e-9) * 1.18;
        let n = bars.len().max(1) as i32;
        let longest = bars.iter().map(|b| b.0.chars().count()).max().unwrap_or(4);
        // In hundredths of a row: bar i (from the top) fills the middle 70 % of row n − 1 − i,
        // and its label sits at the row's middle.
        let row = |i: usize| (n - 1 - i as i32) * 100;
        let centers: Vec<i32> = (0..bars.len()).map(|i| row(i) + 50).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size((longest as u32 * 7 + 16).clamp(60, 330))
            .build_cartesian_2d(0.0..max, (0..n * 100).with_key_points(centers))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(x_desc)
            .x_label_formatter(&|x| value_label(*x))
            .y_label_formatter(&|y| {
                (0..bars.len())
                    .find(|&i| row(i) + 50 == *y)
                    .map(|i| bars[i].0.clone())
                    .unwrap_or_default()
            })
            .light_line_style(RGBColor(235, 238, 243))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v, color))| {
                Rectangle::new([(0.0, row(i) + 15), (*v, row(i) + 85)], color.filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v, _))| {
                Text::new(
                    value_label(*v),
                    (*v + max * 0.01, row(i) + 65),
                    ("sans-serif", 13).into_font().color(&BLACK),
                )
            }))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// One point of a scatter plot.
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub color: RGBColor,
    /// Drawn larger and outlined.
    pub highlight: bool,
}

/// Monthly spend (x) against a time (y, log axis), with a line through the frontier.
pub fn spend_scatter(
    title: &str,
    y_desc: &str,
    points: &[Point],
    frontier: &[(f64, f64)],
    legend: &[(String, RGBColor)],
) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT + 40)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let x_max = points.iter().map(|p| p.x).fold(1.0f64, f64::max) * 1.08;
        let (lo, hi) = log_bounds(points.iter().map(|p| p.y), 1.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(
                0.0..x_max,
                (lo..hi).log_scale().with_key_points(time_ticks(lo, hi)),
            )
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("monthly DR spend (USD)")
            .y_desc(y_desc)
            .x_label_formatter(&|x| money_label(*x))
            .y_label_formatter(&|y| duration_label(*y))
            .light_line_style(RGBColor(235, 238, 243))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                frontier.iter().copied(),
                RGBColor(120, 120, 120).stroke_width(1),
            ))
            .map_err(err)?
            .label("frontier")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 18, y)],
                    RGBColor(120, 120, 120).stroke_width(1),
                )
            });
        for (name, color) in legend {
            let color = *color;
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|p| p.color == color && !p.highlight)
                        .map(|p| Circle::new((p.x, p.y.max(lo)), 4, color.mix(0.75).filled())),
                )
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, color.filled()));
        }
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.highlight)
                    .map(|p| Circle::new((p.x, p.y.max(lo)), 9, BLACK.stroke_width(3))),
            )
            .map_err(err)?
            .label("the pick")
            .legend(|(x, y)| Circle::new((x + 9, y), 6, BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 204, 212))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Exceedance curves: P(annual loss > x) on a log money axis.
pub fn exceedance(title: &str, series: &[Series]) -> anyhow::Result<String> {
    log_lines(
        &LogLines {
            title,
            x_desc: "annual loss, x (USD)",
            y_desc: "P(annual loss > x)",
            x_label: &money_label,
            x_ticks: money_ticks,
            vertical: None,
            legend: SeriesLabelPosition::LowerLeft,
        },
        series,
    )
}
