//! Damaging a packet so that it still arrives: one bit of its TCP or UDP payload flipped,
//! then the transport checksum computed anew over the pseudo-header, header and payload.
//! A segment whose checksum does not match is dropped by the receiving kernel, which would
//! make corruption just loss; with a valid checksum the damaged bytes reach the program.
//!
//! Only IPv4 TCP and UDP packets that carry payload are damaged (headers are left alone,
//! so the connection itself survives); any other packet is left as it is.

const TCP: u8 = 6;
const UDP: u8 = 17;

/// Where a packet's transport header and payload start, and which protocol it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub protocol: u8,
    /// Offset of the transport header.
    pub transport: usize,
    /// Offset of the transport payload.
    pub payload: usize,
    /// The end of the IP datagram (its total length).
    pub end: usize,
}

/// The layout of an IPv4 TCP or UDP packet that is not a fragment; None for anything else.
pub fn layout(packet: &[u8]) -> Option<Layout> {
    if packet.len() < 20 || packet[0] >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(packet[0] & 0x0f) * 4;
    let end = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    let fragment = u16::from_be_bytes([packet[6], packet[7]]) & 0x3fff != 0;
    if ihl < 20 || end > packet.len() || end < ihl || fragment {
        return None;
    }
    let protocol = packet[9];
    let header = match protocol {
        TCP if end >= ihl + 20 => usize::from(packet[ihl + 12] >> 4) * 4,
        UDP if end >= ihl + 8 => 8,
        _ => return None,
    };
    if header < 8 || ihl + header > end {
        return None;
    }
    Some(Layout {
        protocol,
        transport: ihl,
        payload: ihl + header,
        end,
    })
}

/// The ones' complement sum of `bytes` (as big-endian 16-bit words), folded.
fn sum(mut acc: u32, bytes: &[u8]) -> u32 {
    let mut chunks = bytes.chunks_exact(2);
    for w in &mut chunks {
        acc += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u32::from(*last) << 8;
    }
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc
}

/// The offset of the transport checksum field.
fn checksum_at(l: &Layout) -> usize {
    l.transport + if l.protocol == TCP { 16 } else { 6 }
}

/// Compute the TCP or UDP checksum of the packet anew and write it in. A UDP packet sent
/// without a checksum (zero) keeps none.
pub fn fix(packet: &mut [u8], l: &Layout) {
    let at = checksum_at(l);
    if l.protocol == UDP && packet[at] == 0 && packet[at + 1] == 0 {
        return;
    }
    packet[at] = 0;
    packet[at + 1] = 0;
    let len = (l.end - l.transport) as u32;
    // Pseudo-header: source, destination, zero + protocol, transport length.
    let mut acc = sum(0, &packet[12..20]);
    acc = sum(acc + u32::from(l.protocol) + len, &[]);
    acc = sum(acc, &packet[l.transport..l.end]);
    let mut c = !(acc as u16);
    if l.protocol == UDP && c == 0 {
        c = 0xffff;
    }
    packet[at..at + 2].copy_from_slice(&c.to_be_bytes());
}

/// Whether the packet's transport checksum is right (for tests and for the worker's
/// sanity: a packet handed over with a partial checksum is not damaged).
pub fn valid(packet: &[u8], l: &Layout) -> bool {
    let mut copy = packet.to_vec();
    fix(&mut copy, l);
    copy[..l.end] == packet[..l.end]
}

/// Flip bit `pick mod (payload bits)` of the payload and fix the checksum; false (and the
/// packet unchanged) when it is not an IPv4 TCP/UDP packet with payload.
pub fn corrupt(packet: &mut [u8], pick: u64) -> bool {
    let Some(l) = layout(packet) else {
        return false;
    };
    let bits = ((l.end - l.payload) * 8) as u64;
    if bits == 0 {
        return false;
    }
    let bit = (pick % bits) as usize;
    packet[l.payload + bit / 8] ^= 1 << (bit % 8);
    fix(packet, &l);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv4 packet 10.0.0.1 -> 10.0.0.2 of `protocol` with a transport header of
    /// `header` bytes and `payload`, its checksum right.
    fn packet(protocol: u8, header: usize, payload: &[u8]) -> Vec<u8> {
        let total = 20 + header + payload.len();
        let mut p = vec![0u8; total];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
        p[8] = 64;
        p[9] = protocol;
        p[12..16].copy_from_slice(&[10, 0, 0, 1]);
        p[16..20].copy_from_slice(&[10, 0, 0, 2]);
        p[20..22].copy_from_slice(&4000u16.to_be_bytes());
        p[22..24].copy_from_slice(&5000u16.to_be_bytes());
        if protocol == TCP {
            p[32] = ((header / 4) as u8) << 4;
            p[33] = 0x18;
        } else {
            p[24..26].copy_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
            p[26] = 1; // any non-zero: a checksum is wanted
        }
        p[20 + header..].copy_from_slice(payload);
        let l = layout(&p).unwrap();
        fix(&mut p, &l);
        p
    }

    #[test]
    fn a_known_udp_checksum_is_computed() {
        // Worked by hand: pseudo-header 0a00+0001+0a00+0002+0011+000a, header
        // 0fa0+1388+000a, payload 6869 ("hi"): sum 0x3cbd... complemented.
        let p = packet(UDP, 8, b"hi");
        let l = layout(&p).unwrap();
        assert_eq!(
            l,
            Layout {
                protocol: UDP,
                transport: 20,
                payload: 28,
                end: 30
            }
        );
        let words: u32 = [
            0x0a00, 0x0001, 0x0a00, 0x0002, 0x0011, 0x000a, 0x0fa0, 0x1388, 0x000a, 0x6869,
        ]
        .iter()
        .sum();
        let folded = (words & 0xffff) + (words >> 16);
        assert_eq!(u16::from_be_bytes([p[26], p[27]]), !(folded as u16));
    }

    #[test]
    fn a_corrupted_segment_differs_by_one_bit_and_its_checksum_is_valid() {
        for (protocol, header) in [(TCP, 20), (TCP, 32), (UDP, 8)] {
            for pick in [0u64, 7, 8, 1234, u64::MAX] {
                let before = packet(protocol, header, b"{\"type\":\"append\",\"odd\":1}");
                let mut after = before.clone();
                assert!(corrupt(&mut after, pick));
                let l = layout(&after).unwrap();
                assert!(valid(&after, &l), "protocol {protocol} pick {pick}");
                let flipped: u32 = before[l.payload..]
                    .iter()
                    .zip(&after[l.payload..])
                    .map(|(a, b)| (a ^ b).count_ones())
                    .sum();
                assert_eq!(flipped, 1);
                assert_eq!(before[..l.transport + 4], after[..l.transport + 4]);
            }
        }
    }

    #[test]
    fn packets_without_payload_or_not_ipv4_tcp_udp_are_left_alone() {
        let mut ack = packet(TCP, 20, b"");
        let before = ack.clone();
        assert!(!corrupt(&mut ack, 3));
        assert_eq!(ack, before);
        let mut icmp = packet(UDP, 8, b"ping");
        icmp[9] = 1;
        assert!(!corrupt(&mut icmp, 3));
        let mut v6 = packet(UDP, 8, b"x");
        v6[0] = 0x60;
        assert!(!corrupt(&mut v6, 3));
        assert!(layout(&[0x45; 10]).is_none());
        let mut fragment = packet(UDP, 8, b"x");
        fragment[6] = 0x20; // more fragments
        assert!(layout(&fragment).is_none());
    }

    #[test]
    fn a_udp_packet_without_checksum_keeps_none() {
        let mut p = packet(UDP, 8, b"abc");
        p[26] = 0;
        p[27] = 0;
        assert!(corrupt(&mut p, 1));
        assert_eq!(&p[26..28], &[0, 0]);
    }
}
