//! `hearth admin` account commands: run against the data directory (or database) of an
//! instance, through the same use cases as the server.
//!
//! They run in their own process, so the sessions they end are ended in the database — no
//! refresh works again, at once — but a running server, which checks access tokens without
//! the database, honours an access token already issued until it expires
//! (`auth.access_token_ttl_secs`; see docs/accounts.md). Must never print a password.

use std::io::{BufRead, Write};

use hearth_app::App;
use hearth_server::cli::{PasswordArgs, ResetPasswordArgs, UsernameArgs};
use hearth_server::{Config, StartupError};
use hearth_store::DynStore;

/// A password from a flag or `HEARTH_ADMIN_PASSWORD`, or the first line of standard input.
pub(crate) fn password(from: PasswordArgs) -> Result<String, StartupError> {
    match (from.password, from.password_stdin) {
        (Some(password), _) => Ok(password),
        (None, true) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                StartupError::Config(format!("cannot read the password from standard input: {e}"))
            })?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
        (None, false) => Err(StartupError::Config(
            "give the password with --password-stdin, HEARTH_ADMIN_PASSWORD or --password"
                .to_owned(),
        )),
    }
}

/// The use cases over the instance's store, for one command (close the store after).
pub(crate) async fn offline_app(config: &Config) -> Result<(App, DynStore), StartupError> {
    let store = hearth_server::open_store(config).await?;
    // No sockets here, but the use cases announce what they do: in-process ports with no
    // connection take it and drop it.
    let realtime = hearth_realtime::InProcess::new(Default::default());
    let secret = hearth_server::signing_secret(config, &store).await?;
    let app = hearth_server::build_app(config, store.clone(), secret, realtime.ports.clone())?;
    Ok((app, store))
}

/// `hearth admin reset-password`.
pub(crate) async fn reset_password(
    config: &Config,
    args: ResetPasswordArgs,
) -> Result<(), StartupError> {
    let password = password(args.password)?;
    let (app, store) = offline_app(config).await?;
    let reset = app
        .accounts
        .admin_reset_password(&args.username, &password)
        .await;
    store.close().await;
    let user =
        reset.map_err(|e| StartupError::Config(format!("cannot reset the password: {e}")))?;
    eprintln!(
        "password of {} ({}) set; every session of theirs has ended",
        user.username.as_str(),
        user.id
    );
    Ok(())
}

/// `hearth admin list-users`: one line per account on standard output.
pub(crate) async fn list_users(config: &Config) -> Result<(), StartupError> {
    let (app, store) = offline_app(config).await?;
    let listed = app.accounts.list().await;
    store.close().await;
    let accounts =
        listed.map_err(|e| StartupError::Config(format!("cannot list the users: {e}")))?;
    let mut out = std::io::stdout().lock();
    let write = |out: &mut std::io::StdoutLock<'_>, line: String| {
        writeln!(out, "{line}")
            .map_err(|e| StartupError::Config(format!("cannot write the list: {e}")))
    };
    write(
        &mut out,
        format!(
            "{:<32} {:<36} {:<32} {:<8} CREATED",
            "USERNAME", "ID", "E-MAIL", "STATE"
        ),
    )?;
    for account in accounts {
        let created = account
            .user
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        write(
            &mut out,
            format!(
                "{:<32} {:<36} {:<32} {:<8} {created}",
                account.user.username.as_str(),
                account.user.id.to_string(),
                account.email.as_deref().unwrap_or("-"),
                if account.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                },
            ),
        )?;
    }
    Ok(())
}

/// `hearth admin disable-user` / `enable-user`.
pub(crate) async fn set_disabled(
    config: &Config,
    args: UsernameArgs,
    disabled: bool,
) -> Result<(), StartupError> {
    let (app, store) = offline_app(config).await?;
    let changed = app.accounts.set_disabled(&args.username, disabled).await;
    store.close().await;
    let user = changed.map_err(|e| StartupError::Config(format!("cannot change the user: {e}")))?;
    let what = if disabled {
        "disabled; every session of theirs has ended"
    } else {
        "enabled"
    };
    eprintln!("{} ({}) {what}", user.username.as_str(), user.id);
    Ok(())
}
