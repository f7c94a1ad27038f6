//! A port entry of a device under test: its name (`"Ethernet1"`), or a table with options
//! (`{ name = "Ethernet3", expect_down = true }`).

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortEntry {
    name: String,
    /// The port is meant to be down (deliberately unplugged): not judged by its link.
    pub expect_down: bool,
}

impl PortEntry {
    pub fn named(name: &str) -> PortEntry {
        PortEntry {
            name: name.to_string(),
            expect_down: false,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same entry under another name (the port as the lab writes it).
    pub fn renamed(&self, name: &str) -> PortEntry {
        PortEntry {
            name: name.to_string(),
            ..self.clone()
        }
    }
}

impl<'de> Deserialize<'de> for PortEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PortEntry, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = PortEntry;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port name, or { name = \"…\", expect_down = true }")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PortEntry, E> {
                Ok(PortEntry::named(v))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PortEntry, A::Error> {
                let (mut name, mut expect_down) = (None, false);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => name = Some(map.next_value::<String>()?),
                        "expect_down" => expect_down = map.next_value()?,
                        other => {
                            return Err(serde::de::Error::unknown_field(
                                other,
                                &["name", "expect_down"],
                            ));
                        }
                    }
                }
                let name = name.ok_or_else(|| serde::de::Error::missing_field("name"))?;
                Ok(PortEntry { name, expect_down })
            }
        }
        d.deserialize_any(Entry)
    }
}
