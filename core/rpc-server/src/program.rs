//! RPC programs as data: a program is its number and version, a table of procedures
//! (number → access rule → handler) and the check that applies its access rules.
//!
//! Handlers are typed: `fn(&Ctx<'_, S>, Args) -> CallResult<Ret>`, `()` for void
//! arguments or results. [`procedure!`](crate::procedure) turns one into a table row
//! whose stored handler decodes the arguments (libvirtd's "Unable to decode message
//! payload" when they do not) and encodes the result.
//!
//! A client's calls run concurrently (up to its server's per-client limit) unless the
//! program names them [`exclusive`](Program::exclusive): those run alone, in order.

use std::fmt;

use rvirt_rpc::{Header, Message};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ctx::Ctx;
use crate::error::{CallResult, ERR_RPC, FROM_RPC, err, unknown};

/// A procedure as stored in a table: the call → its encoded return value.
pub type Handler<S> = fn(&Ctx<'_, S>) -> CallResult<Vec<u8>>;

/// A program's access check: may this call run a procedure with this access rule?
/// Called after the procedure was found, before its arguments are decoded.
pub type Check<S, A> = fn(&Ctx<'_, S>, &A) -> CallResult<()>;

/// One row of a procedure table.
pub struct Procedure<S: 'static, A: 'static = ()> {
    /// The procedure number.
    pub number: i32,
    /// Its access rule, in the program's own terms.
    pub access: A,
    /// Its handler (made by [`procedure!`](crate::procedure) from a typed one).
    pub handler: Handler<S>,
}

/// An RPC program: what a server dispatches calls of one program number to.
pub struct Program<S: 'static, A: 'static = ()> {
    /// Its name, for logs.
    pub name: &'static str,
    /// The program number (libvirt's REMOTE: 0x20008086).
    pub number: u32,
    /// The protocol version.
    pub version: u32,
    /// The procedures, sorted by number; any other number is answered "unknown
    /// procedure: N" (39 / 7).
    pub procedures: &'static [Procedure<S, A>],
    /// Applies the procedures' access rules ([`allow_all`] when there are none).
    pub check: Check<S, A>,
    /// Procedures that run alone on their client, in order: one starts once the
    /// client's calls in flight have finished, and the client's later calls wait for
    /// it (connection setup and teardown, authentication, event (de)registration).
    /// Every other procedure runs concurrently with the client's other calls, up to
    /// its server's per-client limit ([`Server::max_client_requests`](crate::Server::max_client_requests)).
    pub exclusive: &'static [i32],
}

/// The check of a program without access rules.
pub fn allow_all<S, A>(_: &Ctx<'_, S>, _: &A) -> CallResult<()> {
    Ok(())
}

impl<S, A> Program<S, A> {
    /// The procedure `number`.
    pub fn find(&self, number: i32) -> Option<&'static Procedure<S, A>> {
        let table = self.procedures;
        table
            .binary_search_by_key(&number, |p| p.number)
            .ok()
            .map(|i| &table[i])
    }

    /// True when procedure `number` runs alone on its client ([`Program::exclusive`]).
    pub fn is_exclusive(&self, number: i32) -> bool {
        self.exclusive.contains(&number)
    }

    /// True when the table is sorted by number, each number once.
    pub fn is_sorted(&self) -> bool {
        self.procedures
            .windows(2)
            .all(|w| w[0].number < w[1].number)
    }

    /// Runs a call of this program: unknown procedure, access check, handler.
    pub(crate) fn run(&self, ctx: &Ctx<'_, S>) -> CallResult<Vec<u8>> {
        let number = ctx.procedure();
        let Some(p) = self.find(number) else {
            return Err(unknown(number));
        };
        (self.check)(ctx, &p.access)?;
        (p.handler)(ctx)
    }
}

/// Decodes a call's arguments, runs a typed handler and encodes its result: the body
/// of every handler [`procedure!`](crate::procedure) makes.
pub fn typed<S, T, R>(
    ctx: &Ctx<'_, S>,
    handler: impl FnOnce(&Ctx<'_, S>, T) -> CallResult<R>,
) -> CallResult<Vec<u8>>
where
    T: DeserializeOwned + 'static,
    R: Serialize,
{
    let args = ctx.args::<T>()?;
    encode(&handler(ctx, args)?)
}

/// Encodes a return value (`()`: nothing).
pub fn encode<R: Serialize + ?Sized>(value: &R) -> CallResult<Vec<u8>> {
    Message::with_body(Header::call(0, 0, 0, 0), value)
        .map(|m| m.payload)
        .map_err(|e| {
            err(
                ERR_RPC,
                FROM_RPC,
                format!("Unable to encode message payload: {e}"),
            )
        })
}

/// A procedure table row from a number, an access rule and a typed handler
/// `fn(&Ctx<'_, S>, Args) -> CallResult<Ret>`; without an access rule, the rule is
/// `()`. The row's handler is a non-capturing closure, so tables can be `static`:
///
/// ```
/// use rvirt_rpc_server::{CallResult, Ctx, Procedure, procedure};
///
/// fn double(_: &Ctx<'_, ()>, n: u32) -> CallResult<u64> {
///     Ok(u64::from(n) * 2)
/// }
/// fn ping(_: &Ctx<'_, ()>, (): ()) -> CallResult<()> {
///     Ok(())
/// }
/// static TABLE: &[Procedure<()>] = &[procedure!(1, double), procedure!(2, ping)];
/// # assert_eq!(TABLE[1].number, 2);
/// ```
#[macro_export]
macro_rules! procedure {
    ($number:expr, $handler:expr $(,)?) => {
        $crate::procedure!($number, (), $handler)
    };
    ($number:expr, $access:expr, $handler:expr $(,)?) => {
        $crate::Procedure {
            number: $number,
            access: $access,
            handler: |ctx| $crate::program::typed(ctx, $handler),
        }
    };
}

impl<S, A> Clone for Program<S, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, A> Copy for Program<S, A> {}

impl<S, A> fmt::Debug for Program<S, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Program")
            .field("name", &self.name)
            .field("number", &format_args!("{:#x}", self.number))
            .field("version", &self.version)
            .field("procedures", &self.procedures.len())
            .finish()
    }
}

impl<S, A: fmt::Debug> fmt::Debug for Procedure<S, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Procedure")
            .field("number", &self.number)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}
