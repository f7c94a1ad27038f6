//! Why a run could not be made or finished.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("run folder under {path}: {error}{hint}", path = path.display(), hint = crate::format::error::io_hint(error))]
    Runs {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("run folder {path}: {error}{hint}", path = path.display(), hint = crate::format::error::io_hint(error))]
    Folder {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Syslog(#[from] crate::watch::syslog::BindError),
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
}

/// The folder a run left, even one that failed after making it (and may have pushed):
/// what `run --restore` puts the devices back from.
pub fn folder_of(ran: &Result<super::RunReport, RunError>) -> Option<&Path> {
    match ran {
        Ok(report) => Some(&report.folder),
        Err(e) => e.folder(),
    }
}

impl RunError {
    /// The run folder, when the error came after it was made (the run may have pushed).
    pub(crate) fn folder(&self) -> Option<&Path> {
        match self {
            RunError::Folder { path, .. } => Some(path),
            _ => None,
        }
    }
}
