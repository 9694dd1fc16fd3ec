//! Integration tests: the real binary on real files, one test binary.

mod util;

mod archive;
mod content;
mod crash;
mod demo;
mod export;
mod ingest;
mod manifest;
mod properties;
mod quality;
mod records;
mod regression;
mod reliability;
mod search;
mod security;
mod verify;
