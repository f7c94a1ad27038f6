//! report.html as a lab engineer opens it: in a real headless Chromium, from a demo run's
//! folder, with nothing fetched from the network and every chart drawn.

#[path = "common/chromium.rs"]
mod chromium;
mod common;

use common::*;
use switchlab::record::read::RunData;

const LOOK: &str = r#"JSON.stringify({
  throughput: [...document.querySelectorAll('figure.throughput')].map(f => ({
    svg: f.querySelectorAll('svg').length,
    flaps: Number(f.dataset.flaps),
    markers: [...f.querySelectorAll('svg *')]
      .filter(e => (e.getAttribute('fill') || '').toLowerCase() == '#d62728').length,
  })),
  timelines: [...document.querySelectorAll('figure.timeline svg')].length,
  timeline_markers: [...document.querySelectorAll('figure.timeline svg *')]
      .filter(e => (e.getAttribute('fill') || '').toLowerCase() == '#d62728').length,
  comparison: document.querySelectorAll('figure.comparison svg').length,
  benchmarks: [...document.querySelectorAll('figure.benchmark svg')].map(s => s.textContent),
  rfc2544_rows: document.querySelectorAll('table.rfc2544 tr').length - 1,
  verdict_rows: document.querySelectorAll('table.verdicts tr').length - 1,
  hint: document.body.innerText.includes('short SFP+ DAC'),
})"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_report_opens_in_chromium_with_its_charts_and_fetches_nothing() {
    if !have_tool("chromium", "report.html in a headless browser") {
        return;
    }
    let root = std::env::current_dir().unwrap();
    let runs = tempfile::tempdir().unwrap();
    let runs_arg = runs.path().display().to_string();
    let out = switchlab(&["demo", "--runs", &runs_arg, "--watch", "4s"], &[], &root).await;
    assert!(out.status.success(), "{}", text(&out));
    let folder = printed_folder(&out, &root);
    let page = folder.join("report.html");
    let data = RunData::read(&folder).unwrap();

    let visit = chromium::visit(&page, LOOK).await;
    assert!(
        visit.errors.is_empty(),
        "console errors: {:?}",
        visit.errors
    );
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    assert_eq!(visit.requests, [url], "the page itself and nothing else");

    let seen: serde_json::Value =
        serde_json::from_str(visit.value.as_str().expect("the expression's JSON")).unwrap();
    // A throughput chart per test and device, each with one marker per flap of that
    // device while the test ran (and a legend entry when there is any).
    let tests = seen["throughput"].as_array().unwrap();
    assert_eq!(tests.len(), data.run.throughput.len(), "{seen}");
    assert_eq!(
        tests.len(),
        5,
        "one test through each of five switches: {seen}"
    );
    for (t, record) in tests.iter().zip(&data.run.throughput) {
        assert_eq!(t["svg"], 1, "{seen}");
        let device = record.device.clone().unwrap_or_default();
        let downs = data
            .flaps
            .iter()
            .filter(|f| f.device == device && f.event == switchlab::states::FlapEvent::Down)
            .filter(|f| f.tests().any(|n| n == record.test))
            .count() as u64;
        assert_eq!(t["flaps"], downs, "{device}: {seen}");
        let legend = u64::from(downs > 0);
        assert_eq!(t["markers"], downs + legend, "{device}: {seen}");
    }
    // The short DAC's flaps on the per-port timeline (marker and legend), a timeline per
    // device, the vendor comparison, the verdict table with its hint.
    let dac_downs = data
        .flaps
        .iter()
        .filter(|f| f.port == "Ethernet49" && f.event == switchlab::states::FlapEvent::Down)
        .count() as u64;
    assert!(dac_downs >= 1, "{:?}", data.flaps);
    assert_eq!(seen["timeline_markers"], dac_downs + 1, "{seen}");
    assert_eq!(seen["timelines"], 5, "{seen}");
    assert_eq!(seen["comparison"], 2, "{seen}");
    assert_eq!(seen["verdict_rows"], 5, "{seen}");
    assert_eq!(seen["hint"], true, "{seen}");
    // RFC 2544: the no-drop rate against the line-rate curve and the latency per frame
    // size, every benchmarked device named on both; a table row per (device, size).
    let benchmarked: std::collections::BTreeSet<&str> =
        data.rfc2544.iter().map(|r| r.device.as_str()).collect();
    let charts = seen["benchmarks"].as_array().unwrap();
    if benchmarked.is_empty() {
        assert!(charts.is_empty(), "{seen}");
    } else {
        assert_eq!(charts.len(), 2, "{seen}");
        assert!(charts[0].as_str().unwrap().contains("line rate"), "{seen}");
        for chart in charts {
            for d in &benchmarked {
                assert!(chart.as_str().unwrap().contains(d), "{d}: {chart}");
            }
        }
        let throughput = switchlab::format::manifest::BenchmarkTest::Throughput;
        let rows = data.rfc2544.iter().filter(|r| r.test == throughput);
        assert_eq!(seen["rfc2544_rows"], rows.count(), "{seen}");
    }

    // Not a blank page: many colours, a fair share of the pixels drawn.
    let (colours, drawn) = chromium::colours(&visit.screenshot);
    assert!(
        colours > 20 && drawn > 0.02,
        "{colours} colours, {drawn:.3} drawn"
    );
}
