//! Helpers shared by the integration tests.
pub mod apt;
pub mod browser;
pub mod coturn;
