//! The system tools switchlab starts (iperf3, network namespaces), and one variable that
//! makes it see them as absent: `SWITCHLAB_ABSENT_TOOLS=iperf3,netns` (or `all`).
//!
//! Why: a newcomer's machine has none of them, and CI installs them all. With this
//! variable CI runs the suite a second time as a newcomer would (the engine chosen
//! without iperf3, the demo without namespaces, the checks that need a tool skipped),
//! so what only a fresh machine shows is seen before a newcomer sees it.

/// The variable that names the tools to see as absent (comma-separated, or `all`).
pub const ABSENT_TOOLS: &str = "SWITCHLAB_ABSENT_TOOLS";

/// Whether `SWITCHLAB_ABSENT_TOOLS` says to take `tool` as not installed.
pub fn absent(tool: &str) -> bool {
    std::env::var(ABSENT_TOOLS).is_ok_and(|v| named(&v, tool))
}

fn named(list: &str, tool: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|t| t == "all" || t == tool)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tool_is_absent_when_named_or_when_all_are() {
        assert!(super::named("iperf3, netns", "netns"));
        assert!(super::named("all", "chromium"));
        assert!(!super::named("iperf3", "iperf"));
        assert!(!super::named("", "iperf3"));
    }
}
