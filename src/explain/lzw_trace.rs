//! What LZW spends on each byte: the `.Z` encoder's parse replayed with a plain
//! dictionary, each code's bits spread evenly over the bytes it covers.
//!
//! The rules are `compress`'s, as [`crate::lzw::Encoder`] implements them (see the
//! top of `src/lzw/encode.rs`): 9-bit codes that widen when the table reaches `2^n`,
//! zero padding to the end of the 8-code group at every widening and after a CLEAR,
//! and, once the table is full, a ratio check every 10 000 input bytes that may write
//! a CLEAR. Padding and CLEAR codes are charged to the code written just before them;
//! the 3-byte header to nobody. The sum is checked against the real encoder's output
//! in the tests, so the page can say that the LZW costs add up to the `.Z` file.

use crate::lzw::HEADER_LEN;
use std::collections::HashMap;

const FIRST: u32 = 257;
const INIT_BITS: u32 = 9;
const CHECK_GAP: u64 = 10_000;

/// Bits per byte of `data` as `.Z` with 16-bit codes codes it (header excluded), and
/// the total code bits, padding included.
pub fn lzw_costs(data: &[u8]) -> (Vec<f32>, u64) {
    let max_bits = 16u32;
    let max_max_code = 1u32 << max_bits;
    let mut costs = vec![0f32; data.len()];
    let mut dict: HashMap<(u32, u8), u32> = HashMap::new();
    let mut n_bits = INIT_BITS;
    let mut free_ent = FIRST;
    let mut ext_code = (1u32 << INIT_BITS) + 1;
    let mut table_full = false;
    let mut ratio: i64 = 0;
    let mut checkpoint = CHECK_GAP;
    let mut bits_out = 0u64;
    let mut group_origin = 0u64;
    let Some((&first, rest)) = data.split_first() else {
        return (costs, 0);
    };
    let mut ent = u32::from(first);
    let mut start = 0usize;
    // Bits charged to the code that ends at `end` (exclusive), spread over its bytes.
    let charge = |costs: &mut [f32], start: usize, end: usize, bits: u64| {
        let per = bits as f32 / (end - start) as f32;
        for c in &mut costs[start..end] {
            *c += per;
        }
    };
    let pad = |bits_out: &mut u64, group_origin: &mut u64, n_bits: u32| -> u64 {
        let group = u64::from(n_bits) * 8;
        let used = (*bits_out - *group_origin) % group;
        let extra = if used == 0 { 0 } else { group - used };
        *bits_out += extra;
        *group_origin = *bits_out;
        extra
    };
    for (k, &c) in rest.iter().enumerate() {
        let i = k + 1;
        if let Some(&code) = dict.get(&(ent, c)) {
            ent = code;
            continue;
        }
        // Emit `ent`, covering data[start..i].
        let mut bits = u64::from(n_bits);
        bits_out += u64::from(n_bits);
        if !table_full {
            if free_ent < max_max_code {
                dict.insert((ent, c), free_ent);
            }
            free_ent += 1;
        }
        ent = u32::from(c);
        // The boundary before reading byte i + 1 (`compress` checks it only when
        // another byte follows, which byte i does).
        if !table_full && free_ent >= ext_code {
            if n_bits < max_bits {
                bits += pad(&mut bits_out, &mut group_origin, n_bits);
                n_bits += 1;
                ext_code = if n_bits < max_bits {
                    (1 << n_bits) + 1
                } else {
                    1 << n_bits
                };
            } else {
                table_full = true;
            }
        }
        let bytes_in = i as u64;
        if table_full && bytes_in >= checkpoint {
            checkpoint = bytes_in + CHECK_GAP;
            let bytes_out = ((HEADER_LEN as u64 * 8 + bits_out) >> 3) as i64;
            let rat: i64 = if bytes_in > 0x007f_ffff {
                match bytes_out >> 8 {
                    0 => 0x7fff_ffff,
                    d => bytes_in as i64 / d,
                }
            } else {
                ((bytes_in as i64) << 8) / bytes_out
            };
            if rat >= ratio {
                ratio = rat;
            } else {
                ratio = 0;
                dict.clear();
                bits += u64::from(n_bits);
                bits_out += u64::from(n_bits);
                bits += pad(&mut bits_out, &mut group_origin, n_bits);
                n_bits = INIT_BITS;
                ext_code = (1 << INIT_BITS) + 1;
                free_ent = FIRST;
                table_full = false;
            }
        }
        charge(&mut costs, start, i, bits);
        start = i;
    }
    // The last code keeps its width; the final partial byte is padded.
    bits_out += u64::from(n_bits);
    let tail = bits_out.next_multiple_of(8) - bits_out;
    charge(&mut costs, start, data.len(), u64::from(n_bits) + tail);
    (costs, bits_out + tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(data: &[u8]) {
        let (costs, bits) = lzw_costs(data);
        let real = crate::lzw::compress_bytes(data, 16);
        assert_eq!(
            bits / 8 + HEADER_LEN as u64,
            real.len() as u64,
            "{}",
            data.len()
        );
        let sum: f64 = costs.iter().map(|&c| f64::from(c)).sum();
        assert!((sum - bits as f64).abs() < 1e-3 * bits as f64 + 1.0);
    }

    #[test]
    fn totals_match_the_real_encoder() {
        check(b"a");
        check(b"abababababababab");
        check(&b"the quick brown fox jumps over the lazy dog. ".repeat(50));
        // Pseudo-random bytes fill the table and make the ratio checks clear it.
        let mut x = 12345u32;
        let noisy: Vec<u8> = (0..200_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        check(&noisy);
        let text: Vec<u8> = (0..150_000u32)
            .map(|i| b"abcdefghij klmnop\n"[(i * i / 7 % 18) as usize])
            .collect();
        check(&text);
    }
}
