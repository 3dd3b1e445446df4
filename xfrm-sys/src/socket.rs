//! The netlink socket (Linux only): blocking request/response helpers and a
//! non-blocking, fd-exposing mode for any event loop.

use std::collections::VecDeque;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use netlink_sys::{protocols::NETLINK_XFRM, Socket, SocketAddr};

use crate::envelope::{NetlinkMessage, Payload};
use crate::event::{Event, Group};
use crate::msg::{AllocSpi, PolicyId, PolicyInfo, SaIdMsg, SaInfo, XfrmMessage};
use crate::spec::{ChildSaSpec, KernelFeatures};
use crate::Error;

const RX_BUF: usize = 128 * 1024;

/// A `NETLINK_XFRM` socket.
///
/// Blocking use: [`XfrmSocket::execute`], [`XfrmSocket::query`],
/// [`XfrmSocket::dump`] and the helpers built on them send a request and wait
/// for its answer. Multicast messages that arrive meanwhile are queued and
/// returned by [`XfrmSocket::poll_event`].
///
/// Event-loop use: [`XfrmSocket::set_nonblocking`], register
/// [`AsRawFd::as_raw_fd`] for readability with your loop (mio, tokio's
/// `AsyncFd`, poll(2)...), send with [`XfrmSocket::send`] and, when readable,
/// drain [`XfrmSocket::recv`] until it returns an `Io` error of kind
/// `WouldBlock`. Use one socket for events and another for requests, as IKE
/// daemons do: a burst of events then never delays an answer.
///
/// If the kernel drops multicast messages because the receive buffer was
/// full, the next receive fails with an `Io` error of kind `ENOBUFS`
/// (raw OS error 105): the events are lost, so resynchronise with
/// [`XfrmSocket::dump_sa`] / [`XfrmSocket::dump_policy`]. Events that
/// arrive on a socket used for requests are queued until
/// [`XfrmSocket::poll_event`] drains them; do not subscribe a request socket
/// you never poll.
#[derive(Debug)]
pub struct XfrmSocket {
    sock: Socket,
    port: u32,
    seq: u32,
    rx: Vec<u8>,
    pending: VecDeque<NetlinkMessage>,
    decode_errors: u64,
}

impl XfrmSocket {
    /// Opens and binds a socket in the calling thread's network namespace,
    /// with extended ACKs (the kernel's error text) and capped ACKs enabled.
    pub fn open() -> Result<Self, Error> {
        let mut sock = Socket::new(NETLINK_XFRM)?;
        let addr = sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        sock.set_ext_ack(true)?;
        sock.set_cap_ack(true)?;
        // Events can come in bursts (flush of thousands of SAs).
        let _ = sock.set_rx_buf_sz(1 << 20);
        Ok(XfrmSocket {
            sock,
            port: addr.port_number(),
            seq: 1,
            rx: vec![0; RX_BUF],
            pending: VecDeque::new(),
            decode_errors: 0,
        })
    }

    /// Opens a socket in another network namespace, given its file (such as
    /// `/run/netns/NAME` or `/proc/PID/ns/net`). A short-lived helper thread
    /// enters the namespace and opens the socket, which stays bound to that
    /// namespace; the calling thread is not moved. Useful for appliances that
    /// run one IPsec domain per namespace.
    pub fn open_in_netns(netns: &std::path::Path, groups: &[Group]) -> Result<Self, Error> {
        let file = std::fs::File::open(netns)?;
        let groups = groups.to_vec();
        std::thread::spawn(move || {
            nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET)
                .map_err(|e| Error::Io(std::io::Error::from(e)))?;
            Self::open_events(&groups)
        })
        .join()
        .map_err(|_| Error::Io(std::io::Error::other("netns helper thread panicked")))?
    }

    /// Opens a socket subscribed to `groups`, for events only.
    pub fn open_events(groups: &[Group]) -> Result<Self, Error> {
        let s = Self::open()?;
        for g in groups {
            s.subscribe(*g)?;
        }
        Ok(s)
    }

    /// Joins a multicast group.
    pub fn subscribe(&self, group: Group) -> Result<(), Error> {
        self.sock.add_membership(group.number())?;
        Ok(())
    }

    /// Switches between blocking and non-blocking mode.
    pub fn set_nonblocking(&self, nonblocking: bool) -> Result<(), Error> {
        self.sock.set_non_blocking(nonblocking)?;
        Ok(())
    }

    /// How many received messages failed to decode since the socket opened
    /// (they are returned as errors by [`Self::recv`] and skipped by
    /// [`Self::poll_event`]).
    pub fn decode_errors(&self) -> u64 {
        self.decode_errors
    }

    /// The netlink port id the kernel assigned.
    pub fn port(&self) -> u32 {
        self.port
    }

    /// Sends `msg` with its usual request flags; returns the sequence number
    /// to match the answer with.
    pub fn send(&mut self, msg: &XfrmMessage) -> Result<u32, Error> {
        self.send_with_flags(msg, msg.request_flags())
    }

    /// Sends `msg` with explicit `nlmsg_flags`.
    pub fn send_with_flags(&mut self, msg: &XfrmMessage, flags: u16) -> Result<u32, Error> {
        self.seq = self.seq.wrapping_add(1).max(1);
        let seq = self.seq;
        let mut buf = Vec::with_capacity(512);
        msg.emit(flags, seq, self.port, &mut buf);
        let n = self.sock.send(&buf, 0)?;
        if n != buf.len() {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::WriteZero,
                "short netlink send",
            )));
        }
        // The request may hold keys: wipe our copy.
        zeroize::Zeroize::zeroize(&mut buf);
        Ok(seq)
    }

    /// Receives one datagram and decodes its messages. Blocks unless the
    /// socket is non-blocking (then `Error::Io` of kind `WouldBlock`).
    /// Messages that fail to decode are returned as errors in place.
    pub fn recv(&mut self) -> Result<Vec<Result<NetlinkMessage, Error>>, Error> {
        let n = {
            let mut slice: &mut [u8] = &mut self.rx[..];
            self.sock.recv(&mut slice, 0)?
        };
        let data = self.rx.get(..n).unwrap_or_default();
        let out: Vec<_> = NetlinkMessage::parse_all(data).collect();
        let bad = out.iter().filter(|m| m.is_err()).count() as u64;
        self.decode_errors = self.decode_errors.saturating_add(bad);
        // Answers to GETSA/dumps contain keys.
        if let Some(d) = self.rx.get_mut(..n) {
            zeroize::Zeroize::zeroize(d);
        }
        Ok(out)
    }

    /// Waits for the answers to request `seq`, calling `f` for each XFRM
    /// message; returns at the ACK, error or end of dump.
    fn wait(&mut self, seq: u32, mut f: impl FnMut(XfrmMessage) -> bool) -> Result<(), Error> {
        loop {
            for m in self.recv()? {
                let m = m?;
                if m.header.seq != seq || m.header.pid != self.port {
                    self.pending.push_back(m);
                    continue;
                }
                match m.payload {
                    Payload::Error(e) => return e.into_result().map_err(Error::from),
                    Payload::Done => return Ok(()),
                    Payload::Xfrm(x) => {
                        if f(x) {
                            return Ok(());
                        }
                    }
                    Payload::Noop | Payload::Overrun => {}
                }
            }
        }
    }

    /// Sends a command that is answered by an ACK (add, update, delete,
    /// flush) and waits for it. A refusal is [`Error::Kernel`] with the
    /// kernel's errno and extended ACK text.
    pub fn execute(&mut self, msg: &XfrmMessage) -> Result<(), Error> {
        let seq = self.send(msg)?;
        self.wait(seq, |_| false)
    }

    /// Sends a request answered by one message (GETSA, GETPOLICY, ALLOCSPI).
    pub fn query(&mut self, msg: &XfrmMessage) -> Result<XfrmMessage, Error> {
        let seq = self.send(msg)?;
        let mut answer = None;
        self.wait(seq, |m| {
            answer = Some(m);
            true
        })?;
        answer.ok_or(Error::UnexpectedMessage(msg.message_type()))
    }

    /// Sends a dump request and collects every answer.
    pub fn dump(&mut self, msg: &XfrmMessage) -> Result<Vec<XfrmMessage>, Error> {
        let seq = self.send(msg)?;
        let mut v = Vec::new();
        self.wait(seq, |m| {
            v.push(m);
            false
        })?;
        Ok(v)
    }

    /// Adds an SA (`XFRM_MSG_NEWSA`).
    pub fn add_sa(&mut self, sa: SaInfo) -> Result<(), Error> {
        self.execute(&XfrmMessage::NewSa(sa))
    }

    /// Updates an SA (`XFRM_MSG_UPDSA`), e.g. the larval SA of an SPI allocation.
    pub fn update_sa(&mut self, sa: SaInfo) -> Result<(), Error> {
        self.execute(&XfrmMessage::UpdateSa(sa))
    }

    /// Deletes an SA.
    pub fn delete_sa(&mut self, id: SaIdMsg) -> Result<(), Error> {
        self.execute(&XfrmMessage::DeleteSa(id))
    }

    /// Reads one SA (with counters in `curlft`).
    pub fn get_sa(&mut self, id: SaIdMsg) -> Result<SaInfo, Error> {
        match self.query(&XfrmMessage::GetSa(id))? {
            XfrmMessage::NewSa(s) => Ok(s),
            other => Err(Error::UnexpectedMessage(other.message_type())),
        }
    }

    /// Lists all SAs.
    pub fn dump_sa(&mut self) -> Result<Vec<SaInfo>, Error> {
        Ok(self
            .dump(&XfrmMessage::DumpSa(Vec::new()))?
            .into_iter()
            .filter_map(|m| match m {
                XfrmMessage::NewSa(s) => Some(s),
                _ => None,
            })
            .collect())
    }

    /// Deletes all SAs of `proto` (0 = all IPsec protocols).
    pub fn flush_sa(&mut self, proto: u8) -> Result<(), Error> {
        self.execute(&XfrmMessage::FlushSa(proto))
    }

    /// Reserves a free SPI in `[req.min, req.max]` (creates a larval SA);
    /// returns the SA the kernel created.
    pub fn alloc_spi(&mut self, req: AllocSpi) -> Result<SaInfo, Error> {
        match self.query(&XfrmMessage::AllocSpi(req))? {
            XfrmMessage::NewSa(s) => Ok(s),
            other => Err(Error::UnexpectedMessage(other.message_type())),
        }
    }

    /// Adds a policy.
    pub fn add_policy(&mut self, p: PolicyInfo) -> Result<(), Error> {
        self.execute(&XfrmMessage::NewPolicy(p))
    }

    /// Adds or replaces a policy.
    pub fn update_policy(&mut self, p: PolicyInfo) -> Result<(), Error> {
        self.execute(&XfrmMessage::UpdatePolicy(p))
    }

    /// Deletes a policy.
    pub fn delete_policy(&mut self, id: PolicyId) -> Result<(), Error> {
        self.execute(&XfrmMessage::DeletePolicy(id))
    }

    /// Reads one policy.
    pub fn get_policy(&mut self, id: PolicyId) -> Result<PolicyInfo, Error> {
        match self.query(&XfrmMessage::GetPolicy(id))? {
            XfrmMessage::NewPolicy(p) => Ok(p),
            other => Err(Error::UnexpectedMessage(other.message_type())),
        }
    }

    /// Lists all policies.
    pub fn dump_policy(&mut self) -> Result<Vec<PolicyInfo>, Error> {
        Ok(self
            .dump(&XfrmMessage::DumpPolicy)?
            .into_iter()
            .filter_map(|m| match m {
                XfrmMessage::NewPolicy(p) => Some(p),
                _ => None,
            })
            .collect())
    }

    /// Deletes all main-type policies.
    pub fn flush_policy(&mut self) -> Result<(), Error> {
        self.execute(&XfrmMessage::FlushPolicy(Vec::new()))
    }

    /// Installs a Child SA (both SAs and its policies). Stops at the first
    /// refusal; already-installed pieces stay (call [`ChildSaSpec::remove`]).
    pub fn install(&mut self, spec: &ChildSaSpec, k: KernelFeatures) -> Result<(), Error> {
        for m in spec.install(k)? {
            self.execute(&m)?;
        }
        Ok(())
    }

    /// Removes a Child SA (policies and SAs), carrying on past pieces that are
    /// already gone (`ENOENT`, `ESRCH`); returns the first other error.
    pub fn uninstall(&mut self, spec: &ChildSaSpec) -> Result<(), Error> {
        let mut first = Ok(());
        for m in spec.remove() {
            match self.execute(&m) {
                Err(Error::Kernel(e)) if e.errno == 2 || e.errno == 3 => {}
                Err(e) if first.is_ok() => first = Err(e),
                _ => {}
            }
        }
        first
    }

    /// Returns the next queued or received event. In non-blocking mode
    /// returns `Ok(None)` when nothing is ready; in blocking mode waits.
    pub fn poll_event(&mut self) -> Result<Option<Event>, Error> {
        loop {
            while let Some(m) = self.pending.pop_front() {
                if let Payload::Xfrm(x) = &m.payload {
                    if let Some(e) = Event::from_message(x) {
                        return Ok(Some(e));
                    }
                }
            }
            match self.recv() {
                Ok(v) => {
                    // Undecodable messages are skipped: events are advisory.
                    self.pending.extend(v.into_iter().filter_map(Result::ok));
                }
                Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) => return Err(e),
            }
        }
    }
}

impl AsRawFd for XfrmSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

impl AsFd for XfrmSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}
