//! `search` and `reindex` through the binary, on records written here.

use serde_json::Value;

use crate::util::Dir;

/// Ingest a text as an item with flags; returns its id.
fn item(d: &Dir, name: &str, text: &str, flags: &[&str]) -> String {
    let f = d.write(&format!("in/{name}"), text);
    let mut args = vec!["ingest", f.to_str().unwrap(), "--json"];
    args.extend_from_slice(flags);
    d.run(&args).ok().json()["stored"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn ids(d: &Dir, args: &[&str]) -> Vec<String> {
    let mut all = vec!["search", "--json", "--limit", "50"];
    all.extend_from_slice(args);
    let j = d.run(&all).ok().json();
    j["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// A small multilingual archive.
struct Corpus {
    d: Dir,
    ru: String,
    hy: String,
    fr: String,
    tr: String,
    en: String,
    de: String,
}

fn corpus() -> Corpus {
    let d = Dir::with_archive();
    let ru = item(
        &d,
        "ru.txt",
        "Донесение. В Эрзуруме было тихо; беженцы ушли в Баку. Ёлка.",
        &[
            "--lang",
            "ru",
            "--date",
            "1915-04",
            "--collection",
            "Reports",
            "--source-country",
            "RU",
            "--kind",
            "document",
        ],
    );
    let hy = item(
        &d,
        "hy.txt",
        "Մենք հասանք Էրզրումից Բաքու։ Կոմիտաս վարդապետը երգում էր։ Ինչո՞ւ և եւ",
        &[
            "--lang",
            "hy",
            "--date",
            "191X",
            "--collection",
            "Memoirs",
            "--source-country",
            "AM",
            "--kind",
            "memoir",
        ],
    );
    let fr = item(
        &d,
        "fr.txt",
        "Le consul écrit d'Erzeroum que la situation à Kharpert est grave.",
        &[
            "--lang",
            "fr",
            "--date",
            "1916~",
            "--collection",
            "Reports",
            "--source-country",
            "FR",
        ],
    );
    let tr = item(
        &d,
        "tr.txt",
        "Bakü'de bir gün. Erzurum'a gittik. İSTANBUL Müdürlüğü, Harput.",
        &[
            "--lang",
            "tr",
            "--date",
            "1922-06-14/1922-07-02",
            "--source-country",
            "TR",
        ],
    );
    let en = item(&d, "en.txt", "The relief ship carried vanilla, flour and blankets for the American Committee for Relief in the Near East.", &["--lang", "en", "--date", "1919", "--kind", "document"]);
    let de = item(
        &d,
        "de.txt",
        "Bericht aus Erzerum über die Deportationen.",
        &["--lang", "de", "--date", "1915-21"],
    );
    d.run(&["edit", &hy, "--set", "persons=Սողոմոն Խաչատրյան"])
        .ok();
    d.run(&["edit", &ru, "--set", "persons=Хачатурян"]).ok();
    Corpus {
        d,
        ru,
        hy,
        fr,
        tr,
        en,
        de,
    }
}

#[test]
fn one_name_finds_every_script_and_spelling() {
    let c = corpus();
    let d = &c.d;
    let erzurum = sorted(vec![
        c.ru.clone(),
        c.hy.clone(),
        c.fr.clone(),
        c.tr.clone(),
        c.de.clone(),
    ]);
    for q in ["Erzurum", "Эрзурум", "Էրզրում", "Erzeroum", "erzurum"] {
        assert_eq!(sorted(ids(d, &[q])), erzurum, "query {q}");
    }
    let baku = sorted(vec![c.ru.clone(), c.hy.clone(), c.tr.clone()]);
    for q in ["Baku", "Բաքու", "Баку", "Bakü", "BAKU"] {
        assert_eq!(sorted(ids(d, &[q])), baku, "query {q}");
    }
    assert_eq!(ids(d, &["Комитас"]), std::slice::from_ref(&c.hy));
    assert_eq!(ids(d, &["Komitas"]), std::slice::from_ref(&c.hy));
    // The exact spelling ranks first.
    assert_eq!(ids(d, &["Bakü"])[0], c.tr);
    assert_eq!(ids(d, &["Баку"])[0], c.ru);
    // A record that has the name as typed ranks above those found through the gazetteer:
    // only the French consul writes `Erzeroum`; the others name Erzurum in other ways.
    let erzeroum = ids(d, &["Erzeroum"]);
    assert_eq!(sorted(erzeroum.clone()), erzurum);
    assert_eq!(erzeroum[0], c.fr);
}

#[test]
fn inflected_forms_and_normalisation() {
    let c = corpus();
    let d = &c.d;
    assert!(
        ids(d, &["Эрзурумом"]).contains(&c.ru),
        "Russian case ending"
    );
    assert!(
        ids(d, &["Էրզրումում"]).contains(&c.hy),
        "Armenian case ending"
    );
    for q in ["istanbul", "İstanbul", "ISTANBUL", "Istanbul"] {
        assert!(ids(d, &[q]).contains(&c.tr), "Turkish i: {q}");
    }
    assert!(ids(d, &["mudurlugu"]).contains(&c.tr), "diacritics folded");
    assert!(
        ids(d, &["Ինչու"]).contains(&c.hy),
        "Armenian question mark inside a word"
    );
    assert!(
        ids(d, &["եւ"]).contains(&c.hy) && ids(d, &["և"]).contains(&c.hy),
        "ligature"
    );
    assert!(ids(d, &["елка"]).contains(&c.ru), "ё = е");
}

#[test]
fn gazetteer_phonetic_typos_and_what_must_not_match() {
    let c = corpus();
    let d = &c.d;
    assert!(ids(d, &["Van"]).is_empty(), "Van must not match vanilla");
    assert_eq!(ids(d, &["vanilla"]), std::slice::from_ref(&c.en));
    // Typo tolerance for longer words only.
    assert!(ids(d, &["Erzurrum"]).contains(&c.tr));
    assert!(ids(d, &["Erzrum"]).contains(&c.tr));
    // Phonetic key for surnames across transliterations.
    let kh = sorted(ids(d, &["person:Khatchadourian"]));
    assert_eq!(
        kh,
        sorted(vec![c.ru.clone(), c.hy.clone()]),
        "Daitch-Mokotoff on persons"
    );
    // --exact-script: only the script typed.
    // Latin-script Baku still finds the Latin-script Turkish Bakü (diacritics fold), but
    // neither the Cyrillic nor the Armenian record.
    assert_eq!(
        ids(d, &["Baku", "--exact-script"]),
        std::slice::from_ref(&c.tr)
    );
    assert_eq!(
        ids(d, &["Баку", "--exact-script"]),
        std::slice::from_ref(&c.ru)
    );
}

#[test]
fn near_spellings_come_from_every_segment_and_rank_below_the_word_as_typed() {
    let d = Dir::with_archive();
    let exact = item(
        &d,
        "a.txt",
        "The coppersmith of the market street kept his tools.",
        &["--lang", "en"],
    );
    // A later ingest: its words go into a segment of their own.
    let near = item(
        &d,
        "b.txt",
        "A copersmith's apprentice wrote this letter.",
        &["--lang", "en"],
    );
    let segments = std::fs::read_dir(d.archive().join("index"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "term"))
        })
        .count();
    assert!(segments >= 2, "the two items share one segment");
    // The word as typed ranks first; its near spelling (one edit) is found after it, and
    // highlighted.
    assert_eq!(ids(&d, &["coppersmith"]), vec![exact.clone(), near.clone()]);
    let j = d.run(&["search", "--json", "coppersmith"]).ok().json();
    let snippet = j["hits"][1]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<b>copersmith"), "{snippet}");
    // A typo of both (two letters swapped: one edit from each) finds both.
    assert_eq!(
        sorted(ids(&d, &["copeprsmith"])),
        sorted(vec![exact.clone(), near.clone()])
    );
    // A noisy text (OCR) with forty more near spellings: they are asked as one set, and
    // the record with the word as typed still comes first.
    let noise: Vec<String> = ('a'..='z')
        .map(|c| format!("coppersmith{c}"))
        .chain(('a'..='n').map(|c| format!("coppersmit{c}")))
        .collect();
    let noisy = item(&d, "c.txt", &noise.join(" "), &["--lang", "en"]);
    let found = ids(&d, &["coppersmith"]);
    assert_eq!(found[0], exact, "{found:?}");
    assert_eq!(sorted(found[1..].to_vec()), sorted(vec![near, noisy]));
}

#[test]
fn an_archives_own_gazetteer_is_used_from_the_next_search_on() {
    let d = Dir::with_archive();
    let ru = item(
        &d,
        "ru.txt",
        "Беженцы из Эфкере пришли в город.",
        &["--lang", "ru"],
    );
    d.run(&["edit", &ru, "--set", "places=Эфкере"]).ok();
    let de = item(
        &d,
        "de.txt",
        "Die Flüchtlinge aus Efkereh.",
        &["--lang", "de"],
    );
    // Not in the shipped gazetteer: the Turkish name finds neither record.
    assert!(ids(&d, &["Bahçeli"]).is_empty());
    d.write(
        "archive/gazetteer.tsv",
        "id\ttype\ten\thy\tru\ttr\tfr\tde\tother\tlat\tlon\tnote\n\
         efkere\tplace\tEfkere\tԷֆքերե\tЭфкере\tBahçeli\tEfkéré\tEfkereh\t\t38.73\t35.60\tvillage near Kayseri\n",
    );
    // The next search finds both, by the names each record uses, and highlights the name as each record writes it.
    let j = d.run(&["search", "--json", "Bahçeli"]).ok().json();
    let hits = j["hits"].as_array().unwrap();
    let found: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(
        sorted(found.iter().map(|s| s.to_string()).collect()),
        sorted(vec![ru.clone(), de.clone()])
    );
    let snippets: Vec<&str> = hits
        .iter()
        .map(|h| h["snippet"].as_str().unwrap())
        .collect();
    assert!(
        snippets.iter().any(|s| s.contains("<b>Эфкере</b>")),
        "{snippets:?}"
    );
    assert!(
        snippets.iter().any(|s| s.contains("<b>Efkereh</b>")),
        "{snippets:?}"
    );
    // A field prefix keeps to that field: only the Russian record has the place.
    assert_eq!(ids(&d, &["place:Efkéré"]), vec![ru.clone()]);
    // Taking the file away takes the names away again.
    std::fs::remove_file(d.archive().join("gazetteer.tsv")).unwrap();
    assert!(ids(&d, &["Bahçeli"]).is_empty());
}

#[test]
fn phrases_operators_and_prefixes() {
    let c = corpus();
    let d = &c.d;
    assert_eq!(
        ids(d, &["\"American Committee for Relief in the Near East\""]),
        std::slice::from_ref(&c.en)
    );
    assert!(
        ids(d, &["\"Committee American\""]).is_empty(),
        "word order matters in a phrase"
    );
    assert_eq!(
        sorted(ids(d, &["Erzurum -Baku"])),
        sorted(vec![c.fr.clone(), c.de.clone()])
    );
    assert_eq!(
        sorted(ids(d, &["Erzurum NOT Baku"])),
        sorted(vec![c.fr.clone(), c.de.clone()])
    );
    assert_eq!(
        sorted(ids(d, &["vanilla OR Komitas"])),
        sorted(vec![c.en.clone(), c.hy.clone()])
    );
    // Kharpert's gazetteer variants include Harput, which the Turkish record uses.
    assert_eq!(
        sorted(ids(d, &["Erzurum AND Kharpert"])),
        sorted(vec![c.fr.clone(), c.tr.clone()])
    );
    assert_eq!(ids(d, &["person:Хачатурян"]).len(), 2);
    assert!(
        ids(d, &["person:Erzurum"]).is_empty(),
        "prefix limits the field"
    );
    assert_eq!(ids(d, &["collection:memoirs"]), std::slice::from_ref(&c.hy));
    // Nothing is ever a parse error shown as a trace.
    for q in ["\"unbalanced", "title:", "OR", "((", "-"] {
        let r = d.run(&["search", q]);
        assert!(r.code == 0 || r.code == 1, "{q}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{q}: {}", r.stderr);
    }
}

#[test]
fn filters_dates_and_facets() {
    let c = corpus();
    let d = &c.d;
    assert_eq!(
        sorted(ids(d, &["Erzurum", "--collection", "Reports"])),
        sorted(vec![c.ru.clone(), c.fr.clone()])
    );
    assert_eq!(
        ids(d, &["Erzurum", "--lang", "hy"]),
        std::slice::from_ref(&c.hy)
    );
    assert_eq!(
        ids(d, &["Erzurum", "--kind", "memoir"]),
        std::slice::from_ref(&c.hy)
    );
    assert_eq!(
        ids(d, &["Erzurum", "--source-country", "fr"]),
        std::slice::from_ref(&c.fr)
    );
    // Uncertain dates match when their range overlaps: 191X covers 1915, 1916~ reaches 1915.
    let in_1915 = sorted(ids(d, &["Erzurum", "--from", "1915", "--to", "1915"]));
    assert_eq!(
        in_1915,
        sorted(vec![c.ru.clone(), c.hy.clone(), c.fr.clone(), c.de.clone()])
    );
    assert_eq!(
        ids(d, &["Erzurum", "--from", "1920"]),
        std::slice::from_ref(&c.tr)
    );
    assert_eq!(
        ids(d, &["Erzurum", "--to", "1914"]),
        std::slice::from_ref(&c.hy)
    );
    let j = d
        .run(&["search", "Erzurum", "--facets", "--json"])
        .ok()
        .json();
    assert_eq!(j["total"], 5);
    assert_eq!(j["facets"]["kind"]["memoir"], 1);
    assert_eq!(j["facets"]["source_country"]["FR"], 1);
    assert_eq!(j["facets"]["decade"]["1910"], 4);
    assert_eq!(j["facets"]["decade"]["1920"], 1);
    assert_eq!(j["facets"]["lang"]["ru"], 1);
    let r = d.run(&["search", "Erzurum", "--from", "1915-13"]).code(2);
    assert!(r.stderr.contains("--from"), "{}", r.stderr);
}

#[test]
fn json_follows_the_contract_and_snippets_show_the_original_script() {
    let c = corpus();
    let j =
        c.d.run(&["search", "Baku", "--json", "--limit", "2", "--offset", "1"])
            .ok()
            .json();
    for k in ["query", "total", "took_ms", "hits"] {
        assert!(j.get(k).is_some(), "{k}");
    }
    assert_eq!(j["total"], 3);
    let hits = j["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    for h in hits {
        for k in [
            "id",
            "kind",
            "title",
            "date",
            "lang",
            "collection",
            "score",
            "snippet",
        ] {
            assert!(h.get(k).is_some(), "hit lacks {k}");
        }
    }
    let all = c.d.run(&["search", "Baku", "--json"]).ok().json();
    let snip = |id: &str| -> String {
        all["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .unwrap()["snippet"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(snip(&c.hy).contains("<b>Բաքու</b>"), "{}", snip(&c.hy));
    assert!(snip(&c.ru).contains("<b>Баку</b>"), "{}", snip(&c.ru));
    assert!(snip(&c.tr).contains("<b>Bakü</b>"), "{}", snip(&c.tr));
    let gaz = c.d.run(&["search", "Erzurum", "--json"]).ok().json();
    let hy = gaz["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == c.hy.as_str())
        .unwrap();
    assert!(
        hy["snippet"].as_str().unwrap().contains("<b>Էրզրումից</b>"),
        "{hy}"
    );
}

#[test]
fn restricted_embargoed_and_withdrawn_items_stay_hidden() {
    let d = Dir::with_archive();
    let open = item(&d, "a.txt", "Aleppo report", &[]);
    let restricted = item(&d, "b.txt", "Aleppo testimony", &["--access", "restricted"]);
    let embargoed = item(
        &d,
        "c.txt",
        "Aleppo letter",
        &["--access", "embargoed:2999-01-01"],
    );
    let lifted = item(
        &d,
        "d.txt",
        "Aleppo photograph",
        &["--access", "embargoed:2001-01-01"],
    );
    let gone = item(&d, "e.txt", "Aleppo register", &[]);
    d.run(&["withdraw", &gone, "--reason", "wrong archive"])
        .ok();
    assert_eq!(
        sorted(ids(&d, &["Aleppo"])),
        sorted(vec![open.clone(), lifted.clone()])
    );
    assert_eq!(
        sorted(ids(&d, &["Aleppo", "--include-restricted"])),
        sorted(vec![
            open.clone(),
            restricted.clone(),
            embargoed,
            lifted.clone()
        ])
    );
    assert!(ids(&d, &["Aleppo", "--include-withdrawn"]).contains(&gone));
    // Facets count only what may be seen.
    let j = d
        .run(&["search", "Aleppo", "--facets", "--json"])
        .ok()
        .json();
    assert_eq!(j["total"], 2);
    assert!(j["facets"]["access"].get("restricted").is_none());
    // Access changed by edit is seen at once.
    d.run(&["edit", &open, "--set", "access=restricted"]).ok();
    assert_eq!(ids(&d, &["Aleppo"]), [lifted]);
}

#[test]
fn the_index_follows_the_catalog_and_recovers() {
    let d = Dir::with_archive();
    let id = item(&d, "a.txt", "A letter from Smyrna", &[]);
    assert_eq!(ids(&d, &["Smyrna"]), std::slice::from_ref(&id));
    d.run(&["edit", &id, "--set", "places=Aintab"]).ok();
    assert_eq!(ids(&d, &["place:Aintab"]), std::slice::from_ref(&id));
    // Missing index: rebuilt, and the user is told.
    std::fs::remove_dir_all(d.archive().join("index")).unwrap();
    let r = d.run(&["search", "Smyrna", "--json"]).ok();
    assert!(r.stderr.contains("rebuilt"), "{}", r.stderr);
    assert_eq!(r.json()["total"], 1);
    // Damaged index files: rebuilt.
    let meta = d.archive().join("index/meta.json");
    std::fs::write(&meta, "{ not json").unwrap();
    let r = d.run(&["search", "Smyrna", "--json"]);
    assert!(r.code == 0, "{}", r.stderr);
    assert!(r.stderr.contains("rebuilt"), "{}", r.stderr);
    // A change the index never saw (another tool wrote the catalog): caught up.
    let c = d.catalog();
    c.execute(
        "UPDATE items SET title = 'Trebizond papers' WHERE id = ?1",
        [&id],
    )
    .unwrap();
    c.execute("INSERT INTO events (item_id, at, kind, agent, outcome) VALUES (?1, 'x', 'edited', 't', 'success')", [&id]).unwrap();
    assert_eq!(ids(&d, &["Trebizond"]), std::slice::from_ref(&id));
    let r = d.run(&["reindex"]).ok();
    assert!(r.stdout.contains("indexed 1 item"), "{}", r.stdout);
    let v: Value = d.run(&["search", "Smyrna", "--json"]).ok().json();
    assert_eq!(v["total"], 1);
}

#[test]
fn items_read_in_bulk_are_the_items_read_one_by_one() {
    let c = corpus();
    let all = vec![
        c.de.clone(),
        c.ru.clone(),
        c.hy.clone(),
        c.fr.clone(),
        c.tr.clone(),
        c.en.clone(),
    ];
    c.d.run(&[
        "edit",
        &c.fr,
        "--set",
        "places=Aintab; Smyrna",
        "--set",
        "subjects=Relief",
    ])
    .ok();
    let a = hishatak::Archive::open(&c.d.archive()).unwrap();
    let bulk = a.catalog.items(&all).unwrap();
    assert_eq!(bulk.len(), all.len());
    for (id, b) in all.iter().zip(&bulk) {
        let one = a.catalog.item(id).unwrap();
        assert_eq!(format!("{one:?}"), format!("{b:?}"));
    }
    assert!(a.catalog.items(&["HSH-999999".to_string()]).is_err());
}
