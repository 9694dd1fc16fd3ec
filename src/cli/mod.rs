//! The command-line layer: argument structs (clap), validated into library types, then
//! one call into the library per command. Errors become exit codes here and only here.

mod backup;
mod content;
mod demo;
mod edit;
mod ingest;
mod output;
mod search;
mod sets;
mod show;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use hishatak::{Archive, Error};

pub use output::Out;

/// Keep an archive's digital collection: ingest, fixity, search, exhibition exports.
#[derive(Parser, Debug)]
#[command(name = "hishatak", version, about, long_about = None)]
pub struct Cli {
    /// The archive folder [default: ./archive]
    #[arg(long, global = true, env = "HISHATAK_ARCHIVE", value_name = "DIR")]
    archive: Option<PathBuf>,
    /// Print nothing but errors
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create an archive folder
    Init {
        /// Name of the archive (default: the folder's name)
        #[arg(long)]
        name: Option<String>,
    },
    /// Store files, folders or a manifest of items
    Ingest(Box<ingest::IngestArgs>),
    /// Show one item with its files, texts and provenance
    Show {
        /// Item id (e.g. HSH-000042)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// List items
    List(show::ListArgs),
    /// Change an item's metadata (each change is recorded in its history)
    Edit(edit::EditArgs),
    /// Show an item's event log
    History {
        /// Item id
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Hide an item from search and export; its files and history are kept
    Withdraw {
        /// Item id
        id: String,
        /// Why it is withdrawn
        #[arg(long)]
        reason: String,
    },
    /// Search titles, descriptions, texts, persons, places and subjects in every script
    Search(search::SearchArgs),
    /// Rebuild the search index from the catalog
    Reindex,
    /// Re-hash every stored file and report missing, corrupt and orphan objects
    Verify(verify::VerifyArgs),
    /// Make or update a complete, verified copy of the archive in another folder
    Backup(backup::BackupArgs),
    /// (Re)make access copies, thumbnails, PDF text, OCR and metadata of stored items
    Derive(content::DeriveArgs),
    /// List exact duplicates and near-duplicate images (rescans, resized or recompressed copies)
    Duplicates(content::DuplicatesArgs),
    /// Curated sets: ordered items with captions, for exhibitions and research
    #[command(subcommand)]
    Set(sets::SetCommand),
    /// Export a set as a zip package, BagIt bag, IIIF collection or static web site
    Export(sets::ExportArgs),
    /// Make ./demo-archive from the bundled sample collection and show what it can do
    Demo,
}

/// An error from the command line layer, with its exit code.
pub struct Failure {
    code: u8,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: 1,
            message: e.to_string(),
        }
    }
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(msg: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: msg.into(),
        }
    }
}

/// What a command ends with.
pub enum Outcome {
    /// Exit 0.
    Done,
    /// Exit with this code (3 partial, 4 damage) after output was printed.
    Code(u8),
}

pub(crate) fn archive_dir(cli_archive: &Option<PathBuf>) -> PathBuf {
    cli_archive
        .clone()
        .unwrap_or_else(|| PathBuf::from("archive"))
}

pub(crate) fn open(cli_archive: &Option<PathBuf>) -> Result<Archive, Failure> {
    Ok(Archive::open(&archive_dir(cli_archive))?)
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if !cli.quiet {
        hishatak::notice::set_handler(|msg| eprintln!("hishatak: {msg}"));
    }
    let _ = ctrlc::set_handler(|| {
        if hishatak::interrupt::requested() {
            // A second Ctrl-C: stop now. The commit protocol keeps the archive valid.
            std::process::exit(130);
        }
        hishatak::interrupt::request();
        eprintln!("hishatak: stopping after the current step (Ctrl-C again to stop at once)");
    });
    match run(cli) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Code(c)) => ExitCode::from(c),
        Err(f) => {
            eprintln!("hishatak: error: {}", output::printable(&f.message, true));
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome, Failure> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Init { name } => {
            let dir = archive_dir(&cli.archive);
            let a = Archive::init(&dir, name.as_deref())?;
            if !quiet {
                output::stdout_line(&format!("created archive '{}' in {}\nnext: hishatak --archive {} ingest FILE... (or --manifest FILE.csv)",
                    a.settings.name,
                    dir.display(),
                    dir.display()));
            }
            Ok(Outcome::Done)
        }
        Command::Ingest(args) => ingest::run(&cli.archive, *args, quiet),
        Command::Show { id, json } => show::show(&cli.archive, &id, Out::new(json, quiet)),
        Command::List(args) => show::list(&cli.archive, args, quiet),
        Command::Edit(args) => edit::edit(&cli.archive, args, quiet),
        Command::History { id, json } => show::history(&cli.archive, &id, Out::new(json, quiet)),
        Command::Withdraw { id, reason } => edit::withdraw(&cli.archive, &id, &reason, quiet),
        Command::Search(args) => search::run(&cli.archive, args, quiet),
        Command::Reindex => search::reindex(&cli.archive, quiet),
        Command::Verify(args) => verify::run(&cli.archive, args, quiet),
        Command::Backup(args) => backup::run(&cli.archive, args, quiet),
        Command::Derive(args) => content::derive(&cli.archive, args, quiet),
        Command::Duplicates(args) => content::duplicates(&cli.archive, args, quiet),
        Command::Set(cmd) => sets::run(&cli.archive, cmd, quiet),
        Command::Export(args) => sets::export(&cli.archive, args, quiet),
        Command::Demo => demo::run(quiet),
    }
}
