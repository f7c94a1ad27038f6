use super::*;

fn prompt(t: &str) -> bool {
    let t = t.trim_end();
    !t.is_empty() && t.ends_with(['#', '>', ':'])
}

fn ts(n: u32) -> String {
    format!("2026-12-07T10:00:{n:02}Z")
}

/// A transcript as channel/transcript.rs writes it, from (kind, second, text) blocks.
fn transcript(blocks: &[(&str, u32, &str)]) -> String {
    let mut s = format!(
        "\n--- switchlab {}: connecting to device 'sw' (vendor cisco_ios)\n",
        ts(0)
    );
    for (kind, at, text) in blocks {
        s.push_str(&format!("\n--- {kind} {}\n{text}", ts(*at)));
    }
    s
}

fn read_one(text: &str) -> RecordedSession {
    let rec = read("t.log", text, &prompt).unwrap();
    assert_eq!(rec.vendor.as_deref(), Some("cisco_ios"));
    assert_eq!(rec.device.as_deref(), Some("sw"));
    rec.sessions.into_iter().next().unwrap()
}

#[test]
fn a_masked_password_is_a_secret_input_answered_from_where_it_was_sent() {
    let s = read_one(&transcript(&[
        ("sent", 1, "\r"),
        ("received", 1, "\r\nsw>"),
        ("sent", 2, "enable\r"),
        ("received", 2, "\r\nsw>enable\r\nPassword: "),
        ("sent", 3, "********\r"),
        ("received", 4, "\r\nsw#"),
    ]));
    let inputs: Vec<&Input> = s.exchanges.iter().map(|e| &e.input).collect();
    assert_eq!(
        inputs,
        [
            &Input::Line(String::new()),
            &Input::Line("enable".into()),
            &Input::Secret
        ]
    );
    let enable = &s.exchanges[1];
    assert_eq!((enable.prompt.as_str(), enable.echoed), ("sw>", true));
    assert_eq!(enable.answer, "\r\nPassword: ");
    let secret = &s.exchanges[2];
    assert_eq!(
        (secret.prompt.as_str(), secret.echoed),
        ("Password: ", false)
    );
    assert_eq!(secret.answer, "\r\nsw#");
    assert_eq!(secret.latency, Duration::from_secs(1));
    assert_eq!(secret.at, Duration::from_secs(2), "from the first block");
}

#[test]
fn lines_typed_ahead_are_placed_by_their_echoes() {
    let s = read_one(&transcript(&[
        ("sent", 1, "interface Gi0/1\r"),
        ("sent", 1, "shutdown\r"),
        (
            "received",
            2,
            "sw(config)#interface Gi0/1\r\nsw(config-if)#",
        ),
        ("received", 2, "shutdown\r\nsw(config-if)#"),
    ]));
    let [a, b] = &s.exchanges[..] else {
        panic!("{s:?}")
    };
    assert_eq!(
        (a.prompt.as_str(), a.answer.as_str()),
        ("sw(config)#", "\r\nsw(config-if)#")
    );
    assert_eq!(
        (b.prompt.as_str(), b.answer.as_str()),
        ("sw(config-if)#", "\r\nsw(config-if)#")
    );
}

#[test]
fn an_echo_must_follow_a_prompt_not_output_that_happens_to_hold_the_command() {
    let s = read_one(&transcript(&[
        ("sent", 1, "show run\r"),
        (
            "received",
            1,
            "sw#show run\r\ninterface Gi0/1\r\nend\r\nsw#",
        ),
        ("sent", 2, "end\r"),
        ("received", 2, "end\r\nsw#"),
    ]));
    assert_eq!(s.exchanges[0].answer, "\r\ninterface Gi0/1\r\nend\r\nsw#");
    assert_eq!(s.exchanges[1].answer, "\r\nsw#");
}

#[test]
fn pager_keys_without_enter_are_their_own_inputs() {
    let s = read_one(&transcript(&[
        ("sent", 1, "show log\r"),
        ("received", 1, "sw#show log\r\nline 1\r\n --More-- "),
        ("sent", 2, " "),
        ("received", 2, "\r\nline 2\r\nsw#"),
    ]));
    assert_eq!(s.exchanges[1].input, Input::Keys(" ".into()));
    assert_eq!(s.exchanges[0].answer, "\r\nline 1\r\n --More-- ");
    assert_eq!(s.exchanges[1].answer, "\r\nline 2\r\nsw#");
}

#[test]
fn what_came_before_the_first_input_is_the_greeting_and_sessions_split_at_connects() {
    let mut text = transcript(&[
        ("received", 1, "Welcome\r\nsw>"),
        ("sent", 2, "show clock\r"),
        ("received", 2, "show clock\r\n10:00\r\nsw>"),
    ]);
    text.push_str(&transcript(&[
        ("sent", 5, "\r"),
        ("received", 5, "\r\nsw>"),
    ]));
    let rec = read("t.log", &text, &prompt).unwrap();
    assert_eq!(rec.sessions.len(), 2);
    assert_eq!(rec.sessions[0].greeting, "Welcome\r\nsw>");
    assert_eq!(rec.sessions[1].exchanges.len(), 1);
}

#[test]
fn a_file_that_is_not_a_transcript_or_has_a_bad_block_is_named() {
    let e = read("x.txt", "hello\n", &prompt).unwrap_err().to_string();
    assert!(e.contains("x.txt: not a transcript"), "{e}");
    let e = read("x.log", "\n--- sent yesterday\nshow\r", &prompt)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("x.log:2:"), "{e}");
    assert_eq!(vendor_named(&transcript(&[])).as_deref(), Some("cisco_ios"));
}

#[test]
fn a_device_line_that_starts_with_three_dashes_is_text_not_a_block() {
    let s = read_one(&transcript(&[
        ("sent", 1, "ping 10.0.0.1\r"),
        (
            "received",
            1,
            "sw#ping 10.0.0.1\r\n\n--- 10.0.0.1 ping statistics ---\r\n1 packets\r\nsw#",
        ),
    ]));
    assert!(
        s.exchanges[0]
            .answer
            .contains("--- 10.0.0.1 ping statistics ---\r\n1 packets")
    );
}

#[test]
fn an_echo_is_placed_only_after_its_input_was_sent() {
    // `show version` appears after a prompt in the stream before it is typed (another
    // command's output quoting it): its echo is the later one.
    let s = read_one(&transcript(&[
        ("sent", 1, "show history\r"),
        ("received", 1, "sw#show history\r\nsw#show version\r\nsw#"),
        ("sent", 2, "show version\r"),
        ("received", 2, "show version\r\nVersion 1\r\nsw#"),
    ]));
    assert_eq!(s.exchanges[0].answer, "\r\nsw#show version\r\nsw#");
    assert_eq!(s.exchanges[1].answer, "\r\nVersion 1\r\nsw#");
}
