//! What `rerun` needs to know of a finished run before it repeats it: how it was started
//! and which of the bench's files have changed since (by the digests run.json records).

use std::path::{Path, PathBuf};

use super::read::RunData;
use super::run::{Invocation, RunKind};
use super::{ReadError, digest};

#[derive(Debug, thiserror::Error)]
pub enum RerunError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}: a watch, not a run: rerun repeats `run` and `demo`", .0.display())]
    Watch(PathBuf),
    #[error("{}: run.json says nothing of how the run was started (it was written before `rerun` existed): start it again with `switchlab run`", .0.display())]
    NoInvocation(PathBuf),
}

/// A run to repeat: its folder, how it was started, its copies of the lab and manifest.
pub struct Repeat {
    pub data: RunData,
    pub invocation: Invocation,
    pub lab_copy: PathBuf,
    pub manifest_copy: PathBuf,
}

impl Repeat {
    pub fn read(folder: &Path) -> Result<Repeat, RerunError> {
        let data = RunData::read(folder)?;
        if data.run.kind == RunKind::Watch {
            return Err(RerunError::Watch(folder.to_path_buf()));
        }
        let invocation = data
            .run
            .invocation
            .clone()
            .ok_or_else(|| RerunError::NoInvocation(folder.join("run.json")))?;
        let abs = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        Ok(Repeat {
            lab_copy: abs.join("lab.toml"),
            manifest_copy: abs.join("manifest.toml"),
            data,
            invocation,
        })
    }

    /// The folder the original lab file was in: the copy's relative paths resolve there.
    pub fn lab_base(&self) -> PathBuf {
        Path::new(&self.invocation.lab)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The bench's files that are no longer what the run used: `lab (PATH)`,
    /// `manifest (PATH)` by the files at their original paths; `profile V` and
    /// `template V/T` by `current` (vendor name or `vendor/template` → its digest now,
    /// None when it is gone); `hints` by `hints_now`. None when run.json records no
    /// digests: then nothing can be said either way.
    pub fn changed(
        &self,
        current: impl Fn(&str) -> Option<String>,
        hints_now: &str,
    ) -> Option<Vec<String>> {
        self.changed_with(current, hints_now, |path| {
            std::fs::read_to_string(path).ok()
        })
    }

    /// [`Repeat::changed`], the lab and manifest read by `read` (a built-in bench's
    /// files are not on disk).
    pub fn changed_with(
        &self,
        current: impl Fn(&str) -> Option<String>,
        hints_now: &str,
        read: impl Fn(&str) -> Option<String>,
    ) -> Option<Vec<String>> {
        let inputs = self.data.run.inputs.as_ref()?;
        let mut out = Vec::new();
        if inputs.hints != hints_now {
            out.push("hints".to_string());
        }
        for (what, path, was) in [
            ("lab", &self.invocation.lab, &inputs.lab),
            ("manifest", &self.invocation.manifest, &inputs.manifest),
        ] {
            match read(path).map(|t| digest(&t)) {
                Some(d) if &d == was => {}
                Some(_) => out.push(format!("{what} ({path})")),
                None => out.push(format!("{what} ({path}: gone)")),
            }
        }
        for (label, map) in [
            ("profile", &inputs.profiles),
            ("template", &inputs.templates),
        ] {
            for (key, was) in map {
                match current(key) {
                    Some(now) if &now == was => {}
                    Some(_) => out.push(format!("{label} {key}")),
                    None => out.push(format!("{label} {key} (gone)")),
                }
            }
        }
        Some(out)
    }
}
