//! A mode's name in a profile's mode graph: the two the driver steers by (`privileged`,
//! where a session works, and `config`, where a push types) are variants; every other
//! mode a profile declares (`user`, `config_sub`, …) keeps the name it was given.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The name of one mode of a profile's graph.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModeName {
    /// Where a session runs commands (`enable` reached); every profile has it.
    Privileged,
    /// Where configuration lines are typed; every profile has it.
    Config,
    /// Any other mode of the graph, by the name the profile gives it.
    Other(String),
}

impl ModeName {
    /// The modes every profile must declare (the profile is refused at load otherwise).
    pub const REQUIRED: [ModeName; 2] = [ModeName::Privileged, ModeName::Config];

    /// The name as the profile writes it.
    pub fn as_str(&self) -> &str {
        match self {
            ModeName::Privileged => "privileged",
            ModeName::Config => "config",
            ModeName::Other(name) => name,
        }
    }
}

impl From<&str> for ModeName {
    fn from(name: &str) -> ModeName {
        match name {
            "privileged" => ModeName::Privileged,
            "config" => ModeName::Config,
            other => ModeName::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for ModeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ordered by name, as the profile's text orders them.
impl Ord for ModeName {
    fn cmp(&self, other: &ModeName) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for ModeName {
    fn partial_cmp(&self, other: &ModeName) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<'de> Deserialize<'de> for ModeName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ModeName, D::Error> {
        let name = String::deserialize(d)?;
        Ok(ModeName::from(name.as_str()))
    }
}

impl Serialize for ModeName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ModeName;

    #[test]
    fn names_read_back_as_written() {
        for name in ["privileged", "config", "user", "config_sub"] {
            assert_eq!(ModeName::from(name).as_str(), name);
        }
        assert_eq!(ModeName::from("config"), ModeName::Config);
        assert!(ModeName::Privileged > ModeName::Config);
    }
}
