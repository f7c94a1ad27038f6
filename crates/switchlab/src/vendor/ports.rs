//! Port names in their many forms. `Gi0/1`, `GigabitEthernet0/1`, `gi 0/1` and
//! `GigabitEthernet 0/1` are one port; the profile's `[[ports.type]]` list says which
//! prefixes are the same type.

use super::Vendor;

impl Vendor {
    /// A key that is equal for every spelling of the same port: the long type name in
    /// lower case followed by the number, without spaces.
    pub fn port_key(&self, name: &str) -> String {
        let squashed: String = name
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let mut best: Option<(usize, &str)> = None;
        for t in &self.profile.ports.types {
            for form in std::iter::once(&t.long).chain(t.short.iter()) {
                // Called for every pair of ports a cable audit matches: no allocation.
                let Some(len) = squashed_prefix(&squashed, form) else {
                    continue;
                };
                let rest_is_number = squashed[len..].starts_with(|c: char| c.is_ascii_digit());
                if rest_is_number && best.is_none_or(|(l, _)| len > l) {
                    best = Some((len, &t.long));
                }
            }
        }
        match best {
            Some((len, long)) => format!(
                "{}{}",
                long.replace(' ', "").to_lowercase(),
                &squashed[len..]
            ),
            None => squashed,
        }
    }

    pub fn same_port(&self, a: &str, b: &str) -> bool {
        self.port_key(a) == self.port_key(b)
    }
}

/// The length of `form`, spaces left out and case ignored, when `squashed` (lower case,
/// no spaces) begins with it.
fn squashed_prefix(squashed: &str, form: &str) -> Option<usize> {
    let mut rest = squashed;
    for c in form.chars().filter(|c| !c.is_whitespace()) {
        let mut lower = c.to_lowercase();
        for l in lower.by_ref() {
            rest = rest.strip_prefix(l)?;
        }
    }
    Some(squashed.len() - rest.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_spelling_of_a_port_has_one_key() {
        let reg = crate::vendor::Registry::load(None, None).unwrap();
        let cisco = reg.vendor("cisco_ios").unwrap();
        let key = cisco.port_key("GigabitEthernet0/1");
        for spelling in [
            "Gi0/1",
            "gi 0/1",
            "GigabitEthernet 0/1",
            "GIGABITETHERNET0/1",
        ] {
            assert_eq!(cisco.port_key(spelling), key, "{spelling}");
        }
        assert_ne!(cisco.port_key("Gi0/2"), key);
        assert_ne!(cisco.port_key("Te0/1"), key, "another type");
        let f10 = reg.vendor("dell_force10").unwrap();
        assert!(f10.same_port("Te 0/1", "TenGigabitEthernet 0/1"));
        assert!(!f10.same_port("Te 0/1", "fortyGigE 0/1"));
    }
}
