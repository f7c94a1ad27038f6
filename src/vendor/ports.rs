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
                let f = form.replace(' ', "").to_lowercase();
                let rest_is_number = squashed
                    .strip_prefix(&f)
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
                if rest_is_number && best.is_none_or(|(len, _)| f.len() > len) {
                    best = Some((f.len(), &t.long));
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
