//! The report's charts, as SVG text drawn with plotters: throughput per second of one test
//! through one device with that device's flaps as markers on the same time axis; a
//! device's per-port flap timeline; a bar chart comparing devices. Every flap marker is
//! drawn in [`MARKER`], so a reader (or a test) can find them.

use crate::states::FlapEvent;
use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::prelude::*;

/// The colour of flap markers (down events): nothing else is drawn in it.
pub(crate) const MARKER: RGBColor = RGBColor(0xD6, 0x27, 0x28);
const UP: RGBColor = RGBColor(0x2C, 0xA0, 0x2C);
const UNSEEN: RGBColor = RGBColor(0xFF, 0x7F, 0x0E);
const LINE: RGBColor = RGBColor(0x1F, 0x77, 0xB4);
const FONT: &str = "sans-serif";

/// A chart that could not be drawn: the message goes into the report in its place.
pub(crate) type ChartError = String;

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    format!("{e:?}")
}

/// The chart's legend, where it hides least.
fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: SeriesLabelPosition,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(at)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(err)
}

/// An event on a time axis: seconds, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mark {
    pub(crate) at_s: f64,
    pub(crate) event: FlapEvent,
    pub(crate) port: String,
}

fn style_of(event: FlapEvent) -> RGBColor {
    match event {
        FlapEvent::Down | FlapEvent::ErrDisabled => MARKER,
        FlapEvent::Unseen => UNSEEN,
        FlapEvent::Up => UP,
    }
}

/// Gbit/s per second of one test (`intervals`: start and end in seconds, Gbit/s; drawn as
/// steps), with the device's flaps while it ran drawn as markers at their time.
pub(crate) fn throughput(
    title: &str,
    intervals: &[(f64, f64, f64)],
    marks: &[Mark],
    duration_s: f64,
) -> Result<String, ChartError> {
    let points: Vec<(f64, f64)> = intervals
        .iter()
        .flat_map(|&(from, to, g)| [(from, g), (to, g)])
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let x_max = points
            .iter()
            .map(|p| p.0)
            .chain(marks.iter().map(|m| m.at_s))
            .fold(duration_s.max(1.0), f64::max);
        let y_max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(0.1) * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 15))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("seconds into the test")
            .y_desc("Gbit/s")
            .light_line_style(WHITE)
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                LINE.stroke_width(2),
            ))
            .map_err(err)?
            .label("Gbit/s, each second")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], LINE.stroke_width(2)));
        draw_marks(&mut chart, marks, y_max * 0.93)?;
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// One device's ports (rows) against time since the run started: each event a marker.
pub(crate) fn flap_timeline(
    title: &str,
    ports: &[String],
    marks: &[Mark],
    run_s: f64,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let height = 90 + 28 * ports.len().max(1) as u32;
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = ports.len().max(1);
        // An integer range's ends are both in it: 0..n-1 is n rows.
        let x_max = marks.iter().map(|m| m.at_s).fold(run_s.max(1.0), f64::max);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 15))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(110)
            .build_cartesian_2d(0f64..x_max, (0..n - 1).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("seconds into the run")
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => ports.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .light_line_style(WHITE)
            .draw()
            .map_err(err)?;
        draw_port_marks(&mut chart, ports, marks)?;
        if !marks.is_empty() {
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The flaps as triangles (labelled for the legend) and other events as dots, at height
/// `y` of a chart over seconds.
fn draw_marks(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    marks: &[Mark],
    y: f64,
) -> Result<(), ChartError> {
    let downs: Vec<&Mark> = marks
        .iter()
        .filter(|m| style_of(m.event) == MARKER)
        .collect();
    if !downs.is_empty() {
        chart
            .draw_series(
                downs
                    .iter()
                    .map(|m| TriangleMarker::new((m.at_s, y), 7, MARKER.filled())),
            )
            .map_err(err)?
            .label("link down (flap)")
            .legend(|(x, y)| TriangleMarker::new((x + 8, y), 5, MARKER.filled()));
    }
    let others = marks.iter().filter(|m| style_of(m.event) != MARKER);
    chart
        .draw_series(others.map(|m| Circle::new((m.at_s, y), 4, style_of(m.event).filled())))
        .map_err(err)?;
    Ok(())
}

/// Each event on its port's row: downs as triangles, ups and unseen flaps as dots, each
/// kind labelled for the legend.
fn draw_port_marks(
    chart: &mut ChartContext<
        '_,
        SVGBackend<'_>,
        Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordusize>>,
    >,
    ports: &[String],
    marks: &[Mark],
) -> Result<(), ChartError> {
    let row = |port: &str| ports.iter().position(|p| p == port);
    for (event, label) in [
        (FlapEvent::Down, "down"),
        (FlapEvent::Up, "up"),
        (FlapEvent::Unseen, "unseen (a counter proves it)"),
    ] {
        let these: Vec<(f64, usize)> = marks
            .iter()
            .filter(|m| style_of(m.event) == style_of(event))
            .filter_map(|m| row(&m.port).map(|r| (m.at_s, r)))
            .collect();
        if these.is_empty() {
            continue;
        }
        let color = style_of(event);
        let at = |(x, r): (f64, usize)| (x, SegmentValue::CenterOf(r));
        if color == MARKER {
            chart
                .draw_series(
                    these
                        .into_iter()
                        .map(|p| TriangleMarker::new(at(p), 7, color.filled())),
                )
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| TriangleMarker::new((x + 8, y), 5, color.filled()));
        } else {
            chart
                .draw_series(
                    these
                        .into_iter()
                        .map(|p| Circle::new(at(p), 4, color.filled())),
                )
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        }
    }
    Ok(())
}

/// A bar per (label, value): devices side by side by one figure.
pub(crate) fn bars(title: &str, unit: &str, bars: &[(String, f64)]) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 280)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = bars.len().max(1);
        let y_max = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0) * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 15))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(48)
            // An integer range's ends are both in it: 0..n-1 is n bars.
            .build_cartesian_2d((0..n - 1).into_segmented(), 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc(unit)
            .x_labels(n)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => bars.get(*i).map(|b| b.0.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    LINE.filled(),
                );
                r.set_margin(0, 0, 12, 12);
                r
            }))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker_count(svg: &str) -> usize {
        svg.matches("#D62728").count()
    }

    #[test]
    fn a_flap_under_load_is_drawn_as_a_marker_on_the_throughput_chart() {
        let points: Vec<(f64, f64, f64)> =
            (0..5).map(|s| (s as f64, s as f64 + 1.0, 9.4)).collect();
        let marks = vec![Mark {
            at_s: 2.5,
            event: FlapEvent::Down,
            port: "Ethernet49".into(),
        }];
        let with = throughput("t1 through arista", &points, &marks, 5.0).unwrap();
        let without = throughput("t1 through arista", &points, &[], 5.0).unwrap();
        assert!(with.starts_with("<svg"), "{with}");
        assert!(with.contains("t1 through arista"));
        // The marker and its legend entry; none without flaps.
        assert_eq!(marker_count(&with), 2, "{with}");
        assert_eq!(marker_count(&without), 0);
    }

    #[test]
    fn a_timeline_has_a_row_per_port_and_bars_a_bar_per_device() {
        let ports = vec!["Ethernet49".to_string(), "Ethernet50".to_string()];
        let marks = vec![
            Mark {
                at_s: 3.0,
                event: FlapEvent::Down,
                port: "Ethernet49".into(),
            },
            Mark {
                at_s: 3.2,
                event: FlapEvent::Up,
                port: "Ethernet49".into(),
            },
        ];
        let svg = flap_timeline("arista-7048", &ports, &marks, 10.0).unwrap();
        assert!(
            svg.contains("Ethernet49") && svg.contains("Ethernet50"),
            "{svg}"
        );
        assert_eq!(marker_count(&svg), 2);
        let svg = bars("Gbit/s", "Gbit/s", &[("a".into(), 9.0), ("b".into(), 0.9)]).unwrap();
        assert_eq!(
            svg.matches("<rect").count() - 1,
            2,
            "a background and two bars: {svg}"
        );
    }
}
