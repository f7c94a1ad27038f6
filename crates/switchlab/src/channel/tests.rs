//! The channel against bytes written into a duplex pipe: prompts, log lines, cleaning.

use super::*;
use crate::transport::Connected;
use crate::vendor::Registry;
use tokio::io::AsyncWriteExt;

pub(super) fn channel(vendor: &str) -> (Channel, tokio::io::DuplexStream) {
    let reg = Registry::load(None, None).expect("built-in profiles");
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let conn = Connected {
        stream: Box::new(ours),
        keep_alive: Vec::new(),
        holds_type_ahead: true,
    };
    (
        Channel::new("sw", reg.vendor(vendor).expect("vendor"), conn),
        theirs,
    )
}

// Regression: two log lines after a prompt, each framed by blank lines as a console
// prints them, hid the prompt and the read timed out.
#[tokio::test]
async fn a_prompt_followed_by_framed_log_lines_is_still_the_prompt() {
    let (mut ch, mut dev) = channel("cisco_ios");
    let text = "show clock\r\n05:00:00\r\nSwitch#\r\n*Nov 27 05:00:01.000: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down\r\n\r\n*Nov 27 05:00:01.001: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to down\r\n";
    dev.write_all(text.as_bytes()).await.unwrap();
    let hit = ch
        .read_until(&[Want::Prompt], &[], "the prompt")
        .await
        .expect("prompt found");
    assert_eq!(hit.mode, Some(crate::vendor::ModeName::Privileged));
    assert_eq!(hit.before, "show clock\n05:00:00\n");
    let events: Vec<_> = ch
        .log_lines
        .iter()
        .filter_map(|l| l.event.clone())
        .collect();
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e.port == "GigabitEthernet0/1" && e.state == crate::parse::LinkState::Down)
    );
}

proptest::proptest! {
    /// Any bytes, cut into reads anywhere: the cleaner, the log-line splitter and the
    /// prompt matcher never panic, and what a read consumes is always whole text.
    #[test]
    fn any_bytes_in_any_pieces_never_panic(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000),
        cuts in proptest::collection::vec(0usize..2000, 0..20),
        vendor in 0usize..5,
    ) {
        let names = ["cisco_ios", "arista_eos", "dell_force10", "brocade_fastiron", "interface_masters"];
        let (mut ch, _dev) = channel(names[vendor]);
        let mut wants = vec![Want::LoginFailed, Want::Pager, Want::Prompt, Want::Username, Want::Password];
        wants.extend((0..4).map(Want::Dialog));
        let mut cuts: Vec<usize> = cuts.into_iter().filter(|c| *c < bytes.len()).collect();
        cuts.sort_unstable();
        let mut from = 0;
        for to in cuts.into_iter().chain([bytes.len()]) {
            ch.take_in(&bytes[from..to.max(from)]);
            from = to.max(from);
            while let Some(hit) = ch.check(&wants, &[]) {
                proptest::prop_assert!(hit.before.len() + hit.tail.len() <= bytes.len() * 4 + 16);
            }
            proptest::prop_assert!(ch.scanned <= ch.text.len());
        }
    }
}

#[tokio::test]
async fn ansi_escapes_pager_erase_and_backspaces_are_cleaned() {
    let (mut ch, mut dev) = channel("arista_eos");
    dev.write_all(
        b"\x1b[1mline one\x1b[0m\r\nabcX\x08d\r\n --More-- \r          \rline two\r\nsw#",
    )
    .await
    .unwrap();
    let hit = ch
        .read_until(&[Want::Prompt], &[], "the prompt")
        .await
        .expect("prompt found");
    assert_eq!(hit.before, "line one\nabcd\nline two\n");
}

// Regression: `async_line` matched anywhere in a line, so config quoting a message ID (a
// description, an EEM applet's syslog pattern) was taken out of `show running-config` as
// a log line. Each profile's pattern now says where a log line starts.
#[tokio::test]
async fn config_quoting_log_messages_stays_while_the_simulators_log_lines_leave() {
    let config = [
        "interface GigabitEthernet0/1",
        " description %SW-1-CORE",
        " port-name uplink System: core",
        " description %STKUNIT0-M:CP %IFMGR-5-OSTATE_DN seen TRAPMGR %% Link Down: 0/1",
        "!",
        "event manager applet LINKWATCH",
        " event syslog pattern \"%LINK-3-UPDOWN\"",
        "!",
    ];
    for d in switchlab_sim::vendors::ALL {
        let sim = switchlab_sim::Sim::start(switchlab_sim::SimOptions::new(d.name)).expect("sim");
        let (logs, links) = {
            let dev = switchlab_sim::session::lock(&sim.device);
            let mut l = (d.link_log)(&dev, &dev.ports[0], false, std::time::SystemTime::now());
            l.extend((d.link_log)(
                &dev,
                &dev.ports[1],
                true,
                std::time::SystemTime::now(),
            ));
            let links = l.len();
            l.extend(d.errdisable_log.map(|e| e(&dev.ports[1])));
            (l, links)
        };
        let (mut ch, _dev) = channel(d.name);
        let mut bytes = String::new();
        for (i, line) in config.iter().enumerate() {
            bytes.push_str(line);
            bytes.push_str("\r\n");
            // A log line lands in the middle of the output, as a console prints it.
            if let Some(log) = logs.get(i) {
                bytes.push_str(&format!("\r\n{log}\r\n"));
            }
        }
        ch.take_in(bytes.as_bytes());
        let kept: Vec<&str> = ch.text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(kept, config, "{}: config lines taken for log lines", d.name);
        let taken: Vec<&str> = ch.log_lines.iter().map(|l| l.line.as_str()).collect();
        assert_eq!(taken, logs, "{}: the simulator's log lines", d.name);
        let events = ch.log_lines.iter().filter(|l| l.event.is_some()).count();
        assert_eq!(
            events, links,
            "{}: the link log lines are link events",
            d.name
        );
    }
}
