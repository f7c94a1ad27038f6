//! Operations on lab devices: push a baseline to many at once, and the `run` pipeline
//! (push and flap watch per device into a run folder, with the traffic phase inside the
//! watch), and `restore` (the snapshot before a push put back). Opening one device is [`crate::driver::session`]'s.

pub mod bench;
pub mod cables;
pub mod doctor;
pub mod exit;
pub mod pipeline;
pub mod push;
pub mod push_report;
pub mod record;
pub mod restore;
pub mod show;
pub mod traffic;
