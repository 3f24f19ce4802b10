//! A MySQL URL's `ssl_mode` on a build whose client library cannot take it.
//!
//! diesel hands `ssl_mode` to the client library as `MYSQL_OPT_SSL_MODE`. MySQL's
//! libmysqlclient honours it; MariaDB Connector/C (Debian's `libmariadb-dev`, the only
//! MySQL client library many distributions ship) has no such option, and diesel passes the
//! value on regardless, so that `?ssl_mode=required` would connect without TLS. What
//! Connector/C does instead: it uses TLS when the server offers it and `ssl_ca`,
//! `ssl_cert` or `ssl_key` is set, checks the server's certificate chain when `ssl_ca` is
//! set, never checks the host name (diesel cannot ask it to), and goes on without TLS when
//! the server offers none. So on such a build a URL asking for TLS is refused unless those
//! options make Connector/C use it, and a `required` connection is checked for encryption
//! once it is open; the modes that promise a verified server are refused.

use diesel::{Connection, MysqlConnection, QueryableByName, RunQueryDsl};

use super::MYSQL_SSL_MODES;
use crate::{DatabaseUrl, Error, Result};

/// Whether this build's MySQL client library honours `ssl_mode` (MySQL's libmysqlclient
/// does, MariaDB Connector/C does not).
pub const CLIENT_HONOURS_SSL_MODE: bool = mysqlclient_sys::SUPPORTS_MYSQL_SSL_MODE;

/// What the errors say of a client library that ignores `ssl_mode`.
const CONNECTOR_C: &str = "this build's MySQL client library is MariaDB Connector/C, which \
                           diesel cannot ask for `ssl_mode`";

/// The way to every `ssl_mode`, for the modes Connector/C cannot give.
const LIBMYSQLCLIENT: &str = "build on MySQL's libmysqlclient (mysqlclient-sys's `bundled` \
                              feature, or `MYSQLCLIENT_LIB_DIR` and `MYSQLCLIENT_VERSION` \
                              naming an installed one), which honours every `ssl_mode`";

/// The options naming a file whose presence makes Connector/C use TLS.
const TLS_FILES: [&str; 3] = ["ssl_ca", "ssl_cert", "ssl_key"];

/// What a MySQL connection is checked for once it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Nothing: the URL does not insist on TLS, or the client library enforces it.
    Nothing,
    /// That the server encrypts the session: Connector/C would go on without TLS.
    Encrypted,
}

/// Opens a MySQL connection for `url` that does what its `ssl_mode` asks, or refuses it.
pub(super) fn establish(url: &DatabaseUrl) -> Result<MysqlConnection> {
    let Ok(mut parsed) = url::Url::parse(url.as_str()) else {
        // `DatabaseUrl::parse` has refused a MySQL URL the `url` crate cannot read.
        return Ok(MysqlConnection::establish(url.as_str())?);
    };
    // diesel takes the last of repeated options, so `ssl_mode=required&ssl_mode=disabled`
    // would quietly be without TLS: a TLS option given twice must say one thing.
    if let Some((option, values)) = conflicting_tls_option(&parsed) {
        return Err(Error::InvalidConnectionOption {
            url: url.to_string(),
            reason: format!(
                "given more than once with different values ({values}), of which only the \
                 last would count; keep one"
            ),
            option,
        });
    }
    if CLIENT_HONOURS_SSL_MODE {
        return Ok(MysqlConnection::establish(url.as_str())?);
    }
    // diesel hands an empty `ssl_ca=` on as a file named "", which makes Connector/C try
    // TLS: `ssl_mode=disabled` with it would not be without TLS.
    if let Some((option, _)) = parsed
        .query_pairs()
        .find(|(key, value)| TLS_FILES.contains(&key.as_ref()) && value.is_empty())
    {
        return Err(Error::InvalidConnectionOption {
            url: url.to_string(),
            reason: format!(
                "an empty path, which this build's MySQL client library (MariaDB \
                 Connector/C) takes for a file to use TLS with; give the file's path, or leave \
                 `{option}` out"
            ),
            option: option.into_owned(),
        });
    }
    // diesel reads the last of repeated options.
    let Some(mode) = parsed
        .query_pairs()
        .filter(|(key, _)| key == "ssl_mode")
        .last()
        .map(|(_, value)| value.into_owned())
    else {
        return Ok(MysqlConnection::establish(url.as_str())?);
    };
    let files = parsed
        .query_pairs()
        .any(|(key, _)| TLS_FILES.contains(&key.as_ref()));
    let check =
        connector_c_check(&mode, files).map_err(|reason| Error::InvalidConnectionOption {
            url: url.to_string(),
            option: "ssl_mode".into(),
            reason,
        })?;
    // Connector/C does not know the option diesel would set for `ssl_mode` (its bindings
    // put the server public key option in its place), so it is left out.
    let rest: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(key, _)| key != "ssl_mode")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if rest.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(rest);
    }
    let mut conn = MysqlConnection::establish(parsed.as_str())?;
    if check == Check::Encrypted && cipher(&mut conn)?.is_empty() {
        return Err(Error::Connection(diesel::ConnectionError::BadConnection(
            format!(
                "the server of the database URL `{url}` did not encrypt the connection, which \
                 `ssl_mode={mode}` asks for ({CONNECTOR_C}, and it goes on without TLS when \
                 the server offers none); enable TLS on the server (its `ssl_cert` and \
                 `ssl_key` settings); nothing was run"
            ),
        )));
    }
    Ok(conn)
}

/// The first TLS option (`ssl_mode`, `ssl_ca`, `ssl_cert`, `ssl_key`) that `url` gives
/// more than once with different values (`ssl_mode` in any case), and those values.
fn conflicting_tls_option(url: &url::Url) -> Option<(String, String)> {
    ["ssl_mode"]
        .into_iter()
        .chain(TLS_FILES)
        .find_map(|option| {
            let mut values: Vec<String> = Vec::new();
            for (key, value) in url.query_pairs() {
                let value = if option == "ssl_mode" {
                    value.to_ascii_lowercase()
                } else {
                    value.into_owned()
                };
                if key == option && !values.contains(&value) {
                    values.push(value);
                }
            }
            (values.len() > 1).then(|| {
                let listed: Vec<String> = values.iter().map(|value| format!("`{value}`")).collect();
                (option.to_owned(), listed.join(", "))
            })
        })
}

/// What Connector/C can make of `ssl_mode` = `mode` (any case), with `ssl_ca`, `ssl_cert`
/// or `ssl_key` set (`files`) or none of them: the check the connection needs, or why the
/// URL is refused.
fn connector_c_check(mode: &str, files: bool) -> std::result::Result<Check, String> {
    match mode.to_ascii_lowercase().as_str() {
        "disabled" if files => Err(format!(
            "{CONNECTOR_C}: it uses TLS whenever `ssl_ca`, `ssl_cert` or `ssl_key` is set; \
             drop those options or `ssl_mode=disabled`"
        )),
        "disabled" => Ok(Check::Nothing),
        "preferred" if !files => Err(format!(
            "{CONNECTOR_C}: it tries TLS only when `ssl_ca`, `ssl_cert` or `ssl_key` is set, \
             so this URL would never use TLS; add `ssl_ca=PATH` (the CA that signed the \
             server's certificate), or write `ssl_mode=required&ssl_ca=PATH` to insist on TLS"
        )),
        "preferred" => Ok(Check::Nothing),
        "required" if !files => Err(format!(
            "{CONNECTOR_C}: it uses TLS only when `ssl_ca`, `ssl_cert` or `ssl_key` is set, \
             so this URL would connect unencrypted; add `ssl_ca=PATH` (the CA that signed \
             the server's certificate, which it then checks the certificate against), and \
             migrate makes sure that the connection is encrypted"
        )),
        "required" => Ok(Check::Encrypted),
        "verify_ca" => Err(format!(
            "{CONNECTOR_C}: it checks the server's certificate against `ssl_ca` when TLS is \
             used, but cannot be told to refuse a server, or an attacker in between, that \
             offers no TLS; write `ssl_mode=required&ssl_ca=PATH` (migrate then asks the \
             server whether the session is encrypted, an answer such an attacker could \
             fake), or {LIBMYSQLCLIENT}"
        )),
        "verify_identity" => Err(format!(
            "{CONNECTOR_C}: it never checks the server's certificate against its host name, \
             nor refuses a server that offers no TLS; write `ssl_mode=required&ssl_ca=PATH` \
             for TLS with the certificate checked against that CA but not the host name, or \
             {LIBMYSQLCLIENT}"
        )),
        _ => Err(format!("unknown ssl_mode; use one of {MYSQL_SSL_MODES}")),
    }
}

/// One row of `SHOW STATUS`.
#[derive(QueryableByName)]
struct Status {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = Value)]
    value: String,
}

/// The cipher of `conn`'s TLS session as the server reports it, empty without TLS.
fn cipher(conn: &mut MysqlConnection) -> Result<String> {
    let rows: Vec<Status> =
        diesel::sql_query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").load(conn)?;
    Ok(rows
        .into_iter()
        .next()
        .map(|row| row.value)
        .unwrap_or_default())
}

/// What `unknown_mysql_option` suggests for a libpq-style TLS option.
pub(super) fn tls_hint() -> String {
    if CLIENT_HONOURS_SSL_MODE {
        format!("; for TLS write `ssl_mode=` with one of {MYSQL_SSL_MODES}")
    } else {
        "; for TLS write `ssl_mode=required&ssl_ca=PATH` (this build's MySQL client library, \
         MariaDB Connector/C, uses TLS only when `ssl_ca`, `ssl_cert` or `ssl_key` is set)"
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_c_takes_the_modes_it_can_honour_and_refuses_the_others() {
        let refused = |mode: &str, files: bool, says: &str| {
            let reason = connector_c_check(mode, files).unwrap_err();
            assert!(reason.contains(says), "{mode}, {files}: {reason}");
        };
        assert_eq!(connector_c_check("disabled", false), Ok(Check::Nothing));
        refused("disabled", true, "drop those options");
        refused("preferred", false, "would never use TLS");
        assert_eq!(connector_c_check("Preferred", true), Ok(Check::Nothing));
        refused("required", false, "would connect unencrypted");
        assert_eq!(connector_c_check("REQUIRED", true), Ok(Check::Encrypted));
        for files in [false, true] {
            refused("verify_ca", files, "cannot be told to refuse");
            refused("verify_identity", files, "host name");
        }
        refused("bogus", true, "`verify_identity`");
    }

    #[test]
    fn a_tls_option_given_twice_with_different_values_is_refused_before_connecting() {
        let conflict = |query: &str| {
            conflicting_tls_option(&url::Url::parse(&format!("mysql://u@h/db?{query}")).unwrap())
        };
        assert_eq!(
            conflict("ssl_mode=required&ssl_mode=disabled"),
            Some(("ssl_mode".into(), "`required`, `disabled`".into()))
        );
        assert_eq!(
            conflict("ssl_ca=/a.pem&ssl_mode=required&ssl_ca=/b.pem"),
            Some(("ssl_ca".into(), "`/a.pem`, `/b.pem`".into()))
        );
        // The same value twice, in any case for the mode, says one thing.
        assert_eq!(conflict("ssl_mode=required&ssl_mode=REQUIRED"), None);
        assert_eq!(conflict("ssl_mode=required&ssl_ca=/a.pem"), None);
        // Refused before any connection is tried: port 1 would refuse one.
        let url = DatabaseUrl::parse(
            "mysql://root:s3cret@127.0.0.1:1/test?ssl_mode=required&ssl_ca=/a.pem&ssl_mode=disabled",
        )
        .unwrap();
        let error = establish(&url).err().expect("refused");
        let text = error.to_string();
        assert!(
            matches!(&error, Error::InvalidConnectionOption { option, .. } if option == "ssl_mode"),
            "{text}"
        );
        assert!(
            text.contains("more than once") && text.contains("`disabled`"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
    }
}
