//! Operations on lab devices: push a baseline to many at once, and the `run` pipeline
//! (push and flap watch per device into a run folder, with the traffic phase inside the
//! watch). Opening one device is [`crate::driver::session`]'s.

pub mod doctor;
pub mod pipeline;
pub mod push;
pub mod summary;
pub mod traffic;
