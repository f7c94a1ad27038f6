//! Lab, manifest, vendor profiles and templates loaded and checked together, as every
//! command that touches devices needs them: vendors exist, every template renders.

use std::path::Path;

use crate::format::{FormatError, Lab, Manifest, Source};
use crate::template::{self, RenderedConfig, TemplateError};
use crate::vendor::{Registry, Vendor};

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// A lab file with every device's vendor resolved.
#[derive(Debug, Clone)]
pub struct LabInputs {
    pub lab: Lab,
    pub source: Source,
}

impl LabInputs {
    pub fn load(path: &Path, reg: &Registry) -> Result<LabInputs, FormatError> {
        LabInputs::from_source(Source::read(path)?, reg)
    }

    /// Load the lab file `path` (a run folder's copy) as if it were in `base`: its
    /// relative paths are resolved there.
    pub fn load_as(path: &Path, base: &Path, reg: &Registry) -> Result<LabInputs, FormatError> {
        LabInputs::from_source(Source::read(path)?.resolved_in(base), reg)
    }

    fn from_source(source: Source, reg: &Registry) -> Result<LabInputs, FormatError> {
        let lab = Lab::from_source(&source)?;
        for d in &lab.devices {
            if reg.vendor(d.vendor()).is_none() {
                return Err(source.unknown_ref(
                    &d.vendor.span(),
                    "device.vendor",
                    "vendor",
                    d.vendor(),
                    "the vendor profiles",
                    reg.vendor_names(),
                ));
            }
        }
        Ok(LabInputs { lab, source })
    }

    /// The lab file's folder (the original's, for a copy): paths inside the lab (key
    /// files, known_hosts, console links) are relative to it.
    pub fn dir(&self) -> std::path::PathBuf {
        self.source.dir()
    }

    /// Whether two port names are one port of a device, by its vendor's port forms.
    pub fn same_port<'a>(
        &self,
        reg: &'a Registry,
    ) -> impl Fn(&crate::format::lab::Device, &str, &str) -> bool + 'a {
        |dev, a, b| reg.vendor(dev.vendor()).is_some_and(|v| v.same_port(a, b))
    }

    /// `--ports` of a watch of `devices`, each as the lab writes it: refused when a name
    /// is empty or is a port of none of them (listing their ports). Empty = every port.
    pub fn watched_ports(
        &self,
        reg: &Registry,
        devices: &[&crate::format::lab::Device],
        ports: &[String],
    ) -> Result<Vec<String>, FormatError> {
        let same = self.same_port(reg);
        let mut out: Vec<String> = Vec::new();
        for name in ports {
            let found: Vec<String> = devices
                .iter()
                .filter_map(|d| d.port_by(name.trim(), |a, b| same(d, a, b)))
                .map(|p| p.name.get_ref().clone())
                .collect();
            if name.trim().is_empty() || found.is_empty() {
                let mut known: Vec<String> = devices.iter().flat_map(|d| d.port_names()).collect();
                known.dedup();
                return Err(FormatError::Argument {
                    arg: "--ports".into(),
                    what: "port",
                    name: name.clone(),
                    inside: format!(
                        "{} for {}",
                        self.source.path.display(),
                        devices
                            .iter()
                            .map(|d| d.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    known,
                });
            }
            for f in found {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        Ok(out)
    }

    /// The device and its vendor profile, or an error listing the lab's devices.
    pub fn device<'a>(
        &'a self,
        reg: &'a Registry,
        name: &str,
    ) -> Result<(&'a crate::format::lab::Device, &'a Vendor), FormatError> {
        let dev = self.lab.device(name).ok_or_else(|| FormatError::Argument {
            arg: "DEVICE".into(),
            what: "device",
            name: name.into(),
            inside: self.source.path.display().to_string(),
            known: self.lab.device_names(),
        })?;
        // LabInputs::load checked every vendor, so the lookup succeeds.
        let vendor = reg.vendor(dev.vendor()).ok_or_else(|| {
            self.source.unknown_ref(
                &dev.vendor.span(),
                "device.vendor",
                "vendor",
                dev.vendor(),
                "the vendor profiles",
                reg.vendor_names(),
            )
        })?;
        Ok((dev, vendor))
    }
}

/// Lab + manifest, cross-checked, with every device's config rendered.
#[derive(Debug, Clone)]
pub struct RunInputs {
    pub lab: LabInputs,
    pub manifest: Manifest,
    pub manifest_source: Source,
    pub configs: Vec<RenderedConfig>,
}

impl RunInputs {
    /// Load and check `lab_path` and `manifest_path`; with `lab_base`, the lab is a copy
    /// whose relative paths resolve in that folder.
    pub fn load(
        lab_path: &Path,
        manifest_path: &Path,
        lab_base: Option<&Path>,
        reg: &Registry,
    ) -> Result<RunInputs, InputError> {
        let lab = match lab_base {
            Some(base) => LabInputs::load_as(lab_path, base, reg)?,
            None => LabInputs::load(lab_path, reg)?,
        };
        let (manifest, manifest_source) =
            Manifest::load(manifest_path, &lab.lab, &lab.same_port(reg))?;
        let mut inputs = RunInputs {
            lab,
            manifest,
            manifest_source,
            configs: Vec::new(),
        };
        inputs.render(reg)?;
        Ok(inputs)
    }

    /// Render every device's config again (after a change to the manifest, such as the
    /// syslog port a receiver actually got).
    pub fn render(&mut self, reg: &Registry) -> Result<(), TemplateError> {
        self.configs = self
            .manifest
            .devices
            .iter()
            .map(|d| template::render(reg, &self.lab.lab, &self.manifest, d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(())
    }

    pub fn config(&self, device: &str) -> Option<&RenderedConfig> {
        self.configs.iter().find(|c| c.device == device)
    }
}
