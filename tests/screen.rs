//! The demo as a lab engineer sees it on a terminal of 80 and of 100 columns: a real pty,
//! its output fed through a terminal emulator (vt100), and the screen that is left read
//! as a person would: short, no line wrapped, every device name whole, the decision last.

mod common;

use common::DEMO_DEVICES as DEVICES;

/// Every row the demo left on a `cols`-wide terminal tall enough that nothing scrolls
/// away (so a live region printed again would show as rows), and whether each wrapped.
async fn demo_screen(cols: u16) -> Vec<(String, bool)> {
    let rows = 400u16;
    let dir = tempfile::tempdir().unwrap();
    let args = ["demo", "--runs", "runs", "--watch", "2s"];
    let env = [("TERM", "xterm-256color")];
    let (status, bytes) = common::pty::on_pty(&args, dir.path(), Some((rows, cols)), &env).await;
    assert!(status.success(), "{}", String::from_utf8_lossy(&bytes));
    let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let mut term = vt100::Parser::new(nz(rows), nz(cols), 0);
    term.process(&bytes);
    let screen = term.screen();
    let mut lines: Vec<(String, bool)> = (0..rows)
        .map(|r| {
            let text = screen.contents_between(r, 0, r, cols);
            (text.trim_end().to_string(), screen.row_wrapped(r))
        })
        .collect();
    while lines.last().is_some_and(|(l, _)| l.is_empty()) {
        lines.pop();
    }
    lines
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_reads_at_80_and_100_columns_and_ends_with_the_decision() {
    let (at80, at100) = tokio::join!(demo_screen(80), demo_screen(100));
    for (cols, lines) in [(80, at80), (100, at100)] {
        let shown: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
        assert!(
            lines.len() <= 60,
            "{cols} columns: {} lines\n{shown}",
            lines.len()
        );
        for (l, wrapped) in &lines {
            assert!(
                !wrapped,
                "{cols} columns: a line ran past the edge: {l}\n{shown}"
            );
        }
        // No name is cut: a word that begins a device's name is the whole name.
        for word in shown.split(|c: char| c.is_whitespace() || c == '│' || c == ',') {
            for d in DEVICES {
                if word.len() >= 4 && d.starts_with(word) {
                    assert_eq!(word, d, "{cols} columns: a name cut short\n{shown}");
                }
            }
        }
        // The decision last: one row per device (its long hints as numbered notes under
        // the table), then report.html's path.
        let last = &lines[lines.len() - 1].0;
        assert!(last.ends_with("report.html"), "{cols} columns\n{shown}");
        let notes = (lines.iter().rev().skip(1))
            .take_while(|(l, _)| l.starts_with('['))
            .count();
        let end = lines.len() - 1 - notes;
        let decision = &lines[end - DEVICES.len()..end];
        for (d, (row, _)) in DEVICES.iter().zip(decision) {
            assert!(row.starts_with(d), "{cols} columns: {row}\n{shown}");
            assert!(
                row.contains("pass") || row.contains("fail"),
                "{cols}: {row}"
            );
        }
        // The live region was redrawn in place, never printed again.
        let boards = shown.matches("devices pushed and watched").count();
        assert_eq!(boards, 1, "{cols} columns\n{shown}");
    }
}

/// Regression: in a pipe, the ports the demo's baseline brings up (Force10's and the
/// Niagara's start shut) were each announced as an up, because traffic starting closed
/// the baseline's window before the watch had heard them.
#[tokio::test(flavor = "multi_thread")]
async fn in_a_pipe_the_ports_a_baseline_brings_up_are_said_once_per_device() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["demo", "--runs", "runs", "--watch", "2s"];
    let out = common::switchlab(&args, &[], dir.path()).await;
    let said = common::text(&out);
    assert!(out.status.success(), "{said}");
    for (device, ports) in [
        ("niagara-2924", "0/1, 0/2"),
        (
            "f10-s4810",
            "TenGigabitEthernet 0/1, TenGigabitEthernet 0/2",
        ),
    ] {
        let fold = format!("{device}: came up after the baseline: {ports}");
        assert_eq!(said.matches(&fold).count(), 1, "{fold}\n{said}");
        let one_by_one = said
            .lines()
            .filter(|l| l.contains(&format!(" {device} ")) && l.ends_with(" up"))
            .collect::<Vec<_>>();
        assert!(one_by_one.is_empty(), "{one_by_one:?}\n{said}");
    }
}
