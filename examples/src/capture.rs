//! Reading frames from pcap and pcapng captures held in memory.
//!
//! Both formats are parsed with the `pcap-parser` crate; this module only
//! tracks the link type of each frame (per file for pcap, per interface for
//! pcapng), numbers frames from 1 the way Wireshark does, and turns parser
//! failures into [`CaptureError`].

use pcap_parser::pcapng::Block;
use pcap_parser::{Linktype, PcapBlockOwned};

use crate::Error;

/// One captured frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Frame number, counting from 1 over the packet records of the file.
    pub number: u64,
    /// Link-layer header type of the frame (a LINKTYPE_* value).
    pub linktype: i32,
    /// The captured bytes (at most the capture length, never the padding).
    pub data: &'a [u8],
}

/// Why a capture could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The file starts with neither a pcap nor a pcapng magic number.
    #[error("not a pcap or pcapng capture")]
    UnknownFormat,
    /// A record or block is cut short or malformed at this byte offset.
    #[error("capture record malformed or truncated at byte offset {offset}")]
    Malformed {
        /// Byte offset of the record from the start of the file.
        offset: usize,
    },
    /// A pcapng packet names an interface that was never described.
    #[error("pcapng packet at byte offset {offset} names unknown interface {interface}")]
    UnknownInterface {
        /// Byte offset of the block.
        offset: usize,
        /// The interface id it names.
        interface: u32,
    },
}

const PCAP_MAGICS: [[u8; 4]; 4] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
];
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// Reads every frame of a pcap or pcapng capture.
///
/// The format is recognised from the magic number. A damaged record stops the
/// walk with an error (the frames before it are not returned: a caller that
/// wants them should use [`Frames`] directly).
pub fn read_frames(file: &[u8]) -> Result<Vec<Frame<'_>>, Error> {
    Frames::new(file)?.collect()
}

/// Iterator over the frames of a capture held in memory.
#[derive(Debug)]
pub struct Frames<'a> {
    file: &'a [u8],
    rem: &'a [u8],
    kind: Kind,
    number: u64,
    done: bool,
}

#[derive(Debug)]
enum Kind {
    Pcap {
        linktype: i32,
        big_endian: bool,
    },
    PcapNg {
        big_endian: bool,
        interfaces: Vec<i32>,
    },
}

impl<'a> Frames<'a> {
    /// Recognises the format and reads the file header.
    pub fn new(file: &'a [u8]) -> Result<Self, Error> {
        let magic = file.get(..4).ok_or(CaptureError::UnknownFormat)?;
        if PCAP_MAGICS.iter().any(|m| m == magic) {
            let (rem, header) = pcap_parser::parse_pcap_header(file)
                .map_err(|_| CaptureError::Malformed { offset: 0 })?;
            Ok(Self {
                file,
                rem,
                kind: Kind::Pcap {
                    linktype: header.network.0,
                    big_endian: header.is_bigendian(),
                },
                number: 0,
                done: false,
            })
        } else if magic == PCAPNG_MAGIC {
            Ok(Self {
                file,
                rem: file,
                kind: Kind::PcapNg {
                    big_endian: false,
                    interfaces: Vec::new(),
                },
                number: 0,
                done: false,
            })
        } else {
            Err(CaptureError::UnknownFormat.into())
        }
    }

    fn offset(&self) -> usize {
        self.file.len().saturating_sub(self.rem.len())
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'a>>, CaptureError> {
        loop {
            if self.rem.is_empty() {
                return Ok(None);
            }
            let offset = self.offset();
            let malformed = CaptureError::Malformed { offset };
            match &mut self.kind {
                Kind::Pcap {
                    linktype,
                    big_endian,
                } => {
                    let parsed = if *big_endian {
                        pcap_parser::parse_pcap_frame_be(self.rem)
                    } else {
                        pcap_parser::parse_pcap_frame(self.rem)
                    };
                    let (rem, block) = parsed.map_err(|_| malformed)?;
                    self.rem = rem;
                    self.number += 1;
                    let caplen = usize::try_from(block.caplen).map_err(|_| malformed)?;
                    let data = block.data.get(..caplen).unwrap_or(block.data);
                    return Ok(Some(Frame {
                        number: self.number,
                        linktype: *linktype,
                        data,
                    }));
                }
                Kind::PcapNg {
                    big_endian,
                    interfaces,
                } => {
                    let parsed = if *big_endian {
                        pcap_parser::pcapng::parse_block_be(self.rem)
                    } else {
                        pcap_parser::pcapng::parse_block_le(self.rem)
                    };
                    let (rem, block) = parsed.map_err(|_| malformed)?;
                    self.rem = rem;
                    match PcapBlockOwned::from(block) {
                        PcapBlockOwned::NG(Block::SectionHeader(shb)) => {
                            *big_endian = shb.big_endian();
                            interfaces.clear();
                        }
                        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                            interfaces.push(idb.linktype.0);
                        }
                        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                            self.number += 1;
                            let linktype = usize::try_from(epb.if_id)
                                .ok()
                                .and_then(|i| interfaces.get(i))
                                .copied()
                                .ok_or(CaptureError::UnknownInterface {
                                    offset,
                                    interface: epb.if_id,
                                })?;
                            let caplen = usize::try_from(epb.caplen).map_err(|_| malformed)?;
                            let data = epb.data.get(..caplen).unwrap_or(epb.data);
                            return Ok(Some(Frame {
                                number: self.number,
                                linktype,
                                data,
                            }));
                        }
                        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                            self.number += 1;
                            let linktype = interfaces.first().copied().ok_or(
                                CaptureError::UnknownInterface {
                                    offset,
                                    interface: 0,
                                },
                            )?;
                            return Ok(Some(Frame {
                                number: self.number,
                                linktype,
                                data: spb.data,
                            }));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_frame() {
            Ok(Some(f)) => Some(Ok(f)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e.into()))
            }
        }
    }
}

/// LINKTYPE_ETHERNET.
pub const LINKTYPE_ETHERNET: i32 = Linktype::ETHERNET.0;
/// LINKTYPE_RAW (IPv4 or IPv6 without link header).
pub const LINKTYPE_RAW: i32 = Linktype::RAW.0;
/// LINKTYPE_LINUX_SLL (Linux "cooked" capture, v1).
pub const LINKTYPE_LINUX_SLL: i32 = Linktype::LINUX_SLL.0;
/// LINKTYPE_LINUX_SLL2 (Linux "cooked" capture, v2).
pub const LINKTYPE_LINUX_SLL2: i32 = Linktype::LINUX_SLL2.0;
/// LINKTYPE_NULL (BSD loopback, host-order address family).
pub const LINKTYPE_NULL: i32 = Linktype::NULL.0;
/// LINKTYPE_LOOP (OpenBSD loopback, network-order address family).
pub const LINKTYPE_LOOP: i32 = Linktype::LOOP.0;
/// LINKTYPE_IPV4.
pub const LINKTYPE_IPV4: i32 = Linktype::IPV4.0;
/// LINKTYPE_IPV6.
pub const LINKTYPE_IPV6: i32 = Linktype::IPV6.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_magic() {
        assert!(matches!(
            Frames::new(b"GIF89a.."),
            Err(Error::Capture(CaptureError::UnknownFormat))
        ));
        assert!(matches!(
            Frames::new(b""),
            Err(Error::Capture(CaptureError::UnknownFormat))
        ));
    }

    #[test]
    fn truncated_record_is_an_error_not_a_panic() {
        // pcap header (LE, Ethernet) followed by a record header claiming 100
        // bytes with only 4 present.
        let mut f = vec![
            0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0,
            0,
        ];
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&100u32.to_le_bytes());
        f.extend_from_slice(&100u32.to_le_bytes());
        f.extend_from_slice(&[1, 2, 3, 4]);
        let r = read_frames(&f);
        assert!(matches!(
            r,
            Err(Error::Capture(CaptureError::Malformed { offset: 24 }))
        ));
    }
}
