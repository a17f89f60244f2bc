//! The store's one door to a database: SQLite, embedded, or PostgreSQL, a server, chosen
//! when a store opens.
//!
//! Every query is written once, in the SQL both databases understand (`ON CONFLICT`,
//! `RETURNING`, `IS DISTINCT FROM`, window functions), with `?N` parameters.
//! [`postgres_sql`] renders it for PostgreSQL: `$N` parameters and `ILIKE` for `LIKE`
//! (SQLite's `LIKE` ignores ASCII case, PostgreSQL's does not). Values cross as five
//! kinds (null, integer, real, text, blob), converted to whatever column type the
//! server asks for, so one query binds the same Rust values on both.
//!
//! The API follows rusqlite's, which the store was first written against. Nothing of
//! either driver leaves this module: errors are [`Error`], rows are [`Row`].

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::mpsc;

use postgres::types::{IsNull, Kind as PgKind, Type};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which database a connection speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What went wrong, without the driver's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A query that must return a row returned none.
    NoRows,
    /// A unique key is taken; the columns, comma-separated.
    Unique { columns: String },
    /// A reference to a missing row, or a row still referred to.
    Reference,
    /// A `CHECK` or `NOT NULL` rule.
    Check,
    /// The database is busy (locked, or a serialization failure): try again.
    Busy,
    /// A column's value is not what the program reads it as.
    Conversion { column: usize },
    /// Anything else: the connection, the SQL, the disk.
    Other,
}

/// A database failure. Its message is the database's own, for logs and operators.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn conversion(column: usize, message: impl fmt::Display) -> Error {
        Error {
            kind: ErrorKind::Conversion { column },
            message: format!("column {column}: {message}"),
        }
    }

    pub(crate) fn other(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Other,
            message: message.into(),
        }
    }

    fn no_rows() -> Error {
        Error {
            kind: ErrorKind::NoRows,
            message: "query returned no rows".into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        use rusqlite::ffi;
        let message = e.to_string();
        let kind = match &e {
            rusqlite::Error::QueryReturnedNoRows => ErrorKind::NoRows,
            rusqlite::Error::SqliteFailure(err, detail) => match err.code {
                rusqlite::ErrorCode::ConstraintViolation => match err.extended_code {
                    ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
                        // "UNIQUE constraint failed: enterprises.credit_code"
                        let detail = detail.clone().unwrap_or_default();
                        let columns = detail
                            .split_once(": ")
                            .map(|(_, cols)| cols)
                            .unwrap_or(&detail)
                            .split(", ")
                            .map(|c| c.rsplit('.').next().unwrap_or(c))
                            .collect::<Vec<_>>()
                            .join(", ");
                        ErrorKind::Unique { columns }
                    }
                    ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::Reference,
                    _ => ErrorKind::Check,
                },
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                    ErrorKind::Busy
                }
                _ => ErrorKind::Other,
            },
            rusqlite::Error::FromSqlConversionFailure(column, _, _)
            | rusqlite::Error::InvalidColumnType(column, _, _)
            | rusqlite::Error::IntegralValueOutOfRange(column, _) => {
                ErrorKind::Conversion { column: *column }
            }
            _ => ErrorKind::Other,
        };
        let message = match (&e, &kind) {
            (rusqlite::Error::SqliteFailure(_, Some(detail)), _) => detail.clone(),
            _ => message,
        };
        Error { kind, message }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        use postgres::error::SqlState;
        let Some(db) = e.as_db_error() else {
            return Error::other(e.to_string());
        };
        let code = db.code();
        let kind = if *code == SqlState::UNIQUE_VIOLATION {
            // detail: "Key (input_node_id, output_node_id)=(1, 2) already exists."
            let columns = db
                .detail()
                .and_then(|d| d.strip_prefix("Key ("))
                .and_then(|d| d.split_once(")="))
                .map(|(cols, _)| cols.to_string())
                .unwrap_or_else(|| db.constraint().unwrap_or("key").to_string());
            ErrorKind::Unique { columns }
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            ErrorKind::Reference
        } else if *code == SqlState::CHECK_VIOLATION || *code == SqlState::NOT_NULL_VIOLATION {
            ErrorKind::Check
        } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::LOCK_NOT_AVAILABLE
        {
            ErrorKind::Busy
        } else {
            ErrorKind::Other
        };
        let message = match db.detail() {
            Some(detail) => format!("{}: {detail}", db.message()),
            None => db.message().to_string(),
        };
        Error { kind, message }
    }
}

/// `.optional()` on a query that may find nothing.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.kind == ErrorKind::NoRows => Ok(None),
            Err(e) => Err(e),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Values

/// An owned value, for parameters built at run time.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A borrowed value: a parameter on its way in, or a column on its way out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Integer(_) => "integer",
            ValueRef::Real(_) => "real",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "blob",
        }
    }
}

/// A parameter as an owned value (rows gathered for [`Connection::copy_in`]).
pub fn owned(value: &(impl ToSql + ?Sized)) -> Value {
    owned_ref(value.value_ref())
}

fn owned_ref(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Integer(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(t) => Value::Text(t.to_string()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// A Rust value that can be bound as a parameter.
pub trait ToSql {
    fn value_ref(&self) -> ValueRef<'_>;
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn value_ref(&self) -> ValueRef<'_> {
        (**self).value_ref()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn value_ref(&self) -> ValueRef<'_> {
        match self {
            Some(v) => v.value_ref(),
            None => ValueRef::Null,
        }
    }
}

macro_rules! integer_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn value_ref(&self) -> ValueRef<'_> {
                ValueRef::Integer(*self as i64)
            }
        }
    )*};
}
integer_to_sql!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl ToSql for bool {
    fn value_ref(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::from(*self))
    }
}

impl ToSql for f64 {
    fn value_ref(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}

impl ToSql for f32 {
    fn value_ref(&self) -> ValueRef<'_> {
        ValueRef::Real(f64::from(*self))
    }
}

impl ToSql for str {
    fn value_ref(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToSql for String {
    fn value_ref(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToSql for [u8] {
    fn value_ref(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToSql for Vec<u8> {
    fn value_ref(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToSql for Value {
    fn value_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(n) => ValueRef::Integer(*n),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Integer(n)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// A column read as a Rust value.
pub trait FromSql: Sized {
    fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String>;
}

fn wrong(value: ValueRef<'_>, wanted: &str) -> String {
    format!("expected {wanted}, found {}", value.kind())
}

macro_rules! integer_from_sql {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String> {
                match value {
                    ValueRef::Integer(n) => <$t>::try_from(n)
                        .map_err(|_| format!("{n} is out of range for {}", stringify!($t))),
                    other => Err(wrong(other, "integer")),
                }
            }
        }
    )*};
}
integer_from_sql!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl FromSql for bool {
    fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Integer(n) => Ok(n != 0),
            other => Err(wrong(other, "integer")),
        }
    }
}

impl FromSql for f64 {
    fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(n) => Ok(n as f64),
            other => Err(wrong(other, "real")),
        }
    }
}

impl FromSql for String {
    fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Text(s) => Ok(s.to_string()),
            other => Err(wrong(other, "text")),
        }
    }
}

impl FromSql for Vec<u8> {
    fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            ValueRef::Text(s) => Ok(s.as_bytes().to_vec()),
            other => Err(wrong(other, "blob")),
        }
    }
}

impl FromSql for Value {
    fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        Ok(match value {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Integer(n),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_string()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_value(value: ValueRef<'_>) -> std::result::Result<Self, String> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parameters

/// The parameters of one statement.
pub trait Params {
    fn values(&self) -> Vec<ValueRef<'_>>;
}

impl Params for [&dyn ToSql; 0] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        Vec::new()
    }
}

impl Params for &[&dyn ToSql] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(|p| p.value_ref()).collect()
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn values(&self) -> Vec<ValueRef<'_>> {
                self.iter().map(ToSql::value_ref).collect()
            }
        }
        impl<T: ToSql> Params for &[T; $n] {
            fn values(&self) -> Vec<ValueRef<'_>> {
                self.iter().map(ToSql::value_ref).collect()
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20);

macro_rules! tuple_params {
    ($(($($t:ident $i:tt),*))*) => {$(
        impl<$($t: ToSql),*> Params for ($($t,)*) {
            fn values(&self) -> Vec<ValueRef<'_>> {
                vec![$(self.$i.value_ref()),*]
            }
        }
    )*};
}
tuple_params!((A 0) (A 0, B 1) (A 0, B 1, C 2) (A 0, B 1, C 2, D 3) (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5));

/// Parameters from an iterator of values (a filter built at run time).
pub struct ParamsFromIter<T>(Vec<T>);

pub fn params_from_iter<I>(iter: I) -> ParamsFromIter<I::Item>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    ParamsFromIter(iter.into_iter().collect())
}

impl<T: ToSql> Params for ParamsFromIter<T> {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.0.iter().map(ToSql::value_ref).collect()
    }
}

/// `params![a, b, c]`: positional parameters of mixed types.
#[macro_export]
#[doc(hidden)]
macro_rules! __store_params {
    () => { &[] as &[&dyn $crate::db::ToSql] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::db::ToSql),+] as &[&dyn $crate::db::ToSql] };
}
pub(crate) use crate::__store_params as params;

struct SqliteParam<'a>(ValueRef<'a>);

impl rusqlite::ToSql for SqliteParam<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as R};
        Ok(ToSqlOutput::Borrowed(match self.0 {
            ValueRef::Null => R::Null,
            ValueRef::Integer(n) => R::Integer(n),
            ValueRef::Real(f) => R::Real(f),
            ValueRef::Text(s) => R::Text(s.as_bytes()),
            ValueRef::Blob(b) => R::Blob(b),
        }))
    }
}

fn sqlite_params<'a>(values: &'a [ValueRef<'a>]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(values.iter().map(|v| SqliteParam(*v)))
}

/// A parameter for PostgreSQL: converted to the type the server inferred for its place,
/// as SQLite converts by a column's affinity.
#[derive(Debug)]
struct PgParam<'a>(ValueRef<'a>);

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl postgres::types::ToSql for PgParam<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        let text_like = matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        );
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::FLOAT8 => (n as f64).to_sql(ty, out),
                Type::FLOAT4 => (n as f32).to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                Type::NUMERIC => {
                    encode_numeric(n, out);
                    Ok(IsNull::No)
                }
                _ if text_like => n.to_string().as_str().to_sql(&Type::TEXT, out),
                _ => Err(format!("an integer cannot be bound as {ty}").into()),
            },
            ValueRef::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                _ if text_like => f.to_string().as_str().to_sql(&Type::TEXT, out),
                _ => Err(format!("a real number cannot be bound as {ty}").into()),
            },
            ValueRef::Text(s) => match *ty {
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ if text_like || matches!(ty.kind(), PgKind::Simple) => s.to_sql(&Type::TEXT, out),
                _ => Err(format!("text cannot be bound as {ty}").into()),
            },
            ValueRef::Blob(b) => b.to_sql(&Type::BYTEA, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A whole number in NUMERIC's binary form: base-10000 digits, most significant first.
fn encode_numeric(n: i64, out: &mut bytes::BytesMut) {
    use bytes::BufMut;
    let negative = n < 0;
    let mut rest = n.unsigned_abs();
    let mut digits = Vec::new();
    while rest > 0 {
        digits.push((rest % 10_000) as i16);
        rest /= 10_000;
    }
    digits.reverse();
    out.put_i16(digits.len() as i16);
    out.put_i16(digits.len() as i16 - 1); // weight
    out.put_u16(if negative { 0x4000 } else { 0 });
    out.put_u16(0); // display scale
    for d in digits {
        out.put_i16(d);
    }
}

/// NUMERIC's binary form read as an integer when it is whole, as a real otherwise.
fn decode_numeric(raw: &[u8]) -> std::result::Result<ValueRef<'static>, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short NUMERIC value".into())
    };
    let ndigits = word(0)? as usize;
    let weight = word(1)? as i16 as i32;
    let sign = word(2)?;
    if sign == 0xC000 {
        return Ok(ValueRef::Real(f64::NAN));
    }
    let mut whole: i128 = 0;
    let mut real = 0f64;
    let mut fractional = false;
    for i in 0..ndigits {
        let digit = i128::from(word(4 + i)?);
        let power = weight - i as i32;
        real += digit as f64 * 10_000f64.powi(power);
        if power >= 0 {
            whole = whole.saturating_mul(10_000).saturating_add(digit);
        } else if digit != 0 {
            fractional = true;
        }
    }
    // digits stop before the units: scale what was read up to them
    let last_power = weight - ndigits as i32 + 1;
    if last_power > 0 && ndigits > 0 {
        for _ in 0..last_power {
            whole = whole.saturating_mul(10_000);
        }
    }
    let negative = sign == 0x4000;
    if !fractional {
        if let Ok(n) = i64::try_from(if negative { -whole } else { whole }) {
            return Ok(ValueRef::Integer(n));
        }
    }
    Ok(ValueRef::Real(if negative { -real } else { real }))
}

/// A column of any type PostgreSQL sends, read as one of the five kinds.
struct PgColumn<'a>(ValueRef<'a>);

impl<'a> postgres::types::FromSql<'a> for PgColumn<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<PgColumn<'a>, BoxError> {
        use postgres::types::FromSql as F;
        Ok(PgColumn(match *ty {
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => ValueRef::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => ValueRef::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => ValueRef::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::BOOL => ValueRef::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => ValueRef::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::NUMERIC => decode_numeric(raw)?,
            Type::BYTEA => ValueRef::Blob(raw),
            _ => ValueRef::Text(<&str as F>::from_sql(&Type::TEXT, raw)?),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<PgColumn<'a>, BoxError> {
        Ok(PgColumn(ValueRef::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

// ---------------------------------------------------------------------------------------
// SQL for PostgreSQL

/// `INSERT INTO table (columns) VALUES (?1, …)`, where the first column is `id`. Without
/// an id the column is left out, so that the database assigns one (PostgreSQL's
/// identities take no NULL), and the values keep their numbers: `?1` then goes unused.
pub(crate) fn insert_sql(table: &str, columns: &str, with_id: bool) -> String {
    let names: Vec<&str> = columns.split(',').map(str::trim).collect();
    debug_assert_eq!(names.first(), Some(&"id"));
    let first = usize::from(!with_id);
    let values: Vec<String> = (first..names.len())
        .map(|i| format!("?{}", i + 1))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names[first..].join(", "),
        values.join(", ")
    )
}

/// Renders a query written for both databases in PostgreSQL's dialect: `?N` and `?`
/// become `$N`, and `LIKE` becomes `ILIKE`. Quoted text and identifiers are left alone.
pub fn postgres_sql(sql: &str) -> String {
    render(sql).0
}

/// [`postgres_sql`], with parameters numbered densely in order of first use (SQLite lets
/// a query leave one unused; PostgreSQL cannot type one it never sees), and for each
/// PostgreSQL parameter the position of the value it takes.
fn render(sql: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.char_indices().peekable();
    let mut next_bare = 0usize;
    let mut used: Vec<usize> = Vec::new();
    while let Some((at, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for (_, q) in chars.by_ref() {
                    out.push(q);
                    if q == c {
                        break; // a doubled quote reopens at once: same result
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    digits.push(d);
                    chars.next();
                }
                let number = if digits.is_empty() {
                    next_bare += 1;
                    next_bare
                } else {
                    let n: usize = digits.parse().unwrap_or(1);
                    next_bare = n;
                    n
                };
                let position = match used.iter().position(|&u| u == number - 1) {
                    Some(p) => p,
                    None => {
                        used.push(number - 1);
                        used.len() - 1
                    }
                };
                out.push('$');
                out.push_str(&(position + 1).to_string());
            }
            'L' | 'l' => {
                let word_start = at == 0
                    || !sql[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|p| p.is_alphanumeric() || p == '_');
                let rest = &sql[at..];
                let is_like = word_start
                    && rest.len() >= 4
                    && rest[..4].eq_ignore_ascii_case("like")
                    && !rest[4..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_alphanumeric() || n == '_');
                if is_like {
                    out.push_str("ILIKE");
                    for _ in 0..3 {
                        chars.next();
                    }
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    (out, used)
}

// ---------------------------------------------------------------------------------------
// Connections

/// A connection to either database.
pub struct Connection {
    backend: Inner,
    /// Open transactions and savepoints on this connection.
    depth: Cell<u32>,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(PgThread),
}

/// A PostgreSQL connection on a thread of its own. The synchronous client drives an
/// async runtime of its own, which may not run inside another (the web server's), so
/// callers hand it work and wait for the answer, as they wait for SQLite.
struct PgThread {
    jobs: mpsc::Sender<Job>,
}

/// Work for a connection's thread.
type Job = Box<dyn FnOnce(&mut Pg) + Send>;

impl PgThread {
    fn connect(url: String) -> Result<PgThread> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, connected) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("postgres".into())
            .spawn(move || {
                let client = match postgres::Client::connect(&url, postgres::NoTls) {
                    Ok(client) => {
                        let _ = ready.send(Ok(()));
                        client
                    }
                    Err(e) => {
                        let _ = ready.send(Err(Error::from(e)));
                        return;
                    }
                };
                let mut pg = Pg {
                    client,
                    statements: HashMap::new(),
                };
                // Ends when the connection is dropped (its sender with it).
                for job in inbox {
                    job(&mut pg);
                }
            })
            .map_err(|e| Error::other(format!("cannot start a database thread: {e}")))?;
        connected
            .recv()
            .map_err(|_| Error::other("the database thread stopped"))??;
        Ok(PgThread { jobs })
    }

    /// Runs `f` on the connection's thread and waits for its answer.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Pg) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = mpsc::sync_channel(1);
        self.jobs
            .send(Box::new(move |pg| {
                let _ = answer.send(f(pg));
            }))
            .map_err(|_| Error::other("the database connection is closed"))?;
        answered
            .recv()
            .map_err(|_| Error::other("the database connection failed"))?
    }
}

struct Pg {
    client: postgres::Client,
    /// Prepared statements by their SQL, each with the order its values are bound in.
    statements: HashMap<String, Prepared>,
}

#[derive(Clone)]
struct Prepared {
    statement: postgres::Statement,
    order: Vec<usize>,
}

impl Pg {
    /// The prepared statement for `sql`. PostgreSQL infers each parameter's type from
    /// where it stands; where it cannot (`?1 IS NULL`), the statement is prepared again
    /// with the types of the values bound. (Inside a transaction a failed preparation
    /// would abort it, so the first attempt stands in a savepoint.)
    fn statement(
        &mut self,
        sql: &str,
        values: &[ValueRef<'_>],
        in_transaction: bool,
    ) -> Result<Prepared> {
        if let Some(prepared) = self.statements.get(sql) {
            return Ok(prepared.clone());
        }
        let (rendered, order) = render(sql);
        if in_transaction {
            self.client.batch_execute("SAVEPOINT prepare")?;
        }
        let attempt = self.client.prepare(&rendered);
        if in_transaction {
            self.client.batch_execute(match attempt {
                Ok(_) => "RELEASE SAVEPOINT prepare",
                Err(_) => "ROLLBACK TO SAVEPOINT prepare; RELEASE SAVEPOINT prepare",
            })?;
        }
        let (key, statement) = match attempt {
            Ok(statement) => (sql.to_string(), statement),
            Err(e)
                if e.as_db_error().is_some_and(|d| {
                    d.code() == &postgres::error::SqlState::INDETERMINATE_DATATYPE
                }) =>
            {
                let types: Vec<Type> = order
                    .iter()
                    .map(|&i| match values.get(i) {
                        Some(ValueRef::Integer(_)) => Type::INT8,
                        Some(ValueRef::Real(_)) => Type::FLOAT8,
                        Some(ValueRef::Blob(_)) => Type::BYTEA,
                        Some(ValueRef::Text(_)) => Type::TEXT,
                        Some(ValueRef::Null) | None => Type::UNKNOWN,
                    })
                    .collect();
                let key = format!("{sql}\u{0}{types:?}");
                if let Some(prepared) = self.statements.get(&key) {
                    return Ok(prepared.clone());
                }
                let statement = self
                    .client
                    .prepare_typed(&rendered, &types)
                    .map_err(|e| in_statement(e.into(), sql))?;
                (key, statement)
            }
            Err(e) => return Err(in_statement(e.into(), sql)),
        };
        if self.statements.len() >= 512 {
            self.statements.clear();
        }
        let prepared = Prepared { statement, order };
        self.statements.insert(key, prepared.clone());
        Ok(prepared)
    }

    fn query(
        &mut self,
        sql: &str,
        values: &[ValueRef<'_>],
        in_transaction: bool,
    ) -> Result<Vec<postgres::Row>> {
        self.with_bound(sql, values, in_transaction, |client, statement, params| {
            client.query(statement, params)
        })
    }

    fn execute(
        &mut self,
        sql: &str,
        values: &[ValueRef<'_>],
        in_transaction: bool,
    ) -> Result<usize> {
        self.with_bound(sql, values, in_transaction, |client, statement, params| {
            client.execute(statement, params).map(|n| n as usize)
        })
    }

    /// Prepares `sql` and runs `f` with its values in the order the statement takes them.
    fn with_bound<T>(
        &mut self,
        sql: &str,
        values: &[ValueRef<'_>],
        in_transaction: bool,
        f: impl FnOnce(&mut postgres::Client, &postgres::Statement, &[&PgToSql<'_>]) -> PgResult<T>,
    ) -> Result<T> {
        let prepared = self.statement(sql, values, in_transaction)?;
        let params = prepared
            .order
            .iter()
            .map(|&i| {
                values
                    .get(i)
                    .map(|v| PgParam(*v))
                    .ok_or_else(|| Error::other(format!("parameter ?{} has no value", i + 1)))
            })
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&PgToSql<'_>> = params.iter().map(|p| p as &PgToSql<'_>).collect();
        Ok(f(&mut self.client, &prepared.statement, &refs)?)
    }
}

/// A parameter as the PostgreSQL client takes it.
type PgToSql<'a> = dyn postgres::types::ToSql + Sync + 'a;
type PgResult<T> = std::result::Result<T, postgres::Error>;

/// A statement that could not be prepared names itself, for whoever reads the log.
fn in_statement(mut e: Error, sql: &str) -> Error {
    let head: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let head: String = head.chars().take(600).collect();
    e.message = format!("{} (in: {head})", e.message);
    e
}

/// The lock every PostgreSQL write transaction takes first, so that writes are serialized
/// as SQLite's are: a rule read in a write cannot change before the write commits, and
/// generation counters move one commit at a time. One lock per schema (its name's hash),
/// under a class number no other program uses ("CHAI").
const WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock(1128808777, hashtext(current_schema()))";

impl Connection {
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Connection {
        Connection {
            backend: Inner::Sqlite(conn),
            depth: Cell::new(0),
        }
    }

    /// Connects to the PostgreSQL database at `url`.
    pub(crate) fn postgres(url: &str) -> Result<Connection> {
        Ok(Connection {
            backend: Inner::Postgres(PgThread::connect(url.to_string())?),
            depth: Cell::new(0),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.backend {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether no transaction is open.
    pub fn is_autocommit(&self) -> bool {
        match &self.backend {
            Inner::Sqlite(c) => c.is_autocommit(),
            Inner::Postgres(_) => self.depth.get() == 0,
        }
    }

    /// Runs statements without parameters, separated by `;`.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(pg) => {
                let sql = sql.to_string();
                pg.run(move |pg| Ok(pg.client.batch_execute(&sql)?))
            }
        }
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare(sql)?.execute(params)
    }

    pub fn query_row<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare(sql)?.query_row(params, f)
    }

    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        let inner = match &self.backend {
            Inner::Sqlite(c) => StatementInner::Sqlite(c.prepare_cached(sql)?),
            Inner::Postgres(_) => StatementInner::Postgres(sql.to_string()),
        };
        Ok(Statement { conn: self, inner })
    }

    /// The same as [`Connection::prepare`]: both backends keep prepared statements.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        self.prepare(sql)
    }

    /// Forgets the prepared statements kept for reuse (SQLite). A statement is compiled
    /// with the connection's settings of the time: one prepared while foreign keys were
    /// not enforced would go on not enforcing them.
    pub fn forget_prepared(&self) {
        if let Inner::Sqlite(c) = &self.backend {
            c.flush_prepared_statement_cache();
        }
    }

    /// The names of the columns `sql` returns.
    pub fn column_names(&self, sql: &str) -> Result<Vec<String>> {
        match &self.backend {
            Inner::Sqlite(c) => Ok(c
                .prepare(sql)?
                .column_names()
                .into_iter()
                .map(str::to_string)
                .collect()),
            Inner::Postgres(pg) => {
                let sql = postgres_sql(sql);
                pg.run(move |pg| {
                    Ok(pg
                        .client
                        .prepare(&sql)?
                        .columns()
                        .iter()
                        .map(|c| c.name().to_string())
                        .collect())
                })
            }
        }
    }

    /// Calls `f` with every row of `sql` (no parameters), reading them as they come: a
    /// scan of millions of rows holds a few thousand at a time. `f` must not use this
    /// connection.
    pub fn for_each_row(&self, sql: &str, mut f: impl FnMut(&Row<'_>) -> Result<()>) -> Result<()> {
        match &self.backend {
            Inner::Sqlite(c) => {
                let mut stmt = c.prepare(sql)?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    f(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Inner::Postgres(pg) => {
                let (batches, received) = mpsc::sync_channel::<Result<Vec<postgres::Row>>>(4);
                let sql = postgres_sql(sql);
                pg.jobs
                    .send(Box::new(move |pg| {
                        let streamed = (|| -> Result<()> {
                            use postgres::fallible_iterator::FallibleIterator;
                            let no_params: [i64; 0] = [];
                            let mut rows = pg.client.query_raw(&sql, no_params)?;
                            let mut batch = Vec::with_capacity(STREAM_BATCH);
                            while let Some(row) = rows.next()? {
                                batch.push(row);
                                if batch.len() == STREAM_BATCH {
                                    let full = std::mem::replace(
                                        &mut batch,
                                        Vec::with_capacity(STREAM_BATCH),
                                    );
                                    if batches.send(Ok(full)).is_err() {
                                        return Ok(()); // the reader stopped
                                    }
                                }
                            }
                            let _ = batches.send(Ok(batch));
                            Ok(())
                        })();
                        if let Err(e) = streamed {
                            let _ = batches.send(Err(e));
                        }
                    }))
                    .map_err(|_| Error::other("the database connection is closed"))?;
                // The stream ends when the job drops its sender.
                for batch in received {
                    for row in batch? {
                        f(&Row::Postgres(&row))?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Appends `rows` to `table`'s `columns`: PostgreSQL's `COPY … FROM STDIN`, or one
    /// prepared `INSERT` per row on SQLite. Inside the caller's transaction, so a bulk
    /// load stays all or nothing. The rows stay the caller's (to write again one by one
    /// when a round fails).
    pub fn copy_in(&self, table: &str, columns: &[String], rows: &[Vec<Value>]) -> Result<()> {
        match &self.backend {
            Inner::Sqlite(c) => {
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let mut stmt = c.prepare_cached(&format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    columns.join(", "),
                    marks.join(", ")
                ))?;
                for row in rows {
                    stmt.execute(rusqlite::params_from_iter(
                        row.iter().map(|v| SqliteParam(v.value_ref())),
                    ))?;
                }
                Ok(())
            }
            Inner::Postgres(pg) => {
                let sql = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
                let mut text = Vec::with_capacity(rows.len() * 64);
                for row in rows {
                    copy_text_row(&mut text, row);
                }
                pg.run(move |pg| {
                    use std::io::Write;
                    let mut writer = pg.client.copy_in(&sql)?;
                    writer
                        .write_all(&text)
                        .map_err(|e| Error::other(format!("COPY {e}")))?;
                    writer.finish()?;
                    Ok(())
                })
            }
        }
    }

    /// Begins a write: SQLite's `BEGIN IMMEDIATE` takes the write lock; on PostgreSQL an
    /// advisory lock does the same. Inside an open transaction, a savepoint.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        let level = self.begin()?;
        Ok(Transaction {
            conn: self,
            level,
            done: false,
        })
    }

    /// Runs `f`, whose failure the caller reports and goes on from (an import collects
    /// every refused row). SQLite undoes just the failed statement; PostgreSQL would abort
    /// the whole transaction, so there `f` runs in a savepoint of its own.
    pub fn guarded<T, E: From<Error>>(
        &self,
        f: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if self.backend() == Backend::Sqlite || self.is_autocommit() {
            return f();
        }
        self.execute_batch("SAVEPOINT guard")?;
        match f() {
            Ok(value) => {
                self.execute_batch("RELEASE SAVEPOINT guard")?;
                Ok(value)
            }
            Err(e) => {
                self.execute_batch("ROLLBACK TO SAVEPOINT guard; RELEASE SAVEPOINT guard")?;
                Err(e)
            }
        }
    }

    /// Begins a transaction that only reads, seeing one state of the database throughout
    /// (SQLite's deferred `BEGIN`; PostgreSQL's `REPEATABLE READ`). Inside an open
    /// transaction, a savepoint.
    pub fn read_transaction(&self) -> Result<Transaction<'_>> {
        if !self.is_autocommit() {
            return self.transaction();
        }
        self.execute_batch(match self.backend() {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        })?;
        self.depth.set(self.depth.get() + 1);
        Ok(Transaction {
            conn: self,
            level: Level(None),
            done: false,
        })
    }

    /// Begins a transaction, or a savepoint inside one; [`Connection::finish`] ends what
    /// it returns. (For scopes that cannot hold a [`Transaction`]'s borrow.)
    pub(crate) fn begin(&self) -> Result<Level> {
        let depth = self.depth.get();
        if !self.is_autocommit() {
            self.execute_batch(&format!("SAVEPOINT s{depth}"))?;
            self.depth.set(depth + 1);
            return Ok(Level(Some(depth)));
        }
        match self.backend() {
            Backend::Sqlite => self.execute_batch("BEGIN IMMEDIATE")?,
            Backend::Postgres => self.execute_batch(&format!("BEGIN; {WRITE_LOCK}"))?,
        }
        self.depth.set(depth + 1);
        Ok(Level(None))
    }

    /// Commits (or rolls back) what [`Connection::begin`] began.
    pub(crate) fn finish(&self, level: Level, commit: bool) -> Result<()> {
        self.depth.set(self.depth.get().saturating_sub(1));
        match (level.0, commit) {
            (Some(n), true) => self.execute_batch(&format!("RELEASE SAVEPOINT s{n}")),
            (Some(n), false) => self.execute_batch(&format!(
                "ROLLBACK TO SAVEPOINT s{n}; RELEASE SAVEPOINT s{n}"
            )),
            (None, true) => self.execute_batch("COMMIT"),
            (None, false) => self.execute_batch("ROLLBACK"),
        }
    }
}

/// Rows a PostgreSQL scan hands over at a time.
const STREAM_BATCH: usize = 4096;

/// One row in `COPY`'s text format: tab-separated, `\N` for null, backslash escapes.
fn copy_text_row(out: &mut Vec<u8>, row: &[Value]) {
    use std::io::Write;
    for (i, value) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match value {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Integer(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Real(f) => {
                let _ = write!(out, "{f:?}");
            }
            Value::Text(t) => {
                for &b in t.as_bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        _ => out.push(b),
                    }
                }
            }
            Value::Blob(b) => {
                out.extend_from_slice(b"\\\\x");
                for byte in b {
                    let _ = write!(out, "{byte:02x}");
                }
            }
        }
    }
    out.push(b'\n');
}

/// A transaction, or a savepoint (its number) inside one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Level(Option<u32>);

/// An open transaction (or savepoint). [`Transaction::commit`] keeps its writes;
/// dropping it undoes them.
pub struct Transaction<'c> {
    conn: &'c Connection,
    level: Level,
    done: bool,
}

impl Transaction<'_> {
    /// Keeps the writes, or, when the database refuses them (a reference checked at
    /// commit), undoes them all: SQLite leaves a transaction whose `COMMIT` failed open,
    /// and its writes would otherwise stay visible on this connection and hold the lock.
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        let committed = self.conn.finish(self.level, true);
        if committed.is_err() && self.level.0.is_none() && self.conn.backend() == Backend::Sqlite {
            if let Inner::Sqlite(c) = &self.conn.backend {
                if !c.is_autocommit() {
                    // The commit's error is the one to report.
                    let _ = c.execute_batch("ROLLBACK");
                }
            }
        }
        committed
    }
}

impl std::ops::Deref for Transaction<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.finish(self.level, false);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Statements and rows

/// A prepared statement.
pub struct Statement<'c> {
    conn: &'c Connection,
    inner: StatementInner<'c>,
}

enum StatementInner<'c> {
    Sqlite(rusqlite::CachedStatement<'c>),
    /// PostgreSQL statements are prepared (and kept) by the connection on first use.
    Postgres(String),
}

fn pg(conn: &Connection) -> &PgThread {
    match &conn.backend {
        Inner::Postgres(pg) => pg,
        Inner::Sqlite(_) => unreachable!("a PostgreSQL statement on SQLite"),
    }
}

fn owned_all(values: &[ValueRef<'_>]) -> Vec<Value> {
    values.iter().map(|&v| owned_ref(v)).collect()
}

impl<'c> Statement<'c> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values();
        match &mut self.inner {
            StatementInner::Sqlite(s) => Ok(s.execute(sqlite_params(&values))?),
            StatementInner::Postgres(sql) => {
                let (sql, values) = (sql.clone(), owned_all(&values));
                let in_transaction = self.conn.depth.get() > 0;
                pg(self.conn).run(move |pg| {
                    let values: Vec<ValueRef<'_>> = values.iter().map(ToSql::value_ref).collect();
                    pg.execute(&sql, &values, in_transaction)
                })
            }
        }
    }

    /// Runs a query; its rows are read with [`Rows::next`].
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        let values = params.values();
        match &mut self.inner {
            StatementInner::Sqlite(s) => Ok(Rows::Sqlite(s.query(sqlite_params(&values))?)),
            StatementInner::Postgres(sql) => {
                let (sql, values) = (sql.clone(), owned_all(&values));
                let in_transaction = self.conn.depth.get() > 0;
                let rows = pg(self.conn).run(move |pg| {
                    let values: Vec<ValueRef<'_>> = values.iter().map(ToSql::value_ref).collect();
                    pg.query(&sql, &values, in_transaction)
                })?;
                Ok(Rows::Postgres {
                    rows: rows.into_iter(),
                    current: None,
                })
            }
        }
    }

    pub fn query_map<T, P: Params, F>(&mut self, params: P, f: F) -> Result<MappedRows<'_, F>>
    where
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }

    pub fn query_row<T, P: Params>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(row) => f(&row),
            None => Err(Error::no_rows()),
        }
    }
}

/// The rows of a query.
pub enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres {
        rows: std::vec::IntoIter<postgres::Row>,
        current: Option<postgres::Row>,
    },
}

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)] // lends each row: not an Iterator
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Sqlite(rows) => Ok(rows.next()?.map(Row::Sqlite)),
            Rows::Postgres { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Postgres))
            }
        }
    }
}

/// The rows of a query, each read by a function.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(row)) => Some((self.f)(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// One row.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// The column at `idx` as it came (for values passed on whole).
    pub fn get_ref(&self, idx: usize) -> Result<ValueRef<'_>> {
        match self {
            Row::Sqlite(row) => {
                use rusqlite::types::ValueRef as R;
                Ok(match row.get_ref(idx)? {
                    R::Null => ValueRef::Null,
                    R::Integer(n) => ValueRef::Integer(n),
                    R::Real(f) => ValueRef::Real(f),
                    R::Text(t) => ValueRef::Text(
                        std::str::from_utf8(t).map_err(|e| Error::conversion(idx, e))?,
                    ),
                    R::Blob(b) => ValueRef::Blob(b),
                })
            }
            Row::Postgres(row) => row
                .try_get::<_, PgColumn<'_>>(idx)
                .map(|c| c.0)
                .map_err(|e| Error::conversion(idx, e)),
        }
    }

    /// The column at `idx`, read as `T`.
    pub fn get<T: FromSql>(&self, idx: usize) -> Result<T> {
        T::from_value(self.get_ref(idx)?).map_err(|e| Error::conversion(idx, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_sql_numbers_parameters_and_ignores_case_in_like() {
        assert_eq!(
            postgres_sql("SELECT a FROM t WHERE b = ?1 AND c LIKE ?2 ESCAPE '\\' AND d = '?'"),
            "SELECT a FROM t WHERE b = $1 AND c ILIKE $2 ESCAPE '\\' AND d = '?'"
        );
        assert_eq!(postgres_sql("VALUES (?, ?, ?)"), "VALUES ($1, $2, $3)");
        assert_eq!(
            postgres_sql("SELECT likes, unlike, x NOT LIKE y FROM \"like\""),
            "SELECT likes, unlike, x NOT ILIKE y FROM \"like\""
        );
        assert_eq!(
            render("?12 + ?3 + ?12"),
            ("$1 + $2 + $1".into(), vec![11, 2])
        );
    }

    #[test]
    fn numerics_read_as_integers_when_whole() {
        let mut out = bytes::BytesMut::new();
        for n in [0i64, 1, 9_999, 10_000, 123_456_789_012, -42, -100_000_000] {
            out.clear();
            encode_numeric(n, &mut out);
            assert_eq!(decode_numeric(&out).unwrap(), ValueRef::Integer(n), "{n}");
        }
        // 1.5: one whole digit and one fractional digit (5000 × 10000^-1)
        let raw = [0u8, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert_eq!(decode_numeric(&raw).unwrap(), ValueRef::Real(1.5));
    }

    #[test]
    fn sqlite_errors_keep_their_kind() {
        let conn = Connection::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        conn.execute_batch("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT UNIQUE)")
            .unwrap();
        conn.execute("INSERT INTO t (b) VALUES (?1)", ["x"])
            .unwrap();
        let e = conn
            .execute("INSERT INTO t (b) VALUES (?1)", ["x"])
            .unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::Unique {
                columns: "b".into()
            }
        );
        let none = conn
            .query_row("SELECT a FROM t WHERE b = ?1", ["y"], |r| r.get::<i64>(0))
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
