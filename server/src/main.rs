//! `quayside-server`: runs the agency server, and administers it (stations, users, enrolment
//! codes, devices) from the command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use quayside_server::backup;
use quayside_server::db::Db;

/// Quayside agency server.
#[derive(Debug, Parser)]
#[command(name = "quayside-server", version, about)]
struct Cli {
    /// Data directory (the embedded database, unless --database is given, and photos).
    #[arg(
        long,
        env = "QUAYSIDE_SERVER_DATA",
        default_value = "quayside-server-data",
        global = true
    )]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Seed demo stations, users, enrolment codes and inspections into an empty server.
    #[arg(long)]
    demo: bool,
    /// Enrolment attempts one client address may make per minute.
    #[arg(long, env = "QUAYSIDE_ENROL_PER_MINUTE", default_value_t = quayside_server::app::ENROL_PER_MINUTE)]
    enrol_per_minute: u32,
    /// A load balancer (address or network, e.g. 10.0.0.0/8) whose X-Forwarded-For header names
    /// the client, so that limits per client address count clients, not the balancer; may be
    /// given several times (the environment variable: comma-separated). None by default: the
    /// header is then ignored, as anyone can send it.
    #[arg(
        long = "trusted-proxy",
        env = "QUAYSIDE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = trusted_proxy
    )]
    trusted_proxies: Vec<String>,
    /// Serve HTTPS with this PEM certificate (chain); needs --tls-key.
    #[arg(long, env = "QUAYSIDE_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "QUAYSIDE_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Keep the records in PostgreSQL instead of the embedded SQLite file: a URL such as
    /// postgres://quayside@db.example:5432/quayside (the database must use the C collation).
    /// Several servers may share one database.
    #[arg(long, env = "QUAYSIDE_DATABASE", global = true)]
    database: Option<String>,
    /// Connections this server keeps to PostgreSQL at most (default: twice its processor
    /// cores, from 4 to 16). Every server sharing the database keeps its own: together they
    /// must stay under PostgreSQL's max_connections.
    #[arg(long, env = "QUAYSIDE_DATABASE_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    database_connections: Option<u32>,
    /// Keep the photos in an S3-compatible object store instead of DATA/blobs:
    /// s3://BUCKET[/PREFIX]?endpoint=https://host[&region=R][&style=path|virtual], with the
    /// credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Several servers may share one
    /// store (with one --database).
    #[arg(long, env = "QUAYSIDE_BLOBS", global = true)]
    blobs: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Administer stations, users and devices.
    #[command(subcommand)]
    Admin(Admin),
    /// Copy the server's data (database and photos) to a new directory, consistently, while
    /// the server keeps running; the copy is checked and described in its backup.json.
    Backup {
        /// A directory that does not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
    /// Check a backup against its backup.json (database and every photo re-hashed).
    VerifyBackup { dir: PathBuf },
    /// Make --data (which must hold no server) a server from a backup, after checking it.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Move a stopped embedded server's records into an empty PostgreSQL database and check
    /// the copy (every table's rows and their SHA-256), and with --blobs its photos into an
    /// object store (each read back and re-hashed); the source is only read. Then run the
    /// server with --database URL (and --blobs ADDRESS, or --data DIR for the photos).
    Migrate {
        /// The embedded server's data directory.
        #[arg(long)]
        from: PathBuf,
        /// The PostgreSQL database (postgres://...), created with the C collation.
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
enum Admin {
    /// Add a station (UN/LOCODE).
    Station {
        locode: String,
        #[arg(long)]
        country: String,
        #[arg(long)]
        name: String,
    },
    /// Add a user: officer, supervisor, ozone_analyst or admin.
    User {
        name: String,
        #[arg(long)]
        role: String,
        /// Repeatable.
        #[arg(long = "station")]
        stations: Vec<String>,
        /// For analysts: the country they report for.
        #[arg(long)]
        country: Option<String>,
    },
    /// A one-time enrolment code for a user's device.
    EnrollCode {
        user: String,
        #[arg(long, default_value_t = 72)]
        hours: i64,
    },
    /// An API token for a user (administrators, analysts).
    Token { user: String },
    /// List devices.
    Devices,
    /// List users.
    Users,
    /// Revoke a device: its token is refused from now on.
    Revoke {
        device_id: String,
        /// Also order the phone to wipe its store: on its next contact it pushes what it
        /// recorded, then deletes everything it holds.
        #[arg(long)]
        wipe: bool,
    },
}

/// A `--trusted-proxy` checked as the command line is read, before anything is done.
fn trusted_proxy(entry: &str) -> Result<String, String> {
    quayside_server::client_address::TrustedProxies::parse(&[entry.to_string()])
        .map(|_| entry.trim().to_string())
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A progress line on standard error, rewritten in place.
fn show(p: &backup::Progress) {
    let mb = |b: u64| b as f64 / 1_000_000.0;
    match p {
        backup::Progress::Database { bytes } => {
            eprintln!("database: {:.1} MB copied and checked", mb(*bytes))
        }
        backup::Progress::Photos { done, total, bytes } => {
            eprint!(
                "\rphotos: {done}/{total} ({:.1} MB) copied and checked",
                mb(*bytes)
            );
            if done == total {
                eprintln!();
            }
        }
    }
}

fn describe(m: &backup::Manifest) -> String {
    let c = &m.counts;
    format!(
        "taken {} (schema {}): {} inspections, {} reviews, {} photos, {} users, {} devices, {} stations",
        m.created_at,
        m.schema,
        c.inspections,
        c.reviews,
        m.photos.len(),
        c.users,
        c.devices,
        c.stations
    )
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    if (cli.database.is_some() || cli.blobs.is_some())
        && matches!(
            cli.command,
            Some(Command::Backup { .. } | Command::Restore { .. })
        )
    {
        return Err("backup and restore copy the embedded database and DATA/blobs; back up PostgreSQL with its own tools (pg_dump, or continuous archiving) and keep the object store's versioning on, as README says".into());
    }
    match &cli.command {
        Some(Command::Backup { to }) => {
            let m = backup::backup(&cli.data, to, &mut show)?;
            println!("backup in {}: {}", to.display(), describe(&m));
            return Ok(());
        }
        Some(Command::VerifyBackup { dir }) => {
            let m = backup::verify(dir, &mut show)?;
            println!("backup in {} is whole: {}", dir.display(), describe(&m));
            return Ok(());
        }
        Some(Command::Migrate { from, to }) => {
            let moved = quayside_server::migrate::migrate(from, to, &mut |p| match p {
                quayside_server::migrate::Progress::Copying { table, done, total } => {
                    eprint!("\r{table}: {done}/{total} rows copied");
                    if done == total {
                        eprintln!();
                    }
                }
                quayside_server::migrate::Progress::Checked(_) => {}
            })?;
            let photos = match &cli.blobs {
                Some(address) => Some(quayside_server::migrate::migrate_photos(
                    from,
                    address,
                    &mut |done, total| {
                        eprint!("\rphotos: {done}/{total} copied and checked");
                        if done == total {
                            eprintln!();
                        }
                    },
                )?),
                None => None,
            };
            println!(
                "{:<20} {:>9}  SHA-256 of the rows, both sides",
                "table", "rows"
            );
            for m in &moved {
                println!("{:<20} {:>9}  {}", m.table, m.rows, m.sha256);
            }
            let to_shown = quayside_server::pg::shown_url(to);
            match (photos, &cli.blobs) {
                (Some(n), Some(address)) => println!(
                    "moved and checked {} tables into {to_shown} and {n} photos into {address}; {} was only read.\nStart the server with: quayside-server --data DIR --database '{to_shown}' --blobs '{address}'",
                    moved.len(),
                    from.display(),
                ),
                _ => println!(
                    "moved and checked {} tables into {to_shown}; {} was only read.\nStart the server with: quayside-server --data {} --database '{to_shown}' (its photos stay in {}/blobs)",
                    moved.len(),
                    from.display(),
                    from.display(),
                    from.display()
                ),
            }
            return Ok(());
        }
        Some(Command::Restore { from }) => {
            let r = backup::restore(from, &cli.data, &mut show)?;
            println!(
                "restored into {}: {}\nrestore id {}: devices that sync with it offer everything they hold again.",
                cli.data.display(),
                describe(&r.manifest),
                r.restore_id
            );
            println!(
                "Before you start it: devices enrolled after the backup must enrol again, and devices revoked after it are active again: revoke them again (`quayside-server --data {} admin devices`, `admin revoke ID`).",
                cli.data.display()
            );
            return Ok(());
        }
        _ => {}
    }
    if let Some(Command::Admin(admin)) = cli.command {
        // Administering a server that does not exist is a mistake (a missing --data), not a
        // reason to create an empty one in the working directory.
        if cli.database.is_none() && !cli.data.join(quayside_server::db::DB_FILE).is_file() {
            return Err(format!(
                "no Quayside server data in {}: pass --data DIR (or set QUAYSIDE_SERVER_DATA) to                  the directory the server runs on; start the server once to create it",
                cli.data.display()
            )
            .into());
        }
        let db = Db::open_with(&cli.data, cli.database.as_deref())?;
        match admin {
            Admin::Station {
                locode,
                country,
                name,
            } => println!("station {}", db.add_station(&locode, &country, &name)?),
            Admin::User {
                name,
                role,
                stations,
                country,
            } => {
                let u = db.add_user(&name, &role, &stations, country.as_deref())?;
                println!(
                    "user {} ({}) stations {}",
                    u.name,
                    u.role,
                    u.stations.join(",")
                );
            }
            Admin::EnrollCode { user, hours } => {
                println!("{}", db.create_enrol_code(&user, hours)?)
            }
            Admin::Token { user } => println!("{}", db.create_api_token(&user)?),
            Admin::Devices => println!("{}", serde_json::to_string_pretty(&db.devices()?)?),
            Admin::Users => println!("{}", serde_json::to_string_pretty(&db.users()?)?),
            Admin::Revoke { device_id, wipe } => {
                db.revoke_device(&device_id, wipe)?;
                if wipe {
                    println!("revoked {device_id}; it wipes its store on its next contact");
                } else {
                    println!("revoked {device_id}");
                }
            }
        }
        return Ok(());
    }
    {
        let db = Db::open_with(&cli.data, cli.database.as_deref())?;
        if !db.has_users()? {
            db.add_user("admin", "admin", &[], None)?;
            let token = db.create_api_token("admin")?;
            println!("First start: created user `admin`. Its API token (shown once):\n  {token}");
            println!(
                "Add stations and users with `quayside-server --data {} admin ...` or the /v1/admin API.",
                cli.data.display()
            );
            if cli.demo {
                let info = quayside_server::demo::seed(&db)?;
                println!(
                    "\nDemo data: stations GHTEM, GHTKD, NLRTM; officers ama and kofi, supervisor esi (GHTEM), analyst nana (GH); 5 inspections, 4 submitted for review."
                );
                for (user, code) in &info.codes {
                    println!("  enrolment code for {user}: {code}");
                }
                println!("  analyst token for nana: {}", info.analyst_token);
                for (user, code) in &info.console_codes {
                    println!("  console sign-in code for {user}: {code}");
                }
            }
        } else if cli.demo {
            println!("--demo: this server already has data; nothing seeded");
        }
    }
    let server = quayside_server::Server::start_with(
        &cli.data,
        &cli.listen,
        quayside_server::Options {
            enrol_per_minute: cli.enrol_per_minute,
            trusted_proxies: cli.trusted_proxies.clone(),
            tls: cli.tls_cert.clone().zip(cli.tls_key.clone()),
            database: cli.database.clone(),
            database_connections: cli
                .database_connections
                .unwrap_or_else(quayside_server::pg::default_connections),
            blobs: cli.blobs.clone(),
        },
    )?;
    println!(
        "\nQuayside server listening on {} (data in {})",
        server.url(),
        cli.data.display()
    );
    println!(
        "Enrol a device:  quayside --store DIR init --user ama --station GHTEM && quayside --store DIR enroll --server {} --code CODE",
        server.url()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async { tokio::signal::ctrl_c().await })?;
    println!("shutting down");
    server.stop();
    Ok(())
}
