//! The server's HTTP surface, driven in-process through the router. One test binary on purpose:
//! each one links the whole app, and three of them filled a CI machine's disk.

mod activity;
mod board;
mod common;
mod compression;
mod contract;
mod fuzz;
mod git_failures;
mod http;
mod pages;
mod projects_page;
mod security;
mod serve;
mod sse;
mod support;
mod usage;
