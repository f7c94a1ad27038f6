//! The virtual lab's direct cables: two endpoints' NICs cabled to each other with no
//! switch between (`direct` in the lab), a veth pair from one endpoint's namespace to the
//! other's. A benchmark between the two measures the testers' own latency over it (RFC
//! 2544's calibration) and takes it off every latency through a switch.

use super::DataPlaneError;
use super::netns::ip;
use switchlab::format::lab::Lab;

/// Build every direct cable between endpoints whose namespaces are in `made`; a line each.
pub(super) fn build(lab: &Lab, made: &[&str]) -> Result<Vec<String>, DataPlaneError> {
    let mut lines = Vec::new();
    for a in &lab.endpoints {
        for nic in &a.interfaces {
            let Some(to) = nic.direct.as_ref() else {
                continue;
            };
            let Some(b) = lab
                .endpoints
                .iter()
                .find(|e| e.name.get_ref() == to.get_ref())
            else {
                continue;
            };
            // Each cable once: from the endpoint listed first.
            if a.name.get_ref() >= b.name.get_ref() {
                continue;
            }
            let (Some(na), Some(nb), Some(far)) = (
                a.netns.as_deref(),
                b.netns.as_deref(),
                b.direct_to(a.name.get_ref()),
            ) else {
                continue;
            };
            if !(made.contains(&na) && made.contains(&nb)) {
                continue;
            }
            ip(&[
                "-n", na, "link", "add", &nic.name, "type", "veth", "peer", "name", &far.name,
                "netns", nb,
            ])?;
            for (ns, ifname, address) in
                [(na, &nic.name, &nic.address), (nb, &far.name, &far.address)]
            {
                ip(&[
                    "-n",
                    ns,
                    "addr",
                    "add",
                    &format!("{address}/30"),
                    "dev",
                    ifname,
                ])?;
                ip(&["-n", ns, "link", "set", ifname, "up"])?;
            }
            lines.push(format!(
                "direct cable {}:{} ({}) to {}:{} ({}), no switch between: the testers' own latency",
                a.name.get_ref(),
                nic.name,
                nic.address,
                b.name.get_ref(),
                far.name,
                far.address
            ));
        }
    }
    Ok(lines)
}
