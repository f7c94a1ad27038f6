//! Answers to lines typed ahead. When a push sends several lines before reading, the
//! device answers each in turn: the echo of the line, its output, then the prompt, and
//! right after the prompt the echo of the next line, on the same line of text. So the
//! prompt that ends an answer is not always the end of the buffer: here it is found at
//! the start of a line whose rest begins the next line's echo.

use super::{Channel, Hit, Stop, Want};
use crate::channel::ChannelError;
use crate::vendor::ModeName;

impl Channel {
    /// Read the answer to the line sent first among those not yet answered: up to the
    /// prompt after it, where that prompt may be followed by the start of `next`'s echo
    /// (`None` when no line was sent after it). What follows the prompt stays for the
    /// next read. `Hit::before` starts with the line's own echo, as for [`Self::read_until`].
    pub(crate) async fn read_answer(
        &mut self,
        next: Option<&str>,
        what: &str,
    ) -> Result<Hit, ChannelError> {
        self.read_to(Stop::Answer { next }, what).await
    }

    /// The first prompt after the echo line that is followed by nothing, or by the start
    /// of `next`'s echo. The first line is the answered line's own echo, never its prompt
    /// (a config line can look like a prompt: `banner>`).
    pub(super) fn check_answer(&mut self, next: Option<&str>) -> Option<Hit> {
        let mut at = self.text.find('\n')? + 1;
        loop {
            let end = self.text[at..].find('\n').map(|i| at + i);
            let line = &self.text[at..end.unwrap_or(self.text.len())];
            if let Some((mode, len)) = self.prompt_then(line, next) {
                return Some(self.consume_prompt(mode, at, at + len));
            }
            at = end? + 1;
        }
    }

    /// Whether `line` is a prompt followed by the start of `next` (or by nothing): the
    /// prompt's mode and length. The longest echo is tried first, so a prompt ending in a
    /// character that also starts the next line is cut at the right place.
    fn prompt_then(&self, line: &str, next: Option<&str>) -> Option<(ModeName, usize)> {
        let next = next.unwrap_or("");
        let shortest_head = line.len().saturating_sub(next.len());
        (shortest_head..=line.len())
            .filter(|&i| line.is_char_boundary(i) && next.starts_with(&line[i..]))
            .find_map(|i| {
                let head = &line[..i];
                let mode = self.vendor.modes.iter().find(|m| m.prompt.is_match(head))?;
                Some((mode.name.clone(), i))
            })
    }

    /// Take the text before the prompt as the answer; keep what follows it (the next
    /// answer's echo) for the next read.
    fn consume_prompt(&mut self, mode: ModeName, start: usize, end: usize) -> Hit {
        let before = self.text[..start].to_string();
        let tail = self.text[start..end].to_string();
        // A prompt alone on its line (a log line came between it and the next echo):
        // its newline goes with it, so the next answer starts at its echo.
        let end = end + usize::from(self.text[end..].starts_with('\n'));
        self.text.replace_range(..end, "");
        // `scanned` counts from the text's start and lies on a line start: where it lay
        // past the prompt it keeps its place; else the kept rest is scanned again.
        self.scanned = self.scanned.saturating_sub(end);
        if self.scanned > 0 && !self.text[..self.scanned].ends_with('\n') {
            self.scanned = 0;
        }
        self.log_at_end = self.log_at_end && !self.text.is_empty();
        Hit {
            want: Want::Prompt,
            mode: Some(mode),
            before,
            tail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::channel;
    use crate::vendor::ModeName;
    use tokio::io::AsyncWriteExt;

    // What a device prints for three config lines typed ahead: each prompt is followed
    // on its line by the next line's echo.
    #[tokio::test]
    async fn answers_to_lines_typed_ahead_split_at_each_prompt() {
        let (mut ch, mut dev) = channel("cisco_ios");
        let text = "vlan 100\r\nsw(config-vlan)#name v100\r\nsw(config-vlan)#bogus\r\n% Invalid input detected at '^' marker.\r\nsw(config-vlan)#";
        dev.write_all(text.as_bytes()).await.unwrap();
        let a = ch.read_answer(Some("name v100"), "1").await.unwrap();
        assert_eq!(
            (a.before.as_str(), a.mode.as_ref().map(ModeName::as_str)),
            ("vlan 100\n", Some("config_sub"))
        );
        let b = ch.read_answer(Some("bogus"), "2").await.unwrap();
        assert_eq!(b.before, "name v100\n");
        let c = ch.read_answer(None, "3").await.unwrap();
        assert!(c.before.starts_with("bogus\n% Invalid input"), "{c:?}");
        assert_eq!(c.tail, "sw(config-vlan)#");
    }

    // The next echo may not have arrived, or only its start: the prompt is still found,
    // and what came of the echo stays for the next answer.
    #[tokio::test]
    async fn a_prompt_before_a_partial_echo_ends_the_answer() {
        let (mut ch, mut dev) = channel("cisco_ios");
        dev.write_all(b"hostname a\r\na(config)#ho").await.unwrap();
        let a = ch.read_answer(Some("hostname b"), "1").await.unwrap();
        assert_eq!(
            (a.before.as_str(), a.tail.as_str()),
            ("hostname a\n", "a(config)#")
        );
        dev.write_all(b"stname b\r\nb(config)#").await.unwrap();
        let b = ch.read_answer(None, "2").await.unwrap();
        assert_eq!(
            (b.before.as_str(), b.tail.as_str()),
            ("hostname b\n", "b(config)#")
        );
    }

    // A log line between a prompt and the next echo is taken out, and the prompt it
    // left alone on its line still ends the answer; the next answer starts at its echo.
    #[tokio::test]
    async fn a_log_line_between_answers_is_taken_out() {
        let (mut ch, mut dev) = channel("cisco_ios");
        let log = "*Nov 27 05:00:01.000: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down";
        let text = format!("vlan 7\r\nsw(config-vlan)#\r\n{log}\r\nname a\r\nsw(config-vlan)#");
        dev.write_all(text.as_bytes()).await.unwrap();
        let a = ch.read_answer(Some("name a"), "1").await.unwrap();
        assert_eq!(a.before, "vlan 7\n");
        let b = ch.read_answer(None, "2").await.unwrap();
        assert_eq!(
            (b.before.as_str(), b.tail.as_str()),
            ("name a\n", "sw(config-vlan)#")
        );
        assert_eq!(ch.log_lines.len(), 1);
    }

    // A line of output that merely ends like the next line is not a prompt, and the
    // answered line's own echo is never taken for its prompt.
    #[tokio::test]
    async fn output_and_the_echo_itself_are_not_prompts() {
        let (mut ch, mut dev) = channel("cisco_ios");
        dev.write_all(b"banner>\r\nnote: vlan 5\r\nsw(config)#vlan 5\r\n")
            .await
            .unwrap();
        let a = ch.read_answer(Some("vlan 5"), "1").await.unwrap();
        assert_eq!(a.before, "banner>\nnote: vlan 5\n");
        assert_eq!(a.mode, Some(ModeName::Config));
    }
}
