//! Operations on lab devices: push a baseline to many at once, and the `run` pipeline
//! (push and flap watch per device into a run folder, with the traffic phase inside the
//! watch), and `restore` (the snapshot before a push put back). Opening one device is [`crate::driver::session`]'s.

pub(crate) mod bench;
pub(crate) mod cables;
pub(crate) mod doctor;
pub(crate) mod exit;
pub(crate) mod pipeline;
pub(crate) mod push;
pub(crate) mod push_report;
pub(crate) mod record;
pub(crate) mod restore;
pub(crate) mod show;
pub(crate) mod traffic;
