//! The writer of the files a run appends to as it goes (events.jsonl, flaps.csv): one
//! thread of its own, so no watch task ever waits on a disk. Each line is written and
//! flushed the moment the thread takes it (a SIGKILL loses at most what was still in the
//! queue, microseconds of it); a failed write is kept and returned by the next call.

use std::io::Write;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::CsvLog;
use super::rows::{EventLine, FlapRow};
use crate::locks::lock;

enum Job {
    Flap(Box<FlapRow>),
    Sighting(Box<EventLine>),
    /// Everything sent before this is on disk: answer.
    Sync(mpsc::Sender<()>),
}

pub(crate) struct Journal {
    tx: Mutex<mpsc::Sender<Job>>,
    /// The first write that failed, said by the next call.
    failed: Arc<Mutex<Option<std::io::Error>>>,
}

impl Journal {
    /// Start the writer on `events` (events.jsonl) and `flaps` (flaps.csv, its header
    /// written).
    pub(crate) fn start(events: std::fs::File, mut flaps: CsvLog) -> std::io::Result<Journal> {
        let (tx, rx) = mpsc::channel::<Job>();
        let failed = Arc::new(Mutex::new(None));
        let seen = failed.clone();
        std::thread::Builder::new()
            .name("run-folder".into())
            .spawn(move || {
                let mut events = events;
                let mut seq = 0u64;
                for job in rx {
                    let done = match job {
                        Job::Flap(row) => flaps.append(&*row),
                        Job::Sighting(mut line) => {
                            // Numbered in the order sightings were taken in.
                            seq += 1;
                            line.seq = seq;
                            serde_json::to_string(&line)
                                .map_err(std::io::Error::other)
                                .and_then(|text| writeln!(events, "{text}"))
                                .and_then(|()| events.flush())
                        }
                        Job::Sync(answer) => {
                            let _ = answer.send(());
                            Ok(())
                        }
                    };
                    if let Err(e) = done {
                        lock(&seen).get_or_insert(e);
                    }
                }
            })?;
        Ok(Journal {
            tx: Mutex::new(tx),
            failed,
        })
    }

    fn send(&self, job: Job) -> std::io::Result<()> {
        if let Some(e) = lock(&self.failed).take() {
            return Err(e);
        }
        lock(&self.tx)
            .send(job)
            .map_err(|_| std::io::Error::other("the run folder's writer stopped"))
    }

    pub(crate) fn flap(&self, row: FlapRow) -> std::io::Result<()> {
        self.send(Job::Flap(Box::new(row)))
    }

    pub(crate) fn sighting(&self, line: EventLine) -> std::io::Result<()> {
        self.send(Job::Sighting(Box::new(line)))
    }

    /// Wait until everything sent is written; the first failure, if any.
    pub(crate) fn sync(&self) -> std::io::Result<()> {
        let (answer, done) = mpsc::channel();
        self.send(Job::Sync(answer))?;
        done.recv()
            .map_err(|_| std::io::Error::other("the run folder's writer stopped"))?;
        match lock(&self.failed).take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
