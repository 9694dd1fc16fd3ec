//! Tests named after the bugs they pin down.

use crate::util::Dir;

/// A duplicate input must not repeat the warnings of the item it duplicates.
#[test]
fn zero_byte_warning_is_not_repeated_for_a_duplicate() {
    let d = Dir::with_archive();
    let f = d.write("empty.jpg", "");
    d.run(&["ingest", f.to_str().unwrap()]).ok();
    let r = d.run(&["ingest", f.to_str().unwrap()]).ok();
    assert!(!r.stderr.contains("zero-byte"), "{}", r.stderr);
}
