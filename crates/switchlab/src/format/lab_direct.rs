//! Direct cables between two endpoints' NICs (`direct`): RFC 2544's calibration path.

use super::lab::{Endpoint, EndpointInterface, Lab};
use crate::format::error::FormatError;
use crate::format::source::Source;

impl Endpoint {
    /// This endpoint's NIC cabled straight to `other`, if any.
    pub fn direct_to(&self, other: &str) -> Option<&EndpointInterface> {
        (self.interfaces.iter()).find(|i| i.direct.as_ref().is_some_and(|d| d.get_ref() == other))
    }
}

impl Lab {
    /// Each `direct` names another endpoint whose NIC names this one back.
    pub(super) fn check_direct(&self, e: &Endpoint, src: &Source) -> Result<(), FormatError> {
        for to in e.interfaces.iter().filter_map(|i| i.direct.as_ref()) {
            let key = "endpoint.interface.direct";
            let Some(other) = self
                .endpoints
                .iter()
                .find(|o| o.name.get_ref() == to.get_ref())
            else {
                let names = self.endpoint_names();
                let what = "the lab's [[endpoint]] list";
                return Err(src.unknown_ref(
                    &to.span(),
                    key,
                    "endpoint",
                    to.get_ref(),
                    what,
                    names,
                ));
            };
            if other.name.get_ref() == e.name.get_ref()
                || other.direct_to(e.name.get_ref()).is_none()
            {
                let why = format!(
                    "endpoint '{}' has no NIC with `direct = \"{}\"`: a direct cable has two ends, one NIC of each endpoint",
                    to.get_ref(),
                    e.name.get_ref()
                );
                return Err(src.invalid(&to.span(), key, why));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(a_direct: &str, b_direct: &str) -> Result<Lab, FormatError> {
        let text = format!(
            "[[endpoint]]\nname = \"s1\"\naddress = \"198.18.1.1\"\ninterface = [{{ name = \"cal0\", address = \"198.19.1.1\"{a_direct} }}]\n[[endpoint]]\nname = \"s2\"\naddress = \"198.18.1.2\"\ninterface = [{{ name = \"cal0\", address = \"198.19.1.2\"{b_direct} }}]\n"
        );
        Lab::from_source(&Source::from_text("lab.toml", text))
    }

    #[test]
    fn a_direct_cable_has_two_ends_each_naming_the_other() {
        let l = lab(", direct = \"s2\"", ", direct = \"s1\"").unwrap();
        let s1 = &l.endpoints[0];
        assert_eq!(
            s1.direct_to("s2").map(|i| i.address.as_str()),
            Some("198.19.1.1")
        );
        assert!(s1.direct_to("s3").is_none());
        // One end only: refused at its line, naming the key and the missing end.
        let e = lab(", direct = \"s2\"", "").unwrap_err().to_string();
        assert!(
            e.contains("lab.toml:4")
                && e.contains("endpoint.interface.direct")
                && e.contains("endpoint 's2' has no NIC"),
            "{e}"
        );
        let e = lab(", direct = \"s9\"", "").unwrap_err().to_string();
        assert!(e.contains("s9") && e.contains("endpoint"), "{e}");
    }
}
