//! The report's RFC 2544 charts: per frame size, each device's no-drop rate drawn against
//! the line-rate curve of its ports, and each device's latency at that rate. Devices are
//! drawn side by side on one chart, one colour each (never the flap marker's red).

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::charts::ChartError;
use crate::format::manifest::BenchmarkTest;
use crate::record::rfc2544::{Rfc2544Row, shown_latency};

/// One colour per device, in order; red is kept for flap markers.
const COLOURS: [RGBColor; 8] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0x2C, 0xA0, 0x2C),
    RGBColor(0x94, 0x67, 0xBD),
    RGBColor(0xFF, 0x7F, 0x0E),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0x17, 0xBE, 0xCF),
    RGBColor(0xE3, 0x77, 0xC2),
    RGBColor(0xBC, 0xBD, 0x22),
];
const CURVE: RGBColor = RGBColor(0x7F, 0x7F, 0x7F);
const FONT: &str = "sans-serif";
/// Ethernet's preamble, start delimiter and inter-frame gap: bytes on the wire per frame
/// beyond the frame itself.
const WIRE_OVERHEAD: f64 = 20.0;

/// One line on a frame-size chart: what it is, and (frame size, value) points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) points: Vec<(f64, f64)>,
}

/// The throughput rows of `rows` as one series per device: frame size against the
/// forwarded frames/s (in millions) at the no-drop rate.
pub(crate) fn no_drop_series(rows: &[Rfc2544Row]) -> Vec<Series> {
    per_device(rows, BenchmarkTest::Throughput, |r| {
        r.forwarded_fps.map(|f| f / 1e6)
    })
}

/// The latency as the console's table and summary.csv give it ([`shown_latency`]), as
/// one series per device: frame size against the median (µs).
pub(crate) fn latency_series(rows: &[Rfc2544Row]) -> Vec<Series> {
    let shown: Vec<Rfc2544Row> = (rows.iter())
        .filter(|r| r.test == BenchmarkTest::Throughput)
        .filter_map(|t| {
            let (_, us) = shown_latency(rows, t)?;
            let mut point = t.clone();
            point.latency_median_us = Some(us);
            Some(point)
        })
        .collect();
    per_device(&shown, BenchmarkTest::Throughput, |r| r.latency_median_us)
}

fn per_device(
    rows: &[Rfc2544Row],
    test: BenchmarkTest,
    value: impl Fn(&Rfc2544Row) -> Option<f64>,
) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for r in rows.iter().filter(|r| r.test == test) {
        let Some(v) = value(r) else { continue };
        let label = format!("{} ({})", r.device, r.benchmark);
        let at = match out.iter().position(|s| s.label == label) {
            Some(i) => i,
            None => {
                out.push(Series {
                    label,
                    points: Vec::new(),
                });
                out.len() - 1
            }
        };
        // The latest row of a size wins (a rerun benchmark appends).
        let points = &mut out[at].points;
        points.retain(|p| p.0 != f64::from(r.frame_size));
        points.push((f64::from(r.frame_size), v));
    }
    for s in &mut out {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// The line-rate curves under `rows`: one per distinct port speed, in millions of
/// frames/s across frame sizes from `from` to `to` bytes.
pub(crate) fn line_curves(rows: &[Rfc2544Row], from: f64, to: f64) -> Vec<Series> {
    let mut speeds: Vec<f64> = Vec::new();
    for r in rows.iter().filter(|r| r.line_fps > 0.0) {
        let bps = r.line_fps * (f64::from(r.frame_size) + WIRE_OVERHEAD) * 8.0;
        // Rounded to the Mbit/s: the same speed read from two sizes is one curve.
        let bps = (bps / 1e6).round() * 1e6;
        if !speeds.contains(&bps) {
            speeds.push(bps);
        }
    }
    speeds.sort_by(f64::total_cmp);
    let steps = 64;
    speeds
        .into_iter()
        .map(|bps| Series {
            label: format!("line rate, {}", speed_text(bps)),
            points: (0..=steps)
                .map(|i| {
                    let size = from + (to - from) * f64::from(i) / f64::from(steps);
                    (size, bps / ((size + WIRE_OVERHEAD) * 8.0) / 1e6)
                })
                .collect(),
        })
        .collect()
}

fn speed_text(bps: f64) -> String {
    match bps {
        b if b >= 1e9 => format!("{} Gbit/s", b / 1e9),
        b => format!("{} Mbit/s", b / 1e6),
    }
}

/// Frame size (bytes) against `y_desc`, a line with points per device and, dashed, the
/// `curves` (line rate) beneath them.
pub(crate) fn by_frame_size(
    title: &str,
    y_desc: &str,
    devices: &[Series],
    curves: &[Series],
) -> Result<String, ChartError> {
    let all = || devices.iter().chain(curves).flat_map(|s| s.points.iter());
    let x_min = all().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = all().map(|p| p.0).fold(0.0, f64::max);
    if !x_min.is_finite() {
        return Err("no measured frame size to draw".into());
    }
    let y_max = all().map(|p| p.1).fold(0.0, f64::max).max(1e-6) * 1.15;
    let pad = ((x_max - x_min) * 0.04).max(8.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 15))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(56)
            .build_cartesian_2d((x_min - pad)..(x_max + pad), 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("frame size (bytes)")
            .y_desc(y_desc)
            .light_line_style(WHITE)
            .draw()
            .map_err(err)?;
        draw_series(&mut chart, devices, curves)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The `curves` dashed, each device's line with its points, each labelled for the legend.
fn draw_series(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    devices: &[Series],
    curves: &[Series],
) -> Result<(), ChartError> {
    for c in curves {
        chart
            .draw_series(DashedLineSeries::new(
                c.points.iter().copied(),
                6,
                4,
                CURVE.stroke_width(1),
            ))
            .map_err(err)?
            .label(c.label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], CURVE));
    }
    for (i, s) in devices.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(err)?
            .label(s.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
            });
        chart
            .draw_series((s.points.iter()).map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(err)?;
    }
    Ok(())
}

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    format!("{e:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throughput(device: &str, size: u32, fps: f64, line_fps: f64) -> Rfc2544Row {
        let mut r = Rfc2544Row::new(device, "rfc2544", size, BenchmarkTest::Throughput);
        r.forwarded_fps = Some(fps);
        r.line_fps = line_fps;
        r
    }

    #[test]
    fn each_device_is_a_series_and_each_port_speed_a_line_rate_curve() {
        let rows = vec![
            throughput("arista", 64, 14_880_952.0, 14_880_952.0),
            throughput("arista", 1518, 812_743.0, 812_743.0),
            throughput("niagara", 64, 40_000.0, 1_488_095.0),
            throughput("niagara", 1518, 81_274.0, 81_274.0),
        ];
        let devices = no_drop_series(&rows);
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[1].points, vec![(64.0, 0.04), (1518.0, 0.081274)]);
        let curves = line_curves(&rows, 64.0, 1518.0);
        let labels: Vec<&str> = curves.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["line rate, 1 Gbit/s", "line rate, 10 Gbit/s"]);
        // The 10G curve passes through 14.88 Mframes/s at 64 B.
        assert!((curves[1].points[0].1 - 14.880952).abs() < 1e-3);
        let svg = by_frame_size("no-drop rate", "Mframes/s", &devices, &curves).unwrap();
        assert!(svg.contains("niagara (rfc2544)") && svg.contains("line rate, 10 Gbit/s"));
        assert!(!svg.to_uppercase().contains("#D62728"), "no flap red");
        assert!(by_frame_size("empty", "µs", &[], &[]).is_err());
    }

    #[test]
    fn latency_is_drawn_as_the_table_gives_it_the_lowest_load_s_median() {
        let mut rows = Vec::new();
        for size in [64, 1518] {
            let mut t = Rfc2544Row::new("cisco", "rfc2544", size, BenchmarkTest::Throughput);
            t.latency_median_us = Some(100.0);
            rows.push(t);
        }
        for (load, us) in [(50.0, 4.0), (10.0, 3.0), (100.0, 9.0)] {
            let mut r = Rfc2544Row::new("cisco", "rfc2544", 64, BenchmarkTest::Latency);
            r.load_percent = Some(load);
            r.latency_median_us = Some(us);
            r.latency_avg_us = Some(us + 1.0);
            rows.push(r);
        }
        let s = latency_series(&rows);
        assert_eq!(s.len(), 1);
        // 1518 B had no latency test: its throughput trial's own figure.
        assert_eq!(s[0].points, vec![(64.0, 3.0), (1518.0, 100.0)]);
        let table = |size| shown_latency(&rows, &rows[size]).map(|(_, us)| us);
        assert_eq!(
            (table(0), table(1)),
            (Some(3.0), Some(100.0)),
            "the same figures"
        );
    }
}
