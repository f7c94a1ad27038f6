//! `--accept-new-host-keys`, `--timeout`, `--command-timeout` and `--line-by-line`, as
//! every command that reaches devices takes them, turned into the transport's options.

use std::time::Duration;

use switchlab::inputs::LabInputs;
use switchlab::transport::ConnectOptions;

#[derive(Debug, Clone, clap::Args)]
pub struct ConnectFlags {
    /// Accept and record host keys never seen before, in the lab's known_hosts file, else
    /// ~/.ssh/known_hosts (a changed key is always refused).
    #[arg(long)]
    pub accept_new_host_keys: bool,
    /// How long a device may stay silent when an answer is due: the TCP connection and SSH
    /// key exchange, authentication, and every prompt, login or dialog after. A device's
    /// `ssh.connect_timeout` in the lab overrides it for connecting.
    #[arg(long, default_value = "15s", value_parser = super::positive_duration)]
    pub timeout: Duration,
    /// How long one command (or login step) may take to reach its prompt, however much
    /// the device prints meanwhile: a console that keeps printing log lines never stays
    /// silent for --timeout.
    #[arg(long, default_value = "5m", value_parser = super::positive_duration)]
    pub command_timeout: Duration,
    /// Send config lines one at a time, each after the answer to the one before, even
    /// over SSH where the vendor profile types them ahead in batches
    /// (`[session.type_ahead]`): then nothing after a refused line reaches the device.
    #[arg(long)]
    pub line_by_line: bool,
}

impl ConnectFlags {
    /// How to reach the lab's devices: its host keys and folder, these flags.
    pub fn options(&self, lab: &LabInputs) -> ConnectOptions {
        // One rule for every wait on a device: this flag, unless the lab says otherwise.
        ConnectOptions {
            idle_timeout: self.timeout,
            command_timeout: self.command_timeout,
            connect_timeout: self.timeout,
            auth_timeout: self.timeout,
            line_by_line: self.line_by_line,
            ..ConnectOptions::for_lab(&lab.lab, &lab.dir(), self.accept_new_host_keys)
        }
    }
}
