//! Golden files: `.nnz` and `.Z` files written once and checked in under
//! `tests/golden/v<N>/` (N = the `.nnz` format version that wrote them), each listed in
//! that directory's `MANIFEST` with the settings that made it, where its original comes
//! from, and the original's length and CRC-32.
//!
//! Two checks per file:
//! - it decodes to the original, whose length and CRC-32 match the manifest (every
//!   `.Z` file, and the `.nnz` files of every version from [`FIRST_READABLE`] on,
//!   forever: readers keep decoding every released older version);
//! - re-compressing the original with the recorded settings (for `.nnz`: the model
//!   configuration and segment length in the file's header, and its chunk length)
//!   reproduces it byte for byte (files of the current version, and every `.Z`
//!   file). So any change of the
//!   model, the coder or the container that would alter the output — and with it break
//!   the files users already have — fails here. The rules are in `FORMAT.md`, "Format
//!   version policy": such a change needs a new format version and a new golden
//!   directory; the golden files of a released version are never regenerated.
//!
//! `.nnz` files of a version before [`FIRST_READABLE`] (version 1: never released, its
//! predictor was replaced; see "Version history" in `FORMAT.md`) must instead be
//! refused with `Error::UnsupportedVersion { found: 1, .. }`; their manifests still
//! have to match their sources.
//!
//! Originals are not checked in when they can be regenerated from the shipped
//! corpora. Sources in the manifest: `empty`, `byte:HH` (one byte, hex), `seq256` (the
//! 256 byte values in order), `slice:PATH:OFFSET:LEN` (bytes of a file relative to
//! the crate root) and `repeat:PATH:OFFSET:LEN:TOTAL` (such a slice repeated up to
//! TOTAL bytes). Settings: `nn:PRESET` (header records the length, as for a file),
//! `nn:PRESET:stream` (length unknown, as from a pipe), `lzw:BITS`.
//!
//! The `.Z` files are written by nnzip's LZW encoder, whose output at 12 and 16 bits
//! is what `compress -b N -c` writes, except `lzw16-enwik310k.Z`, which `compress`
//! wrote itself: the only golden file that fills the 16-bit table and then clears it
//! ([`a_16_bit_golden_file_fills_the_table_and_clears`] keeps it so). It is the
//! smallest kind of file that can: filling the table takes 65,280 codes, at least
//! 120 kB of output, whatever the input. These tests need no `compress` on `PATH`.
//!
//! New golden files (for a new format version) are written by the ignored test
//! [`write_missing_golden_files`]: list them in the manifest with `-` for length and
//! CRC, then run `NNZIP_WRITE_GOLDEN=1 cargo test --release --test suite --
//! --ignored golden::write_missing_golden_files`. It never overwrites a file.
//!
//! **Regenerating the golden files of an unreleased version.** While the current
//! version is listed in [`UNRELEASED`] (version 2 is, until the first release), its
//! model may still change; after such a change, rewrite all of its golden files (the
//! `.nnz` and the `.Z` ones, and the lengths and CRCs in its manifest) with one
//! command, from the crate root:
//!
//! ```text
//! NNZIP_REWRITE_GOLDEN=2 cargo test --release --test suite -- --ignored golden::rewrite_unreleased_golden_files
//! ```
//!
//! The variable must name the current version, and that version must be in
//! [`UNRELEASED`]; otherwise the test refuses to touch anything. Then run
//! `cargo test --release --test suite -- golden::` and commit `tests/golden/v2/`. On release,
//! remove the version from [`UNRELEASED`]: from then on its files are frozen.

use nnzip::format::{
    EncodeOptions, Header, NnzEncoder, CHUNK_LEN, HEADER_LEN, SEGMENT_FRAME_LEN, VERSION,
};
use nnzip::{compress, compress_bytes, decompress_bytes, Codec, Error, Preset};
use std::fs;
use std::path::{Path, PathBuf};

/// The oldest `.nnz` format version this build decodes. Version 1 was never released
/// and is refused (see "Version history" in `FORMAT.md`).
const FIRST_READABLE: u8 = 2;

/// Format versions not released yet: their golden files may be rewritten by
/// [`rewrite_unreleased_golden_files`] when the model changes. Empty this list (of the
/// version) when it is released.
const UNRELEASED: &[u8] = &[2];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// How a golden file was compressed.
#[derive(Debug, Clone, PartialEq)]
enum Settings {
    /// The neural codec with a preset; `stream` = original length not in the header.
    Neural { preset: Preset, stream: bool },
    /// LZW with this maximum code width.
    Lzw { max_bits: u8 },
}

impl Settings {
    fn parse(s: &str) -> Settings {
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            ["nn", p] | ["nn", p, "stream"] => Settings::Neural {
                preset: Preset::from_name(p).unwrap_or_else(|| panic!("unknown preset {p}")),
                stream: parts.len() == 3,
            },
            ["lzw", bits] => Settings::Lzw {
                max_bits: bits.parse().expect("lzw bits"),
            },
            _ => panic!("unknown settings {s:?}"),
        }
    }

    fn group(&self) -> &'static str {
        match self {
            Settings::Neural { preset, .. } => preset.name(),
            Settings::Lzw { .. } => "lzw",
        }
    }

    fn compress(&self, data: &[u8]) -> Vec<u8> {
        match *self {
            Settings::Neural { preset, stream } => {
                let codec = Codec::Neural(preset.config());
                if stream {
                    let mut out = Vec::new();
                    compress(data, &mut out, &codec, &mut |_| {}).expect("compress");
                    out
                } else {
                    compress_bytes(data, &codec).expect("compress")
                }
            }
            Settings::Lzw { max_bits } => {
                compress_bytes(data, &Codec::Lzw { max_bits }).expect("compress")
            }
        }
    }
}

impl Settings {
    /// Compresses `data` again the way `golden` was made: with the model
    /// configuration and segment length stored in its header and its chunk length
    /// (for `.nnz`), so that retuning a preset or the writer's default chunk or
    /// segment length, which old files do not depend on, leaves the golden files
    /// valid; anything else that changes the output does not.
    fn recompress(&self, data: &[u8], golden: &[u8]) -> Vec<u8> {
        let Settings::Neural { stream, .. } = *self else {
            return self.compress(data);
        };
        let header = Header::read_from(&mut &golden[..]).expect("golden header");
        // The first chunk frame follows the header and the first segment frame.
        let at = HEADER_LEN + SEGMENT_FRAME_LEN;
        let first_raw = golden
            .get(at..at + 4)
            .filter(|_| golden.len() > HEADER_LEN + 4 + 12 + 4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        let chunk_len = if first_raw == 0 { CHUNK_LEN } else { first_raw };
        let len = (!stream).then_some(data.len() as u64);
        let opts = EncodeOptions {
            segment_len: header.segment_len,
            chunk_len,
        };
        let mut enc =
            NnzEncoder::with_options(Vec::new(), &header.config, len, opts).expect("encoder");
        enc.encode(data).expect("encode");
        enc.finish().expect("finish").0
    }
}

/// The original bytes a manifest source names.
fn original(source: &str) -> Vec<u8> {
    let parts: Vec<&str> = source.split(':').collect();
    let num = |s: &str| -> usize { s.parse().unwrap_or_else(|_| panic!("number in {source}")) };
    let slice = |path: &str, off: &str, len: &str| -> Vec<u8> {
        let file = fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (off, len) = (num(off), num(len));
        assert!(off + len <= file.len(), "{source}: {path} is too short");
        file[off..off + len].to_vec()
    };
    match parts.as_slice() {
        ["empty"] => Vec::new(),
        ["byte", hex] => vec![u8::from_str_radix(hex, 16).expect("hex byte")],
        ["seq256"] => (0..=255u8).collect(),
        ["slice", path, off, len] => slice(path, off, len),
        ["repeat", path, off, len, total] => {
            let unit = slice(path, off, len);
            unit.iter().copied().cycle().take(num(total)).collect()
        }
        _ => panic!("unknown source {source:?}"),
    }
}

/// One manifest line.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    settings: Settings,
    settings_text: String,
    source: String,
    /// Length and CRC-32 of the original; `None` while still `-` (not yet written).
    expected: Option<(u64, u32)>,
}

/// The golden directories, with their format versions, oldest first.
fn golden_dirs() -> Vec<(u8, PathBuf)> {
    let mut dirs: Vec<(u8, PathBuf)> = fs::read_dir(root().join("tests/golden"))
        .expect("tests/golden")
        .map(|e| e.expect("dir entry").path())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let v = name.strip_prefix('v')?.parse().ok()?;
            p.is_dir().then_some((v, p))
        })
        .collect();
    dirs.sort();
    dirs
}

fn manifest(dir: &Path) -> Vec<Entry> {
    let text = fs::read_to_string(dir.join("MANIFEST")).expect("MANIFEST");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 5, "manifest line {l:?}");
            let expected = match (f[3], f[4]) {
                ("-", "-") => None,
                (len, crc) => Some((
                    len.parse().expect("length"),
                    u32::from_str_radix(crc, 16).expect("crc32"),
                )),
            };
            Entry {
                name: f[0].to_string(),
                settings: Settings::parse(f[1]),
                settings_text: f[1].to_string(),
                source: f[2].to_string(),
                expected,
            }
        })
        .collect()
}

/// Checks one golden file; returns what is wrong with it.
fn check(version: u8, dir: &Path, e: &Entry) -> Result<(), String> {
    let golden = fs::read(dir.join(&e.name)).map_err(|err| format!("cannot read: {err}"))?;
    let (len, crc) = e.expected.ok_or("no length and CRC in the manifest")?;
    let orig = original(&e.source);
    if (orig.len() as u64, crc32fast::hash(&orig)) != (len, crc) {
        return Err(format!(
            "the source {} no longer gives the original of the manifest",
            e.source
        ));
    }
    let nnz = matches!(e.settings, Settings::Neural { .. });
    if nnz && version < FIRST_READABLE {
        return match decompress_bytes(&golden) {
            Err(Error::UnsupportedVersion { found, supported })
                if found == version && supported == VERSION =>
            {
                Ok(())
            }
            other => Err(format!(
                "a version-{version} file must be refused with UnsupportedVersion \
                 {{ found: {version}, supported: {VERSION} }}, got {:?}",
                other.map(|d| d.len())
            )),
        };
    }
    match decompress_bytes(&golden) {
        Ok(d) if d.len() as u64 == len && crc32fast::hash(&d) == crc => {}
        Ok(d) => {
            return Err(format!(
                "decodes to {} bytes with crc32 {:08x}, expected {len} bytes with {crc:08x}",
                d.len(),
                crc32fast::hash(&d)
            ))
        }
        Err(err) => return Err(format!("does not decode: {err}")),
    }
    let reencode = matches!(e.settings, Settings::Lzw { .. }) || version == VERSION;
    if reencode {
        let again = e.settings.recompress(&orig, &golden);
        if again != golden {
            let at = again.iter().zip(&golden).position(|(a, b)| a != b);
            return Err(format!(
                "re-compressing with {} gives a different file ({} bytes instead of {}, first \
                 difference at byte {:?}): the output format changed; see FORMAT.md",
                e.settings_text,
                again.len(),
                golden.len(),
                at
            ));
        }
    }
    Ok(())
}

/// Checks every golden file of the settings group `group` in every version.
fn check_group(group: &str) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (version, dir) in golden_dirs() {
        for e in manifest(&dir)
            .iter()
            .filter(|e| e.settings.group() == group)
        {
            checked += 1;
            if let Err(msg) = check(version, &dir, e) {
                failures.push(format!("v{version}/{}: {msg}", e.name));
            }
        }
    }
    assert!(checked > 0, "no golden files for {group}");
    assert!(
        failures.is_empty(),
        "golden files fail:\n{}",
        failures.join("\n")
    );
}

#[test]
fn golden_fast() {
    check_group("fast");
}

#[test]
fn golden_default() {
    check_group("default");
}

#[test]
fn golden_max() {
    check_group("max");
}

#[test]
fn golden_lzw() {
    check_group("lzw");
}

/// The manifests and directories agree, the current version has golden files for
/// every preset and LZW width, and every `.nnz` file's version byte is its directory's.
#[test]
fn manifests_are_complete() {
    let dirs = golden_dirs();
    assert!(
        dirs.iter().any(|(v, _)| *v == VERSION),
        "no golden directory tests/golden/v{VERSION} for the current format version"
    );
    for (version, dir) in &dirs {
        let entries = manifest(dir);
        let mut listed: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        listed.sort();
        let mut present: Vec<String> = fs::read_dir(dir)
            .expect("golden dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "MANIFEST")
            .collect();
        present.sort();
        assert_eq!(listed, present, "v{version}: MANIFEST and files differ");
        for e in &entries {
            assert!(e.expected.is_some(), "v{version}/{}: no length/CRC", e.name);
            if e.name.ends_with(".nnz") {
                let b = fs::read(dir.join(&e.name)).expect("golden file");
                assert_eq!(
                    b.get(4),
                    Some(version),
                    "v{version}/{}: version byte",
                    e.name
                );
            }
        }
        if *version == VERSION {
            for want in [
                Settings::Neural {
                    preset: Preset::Fast,
                    stream: false,
                },
                Settings::Neural {
                    preset: Preset::Fast,
                    stream: true,
                },
                Settings::Neural {
                    preset: Preset::Default,
                    stream: false,
                },
                Settings::Neural {
                    preset: Preset::Max,
                    stream: false,
                },
                Settings::Lzw { max_bits: 9 },
                Settings::Lzw { max_bits: 12 },
                Settings::Lzw { max_bits: 16 },
            ] {
                assert!(
                    entries.iter().any(|e| e.settings == want),
                    "v{version}: no golden file for {want:?}"
                );
            }
        }
    }
}

/// The hex dump in FORMAT.md's "Example" section is what this build writes for the
/// empty input with the fast preset from a pipe.
#[test]
fn format_md_example_is_current() {
    let doc = fs::read_to_string(root().join("FORMAT.md")).expect("FORMAT.md");
    let example = doc
        .split("## Example")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("FORMAT.md has an Example section with a code block");
    let mut shown = Vec::new();
    for line in example.lines().filter(|l| l.contains(": ")) {
        let hex = line.split(": ").nth(1).expect("xxd line");
        let hex: String = hex.get(..40).unwrap_or(hex).split_whitespace().collect();
        for i in (0..hex.len()).step_by(2) {
            shown.push(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex byte"));
        }
    }
    let mut written = Vec::new();
    compress(
        &b""[..],
        &mut written,
        &Codec::Neural(Preset::Fast.config()),
        &mut |_| {},
    )
    .expect("compress");
    assert_eq!(
        shown, written,
        "FORMAT.md's example is stale: printf '' | nnzip compress --preset fast - | xxd"
    );
}

/// Writes the golden files of the current version's manifest: those still listed
/// with `-` for length and CRC (and missing), or with `rewrite` all of them,
/// overwriting; fills in every length and CRC.
fn write_golden_files(rewrite: bool) {
    let dir = root().join(format!("tests/golden/v{VERSION}"));
    let path = dir.join("MANIFEST");
    let text = fs::read_to_string(&path).expect("MANIFEST");
    let mut out = String::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with('#') || f.len() != 5 || (f[3] != "-" && !rewrite) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let settings = Settings::parse(f[1]);
        let orig = original(f[2]);
        let file = dir.join(f[0]);
        if rewrite || !file.exists() {
            fs::write(&file, settings.compress(&orig)).expect("write golden file");
        }
        out.push_str(&format!(
            "{:<27} {:<17} {:<43} {:<8} {:08x}\n",
            f[0],
            f[1],
            f[2],
            orig.len(),
            crc32fast::hash(&orig)
        ));
    }
    fs::write(&path, out).expect("rewrite MANIFEST");
}

/// Writes the golden files of the current version's manifest that do not exist yet
/// and fills in their length and CRC (see the module docs). Never overwrites a file.
#[test]
#[ignore = "writes golden files; run with NNZIP_WRITE_GOLDEN=1 for a new format version"]
fn write_missing_golden_files() {
    if std::env::var_os("NNZIP_WRITE_GOLDEN").is_none() {
        eprintln!("set NNZIP_WRITE_GOLDEN=1 to write missing golden files");
        return;
    }
    write_golden_files(false);
}

/// Rewrites every golden file of the current version, which must not be released yet
/// (see the module docs): `NNZIP_REWRITE_GOLDEN=<current version>`.
#[test]
#[ignore = "rewrites golden files; run with NNZIP_REWRITE_GOLDEN=<version> while unreleased"]
fn rewrite_unreleased_golden_files() {
    let Some(v) = std::env::var_os("NNZIP_REWRITE_GOLDEN") else {
        eprintln!("set NNZIP_REWRITE_GOLDEN={VERSION} to rewrite the golden files of v{VERSION}");
        return;
    };
    assert_eq!(
        v.to_str(),
        Some(VERSION.to_string().as_str()),
        "NNZIP_REWRITE_GOLDEN must name the current format version, {VERSION}"
    );
    assert!(
        UNRELEASED.contains(&VERSION),
        "format version {VERSION} is released: its golden files are never rewritten \
         (FORMAT.md, \"Format version policy\")"
    );
    write_golden_files(true);
}

/// The list of unreleased versions can only hold the current one: an older version
/// is released or superseded, and a superseded unreleased one is no longer read.
#[test]
fn only_the_current_version_can_be_unreleased() {
    assert!(UNRELEASED.iter().all(|&v| v == VERSION), "{UNRELEASED:?}");
}

/// What a walk over the codes of a `.Z` stream (as `compress -d` reads them) finds.
#[derive(Debug, Default)]
struct CodeWalk {
    /// CLEAR codes read.
    clears: usize,
    /// Whether the table reached `2^max_bits` entries.
    filled: bool,
}

/// Reads the codes of `z` with the widths, groups and CLEAR handling of `compress -d`,
/// without building strings: enough to see whether the table filled and was cleared.
fn walk_codes(z: &[u8]) -> CodeWalk {
    const CLEAR: u64 = 256;
    assert_eq!(z[..2], [0x1f, 0x9d], "a .Z file");
    let max_bits = u32::from(z[2] & 0x1f);
    assert!(z[2] & 0x80 != 0, "block mode");
    let body = &z[3..];
    let total = body.len() as u64 * 8;
    let (mut pos, mut origin) = (0u64, 0u64);
    let mut n_bits = 9u32;
    let mut free = 257u64;
    let mut first = true;
    let mut walk = CodeWalk::default();
    // Skips to the end of the current group of 8 codes, as `compress -d` does when the
    // width changes or the table is cleared.
    let skip_group = |pos: &mut u64, origin: &mut u64, n_bits: u32| {
        let group = u64::from(n_bits) * 8;
        *pos += (group - (*pos - *origin) % group) % group;
        *origin = *pos;
    };
    while pos + u64::from(n_bits) <= total {
        let byte = (pos / 8) as usize;
        let mut word = [0u8; 4];
        let end = body.len().min(byte + 4);
        word[..end - byte].copy_from_slice(&body[byte..end]);
        let code = (u64::from(u32::from_le_bytes(word)) >> (pos % 8)) & ((1 << n_bits) - 1);
        pos += u64::from(n_bits);
        if code == CLEAR {
            walk.clears += 1;
            skip_group(&mut pos, &mut origin, n_bits);
            n_bits = 9;
            free = 256;
            continue;
        }
        if !first && free < 1 << max_bits {
            free += 1;
        }
        first = false;
        walk.filled |= free == 1 << max_bits;
        let max_code = if n_bits < max_bits {
            (1 << n_bits) - 1
        } else {
            1 << n_bits
        };
        if free > max_code && n_bits < max_bits {
            skip_group(&mut pos, &mut origin, n_bits);
            n_bits += 1;
        }
    }
    walk
}

/// Some 16-bit golden file fills the table and clears it afterwards, so that the
/// encoder's and decoder's handling of a full 16-bit table and of the adaptive reset
/// is pinned down without `compress` (see the module docs).
#[test]
fn a_16_bit_golden_file_fills_the_table_and_clears() {
    let dir = root().join(format!("tests/golden/v{VERSION}"));
    let found: Vec<String> = manifest(&dir)
        .iter()
        .filter(|e| e.settings == Settings::Lzw { max_bits: 16 })
        .filter(|e| {
            let walk = walk_codes(&fs::read(dir.join(&e.name)).expect("golden file"));
            walk.filled && walk.clears > 0
        })
        .map(|e| e.name.clone())
        .collect();
    assert!(
        !found.is_empty(),
        "no 16-bit golden .Z file fills its table and then clears it"
    );
    // The walk itself tells a file that fills the table from one that does not.
    let small = walk_codes(&fs::read(dir.join("lzw16-enwik64k.Z")).expect("golden file"));
    assert!(!small.filled && small.clears == 0, "{small:?}");
}
