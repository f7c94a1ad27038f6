//! All vendor profiles and templates switchlab knows: the built-in ones (embedded at build
//! time from `vendors/` and `templates/`), overridden or extended by folders given with
//! `--vendors DIR` and `--templates DIR` — a sixth vendor needs no rebuild.
//!
//! A built-in profile's regexes are compiled the first time it is used: a command on one
//! vendor's switch does not wait for all five (compiling them all took most of a short
//! command's 50 ms). Every built-in compiles: `tests/vendors.rs` checks each one. A
//! folder's profile is compiled when it is loaded, so its errors are said at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::compiled::{Origin, Vendor};
use crate::format::{FormatError, Source};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// A template's text and where it came from.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    pub text: String,
    pub origin: Origin,
}

/// A profile as loaded: its text, where it came from, its `[vendor]` table (read at load),
/// and the profile compiled (at first use for a built-in).
#[derive(Debug, Clone)]
struct Entry {
    src: Source,
    origin: Origin,
    info: super::profile::VendorInfo,
    compiled: OnceLock<Option<Vendor>>,
}

impl Entry {
    fn vendor(&self) -> Option<&Vendor> {
        self.compiled
            .get_or_init(
                || match Vendor::from_source(&self.src, self.origin.clone()) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        tracing::error!("{e}");
                        None
                    }
                },
            )
            .as_ref()
    }
}

/// Only a profile's `[vendor]` table, to check its name and platforms without compiling.
#[derive(serde::Deserialize)]
struct InfoOnly {
    vendor: super::profile::VendorInfo,
}

#[derive(Debug, Clone, Default)]
pub struct Registry {
    vendors: BTreeMap<String, Entry>,
    /// (vendor, template name) → text
    templates: BTreeMap<(String, String), TemplateSource>,
}

impl Registry {
    /// Built-in profiles and templates, then the folders' files over them.
    pub fn load(
        vendors_dir: Option<&Path>,
        templates_dir: Option<&Path>,
    ) -> Result<Registry, FormatError> {
        let mut reg = Registry::default();
        for (name, text) in builtin::VENDORS {
            let src = Source::from_text(format!("vendors/{name}.toml"), *text);
            reg.add_vendor(name, src, Origin::BuiltIn, false)?;
        }
        for (vendor, name, text) in builtin::TEMPLATES {
            reg.templates.insert(
                ((*vendor).into(), (*name).into()),
                TemplateSource {
                    text: (*text).into(),
                    origin: Origin::BuiltIn,
                },
            );
        }
        if let Some(dir) = vendors_dir {
            for path in files(dir, "toml")? {
                let src = Source::read(&path)?;
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                reg.add_vendor(&stem, src, Origin::Folder(path.clone()), true)?;
            }
        }
        if let Some(dir) = templates_dir {
            for sub in subdirs(dir)? {
                let vendor = sub
                    .file_name()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                for path in files(&sub, "j2")? {
                    let text =
                        std::fs::read_to_string(&path).map_err(|error| FormatError::Read {
                            file: path.clone(),
                            error,
                        })?;
                    let name = path
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or_default()
                        .to_string();
                    reg.templates.insert(
                        (vendor.clone(), name),
                        TemplateSource {
                            text,
                            origin: Origin::Folder(path.clone()),
                        },
                    );
                }
            }
        }
        Ok(reg)
    }

    /// Add a profile; `now`: compile it now (a folder's), else at first use.
    fn add_vendor(
        &mut self,
        stem: &str,
        src: Source,
        origin: Origin,
        now: bool,
    ) -> Result<(), FormatError> {
        let compiled = OnceLock::new();
        let info = match now {
            true => {
                let v = Vendor::from_source(&src, origin.clone())?;
                v.compile_parse_rules()?;
                let info = v.profile.vendor.clone();
                let _ = compiled.set(Some(v));
                info
            }
            false => src.parse_toml::<InfoOnly>()?.vendor,
        };
        if info.name != stem {
            let at = src.text.find(&format!("\"{}\"", info.name)).unwrap_or(0);
            return Err(src.invalid(
                &(at..at),
                "vendor.name",
                format!("'{}' must match the file name '{stem}'", info.name),
            ));
        }
        // A platform name (`ios`) means one vendor, or `import` would have to guess.
        let norm = |s: &str| s.trim().to_lowercase().replace(['-', ' '], "_");
        for p in &info.platforms {
            let other = self.vendors.iter().find(|(name, o)| {
                name.as_str() != stem && o.info.platforms.iter().any(|q| norm(q) == norm(p))
            });
            if let Some((name, _)) = other {
                let at = src.text.find(&format!("\"{p}\"")).unwrap_or(0);
                return Err(src.invalid(
                    &(at..at),
                    "vendor.platforms",
                    format!("'{p}' is also {name}'s: a platform name must mean one vendor"),
                ));
            }
        }
        let entry = Entry {
            src,
            origin,
            info,
            compiled,
        };
        self.vendors.insert(stem.to_string(), entry);
        Ok(())
    }

    /// Every profile, compiled.
    pub fn vendors(&self) -> impl Iterator<Item = &Vendor> {
        self.vendors.values().filter_map(Entry::vendor)
    }

    pub fn vendor(&self, name: &str) -> Option<&Vendor> {
        self.vendors.get(name)?.vendor()
    }

    /// The vendor another tool's platform name means (`iosxe` → cisco_ios), by the
    /// profiles' `platforms` and names; case, `-` and ` ` aside.
    pub fn vendor_for_platform(&self, platform: &str) -> Option<&Vendor> {
        let want = platform_key(platform);
        let (_, entry) = self.vendors.iter().find(|(_, e)| {
            platform_key(&e.info.name) == want
                || e.info.platforms.iter().any(|p| platform_key(p) == want)
        })?;
        entry.vendor()
    }

    pub fn vendor_names(&self) -> Vec<String> {
        self.vendors.keys().cloned().collect()
    }

    pub fn template(&self, vendor: &str, name: &str) -> Option<&TemplateSource> {
        self.templates.get(&(vendor.to_string(), name.to_string()))
    }

    pub fn template_names(&self, vendor: &str) -> Vec<String> {
        self.templates
            .keys()
            .filter(|(v, _)| v == vendor)
            .map(|(_, n)| n.clone())
            .collect()
    }
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, FormatError> {
    let entries = std::fs::read_dir(dir).map_err(|error| FormatError::Read {
        file: dir.to_path_buf(),
        error,
    })?;
    let mut v: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    v.sort();
    Ok(v)
}

fn files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, FormatError> {
    Ok(read_dir(dir)?
        .into_iter()
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect())
}

fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, FormatError> {
    Ok(read_dir(dir)?.into_iter().filter(|p| p.is_dir()).collect())
}

/// A platform name as other tools spell it, made comparable: `Cisco IOS`, `cisco-ios` and
/// `cisco_ios` are one.
fn platform_key(name: &str) -> String {
    name.trim().to_lowercase().replace(['-', ' '], "_")
}
