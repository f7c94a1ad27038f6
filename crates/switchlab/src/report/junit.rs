//! junit.xml: a run folder as a test suite, so Jenkins, GitLab and any CI show a run as
//! they show tests. One test case per watched port, per throughput test through a device,
//! per RFC 2544 row; a verdict that failed is a `failure` carrying its hint, something
//! that could not be judged (`unknown`, `lost`, a test that could not run) an `error`.
//! Built from the folder read back, as report.html is: what it says is what the files say.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::record::read::RunData;
use crate::states::{Judged, PortVerdict, TestState};

/// junit.xml's text for `run`.
pub(crate) fn render(run: &RunData) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new(format!("switchlab {}", run.name()));
    report.add_test_suite(ports(run));
    if !run.run.throughput.is_empty() {
        report.add_test_suite(throughput(run));
    }
    if !run.rfc2544.is_empty() {
        report.add_test_suite(rfc2544(run));
    }
    report.to_string()
}

fn status(kind: Option<NonSuccessKind>, message: String) -> TestCaseStatus {
    match kind {
        None => TestCaseStatus::success(),
        Some(kind) => {
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(message);
            s
        }
    }
}

fn case(class: &str, name: String, status: TestCaseStatus) -> TestCase {
    let mut c = TestCase::new(name, status);
    c.set_classname(class.to_string());
    c
}

fn ports(run: &RunData) -> TestSuite {
    let mut suite = TestSuite::new("ports");
    for p in &run.ports {
        let kind = match p.verdict {
            PortVerdict::Pass => None,
            PortVerdict::Fail | PortVerdict::NoLink => Some(NonSuccessKind::Failure),
            PortVerdict::Unknown | PortVerdict::Lost => Some(NonSuccessKind::Error),
        };
        let message = format!("{}: {} flap(s); {}", p.verdict, p.flaps, p.hint);
        let name = format!("{} {}", p.device, p.port);
        suite.add_test_case(case(&p.device, name, status(kind, message)));
    }
    suite
}

fn throughput(run: &RunData) -> TestSuite {
    let mut suite = TestSuite::new("throughput");
    for t in &run.run.throughput {
        let device = t.device.as_deref().unwrap_or("");
        let (kind, message) = match (t.outcome, t.verdict) {
            (TestState::Measured, Some(Judged::Fail)) => (
                Some(NonSuccessKind::Failure),
                format!(
                    "{} Gbit/s received, under the criterion",
                    t.received_gbps.map_or("-".into(), |g| format!("{g:.2}"))
                ),
            ),
            (TestState::Measured, _) => (None, String::new()),
            (state, _) => (
                Some(NonSuccessKind::Error),
                format!("{state}: {}", t.error.as_deref().unwrap_or("not measured")),
            ),
        };
        let name = format!("{} via {device}", t.test);
        suite.add_test_case(case(device, name, status(kind, message)));
    }
    suite
}

fn rfc2544(run: &RunData) -> TestSuite {
    let mut suite = TestSuite::new("rfc2544");
    for r in &run.rfc2544 {
        let kind = (r.verdict == Some(Judged::Fail)).then_some(NonSuccessKind::Failure);
        let limit = r
            .limited_by
            .map_or(String::new(), |l| format!(", limited by {l}"));
        let message = format!(
            "{} at {} B: {}{limit}",
            r.test.as_str(),
            r.frame_size,
            r.no_drop_percent()
                .map_or("no rate found".into(), |p| format!("{p:.1} % of line rate"))
        );
        let name = format!(
            "{} {} {} {} B",
            r.device,
            r.benchmark,
            r.test.as_str(),
            r.frame_size
        );
        suite.add_test_case(case(&r.device, name, status(kind, message)));
    }
    suite
}
