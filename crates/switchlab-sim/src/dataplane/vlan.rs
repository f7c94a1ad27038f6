//! Which VLAN a simulated port forwards in, read from the running config the way each
//! vendor writes it: an access VLAN on the interface (`switchport access vlan 10`,
//! FASTPATH's `vlan pvid 10`), or membership from the VLAN's side (FastIron's `vlan 10 …`
//! with `untagged ethernet 1/1/1`, FTOS's `interface Vlan 10` with `untagged
//! TenGigabitEthernet 0/1`). A port no line names is in VLAN 1, every switch's default.

use super::super::state::{Device, squash};

/// The number after `word` in `line` (`switchport access vlan 10` → 10).
fn number_after(line: &str, word: &str) -> Option<u16> {
    let mut it = line.split_whitespace();
    it.by_ref().find(|w| w.eq_ignore_ascii_case(word))?;
    it.next()?.parse().ok()
}

/// Port `idx`'s VLAN.
pub fn port_vlan(dev: &Device, idx: usize) -> u16 {
    let port = &dev.ports[idx];
    let names = [
        squash(&port.long()),
        squash(&port.short()),
        squash(&port.number),
    ];
    // `Ethernet49`, `TenGigabitEthernet 0/1`, `ethernet 1/1/1`, `ethe 1/1/1`: the whole
    // name, or the number after a type word.
    let names_port = |text: &str| {
        let whole = squash(text);
        let number = text
            .split_whitespace()
            .last()
            .map(squash)
            .unwrap_or_default();
        names.iter().any(|n| *n == whole || *n == number)
    };
    for section in &dev.running {
        let head = section.head.to_ascii_lowercase();
        let lines = section.lines.iter().map(|(_, l)| l.as_str());
        let interface = head.trim_start().strip_prefix("interface").map(str::trim);
        if let Some(rest) = interface.filter(|r| !r.contains("vlan"))
            && names_port(rest)
        {
            for l in lines {
                let low = l.to_ascii_lowercase();
                let found = if low.contains("switchport access vlan") {
                    number_after(l, "vlan")
                } else if low.contains("vlan pvid") {
                    number_after(l, "pvid")
                } else {
                    None
                };
                if let Some(v) = found {
                    return v;
                }
            }
        } else if let Some(v) = number_after(&section.head, "vlan") {
            // `vlan 10 name x by port`, `interface Vlan 10`: untagged members.
            let member = lines
                .filter(|l| l.trim_start().to_ascii_lowercase().starts_with("untagged"))
                .any(|l| names_port(l.trim_start()["untagged".len()..].trim()));
            if member {
                return v;
            }
        }
    }
    1
}
