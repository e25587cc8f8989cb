//! `quayside`: the command-line field client. It drives the core only through the same
//! `FieldStore` API the phones use, so whatever the CLI can do, the apps can do.

mod args;
mod ids;
mod key;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use quayside_core::{ApiError, FieldStore, PhotoEdit, PhotoFields, SeizedItem, SeizureFields};

use args::{
    Cli, Command, CustodyCommand, ExportCommand, FindingCommand, InspectionCommand, PhotoCommand,
    ReviewCommand, SeizureCommand,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Errors the CLI reports: the core's, or its own usage errors.
#[derive(Debug)]
enum CliError {
    Api(ApiError),
    Usage(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Api(ApiError::CheckDigit { message, .. }) => {
                write!(f, "{message} (pass --allow-invalid-check-digit)")
            }
            CliError::Api(e) => write!(f, "{e}"),
            CliError::Usage(m) => f.write_str(m),
        }
    }
}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        CliError::Api(e)
    }
}

type CliResult<T = ()> = Result<T, CliError>;

fn store_dir(cli: &Cli) -> String {
    cli.store
        .clone()
        .unwrap_or_else(|| PathBuf::from("quayside-store"))
        .display()
        .to_string()
}

fn run(cli: Cli) -> CliResult {
    let json = cli.json;
    let dir = store_dir(&cli);
    if let Command::Init { user, station } = &cli.command {
        let (key, key_file) = key::Source::find(&dir, cli.key_file.as_deref())?.read_or_create()?;
        let store = FieldStore::create(dir.clone(), key.to_vec(), user.clone(), station.clone())?;
        let info = store.device_info();
        return render::emit(json, &info, || {
            let kept = match &key_file {
                Some(file) => format!(
                    "  key      {} (new; keep it apart from the store, or the store cannot be opened)\n",
                    file.display()
                ),
                None => String::new(),
            };
            format!(
                "Created store in {dir}, encrypted\n  user     {}\n  station  {}\n  device   {}\n{kept}",
                info.user, info.station, info.device_id
            )
        });
    }
    if let Command::Export(ExportCommand::Seizures {
        server,
        token,
        format,
        group,
        from,
        to,
        station,
        substance,
        state,
        country,
        out,
    }) = &cli.command
    {
        let filter = quayside_core::SeizureFilter {
            from: from.clone(),
            to: to.clone(),
            station: station.clone(),
            substance: substance.clone(),
            state: state.clone(),
            country: country.clone(),
        };
        let bytes = quayside_core::fetch_seizures(
            server.clone(),
            token.clone(),
            filter,
            format.clone(),
            group.clone(),
        )?;
        return match out {
            Some(path) => {
                std::fs::write(path, &bytes)
                    .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
                eprintln!("Wrote {} bytes to {}", bytes.len(), path.display());
                Ok(())
            }
            None if format.trim().eq_ignore_ascii_case("xlsx") => {
                Err(CliError::Usage("an XLSX export needs --out FILE".into()))
            }
            None => {
                use std::io::Write;
                let _ = std::io::stdout().write_all(&bytes);
                Ok(())
            }
        };
    }
    if let Command::Export(ExportCommand::Verify { file }) = &cli.command {
        return verify_export(file, json);
    }
    if let Command::Reference { query } = &cli.command {
        let hits = quayside_core::lookup_reference(query.join(" "));
        if hits.is_empty() {
            return Err(CliError::Usage(format!(
                "nothing in the reference matches {:?}",
                query.join(" ")
            )));
        }
        return render::emit(json, &hits, || render::reference(&hits));
    }
    let keys = key::Source::find(&dir, cli.key_file.as_deref())?;
    if let Command::Rekey = &cli.command {
        let file = key::change(&dir, &keys)?;
        return render::emit(json, &serde_json::json!({ "key_file": file }), || {
            format!(
                "The store in {dir} is encrypted under a new key, in {}\n",
                file.display()
            )
        });
    }
    let store = keys.open(&dir)?;
    match cli.command {
        Command::Init { .. } | Command::Reference { .. } | Command::Export(_) | Command::Rekey => {
            unreachable!("handled above")
        }
        Command::Whoami => {
            let info = store.device_info();
            render::emit(json, &info, || {
                format!(
                    "user {}  station {}  device {}  actor {}  schema {}\n",
                    info.user, info.station, info.device_id, info.actor_id, info.schema_version
                )
            })
        }
        Command::Inspection(InspectionCommand::New(fields)) => {
            let view = store.create_inspection(fields.into_fields())?;
            render::emit(json, &view, || render::created(&view))
        }
        Command::Inspection(InspectionCommand::Set { id, fields }) => {
            let id = ids::inspection(&store, &id)?;
            let view = store.update_inspection(id, fields.into_fields(), vec![])?;
            render::emit(json, &view, || render::updated(&view, "Updated inspection"))
        }
        Command::Finding(FindingCommand::Add { id, fields }) => {
            let id = ids::inspection(&store, &id)?;
            let added = store.add_finding(id, fields.into_fields()?)?;
            render::emit(json, &added, || {
                render::updated(
                    &added.view,
                    &format!("Added finding {} to", ids::short(&added.finding_id)),
                )
            })
        }
        Command::Finding(FindingCommand::Set {
            id,
            finding_id,
            fields,
        }) => {
            let id = ids::inspection(&store, &id)?;
            let finding_id = ids::Elements::of(&store, &id)?.name(&finding_id)?;
            let view =
                store.update_finding(id, finding_id.clone(), fields.into_fields()?, vec![])?;
            render::emit(json, &view, || {
                render::updated(
                    &view,
                    &format!("Updated finding {} of", ids::short(&finding_id)),
                )
            })
        }
        Command::Finding(FindingCommand::Remove { id, finding_id }) => {
            let id = ids::inspection(&store, &id)?;
            let finding_id = ids::Elements::of(&store, &id)?.name(&finding_id)?;
            let view = store.remove_finding(id, finding_id.clone())?;
            render::emit(json, &view, || {
                render::updated(
                    &view,
                    &format!("Removed finding {} from", ids::short(&finding_id)),
                )
            })
        }
        Command::Photo(PhotoCommand::Add {
            id,
            file,
            caption,
            finding,
            mime,
            lat,
            lon,
            captured_at,
        }) => {
            let id = ids::inspection(&store, &id)?;
            let finding = match finding {
                Some(f) => Some(ids::Elements::of(&store, &id)?.name(&f)?),
                None => None,
            };
            let added = store.add_photo_file(
                id,
                file.display().to_string(),
                PhotoFields {
                    mime,
                    captured_at,
                    lat,
                    lon,
                    caption,
                    finding_id: finding,
                },
            )?;
            render::emit(json, &added.photo, || {
                format!(
                    "Attached photo {} ({} bytes, {})\n",
                    added.photo.sha256, added.photo.bytes, added.photo.mime
                )
            })
        }
        Command::Photo(PhotoCommand::Get { sha256, out }) => {
            let bytes = store.read_photo(sha256.clone())?;
            std::fs::write(&out, &bytes)
                .map_err(|e| CliError::Usage(format!("{}: {e}", out.display())))?;
            render::emit(
                json,
                &serde_json::json!({"sha256": sha256, "bytes": bytes.len(), "out": out}),
                || {
                    format!(
                        "Wrote {} bytes (verified) to {}\n",
                        bytes.len(),
                        out.display()
                    )
                },
            )
        }
        Command::Seizure(SeizureCommand::Set {
            id,
            case_ref,
            action,
            legal_basis,
            modus,
            storage,
            items,
        }) => {
            let id = ids::inspection(&store, &id)?;
            let items = if items.is_empty() {
                None
            } else {
                let elements = ids::Elements::of(&store, &id)?;
                Some(
                    items
                        .iter()
                        .map(|i| parse_item(&elements, i))
                        .collect::<CliResult<Vec<_>>>()?,
                )
            };
            let fields = SeizureFields {
                case_ref,
                action: action.map(|a| a.0),
                legal_basis,
                modus_operandi: if modus.is_empty() {
                    None
                } else {
                    Some(modus.into_iter().map(|m| m.0).collect())
                },
                storage_location: storage,
                items,
            };
            let view = store.set_seizure(id, fields, vec![])?;
            render::emit(json, &view, || {
                render::updated(&view, "Recorded the seizure of")
            })
        }
        Command::Custody(CustodyCommand::Add { id, entry }) => {
            let id = ids::inspection(&store, &id)?;
            let view = store.add_custody(id, entry.into_fields())?;
            render::emit(json, &view, || {
                render::updated(&view, "Added a custody entry to")
            })
        }
        Command::Custody(CustodyCommand::Correct {
            id,
            entry_id,
            entry,
        }) => {
            let id = ids::inspection(&store, &id)?;
            let entry_id = ids::Elements::of(&store, &id)?.name(&entry_id)?;
            let view = store.correct_custody(id, entry_id.clone(), entry.into_fields(), vec![])?;
            render::emit(json, &view, || {
                render::updated(
                    &view,
                    &format!("Corrected custody entry {} of", ids::short(&entry_id)),
                )
            })
        }
        Command::Photo(PhotoCommand::Set {
            id,
            sha256,
            caption,
            finding,
        }) => {
            let id = ids::inspection(&store, &id)?;
            let elements = ids::Elements::of(&store, &id)?;
            let sha256 = elements.name(&sha256)?;
            let finding = finding.map(|f| elements.name(&f)).transpose()?;
            let view = store.update_photo(
                id,
                sha256.clone(),
                PhotoEdit {
                    caption,
                    finding_id: finding,
                },
                vec![],
            )?;
            render::emit(json, &view, || {
                render::updated(&view, &format!("Updated photo {} of", ids::short(&sha256)))
            })
        }
        Command::Remove {
            id,
            list,
            element_id,
        } => {
            let id = ids::inspection(&store, &id)?;
            let element_id = ids::Elements::of(&store, &id)?.name(&element_id)?;
            let view = store.remove_element(id, list.0, element_id.clone())?;
            render::emit(json, &view, || {
                render::updated(&view, &format!("Removed {} from", ids::short(&element_id)))
            })
        }
        Command::Restore {
            id,
            list,
            element_id,
        } => {
            let id = ids::inspection(&store, &id)?;
            let element_id = ids::Elements::of(&store, &id)?.name(&element_id)?;
            let view = store.restore_element(id, list.0, element_id.clone())?;
            render::emit(json, &view, || {
                render::updated(&view, &format!("Restored {} in", ids::short(&element_id)))
            })
        }
        Command::Submit { id } => {
            let id = ids::inspection(&store, &id)?;
            let view = store.submit(id)?;
            render::emit(json, &view, || {
                format!("Submitted inspection {} for review\n", view.inspection.id)
            })
        }
        Command::List(filter) => {
            let rows = store.list_inspections(filter.into_filter())?;
            render::emit(json, &rows, || render::list(&rows))
        }
        Command::Show { id } => {
            let id = ids::inspection(&store, &id)?;
            let view = store.get_inspection(id)?;
            render::emit(json, &view, || render::inspection(&view))
        }
        Command::Enroll {
            server,
            code,
            name,
            ca_file,
            pin,
        } => {
            let ca_pem = match ca_file {
                Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                    CliError::Usage(format!("cannot read the CA file {}: {e}", path.display()))
                })?),
                None => None,
            };
            let trust = (ca_pem.is_some() || pin.is_some()).then_some(quayside_core::ServerTrust {
                ca_pem,
                pin_sha256: pin,
            });
            let e = store.enroll(server.clone(), code, name, trust)?;
            render::emit(json, &e, || {
                format!(
                    "Enrolled as {} ({}) at {} with {server}\n  device {}\n",
                    e.user,
                    e.role,
                    e.stations.join(", "),
                    e.device_id
                )
            })
        }
        Command::Sync { attempts } => {
            let observer: std::sync::Arc<dyn quayside_core::SyncObserver> =
                std::sync::Arc::new(render::ProgressLine::new(
                    !json && {
                        use std::io::IsTerminal;
                        std::io::stderr().is_terminal()
                    },
                ));
            let report = store.sync_with_retry(attempts, Some(observer))?;
            if report.wiped {
                // The store is gone: its key goes too.
                drop(store);
                keys.forget()?;
            }
            render::emit(json, &report, || render::sync_report(&report))
        }
        Command::Review(ReviewCommand::List) => {
            let rows = store.review_queue()?;
            render::emit(json, &rows, || render::list(&rows))
        }
        Command::Review(ReviewCommand::Approve {
            id,
            version,
            comment,
        }) => {
            let id = ids::inspection(&store, &id)?;
            let heads = resolve_version(&store, &id, &version)?;
            let r = store.approve(id, heads, comment)?;
            render::emit(json, &r, || render::review(&r))
        }
        Command::Review(ReviewCommand::Return {
            id,
            version,
            comment,
        }) => {
            let id = ids::inspection(&store, &id)?;
            let heads = resolve_version(&store, &id, &version)?;
            let r = store.return_inspection(id, heads, comment)?;
            render::emit(json, &r, || render::review(&r))
        }
        Command::Status => {
            let status = store.sync_status()?;
            render::emit(json, &status, || render::sync_status(&status))
        }
        Command::History { id } => {
            let id = ids::inspection(&store, &id)?;
            let history = store.history(id)?;
            render::emit(json, &history, || render::history(&history))
        }
    }
}

/// The heads a version string names (as `show` prints it: head prefixes joined by `+`). A
/// version that does not name exactly the inspection's current heads is one the person did not
/// read: the core then refuses the decision as stale, writing nothing.
fn resolve_version(store: &FieldStore, id: &str, version: &str) -> CliResult<Vec<String>> {
    let current = store.get_inspection(id.to_string())?.heads;
    version
        .split(['+', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|prefix| {
            if prefix.len() < 8 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(CliError::Usage(format!(
                    "malformed --version {version:?}: give the version `quayside show` prints"
                )));
            }
            let prefix = prefix.to_ascii_lowercase();
            // A prefix of no current head names a version this device no longer shows: keep it
            // as given, so the decision is refused as stale.
            Ok(current
                .iter()
                .find(|h| h.starts_with(&prefix))
                .cloned()
                .unwrap_or(prefix))
        })
        .collect()
}

/// Parses `FINDING_ID=KG` or `FINDING_ID=KG:CYLINDERS`.
fn parse_item(elements: &ids::Elements, spec: &str) -> CliResult<SeizedItem> {
    let bad = || {
        CliError::Usage(format!(
            "malformed --item {spec:?}: expected FINDING_ID=KG or FINDING_ID=KG:CYLINDERS"
        ))
    };
    let (finding_id, rest) = spec.split_once('=').ok_or_else(bad)?;
    let (kg, cylinders) = match rest.split_once(':') {
        Some((kg, c)) => (kg, Some(c.parse::<u32>().map_err(|_| bad())?)),
        None => (rest, None),
    };
    Ok(SeizedItem {
        finding_id: elements.name(finding_id)?,
        quantity_kg: kg.trim().parse().map_err(|_| bad())?,
        cylinders,
    })
}

/// Checks every row's approval signature in a seizure export; fails if any does not hold.
fn verify_export(file: &std::path::Path, json: bool) -> CliResult {
    let bad = |e: String| CliError::Usage(format!("{}: {e}", file.display()));
    let mut reader = csv::Reader::from_path(file).map_err(|e| bad(e.to_string()))?;
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    // The columns by name, as the server's column table writes them.
    use quayside_core::signing::exported as col;
    let mut at = std::collections::HashMap::new();
    for name in col::ALL {
        let i = headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no {name} column: not a Quayside seizure export")))?;
        at.insert(name, i);
    }
    let mut results = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| bad(e.to_string()))?;
        let get = |name: &str| {
            r.get(at[name])
                .unwrap_or("")
                .trim_start_matches('\'')
                .to_string()
        };
        let verdict = if get(col::APPROVAL_SIGNATURE).is_empty() {
            "not approved"
        } else if quayside_core::verify_approval(
            get(col::INSPECTION_ID),
            get(col::APPROVED_HEADS)
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            get(col::APPROVAL_COMMENT),
            get(col::APPROVED_BY),
            get(col::APPROVED_AT),
            get(col::APPROVAL_PUBLIC_KEY),
            get(col::APPROVAL_SIGNATURE),
        ) {
            "valid"
        } else {
            "INVALID"
        };
        results.push(serde_json::json!({"inspection_id": get(col::INSPECTION_ID), "finding_id": get(col::FINDING_ID), "approved_by": get(col::APPROVED_BY), "signature": verdict}));
    }
    let invalid = results
        .iter()
        .filter(|r| r["signature"] == "INVALID")
        .count();
    render::emit(json, &results, || {
        let mut o = String::new();
        for r in &results {
            o.push_str(&format!(
                "{}  {}  {}  {}\n",
                r["inspection_id"].as_str().unwrap_or(""),
                r["finding_id"].as_str().unwrap_or(""),
                r["approved_by"].as_str().unwrap_or(""),
                r["signature"].as_str().unwrap_or("")
            ));
        }
        o.push_str(&format!(
            "{} row(s), {invalid} with an invalid signature\n",
            results.len()
        ));
        o
    })?;
    if invalid > 0 {
        return Err(CliError::Usage(format!(
            "{invalid} approval signature(s) do not verify"
        )));
    }
    Ok(())
}
