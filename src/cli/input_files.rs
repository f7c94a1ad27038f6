//! `--lab LAB --manifest MANIFEST`, as every command that reads a run's inputs takes them:
//! loaded and checked together, and the devices named on the command line checked against
//! the manifest.

use std::path::PathBuf;

use switchlab::inputs::RunInputs;
use switchlab::vendor::Registry;

#[derive(Debug, Clone, clap::Args)]
pub struct InputFiles {
    /// The lab file: devices, how to reach them, what is cabled to each port, endpoints.
    #[arg(long, value_name = "LAB")]
    pub lab: PathBuf,
    /// The manifest: devices under test, baseline, throughput tests, [flaps] and [criteria].
    #[arg(long, value_name = "MANIFEST")]
    pub manifest: PathBuf,
    /// Where the lab's relative paths resolve when `lab` is a run folder's copy (`rerun`).
    #[arg(skip)]
    pub lab_base: Option<PathBuf>,
}

impl InputFiles {
    pub fn load(&self, reg: &Registry) -> anyhow::Result<RunInputs> {
        Ok(RunInputs::load(
            &self.lab,
            &self.manifest,
            self.lab_base.as_deref(),
            reg,
        )?)
    }

    /// `named` if every one is a device under test (an error naming them all otherwise);
    /// every device under test when `named` is empty.
    pub fn devices(&self, inputs: &RunInputs, named: &[String]) -> anyhow::Result<Vec<String>> {
        let all: Vec<String> = inputs.configs.iter().map(|c| c.device.clone()).collect();
        if let Some(d) = named.iter().find(|d| !all.contains(d)) {
            anyhow::bail!(
                "{}: device '{d}' is not under test; the manifest tests: {}",
                self.manifest.display(),
                all.join(", ")
            );
        }
        Ok(if named.is_empty() {
            all
        } else {
            named.to_vec()
        })
    }
}
