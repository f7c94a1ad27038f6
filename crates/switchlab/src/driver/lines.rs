//! Config lines sent and answered. Line by line by default; where the profile's
//! `[session.type_ahead]` allows it and the session holds what is typed ahead (SSH), in
//! batches written at once and answered in turn, which takes one round trip per batch
//! instead of one per line. A line that may leave configuration mode always goes alone.
//! The first refused line (or one that left configuration) ends the push; lines typed
//! ahead of its answer are still read, and the error says which the device took.

use super::configure::Placed;
use super::{Driver, DriverError};
use crate::vendor::ModeName;

/// A line to send: its 1-based number among the pushed lines, and its text.
type Numbered<'a> = (usize, &'a str);

impl Driver {
    /// Send config lines (blank and comment lines skipped), calling `sent(n)` as line n
    /// is in; where each line landed.
    pub(super) async fn send_lines(
        &mut self,
        lines: &[String],
        sent: &mut (dyn FnMut(usize) + Send),
    ) -> Result<Vec<Placed>, DriverError> {
        let comment = self.vendor.profile.session.comment.clone();
        let todo: Vec<Numbered> = (lines.iter().enumerate())
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !comment.as_deref().is_some_and(|c| l.starts_with(c)))
            .collect();
        let mut placed = Vec::with_capacity(todo.len());
        let mut at = 0;
        while at < todo.len() {
            let end = at + self.batch_len(&todo[at..]);
            self.send_batch(&todo[at..end], &mut placed, sent).await?;
            at = end;
        }
        Ok(placed)
    }

    /// How many of `rest`'s first lines go in the next batch: one without type-ahead or
    /// for a line that goes alone; else up to the profile's `lines`, ending before the
    /// next line that goes alone.
    fn batch_len(&self, rest: &[Numbered]) -> usize {
        let Some(t) = (self.vendor.type_ahead.as_ref()).filter(|_| self.ch.holds_type_ahead) else {
            return 1;
        };
        let alone = |l: &str| t.alone.is_match(l);
        match rest.first() {
            Some((_, l)) if !alone(l) => (rest.iter().take(t.lines))
                .take_while(|(_, l)| !alone(l))
                .count(),
            _ => 1,
        }
    }

    /// Write the batch's lines at once, then read each answer. After a failed line the
    /// rest are still read (they were sent), so the session stays in step.
    async fn send_batch(
        &mut self,
        batch: &[Numbered<'_>],
        placed: &mut Vec<Placed>,
        sent: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), DriverError> {
        let nl = self.vendor.profile.session.newline.clone();
        let text: String = batch.iter().map(|(_, l)| format!("{l}{nl}")).collect();
        self.ch.send(&text).await?;
        let mut failed: Option<DriverError> = None;
        let (mut sent_after, mut taken_after) = (Vec::new(), Vec::new());
        for (j, &(no, line)) in batch.iter().enumerate() {
            let before = sub_mode(self.mode.as_ref());
            let out = self.answer_in_batch(line, batch.get(j + 1)).await?;
            let problem = self.problem_with(no, line, &out);
            match (&failed, problem) {
                (None, Some(p)) => failed = Some(p),
                (None, None) => {
                    placed.push(Placed {
                        line_no: no,
                        line: line.to_string(),
                        before,
                        after: sub_mode(self.mode.as_ref()),
                    });
                    sent(no);
                }
                (Some(_), problem) => {
                    sent_after.push(no);
                    if problem.is_none() {
                        taken_after.push(no);
                    }
                }
            }
        }
        match failed {
            Some(e) => Err(with_after(e, sent_after, taken_after)),
            None => Ok(()),
        }
    }

    /// The answer to `line` of a batch: up to the prompt before the `next` line's echo,
    /// or, for the last, up to the prompt after it.
    async fn answer_in_batch(
        &mut self,
        line: &str,
        next: Option<&Numbered<'_>>,
    ) -> Result<String, DriverError> {
        match next {
            Some((_, next)) => {
                let what = format!("the prompt after `{line}`");
                let hit = self.ch.read_answer(Some(next), &what).await?;
                self.mode = hit.mode.clone();
                Ok(super::strip_echo(&hit, line))
            }
            None => self.reply_to(line).await,
        }
    }

    /// A refused line, or one that left configuration mode.
    fn problem_with(&self, no: usize, line: &str, out: &str) -> Option<DriverError> {
        if let Some(message) = self.error_in(out) {
            return Some(DriverError::Rejected {
                device: self.device(),
                line_no: no,
                line: line.to_string(),
                message,
                sent_after: Vec::new(),
                taken_after: Vec::new(),
            });
        }
        (!self.in_config_tree()).then(|| DriverError::LeftConfig {
            device: self.device(),
            line_no: no,
            line: line.to_string(),
            prompt: self.mode_name(),
            sent_after: Vec::new(),
            taken_after: Vec::new(),
        })
    }
}

/// A batch's failure with the lines sent after the failed one, and those of them taken.
fn with_after(mut e: DriverError, sent_after: Vec<usize>, taken_after: Vec<usize>) -> DriverError {
    if let DriverError::Rejected {
        sent_after: s,
        taken_after: t,
        ..
    }
    | DriverError::LeftConfig {
        sent_after: s,
        taken_after: t,
        ..
    } = &mut e
    {
        (*s, *t) = (sent_after, taken_after);
    }
    e
}

/// `None` is configuration mode itself, `Some(mode)` a sub-mode.
fn sub_mode(mode: Option<&ModeName>) -> Option<String> {
    (mode != Some(&ModeName::Config)).then(|| mode.map_or_else(String::new, ModeName::to_string))
}

/// What became of the lines sent behind a failed one, for its error message.
pub(super) fn after_it(sent: &[usize], taken: &[usize]) -> String {
    if sent.is_empty() {
        return "nothing after it was sent".into();
    }
    let took = if taken.is_empty() {
        "none of them".to_string()
    } else if taken.len() == sent.len() {
        "all of them".to_string()
    } else {
        line_list(taken)
    };
    format!(
        "{} had been typed ahead of its answer, and the device took {took}",
        line_list(sent)
    )
}

/// Line numbers with runs as ranges: `line 9`, `lines 13–15, 17`.
fn line_list(nos: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &n in nos {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == n => *last = n,
            _ => runs.push((n, n)),
        }
    }
    let run = |&(a, b): &(usize, usize)| {
        if a == b {
            a.to_string()
        } else {
            format!("{a}–{b}")
        }
    };
    let list = runs.iter().map(run).collect::<Vec<_>>().join(", ");
    format!("line{} {list}", if nos.len() > 1 { "s" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_typed_ahead_of_a_failed_one_are_named_in_runs() {
        assert_eq!(after_it(&[], &[]), "nothing after it was sent");
        assert_eq!(
            after_it(&[13, 14, 15, 17], &[13, 14, 15, 17]),
            "lines 13–15, 17 had been typed ahead of its answer, and the device took all of them"
        );
        assert_eq!(
            after_it(&[4, 5, 6], &[4, 6]),
            "lines 4–6 had been typed ahead of its answer, and the device took lines 4, 6"
        );
        assert!(after_it(&[9], &[]).ends_with("took none of them"));
    }
}
