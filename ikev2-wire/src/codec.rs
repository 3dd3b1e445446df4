//! Bounds-checked reading and writing primitives shared by every codec.
//!
//! Nothing here can panic: reads past the end give [`Error::Truncated`] naming
//! the structure and its offset, writes past the end give the same error with
//! [`Part::OutputBuffer`].

use crate::error::{Error, Part};

/// A forward-only reader over one structure's bytes.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` in the caller's buffer (for error reports).
    base: usize,
    part: Part,
}

impl<'a> Reader<'a> {
    #[inline]
    pub(crate) const fn new(buf: &'a [u8], base: usize, part: Part) -> Self {
        Self {
            buf,
            pos: 0,
            base,
            part,
        }
    }

    /// Bytes not yet read.
    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Absolute offset of the next byte.
    pub(crate) const fn offset(&self) -> usize {
        self.base + self.pos
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.buf.get(self.pos..end)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(Error::Truncated {
                part: self.part,
                offset: self.base,
                need: self.pos.saturating_add(n),
                have: self.buf.len(),
            }),
        }
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let s = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.array::<1>()?[0])
    }

    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// The rest of the buffer.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        s
    }
}

/// A forward-only writer into a caller-supplied buffer.
#[derive(Debug)]
pub(crate) struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes written so far.
    pub(crate) const fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn bytes(&mut self, data: &[u8]) -> Result<(), Error> {
        let have = self.buf.len();
        let end = self.pos.checked_add(data.len());
        match end.and_then(|end| self.buf.get_mut(self.pos..end)) {
            Some(dst) => {
                dst.copy_from_slice(data);
                self.pos += data.len();
                Ok(())
            }
            None => Err(Error::Truncated {
                part: Part::OutputBuffer,
                offset: self.pos,
                need: self.pos.saturating_add(data.len()),
                have,
            }),
        }
    }

    pub(crate) fn u8(&mut self, v: u8) -> Result<(), Error> {
        self.bytes(&[v])
    }

    pub(crate) fn u16(&mut self, v: u16) -> Result<(), Error> {
        self.bytes(&v.to_be_bytes())
    }

    pub(crate) fn u32(&mut self, v: u32) -> Result<(), Error> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a 16-bit length field, failing if `len` does not fit.
    pub(crate) fn len16(&mut self, part: Part, len: usize) -> Result<(), Error> {
        self.u16(len16(part, self.pos, len)?)
    }
}

/// Copies the first `N` octets of `buf` (a fixed header), or reports the
/// structure at `offset` as truncated.
#[inline]
pub(crate) fn fixed<const N: usize>(
    buf: &[u8],
    part: Part,
    offset: usize,
) -> Result<[u8; N], Error> {
    match buf.first_chunk::<N>() {
        Some(a) => Ok(*a),
        None => Err(truncated(part, offset, N, buf.len())),
    }
}

#[cold]
#[inline(never)]
pub(crate) const fn truncated(part: Part, offset: usize, need: usize, have: usize) -> Error {
    Error::Truncated {
        part,
        offset,
        need,
        have,
    }
}

/// Converts a length to a 16-bit field value or reports it as too long.
pub(crate) fn len16(part: Part, offset: usize, len: usize) -> Result<u16, Error> {
    u16::try_from(len).map_err(|_| Error::BadLength {
        part,
        offset,
        len,
        min: 0,
        max: usize::from(u16::MAX),
    })
}

/// Splits `buf` at a structure's own 16-bit length field.
///
/// `len` must be at least `min` (its fixed header) and at most what is left.
#[inline]
pub(crate) fn split_len(
    buf: &[u8],
    len: usize,
    min: usize,
    part: Part,
    offset: usize,
) -> Result<(&[u8], &[u8]), Error> {
    if len < min || len > buf.len() {
        return Err(Error::BadLength {
            part,
            offset,
            len,
            min,
            max: buf.len(),
        });
    }
    Ok(buf.split_at_checked(len).unwrap_or((buf, &[])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_reports_truncation() {
        let mut r = Reader::new(&[1, 2, 3], 10, Part::Header);
        assert_eq!(r.u16(), Ok(0x0102));
        assert_eq!(r.offset(), 12);
        assert_eq!(
            r.u16(),
            Err(Error::Truncated {
                part: Part::Header,
                offset: 10,
                need: 4,
                have: 3
            })
        );
        assert_eq!(r.rest(), &[3]);
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn writer_refuses_overflow() {
        let mut buf = [0u8; 3];
        let mut w = Writer::new(&mut buf);
        assert!(w.u16(0xABCD).is_ok());
        assert!(w.u16(1).is_err());
        assert_eq!(w.position(), 2);
        assert!(w.len16(Part::Header, 70_000).is_err());
    }
}
