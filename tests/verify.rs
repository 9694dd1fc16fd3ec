//! `verify`: fixity of every stored file.

use std::os::unix::fs::PermissionsExt;

use crate::util::{sample_file, Dir};

#[test]
fn a_flipped_byte_and_a_deleted_object_are_reported_by_path_with_exit_4() {
    let d = Dir::with_archive();
    let a = d.write("a.txt", "first document, whose object will be damaged");
    let b = d.write("b.txt", "second document, whose object will go missing");
    let c = sample_file("jpg");
    d.run(&[
        "ingest",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
    ])
    .ok();
    let clean = d.run(&["verify", "--json"]).ok().json();
    // Three masters, and the access copy and thumbnail of the image.
    assert_eq!(clean["checked"], 5);
    assert_eq!(clean["ok"], 5);
    assert!(clean["damaged"].as_array().unwrap().is_empty());

    let hash = |s: &str| {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(s.as_bytes()))
    };
    let (ha, hb) = (
        hash("first document, whose object will be damaged"),
        hash("second document, whose object will go missing"),
    );
    let pa = d
        .archive()
        .join(format!("objects/{}/{}/{ha}", &ha[..2], &ha[2..4]));
    let pb = d
        .archive()
        .join(format!("objects/{}/{}/{hb}", &hb[..2], &hb[2..4]));
    std::fs::set_permissions(&pa, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = std::fs::read(&pa).unwrap();
    bytes[5] ^= 0x01;
    std::fs::write(&pa, bytes).unwrap();
    std::fs::remove_file(&pb).unwrap();
    // An orphan: bytes in the store that no catalog row names.
    let orphan = d.archive().join("objects/ff/ff/ffff0000");
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, "stray").unwrap();

    let r = d.run(&["verify", "--json"]).code(4);
    let j = r.json();
    assert_eq!(j["checked"], 5);
    assert_eq!(j["ok"], 3);
    let damaged = j["damaged"].as_array().unwrap();
    let find = |sha: &str| {
        damaged
            .iter()
            .find(|x| x["sha256"] == sha)
            .unwrap_or_else(|| panic!("{sha} not reported: {j:#}"))
    };
    assert_eq!(find(&ha)["problem"], "corrupt");
    assert_eq!(
        find(&ha)["path"],
        pa.strip_prefix(d.path()).unwrap().to_str().unwrap()
    );
    assert_eq!(find(&ha)["items"][0], "HSH-000001");
    assert_eq!(find(&hb)["problem"], "missing");
    assert!(find(&hb)["path"].as_str().unwrap().ends_with(&hb));
    assert_eq!(j["orphans"].as_array().unwrap().len(), 1);

    let human = d.run(&["verify"]).code(4);
    assert!(
        human.stdout.contains("CORRUPT") && human.stdout.contains("MISSING"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("a.txt"), "{}", human.stdout);

    // Each item's history records the fixity outcome.
    let h = d.run(&["history", "HSH-000001", "--json"]).ok().json();
    let last = h["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "fixity");
    assert_eq!(last["outcome"], "fail");
    let h3 = d.run(&["history", "HSH-000003", "--json"]).ok().json();
    assert_eq!(
        h3["events"].as_array().unwrap().last().unwrap()["outcome"],
        "pass"
    );
}
